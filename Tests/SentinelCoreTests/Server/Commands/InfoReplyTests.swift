import OrderedCollections
import Testing

@testable import SentinelCore

/// INFO reply handling (sentinelRefreshInstanceInfo) on one sentinel driven directly: the state
/// it records in place and the events it emits (`+slave`, `+reboot`, `±role-change`) with the
/// instance descriptions Redis Sentinel prints.
@Suite("INFO reply handling")
struct InfoReplyTests {
    static let runA = String(repeating: "a", count: 40)
    static let runB = String(repeating: "b", count: 40)

    func make() -> Sentinel {
        var config = SentinelConfig()
        config.myID = String(repeating: "f", count: 40)
        config.logLevel = .verbose
        config.masters = [MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)]
        var s = Sentinel(config: config, seed: 1)
        _ = s.start(now: 1000)
        s.now = 2000
        return s
    }

    /// The log lines emitted since the last call.
    func logs(_ s: inout Sentinel) -> [String] {
        defer { s.output.removeAll() }
        return s.output.compactMap { if case .log(_, let t, _) = $0 { return t } else { return nil } }
    }

    static func masterInfo(runID: String, replicas: [String]) -> String {
        var lines = ["# Server", "run_id:\(runID)", "# Replication", "role:master", "connected_slaves:\(replicas.count)"]
        for (i, r) in replicas.enumerated() { lines.append("slave\(i):\(r)") }
        lines += ["master_failover_state:no-failover", "master_repl_offset:1199"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    @Test("master INFO: fields stored, listed replicas added once with +slave, a new run id is +reboot")
    func masterInfo() {
        var s = make()
        _ = logs(&s)
        let first = Self.masterInfo(
            runID: Self.runA, replicas: ["ip=127.0.0.1,port=6380,state=online,offset=1199,lag=0", "ip=::1,port=6381"])
        s.infoReply(.master("mymaster"), first)
        let master = s[master: "mymaster"]
        #expect(s.masterInstance("mymaster")?.runID == Self.runA && master.state.infoText == first && master.state.infoRefresh == 2000)
        #expect(master.masterReplOffset == 1199 && master.masterFailoverState == "no-failover")
        #expect(Set(master.replicaListings.keys) == ["127.0.0.1:6380", "[::1]:6381"])
        #expect(Array(master.replicas.keys) == ["127.0.0.1:6380", "[::1]:6381"])
        #expect(
            logs(&s) == [
                "+slave slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379",
                "+slave slave [::1]:6381 ::1 6381 @ mymaster 127.0.0.1 6379",
            ])
        // The same INFO again: nothing new to report.
        s.now = 12000
        s.infoReply(.master("mymaster"), first)
        #expect(logs(&s).isEmpty)
        #expect(s[master: "mymaster"].state.infoRefresh == 12000)
        // Rebooted: new run id.
        s.infoReply(.master("mymaster"), Self.masterInfo(runID: Self.runB, replicas: []))
        #expect(logs(&s) == ["+reboot master mymaster 127.0.0.1 6379"])
        #expect(s.masterInstance("mymaster")?.runID == Self.runB && s[master: "mymaster"].replicaListings.isEmpty)
    }

    @Test("replica INFO: replication fields stored in place; role changes are -role-change / +role-change")
    func replicaInfo() {
        var s = make()
        s.infoReply(.master("mymaster"), Self.masterInfo(runID: Self.runA, replicas: ["127.0.0.1,6380,online"]))
        _ = logs(&s)
        let owner = LinkOwner.replica(master: "mymaster", name: "127.0.0.1:6380")
        s.now = 3000
        s.infoReply(
            owner,
            "run_id:\(Self.runB)\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\n"
                + "master_link_status:up\r\nslave_repl_offset:1199\r\nslave_priority:7\r\nreplica_announced:1\r\n")
        var instance = s.replica("127.0.0.1:6380", of: "mymaster")!
        var replica = instance.replica
        #expect(instance.runID == Self.runB && replica.state.roleReported == .slave)
        #expect(replica.slaveMasterHost == "127.0.0.1" && replica.slaveMasterPort == 6379 && replica.slaveMasterLinkUp)
        #expect(replica.slaveReplOffset == 1199 && replica.slavePriority == 7 && replica.replicaAnnounced)
        #expect(logs(&s).isEmpty)
        s.now = 4000
        s.infoReply(owner, "run_id:\(Self.runB)\r\nrole:master\r\n")
        instance = s.replica("127.0.0.1:6380", of: "mymaster")!
        replica = instance.replica
        #expect(replica.state.roleReported == .master && replica.state.roleReportedTime == 4000)
        #expect(
            logs(&s) == [
                "-role-change slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379 new reported role is master"
            ])
        s.infoReply(owner, "run_id:\(Self.runA)\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\n")
        #expect(
            logs(&s) == [
                "+reboot slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379",
                "+role-change slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379 new reported role is slave",
            ])
        #expect(s.replica("127.0.0.1:6380", of: "mymaster")!.replica.slaveConfChangeTime == 4000)
    }
}
