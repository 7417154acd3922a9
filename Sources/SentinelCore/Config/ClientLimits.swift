/// The per-client limits of the server part of the sentinel, as redis-sentinel 7.0 has them:
/// `maxclients`, `proto-max-bulk-len`, `client-query-buffer-limit` and `client-output-buffer-limit`.
/// The directives stay in ``SentinelConfig/otherDirectives`` (so the rewrite keeps them as written);
/// these are their effective values.
extension SentinelConfig {
    /// `maxclients` (Redis default 10000): connections past it get `-ERR max number of clients
    /// reached` and are closed.
    var maxClients: Int {
        lastDirectiveValue("maxclients").flatMap { Int($0) } ?? 10000
    }

    /// `timeout` in seconds (Redis default 0: never): a client idle for longer is closed.
    var clientIdleTimeout: Int64 {
        lastDirectiveValue("timeout").flatMap { Int64($0) } ?? 0
    }

    /// `proto-max-bulk-len` in bytes (Redis default 512 MB): a longer bulk in a request is a
    /// protocol error.
    package var protoMaxBulkLength: Int {
        lastDirectiveValue("proto-max-bulk-len").flatMap(ConfigDirectives.parseMemory).map { Int($0) } ?? 512 * 1024 * 1024
    }

    /// `client-query-buffer-limit` in bytes (Redis default 1 GB): a client holding more unprocessed
    /// input is closed.
    package var clientQueryBufferLimit: Int {
        lastDirectiveValue("client-query-buffer-limit").flatMap(ConfigDirectives.parseMemory).map { Int($0) } ?? 1024 * 1024 * 1024
    }

    /// Every `client-output-buffer-limit` line applied in file order over Redis's defaults.
    package var clientOutputBufferLimits: ClientOutputBufferLimits {
        var limits = ClientOutputBufferLimits()
        for directive in otherDirectives where directive.name == "client-output-buffer-limit" {
            _ = limits.apply(directive.arguments)
        }
        return limits
    }
}

/// The client classes of `client-output-buffer-limit` a sentinel has: Redis's `normal` and `pubsub`
/// (a client subscribed to at least one channel or pattern). A sentinel has no replicas; the
/// `replica` class is accepted and has no effect.
package enum ClientOutputClass: Hashable, Sendable {
    case normal
    case pubsub
}

/// One class's `client-output-buffer-limit <class> <hard> <soft> <soft-seconds>`: a client whose
/// unsent output reaches `hard` bytes, or stays at `soft` bytes or more for more than `softSeconds`,
/// is disconnected. 0 turns a limit off.
package struct OutputBufferLimit: Hashable, Sendable {
    package var hard: Int
    package var soft: Int
    package var softSeconds: Int

    init(hard: Int, soft: Int, softSeconds: Int) {
        self.hard = hard
        self.soft = soft
        self.softSeconds = softSeconds
    }

    /// Whether any limit is set.
    package var isSet: Bool { hard > 0 || soft > 0 }
}

/// `client-output-buffer-limit` for the classes a sentinel has, with Redis's defaults
/// (`normal 0 0 0`, `pubsub 32mb 8mb 60`).
package struct ClientOutputBufferLimits: Hashable, Sendable {
    var normal = OutputBufferLimit(hard: 0, soft: 0, softSeconds: 0)
    var pubsub = OutputBufferLimit(hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60)

    package init() {}

    package subscript(_ kind: ClientOutputClass) -> OutputBufferLimit {
        switch kind {
        case .normal: normal
        case .pubsub: pubsub
        }
    }

    /// Applies the arguments of one `client-output-buffer-limit` line (groups of
    /// `<class> <hard> <soft> <soft-seconds>`; none is accepted and changes nothing, as in Redis).
    /// Returns Redis's error text, or nil; nothing is changed on error. Classes are `normal`,
    /// `replica` (or `slave`) and `pubsub`, any case; sizes are memory values (`32mb`), seconds an
    /// integer.
    mutating func apply(_ arguments: [String]) -> String? {
        guard arguments.count % 4 == 0 else {
            return ConfigMessages.bufferLimitArgumentCount
        }
        var result = self
        for start in stride(from: 0, to: arguments.count, by: 4) {
            let kind: ClientOutputClass?
            switch arguments[start].lowercased() {
            case "normal": kind = .normal
            case "pubsub": kind = .pubsub
            case "replica", "slave": kind = nil
            default: return ConfigMessages.bufferLimitClass
            }
            guard let hard = ConfigDirectives.parseMemory(arguments[start + 1]), hard >= 0,
                let soft = ConfigDirectives.parseMemory(arguments[start + 2]), soft >= 0,
                let seconds = Int64(arguments[start + 3]), seconds >= 0
            else {
                return ConfigMessages.bufferLimitValues
            }
            let limit = OutputBufferLimit(hard: Int(hard), soft: Int(soft), softSeconds: Int(clamping: seconds))
            switch kind {
            case .normal: result.normal = limit
            case .pubsub: result.pubsub = limit
            case nil: break
            }
        }
        self = result
        return nil
    }
}
