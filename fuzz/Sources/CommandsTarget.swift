//===----------------------------------------------------------------------===//
// swift-sentinel — fuzz target `commands`: client commands on a running sentinel
//===----------------------------------------------------------------------===//

import SentinelCore

/// Input: lines, each a command in inline syntax (`SENTINEL SET mymaster quorum 3`), or
/// `@tick <ms>` (run the timer that long, at most 60 s), `@hello <payload>` (a hello on the
/// master's channel), `@down <port>` / `@up <port>` (that node stops answering, connections
/// to it are refused / it is back; a peer agrees that a down node is down and votes for the
/// asker). After the last line the timer runs 3 s, then `SENTINEL FAILOVER mymaster` and 2 s more.
///
/// Sent by one client to a running topology (mymaster with a replica and a peer), so every
/// numeric path of `SENTINEL SET`, `SENTINEL CONFIG SET`, `SENTINEL DEBUG`, `CLIENT PAUSE`,
/// `SENTINEL IS-MASTER-DOWN-BY-ADDR`, `SENTINEL COORDINATED-FAILOVER`, `SENTINEL MONITOR`...
/// meets the timer and a failover. Checks: no trap; the last config persisted loads again (a value
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
            } else if line.starts(with: Array("@down ".utf8)) || line.starts(with: Array("@up ".utf8)) {
                let isDown = line[1] == UInt8(ascii: "d")
                if let port = Int(String(decoding: line.dropFirst(isDown ? 6 : 4), as: UTF8.self)) {
                    driver.setDown(port, isDown)
                }
            } else if let words = fuzzWords(line), !words.isEmpty {
                driver.command(words)
            }
        }
        driver.run(for: 3_000)
        driver.command(["SENTINEL", "FAILOVER", "mymaster"])
        driver.run(for: 2_000)
        driver.finish()
    }
}
