import RESP
import Testing

@testable import SentinelCore

/// The runtime coalesces a burst of config flushes into one write of the latest state and answers
/// once, with the highest token: the core must take that answer as covering every earlier token.
@Suite("Config flush acknowledgements")
struct FlushAckTests {
    typealias Harness = ClientCommandTests.Harness

    static func replies(_ actions: [Action], to client: Int) -> [RESPValue] {
        ClientConnectionStateTests.replies(actions, to: client)
    }

    static func tokens(_ actions: [Action]) -> [Int] {
        actions.compactMap { if case .persistConfig(_, let token) = $0 { token } else { nil } }
    }

    /// Three clients each run a command whose reply waits for its own flush (Redis answers
    /// SENTINEL SET / FLUSHCONFIG after the save). One answer for the last token releases all three.
    @Test("an answer for token N releases the replies waiting for every token up to N, in order")
    func laterTokenCoversEarlier() {
        var h = Harness()
        for id in 1...3 { h.connect(id) }
        var tokens: [Int] = []
        tokens += Self.tokens(h.sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "FLUSHCONFIG"]), now: h.now))
        tokens += Self.tokens(
            h.sentinel.handle(.clientCommand(ClientID(2), ["SENTINEL", "SET", "mymaster", "quorum", "1"]), now: h.now))
        tokens += Self.tokens(h.sentinel.handle(.clientCommand(ClientID(3), ["SENTINEL", "FLUSHCONFIG"]), now: h.now))
        #expect(tokens.count == 3 && tokens == tokens.sorted() && Set(tokens).count == 3, "one increasing token each: \(tokens)")
        guard let last = tokens.last else { return }

        let after = h.sentinel.handle(.configPersisted(token: last, error: nil), now: h.now)
        for id in 1...3 {
            #expect(Self.replies(after, to: id) == [.ok], "client \(id)")
        }
        // A late answer for an earlier token (a runtime answering every token) finds nothing left.
        let late = h.sentinel.handle(.configPersisted(token: tokens[0], error: nil), now: h.now)
        #expect(late.allSatisfy { if case .reply = $0 { false } else { true } })
    }

    /// An answer only covers tokens up to its own: a flush asked for after the write started
    /// keeps waiting for its own answer.
    @Test("an answer for token N leaves the replies of later tokens waiting")
    func laterTokensKeepWaiting() throws {
        var h = Harness()
        h.connect(1)
        h.connect(2)
        let a = try h.flushConfig(1)
        let b = try h.flushConfig(2)
        let afterFirst = h.sentinel.handle(.configPersisted(token: a, error: nil), now: h.now)
        #expect(Self.replies(afterFirst, to: 1) == [.ok])
        #expect(Self.replies(afterFirst, to: 2).isEmpty, "client 2's flush has not been written yet")
        let afterSecond = h.sentinel.handle(.configPersisted(token: b, error: nil), now: h.now)
        #expect(Self.replies(afterSecond, to: 2) == [.ok])
    }

    /// A failed coalesced write fails every reply it covers, with Redis's error, and is logged once.
    @Test("a failed write answers every covered reply with the flush error, logged once")
    func failureCoversEarlier() throws {
        var h = Harness()
        h.connect(1)
        h.connect(2)
        _ = try h.flushConfig(1)
        let last = try h.flushConfig(2)
        let after = h.sentinel.handle(.configPersisted(token: last, error: "EROFS"), now: h.now)
        for id in 1...2 {
            #expect(Self.replies(after, to: id) == [.error(Wire.errFlushFailed)], "client \(id)")
        }
        let warnings = after.filter { if case .log(.warning, let text) = $0 { text.contains("EROFS") } else { false } }
        #expect(warnings.count == 1)
    }
}
