import RESP

/// Persisting the configuration, one write at a time (Redis's sentinelFlushConfig, which writes
/// synchronously before the command that changed something replies).
///
/// Anything that changes what is persisted marks the flush `changed`; at the end of the event at
/// most one `persistConfig` goes out. While a write is in flight, further changes and the replies
/// waiting for them go into the next write, issued once `configPersisted` ends this one: the
/// config is built once per write rather than once per event (building it is O(masters), and a
/// pipelined MONITOR of 2,000 masters stalled the loop 0.5 s when every event built it).
struct ConfigFlush: Sendable {
    /// A reply held until a write covers it: `success` if the write worked, else `failure` (or
    /// Redis's "Failed to save config file").
    struct HeldReply: Sendable {
        var client: ClientID
        /// The client's reply slot (ClientReplies.swift).
        var slot: Int
        var success: RESPValue
        var failure: RESPValue?
    }

    enum Phase: Sendable {
        case idle
        /// The `persistConfig` with this token is being written.
        case writing(token: Int)
    }

    /// Something changed that must be persisted and is not in a write yet (a held reply too).
    var changed = false
    private(set) var phase: Phase = .idle
    private var nextToken = 1
    /// Replies for the next write.
    private var nextReplies: [HeldReply] = []
    /// Replies by the token of the write that covers them.
    private var awaiting: [Int: [HeldReply]] = [:]

    /// Holds `reply` until the next write ends; a reply alone asks for a write too (a command that
    /// flushes when nothing changed still answers as if it flushed).
    mutating func hold(_ reply: HeldReply) {
        changed = true
        nextReplies.append(reply)
    }

    /// At the end of an event: the token of the write to issue now, if any.
    mutating func writeDue() -> Int? {
        guard changed, case .idle = phase else { return nil }
        changed = false
        let token = nextToken
        nextToken += 1
        awaiting[token] = nextReplies
        nextReplies = []
        phase = .writing(token: token)
        return token
    }

    /// A write ended. It covers `token` and every earlier one (each write carries the whole
    /// config, so the runtime may write only the latest of a burst and answer once). Returns the
    /// replies it covers, oldest first.
    mutating func persisted(token: Int) -> [HeldReply] {
        if case .writing(let inFlight) = phase, token >= inFlight { phase = .idle }
        var released: [HeldReply] = []
        for covered in awaiting.keys.filter({ $0 <= token }).sorted() {
            released += awaiting.removeValue(forKey: covered) ?? []
        }
        return released
    }
}
