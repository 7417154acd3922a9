import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Hostnames (sentinel-behaviour §10.5): address records with resolved IPs learned from the
/// runtime's `.hostResolved`, SENTINEL MONITOR waiting for a resolution, the printed form under
/// announce-hostnames yes/no, and a name that stops resolving and comes back.
@Suite("Hostnames and announced addresses")
struct HostnameTests {
    static let client = ClientID(1)

    func make(resolve: Bool = true, announce: Bool = false, masterHost: String? = "node-a.test") -> Sentinel {
        var config = SentinelConfig()
        config.myID = String(repeating: "f", count: 40)
        config.resolveHostnames = resolve
        config.announceHostnames = announce
        if let masterHost {
            config.masters = [MasterConfig(name: "mymaster", address: HostPort(masterHost, 6379), quorum: 2)]
        }
        var s = Sentinel(config: config, seed: 1)
        _ = s.start(now: 1000)
        _ = s.handle(.clientConnected(Self.client, address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: 1000)
        return s
    }

    func ask(_ s: inout Sentinel, _ words: String..., now: Millis = 2000) -> [Action] {
        s.handle(.clientCommand(Self.client, words), now: now)
    }

    func replies(_ actions: [Action]) -> [RESPValue] {
        actions.compactMap { if case .reply(_, let v, _) = $0 { v } else { nil } }
    }

    func logs(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .log(_, let t, _) = $0 { t } else { nil } }
    }

    func connects(_ actions: [Action]) -> [(LinkID, String, Int)] {
        actions.compactMap { if case .connect(let id, let host, let port) = $0 { (id, host, port) } else { nil } }
    }

    /// Answers every config flush in `actions` as the runtime would, returning what that produced.
    func persisted(_ s: inout Sentinel, _ actions: [Action], now: Millis = 2000) -> [Action] {
        actions.flatMap { action -> [Action] in
            if case .persistConfig(_, let token) = action {
                return s.handle(.configPersisted(token: token, error: nil), now: now)
            }
            return []
        }
    }

    @Test("address equality: same port and the same IP, or hostnames equal case-insensitively")
    func equality() {
        let a = InstanceAddress(hostname: "node-a.test", ip: "10.0.0.1", port: 6379)
        #expect(a.matches(InstanceAddress(hostname: "NODE-A.Test", ip: nil, port: 6379)))
        #expect(a.matches(InstanceAddress(hostname: "10.0.0.1", ip: "10.0.0.1", port: 6379)))
        #expect(a.matches(InstanceAddress(hostname: "other.test", ip: "10.0.0.1", port: 6379)))
        #expect(!a.matches(InstanceAddress(hostname: "node-a.test", ip: "10.0.0.1", port: 6380)))
        #expect(!a.matches(InstanceAddress(hostname: "other.test", ip: nil, port: 6379)))
        #expect(!a.matches(InstanceAddress(hostname: "other.test", ip: "10.0.0.2", port: 6379)))
        #expect(a.announced(hostnames: true) == HostPort("node-a.test", 6379))
        #expect(a.announced(hostnames: false) == HostPort("10.0.0.1", 6379))

        // The sentinel's equality learns IPs from .hostResolved.
        var s = make()
        #expect(!s.sameAddress(HostPort("10.0.0.1", 6379), HostPort("node-a.test", 6379)))
        _ = s.handle(.hostResolved(host: "node-a.test", ip: "10.0.0.1"), now: 1500)
        #expect(s.sameAddress(HostPort("10.0.0.1", 6379), HostPort("NODE-A.test", 6379)))
        #expect(!s.sameAddress(HostPort("10.0.0.1", 6380), HostPort("node-a.test", 6379)))
    }

    @Test("MONITOR: names refused with resolve-hostnames no; with yes the reply waits for the resolution")
    func monitorResolution() throws {
        var off = make(resolve: false, masterHost: nil)
        #expect(replies(ask(&off, "SENTINEL", "MONITOR", "m", "node-b.test", "6380", "2"))
            == [.error("ERR Invalid IP address or hostname specified")])

        var s = make(masterHost: nil)
        // Unresolvable: the reply (and the PING pipelined after it) wait; then the error.
        let asked = ask(&s, "SENTINEL", "MONITOR", "m", "nowhere.test", "6380", "2")
        #expect(asked.contains(.resolveHost("nowhere.test")))
        #expect(replies(asked).isEmpty)
        #expect(replies(ask(&s, "PING")).isEmpty, "a later reply may not overtake the MONITOR's")
        let failed = s.handle(.hostResolved(host: "nowhere.test", ip: nil), now: 2100)
        #expect(replies(failed) == [.error("ERR Invalid IP address or hostname specified"), .simpleString("PONG")])
        #expect(s.masters["m"] == nil)
        #expect(logs(failed).contains("Failed to resolve hostname 'nowhere.test'"))

        // Resolvable: created with the name as given, +OK after the flush, connected by name.
        let asked2 = ask(&s, "SENTINEL", "MONITOR", "m", "Node-B.test", "6380", "2", now: 3000)
        #expect(asked2.contains(.resolveHost("Node-B.test")))
        let resolved = s.handle(.hostResolved(host: "Node-B.test", ip: "10.0.0.2"), now: 3001)
        #expect(replies(resolved).isEmpty, "answered after the flush")
        #expect(s.masterNamed("m")?.address == HostPort("Node-B.test", 6380))
        #expect(connects(resolved).contains { $0.1 == "Node-B.test" && $0.2 == 6380 })
        #expect(logs(resolved).contains("+monitor master m 10.0.0.2 6380 quorum 2"), "announce-hostnames no prints the IP")
        #expect(replies(persisted(&s, resolved)) == [.ok])

        // The later checks still run once the name resolved: a duplicate name.
        _ = ask(&s, "SENTINEL", "MONITOR", "m", "node-b.test", "6381", "2", now: 4000)
        #expect(replies(s.handle(.hostResolved(host: "node-b.test", ip: "10.0.0.2"), now: 4001))
            == [.error("ERR Duplicate master name.")])
    }

    /// Every printed place, with announce-hostnames yes and no.
    @Test("announce-hostnames picks the printed form everywhere", arguments: [false, true])
    func announcedEverywhere(announce: Bool) throws {
        var s = make(announce: announce)
        _ = persisted(&s, s.handle(.hostResolved(host: "node-a.test", ip: "10.0.0.1"), now: 1500))
        let printed = announce ? "node-a.test" : "10.0.0.1"
        // GET-MASTER-ADDR-BY-NAME and SENTINEL MASTER.
        #expect(replies(ask(&s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"))
            == [.array([.bulkString(printed), .bulkString("6379")])])
        #expect(replies(ask(&s, "SENTINEL", "MASTER", "mymaster")).first?["ip"] == printed)
        // The config file, rewritten when an IP is learned only if IPs are printed.
        #expect(s.config.masters[0].address == HostPort(printed, 6379))
        let learned = s.handle(.hostResolved(host: "node-a.test", ip: "10.0.0.9"), now: 1550)
        #expect(learned.contains { if case .persistConfig(let c, _) = $0 { c.masters[0].address.host == "10.0.0.9" } else { false } } == !announce)
        _ = s.handle(.hostResolved(host: "node-a.test", ip: "10.0.0.1"), now: 1560)
        // The hello payload's master address.
        let hello = try #require(s.helloPayload(master: "mymaster", localAddress: "127.0.0.9"))
        #expect(hello.hasSuffix(",mymaster,\(printed),6379,0"))
        // A replica listed by name in the master's INFO: event, REPLICAS ip, known-replica line.
        _ = s.handle(.hostResolved(host: "node-b.test", ip: "10.0.0.2"), now: 1600)
        let masterLink = try #require(s.links[.master("mymaster")]?.cc.id)
        _ = s.handle(.linkConnected(masterLink, localAddress: "127.0.0.9"), now: 1700)
        let info = "# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"
            + "slave0:ip=node-b.test,port=6380,state=online,offset=10,lag=0\r\nmaster_repl_offset:10\r\n"
        s.infoReply(.master("mymaster"), info)
        let replicaPrinted = announce ? "node-b.test" : "10.0.0.2"
        let replica = try #require(s.replicas(of: "mymaster").first)
        #expect(replica.name == "\(replicaPrinted):6380", "named as printed at creation")
        #expect(replica.address == HostPort("node-b.test", 6380), "stored as given")
        #expect(replies(ask(&s, "SENTINEL", "REPLICAS", "mymaster")).first?.elements?.first?["ip"] == replicaPrinted)
        #expect(s.config.masters[0].knownReplicas == [HostPort(replicaPrinted, 6380)])
        // The same INFO again does not add the replica a second time (known by either form).
        s.infoReply(.master("mymaster"), info)
        #expect(s.masterNamed("mymaster")?.replicas.count == 1)
        // SLAVEOF targets and FAILOVER TO: see the failover tests below.
        #expect(s.announced(HostPort("node-b.test", 6380)) == HostPort(replicaPrinted, 6380))
    }

    @Test("INFO-listed names: ignored with resolve-hostnames no; with yes resolved first, named by IP, or kept unresolved")
    func listedNames() throws {
        for resolve in [false, true] {
            var s = make(resolve: resolve, masterHost: "10.0.0.1")
            s.infoReply(.master("mymaster"), "role:master\r\nslave0:ip=never.test,port=6380,state=online,offset=1,lag=0\r\n")
            #expect(s.masterNamed("mymaster")?.replicas.count == 0, "refused, or waiting for the name's IP")
            if resolve {
                // Printed as an IP (announce-hostnames no): the name is resolved first, as Redis
                // does while creating the replica. Never resolving: created under its name.
                #expect(s.handle(.tick, now: 1500).contains(.resolveHost("never.test")) || s.masterNamed("mymaster")?.replicas.isEmpty == true)
                _ = s.handle(.hostResolved(host: "never.test", ip: nil, error: "Name or service not known"), now: 1600)
                #expect(s.masterNamed("mymaster")?.replicas.keys.first == "never.test:6380")
                // A name that resolves: named by its IP, stored as given.
                s.infoReply(.master("mymaster"), "role:master\r\nslave0:ip=Later.test,port=6381,state=online,offset=1,lag=0\r\n")
                #expect(s.masterNamed("mymaster")?.replicas["10.0.0.5:6381"] == nil)
                let added = s.handle(.hostResolved(host: "Later.test", ip: "10.0.0.5"), now: 1700)
                #expect(s.replica("10.0.0.5:6381", of: "mymaster")?.address == HostPort("Later.test", 6381))
                #expect(logs(added).contains("+slave slave 10.0.0.5:6381 10.0.0.5 6381 @ mymaster 10.0.0.1 6379"))
            }
        }
    }

    @Test("FAILOVER TO uses the address the master lists for the replica")
    func failoverToListedAddress() throws {
        var s = make()
        _ = s.handle(.hostResolved(host: "node-b.test", ip: "10.0.0.2"), now: 1500)
        s.infoReply(.master("mymaster"), "role:master\r\nslave0:ip=node-b.test,port=6380,state=online,offset=1,lag=0\r\n")
        let master = try #require(s.masterNamed("mymaster"))
        let replica = try #require(s.replicas(of: "mymaster").first?.replica)
        #expect(replica.name == "10.0.0.2:6380")
        #expect(s.listing(of: replica, in: master)?.state == "online")
        #expect(s.failoverToAddress(of: replica, in: master) == HostPort("node-b.test", 6380))
    }

    @Test("a name that stops resolving fails only its link, is logged, retried, and recovers")
    func stopsResolvingAndComesBack() throws {
        var s = make(announce: true)
        var now: Millis = 1000
        func step(_ event: Event) -> [Action] {
            now += 1
            return s.handle(event, now: now)
        }
        func reconnectUntilDialled() -> [(LinkID, String, Int)] {
            for _ in 0..<40 {
                now += 100
                let dialled = connects(s.handle(.tick, now: now))
                if !dialled.isEmpty { return dialled }
            }
            return []
        }
        // Up by name.
        var dials = reconnectUntilDialled()
        if dials.isEmpty, let cc = s.links[.master("mymaster")]?.cc.id, let pc = s.links[.master("mymaster")]?.pc.id {
            dials = [(cc, "node-a.test", 6379), (pc, "node-a.test", 6379)]
        }
        #expect(dials.allSatisfy { $0.1 == "node-a.test" })
        _ = step(.hostResolved(host: "node-a.test", ip: "10.0.0.1"))
        for (id, _, _) in dials { _ = step(.linkConnected(id, localAddress: "127.0.0.9")) }
        #expect(s.links[.master("mymaster")]?.disconnected == false)

        // The name disappears: the connections drop, the re-dial's resolution fails. A connection
        // the instance closed after it was up is reopened in the same event (EarlyReopenTests).
        var closed: [Action] = []
        for (id, _, _) in dials { closed += step(.linkClosed(id, reason: "Connection reset by peer")) }
        var redial = connects(closed)
        if redial.isEmpty { redial = reconnectUntilDialled() }
        #expect(!redial.isEmpty, "reconnected at once or on the normal schedule")
        var failed = step(.hostResolved(host: "node-a.test", ip: nil, error: "Name or service not known"))
        for (id, _, _) in redial { failed += step(.linkClosed(id, reason: "Failed to resolve hostname 'node-a.test'")) }
        #expect(logs(failed).contains("Failed to resolve hostname 'node-a.test': Name or service not known"))
        #expect(s.masters["mymaster"] != nil, "never forgotten")
        #expect(s.links[.master("mymaster")]?.disconnected == true)
        #expect(s.sameAddress(HostPort("10.0.0.1", 6379), HostPort("node-a.test", 6379)), "the last IP is kept")

        // It comes back at a new IP: retried again, resolved, connected.
        let third = reconnectUntilDialled()
        #expect(!third.isEmpty, "retried after the failure")
        let back = step(.hostResolved(host: "node-a.test", ip: "10.0.0.7"))
        #expect(logs(back).contains("Hostname 'node-a.test' now resolves to 10.0.0.7 (was 10.0.0.1)"))
        for (id, _, _) in third { _ = step(.linkConnected(id, localAddress: "127.0.0.9")) }
        #expect(s.links[.master("mymaster")]?.disconnected == false)
        #expect(replies(ask(&s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster", now: now + 1))
            == [.array([.bulkString("node-a.test"), .bulkString("6379")])])
    }

    @Test("announce-ip and announce-port (also via SENTINEL CONFIG SET) are what hellos carry")
    func announceIPAndPort() throws {
        var s = make(resolve: false, masterHost: "10.0.0.1")
        #expect(s.helloPayload(master: "mymaster", localAddress: "127.0.0.9")?.hasPrefix("127.0.0.9,26379,") == true)
        let set = ask(&s, "SENTINEL", "CONFIG", "SET", "announce-ip", "sentinel-1.example", "announce-port", "36379")
        #expect(replies(persisted(&s, set)) == [.ok])
        let hello = try #require(s.helloPayload(master: "mymaster", localAddress: "127.0.0.9"))
        #expect(hello.hasPrefix("sentinel-1.example,36379,\(s.myID),"))
        #expect(s.config.announceIP == "sentinel-1.example" && s.config.announcePort == 36379)
    }
}
