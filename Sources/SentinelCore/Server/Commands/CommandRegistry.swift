import OrderedCollections
import RESP

/// What runs a command once it has passed the checks of ``Sentinel/runCommand(_:_:)``: the
/// client, the command line (`args[0]` is the command name as sent) and the lowercased
/// subcommand of a container command (nil for other commands).
typealias CommandHandler = @Sendable (inout Sentinel, ClientID, _ args: [String], _ sub: String?) -> Void

/// What runs a SENTINEL subcommand: the client and the command line (`args[1]` is the
/// subcommand as sent).
typealias SentinelSubcommandHandler = @Sendable (inout Sentinel, ClientID, _ args: [String]) -> Void

/// One SENTINEL subcommand of the registry (Redis's sentinelCommand, sentinel-behaviour §9.2):
/// the names it answers to, the command table entry it is checked as, its arity, its handler.
struct SentinelSubcommand: Sendable {
    /// The lowercase words that select it: its table name, then any Valkey alias.
    let names: [String]
    /// The `sentinel|<entry>` command table entry ACL rules see it as (`masters` for the Valkey
    /// alias `primaries`, `failover` for swift-sentinel's own `coordinated-failover`).
    let entry: String
    /// Word counts, SENTINEL included (negative: at least). The table entry's arity unless the
    /// row gives its own; the only arity of a SENTINEL subcommand the dispatcher knows.
    let arity: Int
    let run: SentinelSubcommandHandler

    /// A subcommand checked as `sentinel|<entry>` (by default its first name) with that entry's
    /// arity from the command table, unless `arity` is given.
    init(_ names: [String], entry: String? = nil, arity: Int? = nil, _ run: @escaping SentinelSubcommandHandler) {
        let entry = entry ?? names[0]
        guard let spec = CommandTable.lookup("sentinel|" + entry) else {
            preconditionFailure("SENTINEL \(names[0]): no command table entry sentinel|\(entry)")
        }
        self.names = names
        self.entry = entry
        self.arity = arity ?? spec.arity
        self.run = run
    }
}

/// The command registry: one row per top-level command and per SENTINEL subcommand, each naming
/// its handler. The data COMMAND shows (arity, flags, docs) comes from ``CommandTable`` (generated
/// from `Server/Spec/commands.json`); adding a command means a JSON entry, the generator, a row
/// here and the handler (docs/architecture.md, "Commands").
extension Sentinel {
    /// The handler of every top-level command of ``CommandTable/commands``, by lowercase name.
    /// The subcommands of CLIENT, ACL and COMMAND are dispatched by their handlers (`client`,
    /// `acl`, ``CommandTable/reply(for:)``); SENTINEL's by ``sentinelSubcommands``.
    static let commandHandlers: [String: CommandHandler] = [
        "acl": { s, id, args, _ in s.acl(id, args) },
        "auth": { s, id, args, _ in s.auth(id, args) },
        "client": { s, id, args, _ in s.client(id, args) },
        "command": { s, id, args, _ in s.reply(id, CommandTable.reply(for: args)) },
        "hello": { s, id, args, _ in s.hello(id, args) },
        "info": { s, id, args, _ in s.reply(id, .bulkString(s.infoText(sections: Array(args.dropFirst())))) },
        "ping": { s, id, args, _ in s.ping(id, args) },
        "psubscribe": { s, id, args, _ in s.subscribe(id, Array(args.dropFirst()), pattern: true) },
        "publish": { s, id, args, _ in s.publish(id, args) },
        "punsubscribe": { s, id, args, _ in s.unsubscribe(id, Array(args.dropFirst()), pattern: true) },
        "role": { s, id, _, _ in s.reply(id, .array([.bulkString("sentinel"), .array(s.masters.keys.map { .bulkString($0) })])) },
        // Checked and run through its subcommand's row by `runCommand`.
        "sentinel": { s, id, args, _ in
            if case .success(let row) = sentinelSubcommand(args, sub: args.count > 1 ? args[1].asciiLowercased : nil) { row.run(&s, id, args) }
        },
        "shutdown": { s, id, args, _ in s.shutdown(id, args) },
        "subscribe": { s, id, args, _ in s.subscribe(id, Array(args.dropFirst()), pattern: false) },
        "unsubscribe": { s, id, args, _ in s.unsubscribe(id, Array(args.dropFirst()), pattern: false) },
    ]

    /// One entry per top-level command: its handler and whether it has subcommands, found with
    /// one lookup of the name (``commandHandlers`` and ``CommandTable``).
    struct CommandRow {
        let hasSubcommands: Bool
        let run: CommandHandler
    }

    /// ``commandHandlers`` as ``CommandRow``s, by lowercase name.
    static let commandRows: [String: CommandRow] = Dictionary(
        uniqueKeysWithValues: commandHandlers.map { ($0.key, CommandRow(hasSubcommands: CommandTable.hasSubcommands($0.key), run: $0.value)) })

    /// Every SENTINEL subcommand, in the order of Redis's table, Valkey aliases beside the name
    /// they stand for.
    static let sentinelSubcommandRows: [SentinelSubcommand] = [
        SentinelSubcommand(["ckquorum"]) { $0.sentinelCkquorum($1, $2) },
        // Redis's table says -3, but its handler refuses fewer than 4 words with the same arity
        // error; swift-sentinel checks 4 before authentication, with the other arities.
        SentinelSubcommand(["config"], arity: -4) { $0.sentinelConfig($1, $2) },
        SentinelSubcommand(["debug"]) { $0.sentinelDebug($1, $2) },
        // Valkey 9's `SENTINEL FAILOVER <master> [COORDINATED]`: one optional word more than Redis.
        SentinelSubcommand(["failover"], arity: -3) { $0.sentinelFailover($1, $2) },
        SentinelSubcommand(["flushconfig"]) { s, id, _ in s.replyAfterFlush(id, .ok) },
        SentinelSubcommand(["get-master-addr-by-name", "get-primary-addr-by-name"]) { $0.sentinelMasterAddress($1, $2) },
        SentinelSubcommand(["help"]) { s, id, _ in s.reply(id, .array(HelpTexts.sentinel.map { .simpleString($0) })) },
        SentinelSubcommand(["info-cache"]) { s, id, args in s.infoCache(id, Array(args.dropFirst(2))) },
        SentinelSubcommand(["is-master-down-by-addr", "is-primary-down-by-addr"]) { $0.isMasterDownByAddr($1, $2) },
        SentinelSubcommand(["master", "primary"]) { $0.sentinelMaster($1, $2) },
        SentinelSubcommand(["masters", "primaries"]) { s, id, _ in s.reply(id, s.mastersReply()) },
        SentinelSubcommand(["monitor"]) { $0.monitor($1, $2) },
        SentinelSubcommand(["myid"]) { s, id, _ in s.reply(id, .bulkString(s.myID)) },
        SentinelSubcommand(["pending-scripts"]) { s, id, _ in s.reply(id, s.pendingScriptsReply()) },
        SentinelSubcommand(["remove"]) { $0.sentinelRemove($1, $2) },
        SentinelSubcommand(["replicas"]) { $0.sentinelReplicas($1, $2) },
        SentinelSubcommand(["reset"]) { $0.sentinelReset($1, $2) },
        SentinelSubcommand(["sentinels"]) { $0.sentinelSentinels($1, $2) },
        SentinelSubcommand(["set"]) { $0.sentinelSet($1, $2) },
        SentinelSubcommand(["slaves"]) { $0.sentinelReplicas($1, $2) },
        SentinelSubcommand(["simulate-failure"]) { s, id, args in s.simulateFailure(id, Array(args.dropFirst(2))) },
        // swift-sentinel's own: a coordinated failover's leader tells its peers to hold their
        // hellos (`<master> <epoch> <leader-runid> <replica-ip> <replica-port> <ttl> [pause-switch]`).
        SentinelSubcommand(["coordinated-failover"], entry: "failover", arity: -8) { $0.coordinatedNotice($1, $2) },
    ]

    /// ``sentinelSubcommandRows`` by each of their lowercase names.
    static let sentinelSubcommands: [String: SentinelSubcommand] = {
        var byName: [String: SentinelSubcommand] = [:]
        for row in sentinelSubcommandRows {
            for name in row.names {
                precondition(byName[name] == nil, "SENTINEL \(name) is registered twice")
                byName[name] = row
            }
        }
        return byName
    }()
}
