import RESP
import Testing

@testable import SentinelCore

/// The per-client limits as the core and the config loader see them (issue 12, "Limits as in
/// Redis"): `maxclients` refusals, the `pubsub` output class, and the config directives with
/// redis-sentinel 7.0.15's error texts. The runtime side is in ClientLimitsLoopbackTests.
@Suite("Client limits")
struct ClientLimitsTests {
    static func config(_ lines: String) throws -> SentinelConfig {
        try ConfigParser.parse(lines, fileName: "sentinel.conf")
    }

    static func error(_ line: String) -> String? {
        do {
            _ = try config(line)
            return nil
        } catch {
            return (error as? ConfigLoadError)?.message
        }
    }

    @Test("past maxclients a connection gets Redis's error and is closed, counts as rejected, never becomes a session")
    func maxClients() throws {
        var s = Sentinel(config: try Self.config("maxclients 2\n"), seed: 7)
        _ = s.start(now: 1)
        for id in 1...2 {
            #expect(s.handle(.clientConnected(ClientID(id), address: "127.0.0.1:\(id)", localAddress: "127.0.0.1:26379"), now: 1).isEmpty)
        }
        let refused = s.handle(.clientConnected(ClientID(3), address: "127.0.0.1:3", localAddress: "127.0.0.1:26379"), now: 1)
        #expect(refused == [.reply(ClientID(3), .error("ERR max number of clients reached"), .resp2), .closeClient(ClientID(3))])
        #expect(s.handle(.clientCommand(ClientID(3), ["PING"]), now: 1).isEmpty)
        _ = s.handle(.clientDisconnected(ClientID(3)), now: 1)

        let info = s.handle(.clientCommand(ClientID(1), ["INFO"]), now: 1)
        guard case .reply(_, .bulkString(let text), _)? = info.first else {
            Issue.record("INFO gave \(info)")
            return
        }
        #expect(text.contains("maxclients:2\r\n"))
        #expect(text.contains("rejected_connections:1\r\n"))
        #expect(text.contains("total_connections_received:2\r\n"))

        // A place frees up when a client leaves.
        _ = s.handle(.clientDisconnected(ClientID(2)), now: 1)
        #expect(s.handle(.clientConnected(ClientID(4), address: "127.0.0.1:4", localAddress: "127.0.0.1:26379"), now: 1).isEmpty)
    }

    @Test("the first subscription makes a client pubsub for client-output-buffer-limit, leaving the last one normal again")
    func outputClass() throws {
        var s = Sentinel(config: try Self.config(""), seed: 7)
        _ = s.start(now: 1)
        let id = ClientID(1)
        _ = s.handle(.clientConnected(id, address: "127.0.0.1:1", localAddress: "127.0.0.1:26379"), now: 1)
        func classes(_ words: [String]) -> [ClientOutputClass] {
            s.handle(.clientCommand(id, words), now: 1).compactMap {
                if case .setClientOutputClass(id, let kind) = $0 { kind } else { nil }
            }
        }
        #expect(classes(["PING"]) == [])
        #expect(classes(["SUBSCRIBE", "+sdown", "+odown"]) == [.pubsub])
        #expect(classes(["PSUBSCRIBE", "*"]) == [])
        #expect(classes(["UNSUBSCRIBE"]) == [])
        #expect(classes(["PUNSUBSCRIBE", "*"]) == [.normal])
        #expect(classes(["PSUBSCRIBE", "*"]) == [.pubsub])
    }

    @Test("client-output-buffer-limit: Redis's defaults, classes in any case, several lines, replica ignored")
    func outputLimits() throws {
        let defaults = try Self.config("").clientOutputBufferLimits
        #expect(defaults.normal == OutputBufferLimit(hard: 0, soft: 0, softSeconds: 0))
        #expect(defaults.pubsub == OutputBufferLimit(hard: 32 << 20, soft: 8 << 20, softSeconds: 60))
        let set = try Self.config(
            """
            client-output-buffer-limit PUBSUB 1mb 512kb 5 replica 1 1 1
            client-output-buffer-limit normal 10k 0 0
            """
        ).clientOutputBufferLimits
        #expect(set.pubsub == OutputBufferLimit(hard: 1 << 20, soft: 512 << 10, softSeconds: 5))
        #expect(set.normal == OutputBufferLimit(hard: 10_000, soft: 0, softSeconds: 0))
        #expect(Self.error("client-output-buffer-limit") == nil)
    }

    @Test(
        "limit directives are refused with redis-sentinel 7.0.15's texts",
        arguments: [
            ("client-output-buffer-limit foo 1 1 1", "Invalid client class specified in buffer limit configuration."),
            ("client-output-buffer-limit master 1 1 1", "Invalid client class specified in buffer limit configuration."),
            ("client-output-buffer-limit pubsub 1 1", "Wrong number of arguments in buffer limit configuration."),
            ("client-output-buffer-limit pubsub 1mb 2mb 3 normal 4 5", "Wrong number of arguments in buffer limit configuration."),
            ("client-output-buffer-limit pubsub x 1 1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            ("client-output-buffer-limit pubsub -1 1 1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            ("client-output-buffer-limit pubsub 1.5mb 1mb 1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            ("client-output-buffer-limit pubsub 1mb 1mb -1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            ("client-output-buffer-limit pubsub 1mb 1mb 5x", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            ("proto-max-bulk-len 100", "argument must be between 1048576 and 9223372036854775807 inclusive"),
            ("client-query-buffer-limit 100", "argument must be between 1048576 and 9223372036854775807 inclusive"),
            ("client-query-buffer-limit lots", "argument must be a memory value"),
            ("maxclients 0", "argument must be between 1 and 4294967295 inclusive"),
        ])
    func refused(line: String, message: String) {
        #expect(Self.error(line) == message)
    }

    @Test("proto-max-bulk-len, client-query-buffer-limit and maxclients: defaults and set values")
    func sizes() throws {
        let defaults = try Self.config("")
        #expect(defaults.protoMaxBulkLength == 512 << 20)
        #expect(defaults.clientQueryBufferLimit == 1 << 30)
        #expect(defaults.maxClients == 10000)
        let set = try Self.config("proto-max-bulk-len 2mb\nclient-query-buffer-limit 1mb\nmaxclients 3\n")
        #expect(set.protoMaxBulkLength == 2 << 20)
        #expect(set.clientQueryBufferLimit == 1 << 20)
        #expect(set.maxClients == 3)
    }
}
