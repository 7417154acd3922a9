import RESP
import Testing

@testable import SentinelCore

/// The link state machine alone (Monitoring/Link/): a link's connections go closed → connecting →
/// up → closed, replies are routed by the tag popped from the connection's queue, and ids are
/// never reused. No Sentinel, no sockets.
@Suite("Link state machine")
struct LinkStateMachineTests {
    static let master = LinkOwner.master("mymaster")
    static let peer = LinkOwner.peer(runID: String(repeating: "a", count: 40))
    static let address = HostPort("127.0.0.1", 6379)
    static let pingPeriod: Int64 = 1_000

    /// A table with the master's link (both connections) opened at `now` and reported up.
    static func upMaster(now: Millis = 1_000) -> LinkTable {
        var table = LinkTable()
        table[master] = InstanceLink(needsPubSub: true, now: now)
        for action in table.reconnect(master, to: address, now: now, pingPeriod: pingPeriod, atOnce: false) {
            guard case .connect(let id, _, _) = action else { continue }
            _ = table.connected(id, localAddress: "127.0.0.9", now: now)
        }
        return table
    }

    @Test("reconnect opens the command then the pub/sub connection with fresh ids, once per ping period")
    func reconnectOpensBothWithFreshIDs() {
        var table = LinkTable()
        table[Self.master] = InstanceLink(needsPubSub: true, now: 1_000)
        let opened = table.reconnect(Self.master, to: Self.address, now: 1_000, pingPeriod: Self.pingPeriod, atOnce: false)
        #expect(opened == [.connect(LinkID(1), Self.address, pubsub: false), .connect(LinkID(2), Self.address, pubsub: true)])
        #expect(table[Self.master]?.cc == .connecting(LinkID(1)))
        #expect(table[Self.master]?.pc == .connecting(LinkID(2)))
        #expect(table[Self.master]?.awaitingReconnect == false)
        #expect(table[Self.master]?.disconnected == true)
        // Both being opened: nothing more to open.
        #expect(table.reconnect(Self.master, to: Self.address, now: 1_100, pingPeriod: Self.pingPeriod, atOnce: false).isEmpty)
        // The connect fails: reopened only after the ping period, or at once when asked.
        #expect(table.lost(LinkID(1), now: 1_200, pingPeriod: Self.pingPeriod)?.reopen == false)
        #expect(table[Self.master]?.cc == .closed)
        #expect(table.reconnect(Self.master, to: Self.address, now: 1_500, pingPeriod: Self.pingPeriod, atOnce: false).isEmpty)
        #expect(
            table.reconnect(Self.master, to: Self.address, now: 2_000, pingPeriod: Self.pingPeriod, atOnce: false)
                == [.connect(LinkID(3), Self.address, pubsub: false)])
        #expect(table.allocateID() == LinkID(4))
    }

    @Test("a master's link is made with the master; a peer's on its first reconnect")
    func peerLinkCreatedOnDemand() {
        var table = LinkTable()
        #expect(table.reconnect(Self.master, to: Self.address, now: 1_000, pingPeriod: Self.pingPeriod, atOnce: false).isEmpty)
        #expect(table[Self.master] == nil)
        let opened = table.reconnect(Self.peer, to: Self.address, now: 1_000, pingPeriod: Self.pingPeriod, atOnce: false)
        #expect(opened == [.connect(LinkID(1), Self.address, pubsub: false)])
        #expect(table[Self.peer]?.needsPubSub == false)
    }

    @Test("connected: up with the local address and an empty queue; a stale or repeated report changes nothing")
    func connectedTransition() throws {
        var table = LinkTable()
        table[Self.master] = InstanceLink(needsPubSub: true, now: 1_000)
        _ = table.reconnect(Self.master, to: Self.address, now: 1_000, pingPeriod: Self.pingPeriod, atOnce: false)
        let unknown = table.connected(LinkID(9), localAddress: "127.0.0.9", now: 1_010)
        #expect(unknown == nil)
        let connected = table.connected(LinkID(1), localAddress: "127.0.0.9", now: 1_010)
        let up = try #require(connected)
        #expect(up.owner == Self.master && !up.pubsub)
        #expect(table[Self.master]?.cc == .up(Connection(id: LinkID(1), localAddress: "127.0.0.9", connectedAt: 1_010)))
        let repeated = table.connected(LinkID(1), localAddress: "127.0.0.8", now: 1_020)
        #expect(repeated == nil)
        #expect(table[Self.master]?.cc.up?.localAddress == "127.0.0.9")
        _ = table.connected(LinkID(2), localAddress: "127.0.0.9", now: 1_020)
        #expect(table[Self.master]?.disconnected == false)
    }

    @Test("send queues the reply tag on an up connection only; replies pop the tags in order")
    func sendAndReceiveInOrder() {
        var table = Self.upMaster()
        #expect(table.send(["INFO"], tag: .info, on: Self.master) == .send(LinkID(1), ["INFO"]))
        #expect(table.send(["PING"], tag: .ping, on: Self.master) == .send(LinkID(1), ["PING"]))
        #expect(table[Self.master]?.pendingCommands == 2)
        #expect(table[Self.master]?.cc.isAwaiting(.info) == true)
        #expect(table.receive(.bulkString("# Server"), on: LinkID(1), now: 1_100) == .reply(Self.master, .info, pubsub: false))
        #expect(table.receive(.simpleString("PONG"), on: LinkID(1), now: 1_100) == .reply(Self.master, .ping, pubsub: false))
        #expect(table[Self.master]?.pendingCommands == 0)
        // Nothing is sent on a connection that is not up.
        var closed = LinkTable()
        closed[Self.master] = InstanceLink(needsPubSub: true, now: 1_000)
        #expect(closed.send(["PING"], tag: .ping, on: Self.master) == nil)
        #expect(closed.ping(Self.master, now: 1_000) == nil)
    }

    @Test("a reply with no command waiting: an error drops the connection, anything else is ignored (or a pub/sub message)")
    func unsolicitedReplies() {
        var table = Self.upMaster()
        #expect(table.receive(.simpleString("OK"), on: LinkID(1), now: 1_100) == .unsolicited(Self.master))
        #expect(
            table.receive(.error("ERR max number of clients reached"), on: LinkID(1), now: 1_100)
                == .drop(Self.master, LinkID(1)))
        let message = RESPValue.array([.bulkString("message"), .bulkString("__sentinel__:hello"), .bulkString("x")])
        #expect(table.receive(message, on: LinkID(2), now: 1_100) == .message(Self.master))
        #expect(table.receive(.error("ERR"), on: LinkID(2), now: 1_100) == .drop(Self.master, LinkID(2)))
        #expect(table[Self.master]?.pc.up?.lastActivity == 1_100)
        // An id that is no longer current.
        #expect(table.receive(.simpleString("OK"), on: LinkID(7), now: 1_100) == .stale)
    }

    @Test("closing: the current connection is closed and reported once; the link's timing survives")
    func closedAndLost() throws {
        var table = Self.upMaster()
        _ = table.ping(Self.master, now: 1_200)
        #expect(table[Self.master]?.actPingTime == 1_000, "the SDOWN clock started at the first reconnect runs on")
        let result = table.lost(LinkID(1), now: 1_300, pingPeriod: Self.pingPeriod)
        let lost = try #require(result)
        #expect(lost.closed == ClosedConnection(owner: Self.master, pubsub: false, wasUp: true))
        #expect(lost.reopen, "an established connection the instance closed is reopened at once")
        #expect(table[Self.master]?.cc == .closed && table[Self.master]?.awaitingReconnect == true)
        #expect(table[Self.master]?.actPingTime == 1_000 && table[Self.master]?.lastPingTime == 1_200)
        let again = table.closed(LinkID(1))
        #expect(again == nil, "reported once")
        #expect(table.receive(.simpleString("PONG"), on: LinkID(1), now: 1_300) == .stale)
        // Reopened and killed again within the ping period: the regular reconnect.
        let reopened = table.reconnect(Self.master, to: Self.address, now: 1_300, pingPeriod: Self.pingPeriod, atOnce: true)
        #expect(reopened == [.connect(LinkID(3), Self.address, pubsub: false)])
        _ = table.connected(LinkID(3), localAddress: nil, now: 1_310)
        #expect(table.lost(LinkID(3), now: 1_400, pingPeriod: Self.pingPeriod)?.reopen == false)
        // Closing a link closes both of its connections, being opened or up.
        _ = table.reconnect(Self.master, to: Self.address, now: 2_400, pingPeriod: Self.pingPeriod, atOnce: false)
        #expect(table.close(Self.master) == [.close(LinkID(4)), .close(LinkID(2))])
        #expect(table.owner(of: LinkID(2)) == nil && table.owner(of: LinkID(4)) == nil)
        #expect(table[Self.master]?.cc == .closed && table[Self.master]?.pc == .closed)
    }

    @Test("ping and its reply: the SDOWN clock starts at the first unanswered PING and stops at an acceptable reply")
    func pingClock() {
        var table = Self.upMaster(now: 1_000)
        table.modify(Self.master) { $0.actPingTime = 0 }
        #expect(table.ping(Self.master, now: 1_500) == .send(LinkID(1), ["PING"]))
        _ = table.ping(Self.master, now: 1_700)
        #expect(table[Self.master]?.actPingTime == 1_500 && table[Self.master]?.lastPingTime == 1_700)
        let silence = table.modify(Self.master) { $0.pingAnswered(acceptable: false, now: 1_800) }
        #expect(silence == 300 && table[Self.master]?.actPingTime == 1_500)
        _ = table.modify(Self.master) { $0.pingAnswered(acceptable: true, now: 1_900) }
        #expect(table[Self.master]?.actPingTime == 0 && table[Self.master]?.lastAvailTime == 1_900)
        #expect(table[Self.master]?.lastPongTime == 1_900)
    }

    @Test("the GETACK prompt: one fence at a time, none on a link that refused it")
    func ackPrompt() {
        var table = Self.upMaster()
        #expect(
            table.promptAck(Self.master, nonce: "n1")
                == [.send(LinkID(1), ["REPLCONF", "GETACK", "*"]), .send(LinkID(1), ["ECHO", "n1"])])
        #expect(table.promptAck(Self.master, nonce: "n2").isEmpty, "a fence is already waiting")
        #expect(table.receive(.simpleString("OK"), on: LinkID(1), now: 1_100) == .reply(Self.master, .ackFence("n1", retried: false), pubsub: false))
        table.requeue(.ackFence("n1", retried: true), on: Self.master)
        #expect(table[Self.master]?.cc.isAwaiting(.ackFence("n1", retried: true)) == true)
        table.ackPromptWasRefused(Self.master)
        _ = table.receive(.bulkString("n1"), on: LinkID(1), now: 1_100)
        #expect(table.promptAck(Self.master, nonce: "n3").isEmpty)
    }

    @Test("hello bookkeeping keeps the oldest unanswered PUBLISH; auth failures are reported once")
    func helloAndAuth() {
        var link = InstanceLink(needsPubSub: true, now: 0)
        link.helloSent(now: 100)
        #expect(link.cc == .closed, "no connection, nothing recorded")
        link.cc = .up(Connection(id: LinkID(1), localAddress: nil, connectedAt: 50))
        link.helloSent(now: 100)
        link.helloSent(now: 200)
        #expect(link.cc.up?.helloSentAt == 100)
        link.helloAnswered()
        #expect(link.cc.up?.helloSentAt == 0)
        let first = link.authFailed("NOPERM no subscribe")
        let second = link.authFailed("NOPERM no subscribe")
        #expect(first && !second, "logged once")
        let byPing = link.authWorks(permissionToo: false)
        #expect(!byPing, "a NOPERM failure needs SUBSCRIBE to clear")
        let bySubscribe = link.authWorks(permissionToo: true)
        #expect(bySubscribe && link.authFailure == nil)
    }
}
