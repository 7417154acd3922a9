import DequeModule
import OrderedCollections
import RESP

/// A connection to the sentinel's own port: protocol version, name, subscriptions, auth.
package struct ClientSession: Hashable, Sendable {
    package var id: ClientID
    package var address: String
    package var localAddress: String
    package var name: String = ""
    package var proto: RESPVersion = .resp2
    package var channels: OrderedSet<String> = []
    package var patterns: OrderedSet<String> = []
    package var authenticated: Bool
    package var user: String = "default"
    package var createdAt: Millis
    package var lastInteraction: Millis
    package var lastCommand: String = "NULL"
    package var libName: String = ""
    package var libVersion: String = ""
    package var noEvict: Bool = false

    package init(id: ClientID, address: String, localAddress: String, now: Millis, authenticated: Bool) {
        self.id = id
        self.address = address
        self.localAddress = localAddress
        self.createdAt = now
        self.lastInteraction = now
        self.authenticated = authenticated
    }

    /// Number of channels plus patterns (the count in subscribe replies).
    package var subscriptionCount: Int { channels.count + patterns.count }

    /// A pub/sub frame: a RESP3 push after `HELLO 3`, else a plain array.
    package func pushFrame(_ elements: [RESPValue]) -> RESPValue {
        proto == .resp3 ? .push(elements) : .array(elements)
    }

    /// One `CLIENT LIST` / `CLIENT INFO` line (Redis 7.2 field set).
    package func infoLine(now: Millis) -> String {
        let age = (now - createdAt) / 1000
        let idle = (now - lastInteraction) / 1000
        var flags = subscriptionCount > 0 ? "P" : ""
        if noEvict { flags += "e" }
        if flags.isEmpty { flags = "N" }
        return "id=\(id.raw) addr=\(address) laddr=\(localAddress) fd=\(id.raw + 7) name=\(name) age=\(age) idle=\(idle) "
            + "flags=\(flags) db=0 sub=\(channels.count) psub=\(patterns.count) ssub=0 multi=-1 qbuf=0 qbuf-free=0 "
            + "argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=\(lastCommand) "
            + "user=\(user) redir=-1 resp=\(proto.rawValue) lib-name=\(libName) lib-ver=\(libVersion)"
    }
}
