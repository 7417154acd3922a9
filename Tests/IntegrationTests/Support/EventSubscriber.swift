import Foundation
import Synchronization

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

    let label: String
    let port: UInt16
    /// When the subscription was confirmed; event times in transcripts are relative to it.
    let subscribedAt: ContinuousClock.Instant

    private struct State {
        var events: [Event] = []
        var endedWith: String?
        var readerDone = false
    }

    private let state = Mutex(State())
    private let stopRequested = Atomic<Bool>(false)
    /// Used by the reader thread only, after `init` has subscribed.
    private let client: RESPClient

    convenience init(_ sentinel: SentinelProcess) throws {
        try self.init(port: sentinel.port, label: sentinel.name, auth: sentinel.clientAuth)
    }

    init(port: UInt16, label: String, auth: [String]? = nil) throws {
        self.label = label
        self.port = port
        client = try RESPClient(port: port, timeout: .seconds(5), auth: auth)
        let reply = try client.send("PSUBSCRIBE", "*")
        guard let items = reply.elements, items.first?.string?.lowercased() == "psubscribe" else {
            client.close()
            throw HarnessError("PSUBSCRIBE * on \(label) (port \(port)) answered \(reply)")
        }
        subscribedAt = ContinuousClock.now
        let thread = Thread { [self] in self.readLoop() }
        thread.name = "events \(label)"
        thread.start()
    }

    deinit {
        stop()
    }

    private func readLoop() {
        var ending = "stopped by the test"
        while !stopRequested.load(ordering: .relaxed) {
            do {
                guard try client.waitForData(timeout: .milliseconds(50)) else {
                    continue
                }
                let reply = try client.readReply()
                let time = ContinuousClock.now
                guard let items = reply.elements, items.count == 4, items[0].string == "pmessage",
                    let channel = items[2].string, let message = items[3].string
                else {
                    continue  // (p)subscribe confirmations and anything unexpected
                }
                state.withLock { $0.events.append(Event(time: time, channel: channel, message: message)) }
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

    /// Ends the reader thread and closes the connection. Idempotent.
    func stop() {
        stopRequested.store(true, ordering: .relaxed)
        // The reader wakes at least every 50 ms; a reply in the middle of arriving can take up
        // to the 5 s receive timeout.
        let done = waitSynchronously(timeout: .seconds(7)) { state.withLock { $0.readerDone } }
        if done {
            client.close()
        }
    }

    /// Why the reader ended (nil while it runs).
    var endedWith: String? {
        state.withLock { $0.endedWith }
    }

    var events: [Event] {
        state.withLock { $0.events }
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
