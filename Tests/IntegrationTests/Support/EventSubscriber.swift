import Foundation

/// A `PSUBSCRIBE *` connection to one sentinel that records every event it publishes, with the
/// time it arrived, from a reader thread of its own.
///
/// ```
/// let events = try EventSubscriber(sentinel)
/// defer { events.stop() }
/// try await events.waitFor("+switch-master", timeout: .seconds(30), diagnostics: cluster.diagnostics)
/// ```
/// The subscription is confirmed before `init` returns, so nothing published afterwards is
/// missed. When the sentinel closes the connection (it exited) the reader ends and `endedWith`
/// says why; the events recorded so far stay available.
final class EventSubscriber: @unchecked Sendable {
    struct Event: Sendable, CustomStringConvertible {
        let time: ContinuousClock.Instant
        let channel: String
        let message: String

        /// The message split on spaces (`+switch-master` → name, old ip, old port, new ip, new port).
        var words: [String] { message.split(separator: " ").map(String.init) }

        var description: String { "\(channel) \(message)" }
    }

    var label: String { recorder.label }
    var port: UInt16 { recorder.port }
    /// When the subscription was confirmed; event times in transcripts are relative to it.
    let subscribedAt: ContinuousClock.Instant
    /// The connection and its reader thread.
    private let recorder: PubSubRecorder

    convenience init(_ sentinel: SentinelProcess) throws {
        try self.init(port: sentinel.port, label: sentinel.name, auth: sentinel.clientAuth)
    }

    init(port: UInt16, label: String, auth: [String]? = nil) throws {
        recorder = try PubSubRecorder(port: port, label: label, auth: auth, handshake: [], subscribe: [["PSUBSCRIBE", "*"]])
        let reply = recorder.confirmations.first ?? .null
        guard let items = reply.elements, items.first?.string?.lowercased() == "psubscribe" else {
            recorder.stop()
            throw HarnessError("PSUBSCRIBE * on \(label) (port \(port)) answered \(reply)")
        }
        subscribedAt = ContinuousClock.now
    }

    deinit {
        stop()
    }

    /// Ends the reader thread and closes the connection. Idempotent.
    func stop() {
        recorder.stop()
    }

    /// Why the reader ended (nil while it runs).
    var endedWith: String? {
        recorder.endedWith
    }

    /// Every `pmessage` received, in order ((p)subscribe confirmations and anything unexpected
    /// are left out).
    var events: [Event] {
        recorder.frames.compactMap { frame in
            guard let items = frame.reply.elements, items.count == 4, items[0].string == "pmessage",
                let channel = items[2].string, let message = items[3].string
            else {
                return nil
            }
            return Event(time: frame.time, channel: channel, message: message)
        }
    }

    func events(_ channel: String) -> [Event] {
        events.filter { $0.channel == channel }
    }

    /// The first event on `channel` whose message satisfies `matching`.
    func first(_ channel: String, where matching: (Event) -> Bool = { _ in true }) -> Event? {
        events.first { $0.channel == channel && matching($0) }
    }

    func has(_ channel: String, where matching: (Event) -> Bool = { _ in true }) -> Bool {
        first(channel, where: matching) != nil
    }

    /// Waits until an event on `channel` satisfying `matching` has arrived and returns it.
    @discardableResult
    func waitFor(
        _ channel: String, timeout: Duration, where matching: @escaping (Event) -> Bool = { _ in true },
        _ what: String? = nil, diagnostics: @escaping () -> String = { "" }
    ) async throws -> Event {
        var found: Event?
        try await eventually(
            timeout: timeout, interval: .milliseconds(10), "\(label) publishes \(what ?? channel)",
            diagnostics: { "\(self.transcript())\n\(diagnostics())" }
        ) {
            found = first(channel, where: matching)
            return found != nil
        }
        return found!
    }

    /// Every recorded event, one a line, with its time since the subscription.
    func transcript() -> String {
        let lines = events.map { "  +\(($0.time - subscribedAt).secondsText) \($0.channel) \($0.message)" }
        var text = "== events published by \(label) (port \(port)), \(lines.count):"
        if !lines.isEmpty {
            text += "\n" + lines.joined(separator: "\n")
        }
        if let endedWith {
            text += "\n  (reader ended: \(endedWith))"
        }
        return text
    }
}
