import RESP
import Testing

@testable import SentinelCore

/// `SENTINEL CONFIG SET tls-*` as an action/event round trip: the core reads no files, asks the
/// runtime (`.prepareTLS`) and answers only once the runtime reports (`.tlsPrepared`), keeping
/// the order of the client's replies and the all-or-nothing of the command's pairs.
@Suite("TLS SENTINEL CONFIG SET round trip")
struct TLSConfigSetTests {
    let base = TLSSettingsTests()
    let admin = ClientID(1)
    let other = ClientID(2)

    func make() throws -> Sentinel {
        var s = try base.make()
        _ = s.handle(.clientConnected(other, address: "127.0.0.1:5001", localAddress: "127.0.0.1:26379"), now: 1000)
        return s
    }

    func command(_ s: inout Sentinel, _ client: ClientID, _ line: String, now: Millis = 2000) -> [Action] {
        s.handle(.clientCommand(client, line.split(separator: " ").map(String.init)), now: now)
    }

    /// Replies per client, in the order they were sent.
    func replies(_ actions: [Action], to client: ClientID) -> [RESPValue] {
        actions.compactMap { if case .reply(client, let value, _) = $0 { value } else { nil } }
    }

    /// Answers every flush in `actions` as written, returning what that produced.
    func flushed(_ s: inout Sentinel, _ actions: [Action], now: Millis = 2100) -> [Action] {
        base.persisted(actions).flatMap { s.handle(.configPersisted(token: $0.1, error: nil), now: now) }
    }

    /// The non-TLS pairs of the same command wait with the TLS ones: a refused file leaves the
    /// log level too; loaded files apply both (and `.setLogLevel` goes out only then).
    @Test func otherPairsAreAllOrNothing() throws {
        var s = try make()
        let level = s.settings.logLevel
        let asked = command(&s, admin, "SENTINEL CONFIG SET loglevel debug tls-cert-file /bad.crt")
        #expect(!asked.contains(.setLogLevel(.debug)))
        #expect(s.settings.logLevel == level)
        let token = try #require(base.prepared(asked).first?.1)
        let refused = s.handle(.tlsPrepared(token: token, error: "Failed to load certificate: /bad.crt (tls-cert-file): x"), now: 2001)
        #expect(replies(refused, to: admin) == [.error("ERR Unable to update TLS configuration: Failed to load certificate: /bad.crt (tls-cert-file): x")])
        #expect(s.settings.logLevel == level && s.settings.tls.certFile == "/etc/tls/server.crt")
        #expect(!refused.contains(.setLogLevel(.debug)))

        let again = command(&s, admin, "SENTINEL CONFIG SET loglevel debug tls-cert-file /good.crt", now: 2002)
        let good = try #require(base.prepared(again).first?.1)
        #expect(good != token, "each request has its own token")
        let applied = s.handle(.tlsPrepared(token: good, error: nil), now: 2003)
        #expect(applied.contains(.setLogLevel(.debug)) && applied.contains(.activateTLS(token: good)))
        #expect(s.settings.logLevel == .debug && s.settings.tls.certFile == "/good.crt")
        #expect(replies(flushed(&s, applied), to: admin) == [.ok])
    }

    /// A later command of the same client is answered after the SET, whichever way it ends;
    /// another client is not held up.
    @Test(arguments: [nil, "Failed to load private key: /k (tls-key-file): wrong passphrase (tls-key-file-pass)"])
    func laterRepliesWaitForTheSet(_ problem: String?) throws {
        var s = try make()
        let asked = command(&s, admin, "SENTINEL CONFIG SET tls-key-file /k")
        let token = try #require(base.prepared(asked).first?.1)
        #expect(replies(command(&s, admin, "PING", now: 2001), to: admin).isEmpty, "PING waits behind the SET")
        #expect(replies(command(&s, other, "PING", now: 2001), to: other) == [.simpleString("PONG")])
        let answered = s.handle(.tlsPrepared(token: token, error: problem), now: 2002)
        if let problem {
            #expect(replies(answered, to: admin) == [.error("ERR Unable to update TLS configuration: \(problem)"), .simpleString("PONG")])
            #expect(base.persisted(answered).isEmpty)
        } else {
            #expect(replies(answered, to: admin).isEmpty, "+OK comes after the flush")
            #expect(replies(flushed(&s, answered), to: admin) == [.ok, .simpleString("PONG")])
        }
    }

    /// SENTINEL CONFIG commands that arrive while the files load run afterwards, in order: the
    /// same client's GET sees its SET, another client's TLS SET builds on it (one load at a time).
    @Test func configCommandsWaitAndRunInOrder() throws {
        var s = try make()
        let first = command(&s, admin, "SENTINEL CONFIG SET tls-cert-file /one.crt")
        let token = try #require(base.prepared(first).first?.1)
        let get = command(&s, admin, "SENTINEL CONFIG GET tls-cert-file", now: 2001)
        let second = command(&s, other, "SENTINEL CONFIG SET tls-key-file /two.key", now: 2002)
        let otherGet = command(&s, other, "SENTINEL CONFIG GET tls-cert-file", now: 2003)
        #expect(replies(get + second + otherGet, to: admin).isEmpty && replies(get + second + otherGet, to: other).isEmpty)
        #expect(base.prepared(second).isEmpty, "no second load while one is out")

        let done = s.handle(.tlsPrepared(token: token, error: nil), now: 2004)
        let next = try #require(base.prepared(done).first)
        #expect(next.0.certFile == "/one.crt" && next.0.keyFile == "/two.key", "the second SET builds on the first")
        #expect(s.settings.tls.keyFile == "/etc/tls/server key.pem", "the second SET waits for its own load")
        let afterFlush = flushed(&s, done)
        #expect(
            replies(afterFlush, to: admin) == [.ok, .map([.bulkString("tls-cert-file"), .bulkString("/one.crt")])])
        #expect(replies(done + afterFlush, to: other).isEmpty, "the other client's GET waits behind its SET")

        let secondDone = s.handle(.tlsPrepared(token: next.1, error: nil), now: 2005)
        #expect(secondDone.contains(.activateTLS(token: next.1)))
        #expect(
            replies(flushed(&s, secondDone), to: other) == [.ok, .map([.bulkString("tls-cert-file"), .bulkString("/one.crt")])])
        #expect(s.settings.tls.certFile == "/one.crt" && s.settings.tls.keyFile == "/two.key")
    }

    /// An answer for a token nobody waits for (stale, or repeated) changes nothing.
    @Test func unknownTokenIsIgnored() throws {
        var s = try make()
        let before = s.settings
        let stray = s.handle(.tlsPrepared(token: 99, error: nil), now: 2000)
        #expect(stray.isEmpty)
        #expect(s.settings == before)
        let asked = command(&s, admin, "SENTINEL CONFIG SET tls-cert-file /x.crt", now: 2001)
        let token = try #require(base.prepared(asked).first?.1)
        _ = s.handle(.tlsPrepared(token: token, error: "bad"), now: 2002)
        let repeated = s.handle(.tlsPrepared(token: token, error: nil), now: 2003)
        #expect(repeated.isEmpty)
        #expect(s.settings == before)
    }
}
