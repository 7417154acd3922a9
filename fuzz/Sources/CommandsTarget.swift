//===----------------------------------------------------------------------===//
// swift-sentinel — fuzz target `commands`: client commands on a running sentinel
//===----------------------------------------------------------------------===//

import SentinelCore

/// Input: lines, each a command in inline syntax (`SENTINEL SET mymaster quorum 3`), or
/// `@tick <ms>` (run the timer that long, at most 60 s), or `@hello <payload>` (a hello on the
/// master's channel). After the last line the timer runs 3 s more.
///
/// Sent by one client to a running topology (mymaster with a replica and a peer), so every
/// numeric path of `SENTINEL SET`, `SENTINEL CONFIG SET`, `SENTINEL DEBUG`, `CLIENT PAUSE`,
/// `SENTINEL IS-MASTER-DOWN-BY-ADDR`, `SENTINEL COORDINATED-FAILOVER`, `SENTINEL MONITOR`...
/// meets the timer and a failover. Checks: no trap; every config persisted loads again (a value
/// accepted at run time must not make the next start fail); every reply encodes.
enum CommandsTarget {
    static func run(_ data: UnsafeRawBufferPointer) {
        var driver = Topology.ready
        driver.checkPersistedConfig = true
        for line in fuzzLines(data).prefix(64) where !driver.stopped {
            if line.starts(with: Array("@tick ".utf8)) {
                let ms = Int64(String(decoding: line.dropFirst(6), as: UTF8.self)) ?? 0
                driver.run(for: min(max(ms, 0), 60_000))
            } else if line.starts(with: Array("@hello ".utf8)) {
                driver.hello(String(decoding: line.dropFirst(7), as: UTF8.self), to: Topology.master)
            } else if let words = fuzzWords(line), !words.isEmpty {
                driver.command(words)
            }
        }
        driver.run(for: 3_000)
    }
}
