import Foundation
import Synchronization

/// One client connection to a sentinel that replays a library's handshake and subscriptions
/// byte for byte, then records every frame the sentinel sends, raw (RESP2 array or RESP3
/// push), from a reader thread of its own, so that a test can parse them the way that library
/// does.
///
/// ```
/// let listener = try PubSubRecorder(
///     port: sentinel.port, label: "jedis listener",
///     handshake: [[["HELLO", "3"]], [["CLIENT", "SETINFO", "LIB-NAME", "jedis"]]],
///     subscribe: [["SUBSCRIBE", "+switch-master"]])
/// defer { listener.stop() }
/// ```
/// `handshake` is a list of batches: the commands of one batch are pipelined (one write, then
/// the replies), the batches follow each other. Each subscribe command is sent once the one
/// before it is confirmed, and `init` reads one confirmation per channel or pattern before it
/// returns, so nothing published afterwards is missed.
///
/// `command` sends a command on the same connection while the reader runs (RESP3 allows any
/// command on a subscribed connection, and StackExchange.Redis relies on that) and returns the
/// first frame that is not pub/sub traffic.
final class PubSubRecorder: @unchecked Sendable {
    struct Frame: Sendable, CustomStringConvertible {
        let time: ContinuousClock.Instant
        let reply: RESPReply

        var description: String { reply.description }
    }

    let label: String
    let port: UInt16
    /// The replies to the handshake commands, in the order they were sent.
    let handshakeReplies: [RESPReply]
    /// The subscription confirmations, one per channel or pattern.
    let confirmations: [RESPReply]

    private struct State {
        var pubSub: [Frame] = []
        var replies: [Frame] = []
        var endedWith: String?
        var readerDone = false
    }

    private let state = Mutex(State())
    private let stopRequested = Atomic<Bool>(false)
    private let client: RESPClient

    /// `auth`: sent as `AUTH` right after connecting, before the handshake (see `RESPClient`).
    init(port: UInt16, label: String, auth: [String]? = nil, handshake: [[[String]]], subscribe: [[String]]) throws {
        self.label = label
        self.port = port
        client = try RESPClient(port: port, timeout: .seconds(5), auth: auth)
        do {
            var replies: [RESPReply] = []
            for batch in handshake {
                replies += try client.pipeline(batch)
            }
            handshakeReplies = replies
            var confirmations: [RESPReply] = []
            for command in subscribe {
                try client.sendWithoutReading(command)
                for _ in 1..<command.count {
                    confirmations.append(try client.readReply())
                }
            }
            self.confirmations = confirmations
        } catch {
            client.close()
            throw error
        }
        let thread = Thread { [self] in self.readLoop() }
        thread.name = "pubsub \(label)"
        thread.start()
    }

    deinit {
        stop()
    }

    /// A RESP3 push frame, or a RESP2 array whose first element names a pub/sub event.
    static func isPubSubFrame(_ reply: RESPReply) -> Bool {
        if case .push = reply {
            return true
        }
        guard case .array(let items) = reply, let kind = items.first?.string else {
            return false
        }
        return ["message", "pmessage", "subscribe", "psubscribe", "unsubscribe", "punsubscribe"].contains(kind)
    }

    private func readLoop() {
        var ending = "stopped by the test"
        while !stopRequested.load(ordering: .relaxed) {
            do {
                guard try client.waitForData(timeout: .milliseconds(50)) else {
                    continue
                }
                let frame = Frame(time: .now, reply: try client.readReply())
                state.withLock { state in
                    if Self.isPubSubFrame(frame.reply) {
                        state.pubSub.append(frame)
                    } else {
                        state.replies.append(frame)
                    }
                }
            } catch {
                ending = "\(error)"
                break
            }
        }
        state.withLock { state in
            state.endedWith = ending
            state.readerDone = true
        }
    }

    /// Sends `arguments` on this connection and waits for the reply (the next frame that is
    /// not pub/sub traffic).
    func command(_ arguments: [String], timeout: Duration = .seconds(5)) async throws -> RESPReply {
        let before = state.withLock { $0.replies.count }
        try client.sendWithoutReading(arguments)
        var reply: RESPReply?
        try await eventually(timeout: timeout, interval: .milliseconds(5), "\(label) answers \(arguments)", diagnostics: transcript) {
            reply = state.withLock { $0.replies.count > before ? $0.replies[before].reply : nil }
            if reply == nil, let ended = endedWith {
                throw FatalPollingError("the connection ended: \(ended)")
            }
            return reply != nil
        }
        return reply!
    }

    /// Every pub/sub frame received after the subscriptions were confirmed.
    var frames: [Frame] {
        state.withLock { $0.pubSub }
    }

    /// Why the reader ended (nil while it runs).
    var endedWith: String? {
        state.withLock { $0.endedWith }
    }

    /// Waits until some frame satisfies `matching` and returns the first that does.
    @discardableResult
    func waitFor(
        _ what: String, timeout: Duration, diagnostics: @escaping () -> String = { "" },
        _ matching: @escaping (RESPReply) -> Bool
    ) async throws -> Frame {
        var found: Frame?
        try await eventually(
            timeout: timeout, interval: .milliseconds(10), "\(label) receives \(what)",
            diagnostics: { "\(self.transcript())\n\(diagnostics())" }
        ) {
            found = frames.first { matching($0.reply) }
            return found != nil
        }
        return found!
    }

    /// Ends the reader thread and closes the connection. Idempotent.
    func stop() {
        stopRequested.store(true, ordering: .relaxed)
        if waitSynchronously(timeout: .seconds(7), { state.withLock { $0.readerDone } }) {
            client.close()
        }
    }

    func transcript() -> String {
        let frames = self.frames
        var text = "== \(label) (port \(port)): \(frames.count) pub/sub frames"
        if !frames.isEmpty {
            text += "\n" + frames.map { "  \($0.reply)" }.joined(separator: "\n")
        }
        if let endedWith {
            text += "\n  (reader ended: \(endedWith))"
        }
        return text
    }
}
