//===----------------------------------------------------------------------===//
// swift-sentinel — fuzz target `info`: INFO replies of monitored instances
//===----------------------------------------------------------------------===//

import SentinelCore

/// Input: one byte choosing the instance (even: the master, odd: its replica), then the INFO
/// text it answers from now on.
///
/// The text goes through `InfoParser` and then, as the reply to the INFO the core is waiting
/// for, through the core (role changes, replica discovery, failover decisions); 2 s of timer,
/// `SENTINEL FAILOVER mymaster` (replica selection reads priorities, offsets and link-down
/// times from INFO) and 2 s more. Checks: no trap; the last config persisted loads.
enum InfoTarget {
    /// The topology with the next INFO reply of both the master and the replica pending.
    static let waiting: CoreDriver = {
        var driver = Topology.ready
        driver.holdInfo = [Topology.master, Topology.replica]
        var waited: Millis = 0
        while driver.held.count < 2 && waited < 30_000 {
            driver.run(for: 100)
            waited += 100
        }
        fuzzCheck(driver.held.count == 2, "the topology never sent INFO to both instances")
        return driver
    }()

    static func run(_ data: UnsafeRawBufferPointer) {
        guard let option = data.first else { return }
        let text = UnsafeRawBufferPointer(rebasing: data.dropFirst()).text
        _ = InfoParser.parse(text)
        var driver = waiting
        driver.checkPersistedConfig = true
        let (fuzzed, other) = option & 1 == 0 ? (Topology.master, Topology.replica) : (Topology.replica, Topology.master)
        driver.infoOverride[fuzzed] = text
        driver.deliverHeld(fuzzed, info: text)
        driver.deliverHeld(other, info: driver.info(other))
        driver.run(for: 2_000)
        driver.command(["SENTINEL", "FAILOVER", "mymaster"])
        driver.run(for: 2_000)
        driver.finish()
    }
}
