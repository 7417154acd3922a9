import RESP
import Testing

@testable import SentinelCore

/// One config write at a time: changes made while one is in flight wait for its answer and then
/// go out together in one write of the latest state, so the config (O(masters) to build) is built
/// once per write, not once per command. An answer for token N covers every token up to N.
@Suite("Config flush acknowledgements")
struct FlushAckTests {
    typealias Harness = ClientCommandTests.Harness

    static func replies(_ actions: [Action], to client: Int) -> [RESPValue] {
        ClientConnectionStateTests.replies(actions, to: client)
    }

    static func flushes(_ actions: [Action]) -> [(config: SentinelConfig, token: Int)] {
        actions.compactMap { if case .persistConfig(let config, let token) = $0 { (config, token) } else { nil } }
    }

    /// Three clients each run a command whose reply waits for a flush (Redis answers SENTINEL SET /
    /// FLUSHCONFIG after the save). The first write goes out at once; the two asked for while it
    /// is in flight share the next one, which holds the latest state.
    @Test("flushes asked for during a write wait for it, then share one write of the latest state")
    func oneWriteAtATime() throws {
        var h = Harness()
        for id in 1...3 { h.connect(id) }
        let first = Self.flushes(h.sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "FLUSHCONFIG"]), now: h.now))
        try #require(first.count == 1)
        var during = h.sentinel.handle(.clientCommand(ClientID(2), ["SENTINEL", "SET", "mymaster", "quorum", "1"]), now: h.now)
        during += h.sentinel.handle(.clientCommand(ClientID(3), ["SENTINEL", "FLUSHCONFIG"]), now: h.now)
        #expect(Self.flushes(during).isEmpty, "no second write while the first is in flight")

        let afterFirst = h.sentinel.handle(.configPersisted(token: first[0].token, error: nil), now: h.now)
        #expect(Self.replies(afterFirst, to: 1) == [.ok])
        #expect(Self.replies(afterFirst, to: 2).isEmpty && Self.replies(afterFirst, to: 3).isEmpty)
        let second = Self.flushes(afterFirst)
        try #require(second.count == 1, "the waiting changes go out as one write")
        #expect(second[0].token > first[0].token)
        #expect(second[0].config.masters[0].quorum == 1, "the write holds the latest state")

        let afterSecond = h.sentinel.handle(.configPersisted(token: second[0].token, error: nil), now: h.now)
        #expect(Self.replies(afterSecond, to: 2) == [.ok] && Self.replies(afterSecond, to: 3) == [.ok])
        #expect(Self.flushes(afterSecond).isEmpty)
        // A late answer for an earlier token (a runtime answering twice) finds nothing left.
        let late = h.sentinel.handle(.configPersisted(token: first[0].token, error: nil), now: h.now)
        #expect(late.allSatisfy { if case .reply = $0 { false } else { true } })
        // Nothing in flight any more: the next change is written at once.
        #expect(Self.flushes(h.sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "FLUSHCONFIG"]), now: h.now)).count == 1)
    }

    /// A failed write fails the replies it covers, with Redis's error, logged once; the changes
    /// that waited for it still get their own write.
    @Test("a failed write answers the replies it covers with the flush error, logged once; the next write follows")
    func failedWrite() throws {
        var h = Harness()
        h.connect(1)
        h.connect(2)
        let first = try h.flushConfig(1)
        #expect(Self.flushes(h.sentinel.handle(.clientCommand(ClientID(2), ["SENTINEL", "FLUSHCONFIG"]), now: h.now)).isEmpty)
        let after = h.sentinel.handle(.configPersisted(token: first, error: "EROFS"), now: h.now)
        #expect(Self.replies(after, to: 1) == [.error(Wire.errFlushFailed)])
        #expect(Self.replies(after, to: 2).isEmpty, "client 2's change waits for its own write")
        let warnings = after.filter { if case .log(.warning, let text, _) = $0 { text.contains("EROFS") } else { false } }
        #expect(warnings.count == 1)
        let next = try #require(Self.flushes(after).first)
        let written = h.sentinel.handle(.configPersisted(token: next.token, error: nil), now: h.now)
        #expect(Self.replies(written, to: 2) == [.ok])
    }

    /// What the runtime writes on the way out (SHUTDOWN, SIGTERM, a simulated crash): a change
    /// still waiting for the write in flight is in it, as Redis's synchronous saves would have it.
    @Test("a change waiting for the write in flight is what the exits write")
    func unsavedAtExit() throws {
        var h = Harness()
        h.connect(1)
        #expect(h.sentinel.unsavedConfig == nil)
        let first = try h.flushConfig(1)
        #expect(h.sentinel.unsavedConfig == nil, "handed to the runtime already")
        _ = h.sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "SET", "mymaster", "quorum", "1"]), now: h.now)
        #expect(h.sentinel.unsavedConfig?.masters[0].quorum == 1)
        let after = h.sentinel.handle(.configPersisted(token: first, error: nil), now: h.now)
        #expect(Self.flushes(after).count == 1)
        #expect(h.sentinel.unsavedConfig == nil)
    }
}
