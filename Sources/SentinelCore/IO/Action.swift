import RESP

/// Everything a sentinel asks the outside world to do. The runtime executes these in order.
package enum Action: Equatable, Sendable {
    /// Open a TCP connection; report back with `.linkConnected` or `.linkClosed`. A `host` that is
    /// not an IP literal is resolved first, on every connect, and the outcome reported with
    /// `.hostResolved` before the connection's own events (a failed resolution closes the link).
    case connect(LinkID, host: String, port: Int)
    /// Write one command (already passed through rename-command) on an outbound connection.
    case send(LinkID, [String])
    /// Close an outbound connection. No `.linkClosed` is expected for it afterwards.
    case closeLink(LinkID)
    /// Write one reply frame to a client, encoded in the given protocol version.
    case reply(ClientID, RESPValue, RESPVersion)
    /// Close a client's connection after everything already queued for it has been written.
    case closeClient(ClientID)
    /// The client subscribed to its first channel or pattern (`.pubsub`) or left its last one
    /// (`.normal`): from now on its unsent output is limited by `client-output-buffer-limit` for
    /// that class, as Redis classifies a client by its subscriptions.
    case setClientOutputClass(ClientID, ClientOutputClass)
    /// Rewrite the config file in place from this state; answer with `.configPersisted(token:)`.
    /// Boxed (`indirect`): inline, the whole config would set the size of every action, and every
    /// reply action would be copied at that size.
    indirect case persistConfig(SentinelConfig, token: Int)
    /// Write a log line (`event` lines look like `+sdown master mymaster 127.0.0.1 6379`). An
    /// event's line carries its fields (``EventFields``) when `log-format` is not `text`, which
    /// prints none of them: text lines cost what they did.
    case log(LogLevel, String, EventFields? = nil)
    /// Apply a new log verbosity (`SENTINEL CONFIG SET loglevel`).
    case setLogLevel(LogLevel)
    /// Apply a new log format (`SENTINEL CONFIG SET log-format`).
    case setLogFormat(LogFormat)
    /// Stop the process (SHUTDOWN). Exit code 0.
    case shutdown
    /// Terminate at once, without cleanup, with this exit code (SENTINEL SIMULATE-FAILURE: Redis
    /// calls `exit(99)` right after the election or the promotion).
    case crash(exitCode: Int32)
    /// Deliver an extra `.tick` after this many milliseconds (a poll or a timed step is due before
    /// the next regular tick). Requests may overlap; each one is one extra tick. Never more than
    /// ``Timing/maxWakeUpDelay`` (a later step is caught by the regular ticks), so the runtime's
    /// conversion to nanoseconds cannot overflow.
    case wakeUp(afterMillis: Millis)
    /// Start a user script: execute `path` with argv `[path] + arguments` and the current
    /// environment; answer with `.scriptStarted`, `.scriptFailedToStart`, or `.scriptExited` when
    /// the exec itself failed (exit code 2), then `.scriptExited` when the process ends.
    case runScript(ScriptJobID, path: String, arguments: [String])
    /// Read or atomically replace the ACL file (`aclfile`); answer with `.aclFileDone(token:...)`.
    case aclFile(AclFile.Operation, token: Int)
    /// SIGKILL a running script that overran `script-max-runtime`; its end comes as `.scriptExited`.
    case killScript(ScriptJobID)
    /// Resolve a hostname now (getaddrinfo, first result of any family) and answer with
    /// ``Event/hostResolved(host:ip:error:)`` (`SENTINEL MONITOR` with a hostname waits for it).
    case resolveHost(String)
    /// Build TLS contexts from these settings off the event loop (reading the certificate, key
    /// and CA files) and keep them ready, unused; answer with ``Event/tlsPrepared(token:error:)``
    /// (`SENTINEL CONFIG SET tls-*` waits for it).
    case prepareTLS(TLSSettings, token: Int)
    /// Switch to the contexts prepared under `token` (reported good): the connections that start
    /// from now on use them; open connections keep theirs.
    case activateTLS(token: Int)
    /// Count or time something for the metrics (``Observation``); changes nothing else.
    indirect case observe(Observation)
}

/// The fields of an event's log line, which `log-format json` and `logfmt` write beside the
/// message: the event type, the master it concerns and the current epoch (sentinelEvent's
/// `type`, the master of its instance, `sentinel.current_epoch`).
///
/// A reference, so that it adds one word to ``Action/log(_:_:_:)`` and every action stays as
/// small as before; compared by value.
package final class EventFields: Hashable, Sendable, CustomStringConvertible {
    /// The event type, the line's first word (`+sdown`).
    package let event: String
    /// The master the event's instance belongs to; nil for events without one (`+tilt`).
    package let master: String?
    /// The current epoch when the event was emitted.
    package let epoch: Epoch

    package init(event: String, master: String?, epoch: Epoch) {
        self.event = event
        self.master = master
        self.epoch = epoch
    }

    package static func == (a: EventFields, b: EventFields) -> Bool {
        a.event == b.event && a.master == b.master && a.epoch == b.epoch
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(event)
        hasher.combine(master)
        hasher.combine(epoch)
    }

    package var description: String { "event=\(event) master=\(master ?? "-") epoch=\(epoch)" }
}
