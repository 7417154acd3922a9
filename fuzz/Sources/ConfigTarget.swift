//===----------------------------------------------------------------------===//
// swift-sentinel — fuzz target `config`: sentinel.conf
//===----------------------------------------------------------------------===//

import SentinelCore

/// Input: a sentinel.conf.
///
/// Checks: no trap in the parser; a config that loads is rewritten (CONFIG REWRITE / flush over
/// the original text) into a file that loads again and rewrites to itself; a core started from
/// it runs 3 s against answering servers without a trap, and the last config it persists loads.
enum ConfigTarget {
    static func run(_ data: UnsafeRawBufferPointer) {
        let text = data.text
        guard let config = try? ConfigParser.parse(text, fileName: "fuzz.conf") else { return }
        let rewritten = ConfigRewriter.rewrite(original: text, config: config)
        let reloaded: SentinelConfig
        do { reloaded = try ConfigParser.parse(rewritten, fileName: "rewritten.conf") } catch {
            fuzzCheck(false, "the rewritten config does not load: \(error)\n--- rewritten:\n\(rewritten)")
            return
        }
        let again = ConfigRewriter.rewrite(original: rewritten, config: reloaded)
        fuzzCheck(again == rewritten, "rewrite is not stable:\n--- first:\n\(rewritten)\n--- second:\n\(again)")

        var driver = CoreDriver(config: config)
        driver.checkPersistedConfig = true
        driver.budget = 20_000
        driver.start()
        driver.run(for: 3_000)
        driver.finish()
    }

    /// A config the core persists must load again (else the next start fails).
    static func checkReloads(_ config: SentinelConfig) {
        let text = ConfigRewriter.rewrite(original: "", config: config)
        do { _ = try ConfigParser.parse(text, fileName: "persisted.conf") } catch {
            fuzzCheck(false, "a persisted config does not load: \(error)\n--- persisted:\n\(text)")
        }
    }
}
