//===----------------------------------------------------------------------===//
// swift-sentinel — fuzz target `hello`: messages on `__sentinel__:hello`
//===----------------------------------------------------------------------===//

import SentinelCore

/// Input: hello payloads, one per line (`ip,port,runid,current-epoch,master,master-ip,
/// master-port,master-config-epoch`), as any client that can PUBLISH on the master sends them.
///
/// Delivered on the master's pub/sub link of a running topology (a known peer, a replica), then
/// 1 s of timer, then `SENTINEL FAILOVER mymaster` and 2 s more (a failover start uses the
/// epochs hellos set). Checks: no trap; the last config persisted loads.
enum HelloTarget {
    static func run(_ data: UnsafeRawBufferPointer) {
        var driver = Topology.ready
        driver.checkPersistedConfig = true
        for line in fuzzLines(data).prefix(64) {
            driver.hello(String(decoding: line, as: UTF8.self), to: Topology.master)
        }
        driver.run(for: 1_000)
        driver.command(["SENTINEL", "FAILOVER", "mymaster"])
        driver.run(for: 2_000)
        driver.finish()
    }
}
