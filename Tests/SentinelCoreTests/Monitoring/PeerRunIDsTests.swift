import OrderedCollections
import Testing

@testable import SentinelCore

/// Each peer sentinel has one link however many masters it shares with us: the timer visits every
/// distinct peer runid once per tick, in the order first seen across the masters.
@Suite("Distinct peer runids")
struct PeerRunIDsTests {
    /// Masters with overlapping peer sets, few peers (compared in a list) and many (a set takes
    /// over past eight): each runid once, first-seen order, as a reference computed here.
    @Test(arguments: [2, 8, 9, 30])
    func distinctInFirstSeenOrder(_ peerCount: Int) {
        var config = SentinelConfig()
        config.myID = String(repeating: "e", count: 40)
        config.masters = (0..<6).map { MasterConfig(name: "m\($0)", address: HostPort("127.0.0.1", 7000 + $0), quorum: 2) }
        var sentinel = Sentinel(config: config, seed: 3)
        _ = sentinel.start(now: 1_000)
        let runIDs = (0..<peerCount).map { i -> String in
            let hex = String(i * 7919 + 1, radix: 16)
            return String(repeating: "0", count: 40 - hex.count) + hex
        }
        var expected: [String] = []
        for (m, name) in sentinel.masters.keys.enumerated() {
            // Each master shares a sliding window of the peers, in a rotated order.
            let window = (0..<max(1, peerCount / 2)).map { runIDs[($0 + m * 3) % peerCount] }.reversed()
            for runID in window {
                sentinel.addPeer(runID, address: HostPort("127.0.0.1", 26000), to: name)
                if !expected.contains(runID) { expected.append(runID) }
            }
        }
        #expect(sentinel.peerRunIDs() == expected)
    }
}
