import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// `timeout <seconds>` closes idle clients, as redis-sentinel does (clientsCronHandleTimeout): idle
/// means no command for more than that many whole seconds; subscribers and clients waiting for a
/// CLIENT PAUSE are kept.
@Suite("Idle client timeout")
struct IdleTimeoutTests {
    static func sentinel(_ directives: String) throws -> Sentinel {
        let text = directives + "sentinel myid \(String(repeating: "a", count: 40))\nsentinel monitor m 127.0.0.1 6379 2\n"
        var s = Sentinel(config: try ConfigParser.parse(text, fileName: "s.conf"), seed: 1)
        for case .persistConfig(_, let token) in s.start(now: 1000) {
            _ = s.handle(.configPersisted(token: token, error: nil), now: 1000)
        }
        for id in 1...3 {
            _ = s.handle(.clientConnected(ClientID(id), address: "127.0.0.1:\(5000 + id)", localAddress: "127.0.0.1:26379"), now: 1000)
        }
        _ = s.handle(.clientCommand(ClientID(2), ["SUBSCRIBE", "news"]), now: 1000)
        return s
    }

    static func closed(_ actions: [Action]) -> [Int] {
        actions.compactMap { if case .closeClient(let id) = $0 { id.raw } else { nil } }
    }

    @Test("a client idle for more than timeout seconds is closed; a subscriber is not; a command resets the clock")
    func closesIdleClients() throws {
        var s = try Self.sentinel("timeout 2\n")
        _ = s.handle(.clientCommand(ClientID(3), ["PING"]), now: 2500)
        #expect(Self.closed(s.handle(.tick, now: 3999)).isEmpty, "idle 2 s is not more than 2")
        let first = s.handle(.tick, now: 4000)
        #expect(Self.closed(first) == [1])
        #expect(first.contains(.log(.verbose, "Closing idle client")))
        #expect(s.clients[ClientID(1)] == nil)
        #expect(Self.closed(s.handle(.tick, now: 5499)).isEmpty, "client 3 spoke at 2.5 s")
        #expect(Self.closed(s.handle(.tick, now: 5500)) == [3])
        #expect(Self.closed(s.handle(.tick, now: 60_000)).isEmpty, "the subscriber stays")
        #expect(s.clients[ClientID(2)] != nil)
    }

    @Test("without timeout (the default 0) nobody is closed")
    func defaultNever() throws {
        var s = try Self.sentinel("")
        #expect(Self.closed(s.handle(.tick, now: 10_000_000)).isEmpty)
        var zero = try Self.sentinel("timeout 0\n")
        #expect(Self.closed(zero.handle(.tick, now: 10_000_000)).isEmpty)
    }
}
