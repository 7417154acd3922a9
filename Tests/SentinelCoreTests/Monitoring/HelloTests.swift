import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// The hello processing rules of sentinel-behaviour §6.4, one sentinel driven directly.
@Suite("Hello processing")
struct HelloTests {
    static let peerA = String(repeating: "1", count: 40)
    static let peerB = String(repeating: "2", count: 40)

    func make() -> Sentinel {
        var config = SentinelConfig()
        config.myID = String(repeating: "f", count: 40)
        config.masters = [MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)]
        var s = Sentinel(config: config, seed: 1)
        _ = s.start(now: 1000)
        return s
    }

    func hello(_ s: inout Sentinel, _ payload: String, now: Millis = 2000) -> [Action] {
        let client = ClientID(1)
        _ = s.handle(.clientConnected(client, address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: now)
        var actions = s.handle(.clientCommand(client, ["PUBLISH", "__sentinel__:hello", payload]), now: now)
        // Every flush answered as the runtime does, so the next change goes out at once.
        for case .persistConfig(_, let token) in actions {
            actions += s.handle(.configPersisted(token: token, error: nil), now: now)
        }
        return actions
    }

    func logs(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .log(_, let t, _) = $0 { return t } else { return nil } }
    }

    @Test("a new peer is added, announced with +sentinel and persisted")
    func newPeer() {
        var s = make()
        let actions = hello(&s, "127.0.0.1,26380,\(Self.peerA),0,mymaster,127.0.0.1,6379,0")
        #expect(s.peer(Self.peerA, of: "mymaster")?.address == HostPort("127.0.0.1", 26380))
        #expect(logs(actions).contains("+sentinel sentinel \(Self.peerA) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"))
        #expect(actions.contains { if case .persistConfig = $0 { true } else { false } })
        #expect(actions.contains { if case .connect(_, "127.0.0.1", 26380) = $0 { true } else { false } })
        #expect(actions.contains(.reply(ClientID(1), .integer(1), .resp2)))
    }

    @Test("malformed payloads, unknown masters and our own hellos are ignored")
    func ignored() {
        var s = make()
        for payload in [
            "127.0.0.1,26380,\(Self.peerA),0,mymaster,127.0.0.1,6379",  // 7 fields
            "127.0.0.1,26380,\(Self.peerA),0,other,127.0.0.1,6379,0",  // unknown master
            "127.0.0.1,26380,\(String(repeating: "f", count: 40)),0,mymaster,127.0.0.1,6379,0",  // ourselves
            "127.0.0.1,notaport,\(Self.peerA),0,mymaster,127.0.0.1,6379,0",
        ] {
            _ = hello(&s, payload)
        }
        #expect(s.masterNamed("mymaster")?.sentinels.isEmpty == true)
    }

    @Test("same runid at a new address is an address switch")
    func addressSwitch() {
        var s = make()
        _ = hello(&s, "127.0.0.1,26380,\(Self.peerA),0,mymaster,127.0.0.1,6379,0")
        let actions = hello(&s, "127.0.0.2,26390,\(Self.peerA),0,mymaster,127.0.0.1,6379,0")
        #expect(s.peer(Self.peerA, of: "mymaster")?.address == HostPort("127.0.0.2", 26390))
        #expect(logs(actions).contains("+sentinel-address-switch master mymaster 127.0.0.1 6379 ip 127.0.0.2 port 26390 for \(Self.peerA)"))
        #expect(!logs(actions).contains { $0.hasPrefix("+sentinel sentinel") })
        #expect(logs(actions).contains("-dup-sentinel sentinel \(Self.peerA) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379 #duplicate of 127.0.0.2:26390 or \(Self.peerA)"))
    }

    @Test("same address with a new runid replaces the old peer everywhere")
    func invalidAddress() {
        var s = make()
        _ = hello(&s, "127.0.0.1,26380,\(Self.peerA),0,mymaster,127.0.0.1,6379,0")
        let actions = hello(&s, "127.0.0.1,26380,\(Self.peerB),0,mymaster,127.0.0.1,6379,0")
        #expect(s.masterNamed("mymaster")?.sentinels[Self.peerA] == nil)
        #expect(s.masterNamed("mymaster")?.sentinels[Self.peerB] != nil)
        #expect(logs(actions).contains("+sentinel-invalid-addr sentinel \(Self.peerA) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"))
    }

    @Test("a hello from an address that cannot be kept (empty, or a name without resolve-hostnames) adds no peer, and removes a moved one")
    func unusableAddress() throws {
        // redis-sentinel 7.0.15 announces an empty IP after `SENTINEL CONFIG SET announce-ip ""`;
        // keeping it would persist `known-sentinel mymaster "" ...`, which the loader refuses.
        var s = make()
        _ = hello(&s, ",26380,\(Self.peerB),0,mymaster,127.0.0.1,6379,0")
        _ = hello(&s, "sentinel-b.example,26380,\(Self.peerB),0,mymaster,127.0.0.1,6379,0")
        #expect(s.masterNamed("mymaster")?.sentinels[Self.peerB] == nil)
        _ = hello(&s, "127.0.0.1,26380,\(Self.peerA),0,mymaster,127.0.0.1,6379,0")
        let actions = hello(&s, ",26380,\(Self.peerA),3,mymaster,127.0.0.1,6379,0")
        #expect(s.masterNamed("mymaster")?.sentinels[Self.peerA] == nil)
        #expect(logs(actions).contains("+sentinel-address-switch master mymaster 127.0.0.1 6379 ip  port 26380 for \(Self.peerA)"))
        #expect(s.settings.currentEpoch == 3, "the epoch is still adopted")
        let written = try #require(actions.compactMap { if case .persistConfig(let c, _) = $0 { c } else { nil } }.last)
        #expect(written.masters.allSatisfy { $0.knownSentinels.allSatisfy { !$0.address.host.isEmpty } })
        #expect(throws: Never.self, "the rewritten config loads again") {
            _ = try ConfigParser.parse(ConfigRewriter.rewrite(original: "", config: written), fileName: "sentinel.conf")
        }
    }

    @Test("a higher current epoch is adopted with +new-epoch and persisted")
    func newEpoch() {
        var s = make()
        let actions = hello(&s, "127.0.0.1,26380,\(Self.peerA),7,mymaster,127.0.0.1,6379,0")
        #expect(s.settings.currentEpoch == 7)
        #expect(logs(actions).contains("+new-epoch 7"))
        #expect(actions.contains { if case .persistConfig(let c, _) = $0 { c.currentEpoch == 7 } else { false } })
    }

    @Test("a higher config epoch with another address switches the master")
    func switchMaster() throws {
        var s = make()
        _ = hello(&s, "127.0.0.1,26380,\(Self.peerA),0,mymaster,127.0.0.1,6379,0")
        let actions = hello(&s, "127.0.0.1,26380,\(Self.peerA),3,mymaster,127.0.0.1,6380,3")
        let master = try #require(s.masterNamed("mymaster"))
        #expect(master.address == HostPort("127.0.0.1", 6380))
        #expect(master.config.configEpoch == 3)
        #expect(master.replicas["127.0.0.1:6379"] != nil, "the old master becomes a replica")
        let lines = logs(actions)
        #expect(lines.contains("+config-update-from sentinel \(Self.peerA) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"))
        #expect(lines.contains("+switch-master mymaster 127.0.0.1 6379 127.0.0.1 6380"))
        #expect(lines.contains("+slave slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380"))
        // The same epoch again changes nothing.
        let again = hello(&s, "127.0.0.1,26380,\(Self.peerA),3,mymaster,127.0.0.1,6380,3")
        #expect(!logs(again).contains { $0.hasPrefix("+switch-master") })
    }

    @Test("a newer config announcing the master at a name or garbage (resolve-hostnames off) does not switch to it")
    func switchToUnusableAddress() throws {
        // Found by the `hello` fuzz target: the switch was made and persisted as
        // `sentinel monitor mymaster <garbage> 6380 2`, which the next start refuses.
        for host in ["127\u{FFFD}\u{FFFD}.0.0.1", "redis-2.example", ""] {
            var s = make()
            _ = hello(&s, "127.0.0.1,26380,\(Self.peerA),0,mymaster,127.0.0.1,6379,0")
            let actions = hello(&s, "127.0.0.1,26380,\(Self.peerA),3,mymaster,\(host),6380,3")
            let master = try #require(s.masterNamed("mymaster"))
            #expect(master.address == HostPort("127.0.0.1", 6379))
            #expect(master.config.configEpoch == 3, "the epoch is adopted, as Redis does")
            #expect(!logs(actions).contains { $0.hasPrefix("+switch-master") })
            let persisted = ConfigRewriter.rewrite(original: "", config: s.config)
            #expect(throws: Never.self) { try ConfigParser.parse(persisted, fileName: "sentinel.conf") }
        }
    }

    @Test("a higher config epoch with the same address only adopts the epoch")
    func sameAddressEpoch() {
        var s = make()
        _ = hello(&s, "127.0.0.1,26380,\(Self.peerA),0,mymaster,127.0.0.1,6379,0")
        let actions = hello(&s, "127.0.0.1,26380,\(Self.peerA),2,mymaster,127.0.0.1,6379,2")
        #expect(s.masterNamed("mymaster")?.config.configEpoch == 2)
        #expect(!logs(actions).contains { $0.hasPrefix("+switch-master") })
    }

    @Test("hello payload has the 8 fields in order")
    func payload() {
        var s = make()
        s.settings.currentEpoch = 4
        #expect(
            s.helloPayload(master: "mymaster", localAddress: "10.0.0.9")
                == "10.0.0.9,26379,\(String(repeating: "f", count: 40)),4,mymaster,127.0.0.1,6379,0")
        s.settings.announceIP = "1.2.3.4"
        s.settings.announcePort = 5555
        #expect(s.helloPayload(master: "mymaster", localAddress: "10.0.0.9")?.hasPrefix("1.2.3.4,5555,") == true)
        s.settings.announceIP = nil
        #expect(s.helloPayload(master: "mymaster", localAddress: nil) == nil)
    }
}
