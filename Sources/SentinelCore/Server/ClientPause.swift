import DequeModule
import OrderedCollections
import RESP

/// A CLIENT PAUSE in force (networking.c pauseClients, PAUSE_BY_CLIENT_COMMAND).
struct ClientPauseState: Hashable, Sendable {
    enum Kind: Int, Hashable, Sendable {
        /// Only commands that may write or replicate wait (in a sentinel: PUBLISH).
        case write = 1
        /// Every command waits.
        case all = 2
    }

    var kind: Kind
    /// When the pause ends (`now` milliseconds; 0 or less: already over).
    var end: Millis
}

/// CLIENT PAUSE and UNPAUSE, as Redis applies them: a command that passed the argument,
/// authentication and pub/sub-context checks while a pause holds it is postponed, and so is
/// everything the same client sends after it (a blocked Redis client reads nothing further).
/// When the pause ends (its time passes, or CLIENT UNPAUSE) the postponed clients resume in the
/// order they were blocked, each running its commands in order. The pausing client is not
/// exempt. Peers' hellos and votes wait too, as they do on a paused redis-sentinel.
extension Sentinel {
    /// CLIENT PAUSE <milliseconds> [WRITE|ALL]: the mode is checked before the timeout.
    mutating func clientPauseCommand(_ id: ClientID, _ args: [String]) {
        guard args.count == 3 || args.count == 4 else {
            return reply(id, .error(Wire.errSubcommandSyntax(command: "client", sub: args[1])))
        }
        var kind = ClientPauseState.Kind.all
        if args.count == 4 {
            switch args[3].lowercased() {
            case "write": kind = .write
            case "all": kind = .all
            default: return reply(id, .error(Wire.errPauseMode))
            }
        }
        guard let milliseconds = RedisNumbers.int64(args[2]) else { return reply(id, .error(Wire.errTimeoutNotInteger)) }
        guard milliseconds >= 0 else { return reply(id, .error(Wire.errTimeoutNegative)) }
        guard milliseconds <= Int64.max - now else { return reply(id, .error(Wire.errTimeoutOutOfRange)) }
        // A timeout of 0 is "until time 0": the pause is over before the next command.
        let end = milliseconds > 0 ? now + milliseconds : 0
        // The mode is replaced; the end only ever moves later.
        clientPause = ClientPauseState(kind: kind, end: max(end, clientPause?.end ?? end))
        requestWakeUp(at: max(end, now))
        reply(id, .ok)
    }

    /// CLIENT UNPAUSE: ends the pause now (the postponed commands run after this reply).
    mutating func clientUnpauseCommand(_ id: ClientID) {
        reply(id, .ok)
        unpauseClients()
    }

    /// Whether a command that is about to run must wait for the pause; ends an expired pause
    /// first (resuming the clients it held, which were there before this command).
    mutating func mustPostpone(_ spec: CommandSpec?) -> Bool {
        guard let pause = clientPause else { return false }
        if pause.end <= now {
            unpauseClients()
            return clientPause != nil && mustPostpone(spec)
        }
        switch pause.kind {
        case .all: return true
        case .write:
            guard let spec else { return false }
            return spec.flags.contains("write") || spec.flags.contains("may_replicate")
                || Self.mayReplicateCommands.contains(spec.name)
        }
    }

    /// Commands Redis flags CMD_MAY_REPLICATE although sentinel-mode `COMMAND INFO` does not
    /// list the flag: PUBLISH waits during a WRITE pause (observed on redis-sentinel 7.0.15; a
    /// peer's hello waits with it).
    static let mayReplicateCommands: Set<String> = ["publish"]

    /// Parks a command: it goes in front of whatever the client sends later.
    mutating func postpone(_ id: ClientID, _ args: [String]) {
        guard clients[id] != nil else { return }
        clients[id]!.postponed.insert(args, at: 0)
        if !postponedClients.contains(id) { postponedClients.append(id) }
    }

    /// Ends the pause once its time has come (from the timer).
    mutating func checkClientPauseTimeout() {
        if let pause = clientPause, pause.end <= now { unpauseClients() }
    }

    /// Ends the pause and runs the postponed commands, client by client in blocking order. A
    /// command that pauses again parks the rest.
    mutating func unpauseClients() {
        clientPause = nil
        let waiting = postponedClients
        postponedClients = []
        for id in waiting {
            while let next = clients[id]?.postponed.first {
                clients[id]!.postponed.removeFirst()
                if !runCommand(id, next) { break }
            }
        }
    }
}
