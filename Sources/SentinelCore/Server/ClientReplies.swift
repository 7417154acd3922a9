import DequeModule
import OrderedCollections
import RESP

/// A client's replies leave in the order of its commands, as on a Redis connection, even when
/// a reply is known only later: a command that changes the config answers after the flush
/// (sentinelFlushConfig runs before addReply), and a coordinated-failover notice answers after
/// our hello to the master is through. Such a reply takes a slot; everything the client is sent
/// after it (replies and pub/sub pushes) waits behind the slot until it is filled.
///
/// `CLIENT REPLY OFF|SKIP` suppress the replies of the commands they cover (Redis's
/// prepareClientToWrite), decided when the command runs; pub/sub pushes are never suppressed
/// (`CLIENT_PUSHING`).
struct HeldReply: Hashable, Sendable {
    /// The slot this entry waits for; nil once the value is known.
    var slot: Int?
    /// Nil while waiting, or for a suppressed reply (dropped when its slot is filled).
    var value: RESPValue?
    var proto: RESPVersion
    var suppressed: Bool
}

extension Sentinel {
    /// The position of client `id` in ``clients``. The handling of one command looks its client
    /// up several times (the checks, each reply, the end of the command), so the position found
    /// last is tried first; it is checked against the key there, so it is never stale. A hash
    /// lookup of a ClientID cost ~300 instructions, seven times per command.
    mutating func clientIndex(_ id: ClientID) -> Int? {
        if lastClientIndex < clients.count, clients.keys[lastClientIndex] == id { return lastClientIndex }
        guard let index = clients.index(forKey: id) else { return nil }
        lastClientIndex = index
        return index
    }

    /// Forgets client `id`'s session in constant time: the last session takes its place, so
    /// ``clients`` is not in connection order (CLIENT LIST sorts by id, which is). Removing from
    /// the middle of the ordered table shifted every later session and its hash-table slot: at a
    /// reconnect storm of 5,000 clients that was 8 % of the sentinel's CPU.
    mutating func removeClientSession(_ id: ClientID) {
        guard let index = clients.index(forKey: id) else { return }
        let last = clients.count - 1
        if index != last { clients.swapAt(index, last) }
        clients.removeLast()
    }

    /// Sends a reply to the command being processed (unless CLIENT REPLY suppresses it), after
    /// any earlier reply that is still pending.
    mutating func reply(_ client: ClientID, _ value: RESPValue) {
        guard let index = clientIndex(client) else { return }
        countErrorReply(value)
        if clients.values[index].replyOff || clients.values[index].replySkip { return }
        send(client, value)
    }

    /// Sends a frame that is not a reply to a command (a pub/sub message): never suppressed, but
    /// still behind pending replies.
    mutating func push(_ client: ClientID, _ value: RESPValue) {
        send(client, value)
    }

    private mutating func send(_ client: ClientID, _ value: RESPValue) {
        // In place: a copy of the session (and its write-back) costs more than the reply.
        guard let index = clientIndex(client) else { return }
        let proto = clients.values[index].proto
        if clients.values[index].heldReplies.isEmpty {
            output.append(.reply(client, value, proto))
        } else {
            clients.values[index].heldReplies.append(HeldReply(slot: nil, value: value, proto: proto, suppressed: false))
        }
    }

    /// Reserves the place of a reply that the current command will give later (see
    /// ``fillReplySlot(_:_:_:)``). Returns nil for a gone client.
    mutating func reserveReplySlot(_ client: ClientID) -> Int? {
        guard var session = clients[client] else { return nil }
        let slot = nextReplySlot
        nextReplySlot += 1
        let suppressed = session.replyOff || session.replySkip
        session.heldReplies.append(HeldReply(slot: slot, value: nil, proto: session.proto, suppressed: suppressed))
        clients[client] = session
        return slot
    }

    /// Gives a reserved reply its value and sends everything that was waiting for it.
    mutating func fillReplySlot(_ client: ClientID, _ slot: Int, _ value: RESPValue) {
        // The command that reserved the slot ran, so its error counts even if the client is gone.
        countErrorReply(value)
        guard var session = clients[client],
            let index = session.heldReplies.firstIndex(where: { $0.slot == slot })
        else { return }
        session.heldReplies[index].slot = nil
        if !session.heldReplies[index].suppressed {
            session.heldReplies[index].value = value
        }
        while let head = session.heldReplies.first, head.slot == nil {
            session.heldReplies.removeFirst()
            if let value = head.value {
                output.append(.reply(client, value, head.proto))
            }
        }
        clients[client] = session
    }

    /// Redis's resetClient after a command ran (or was refused): CLIENT REPLY SKIP covers exactly
    /// the next command, and CLIENT CACHING only until the next command that is not CLIENT.
    mutating func commandFinished(_ client: ClientID, command: String) {
        guard let index = clientIndex(client) else { return }
        clients.values[index].commandFinished(isClientCommand: command == "client")
    }

    /// CLIENT REPLY ON|OFF|SKIP.
    mutating func clientReply(_ id: ClientID, _ mode: String) {
        switch mode.lowercased() {
        case "on":
            clients[id]?.replyOff = false
            clients[id]?.replySkip = false
            clients[id]?.replySkipNext = false
            reply(id, .ok)
        case "off":
            clients[id]?.replyOff = true
        case "skip":
            if clients[id]?.replyOff == false {
                clients[id]?.replySkipNext = true
            }
        default:
            reply(id, .error(Wire.errSyntax))
        }
    }
}
