import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// The script queue of sentinel-behaviour §10.1 (and its events, §8), one sentinel on a fake clock.
@Suite("Script queue")
struct ScriptQueueTests {
    static let notify = "/opt/scripts/notify.sh"
    static let reconfig = "/opt/scripts/reconfig.sh"
    static let peer = String(repeating: "1", count: 40)
    static let monitorArgv = [notify, "+monitor", "master mymaster 127.0.0.1 6379 quorum 2"]

    /// A started sentinel monitoring `mymaster` (and `other`, without scripts); `+monitor` has
    /// already queued one notification job when a notification script is set.
    func make(notification: String? = notify, reconfig: String? = nil, now: Millis = 1000) -> Sentinel {
        var config = SentinelConfig()
        config.myID = String(repeating: "f", count: 40)
        var master = MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)
        master.notificationScript = notification
        master.clientReconfigScript = reconfig
        config.masters = [master, MasterConfig(name: "other", address: HostPort("127.0.0.1", 7000), quorum: 1)]
        var s = Sentinel(config: config, seed: 1)
        _ = s.start(now: now)
        return s
    }

    /// A sentinel with an empty queue and no scripts configured.
    func makeEmpty() -> Sentinel { make(notification: nil) }

    func runs(_ actions: [Action]) -> [(ScriptJobID, [String])] {
        actions.compactMap { action -> (ScriptJobID, [String])? in
            if case .runScript(let id, let path, let args) = action { return (id, [path] + args) }
            return nil
        }
    }

    func logs(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .log(_, let t, _) = $0 { return t } else { return nil } }
    }

    func command(_ s: inout Sentinel, _ words: String..., now: Millis) -> RESPValue? {
        let client = ClientID(77)
        _ = s.handle(.clientConnected(client, address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: now)
        let actions = s.handle(.clientCommand(client, words), now: now)
        return actions.compactMap { if case .reply(client, let v, _) = $0 { return v } else { return nil } }.first
    }

    func hello(_ s: inout Sentinel, _ payload: String, now: Millis) -> [Action] {
        let client = ClientID(1)
        _ = s.handle(.clientConnected(client, address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: now)
        return s.handle(.clientCommand(client, ["PUBLISH", "__sentinel__:hello", payload]), now: now)
    }

    /// Queues one job, starts it on a tick at `now` and reports its pid; returns its id.
    func startOne(_ s: inout Sentinel, argv: [String] = [notify, "x"], pid: Int32 = 4242, now: Millis) -> ScriptJobID {
        s.queueScript(path: argv[0], arguments: Array(argv.dropFirst()))
        let started = runs(s.handle(.tick, now: now))
        let id = started.last!.0
        _ = s.handle(.scriptStarted(id, pid: pid), now: now)
        return id
    }

    // MARK: - Notification script

    @Test("a WARNING event of an instance queues the master's notification script with [path, type, message]")
    func notificationArgv() throws {
        var s = make()
        #expect(s.scripts.jobs.map(\.argv) == [Self.monitorArgv], "+monitor at startup runs it")
        let started = runs(s.handle(.tick, now: 1100))
        #expect(started.map(\.1) == [Self.monitorArgv])

        _ = command(&s, "SENTINEL", "SET", "mymaster", "quorum", "3", now: 1200)
        #expect(s.scripts.jobs.last?.argv == [Self.notify, "+set", "master mymaster 127.0.0.1 6379 quorum 3"])
        // Another master's events use that master's script: `other` has none.
        let count = s.scripts.jobs.count
        _ = command(&s, "SENTINEL", "SET", "other", "quorum", "2", now: 1300)
        #expect(s.scripts.jobs.count == count)
    }

    @Test("NOTICE events and events without an instance (+tilt, script errors) run nothing")
    func notificationFilter() {
        var s = make()
        let queued = s.scripts.jobs.count
        // +sentinel is NOTICE.
        _ = hello(&s, "127.0.0.1,26380,\(Self.peer),0,mymaster,127.0.0.1,6379,0", now: 2000)
        #expect(s.scripts.jobs.count == queued)
        s.emit(.warning, "+tilt", "#tilt mode entered")
        #expect(s.scripts.jobs.count == queued)
        let id = startOne(&s, now: 3000)
        _ = s.handle(.scriptExited(id, exitCode: 3, signal: 0), now: 3100)
        #expect(s.scripts.jobs.allSatisfy { $0.argv[1] != "-script-error" })
    }

    @Test("+new-epoch and +switch-master carry the master, so they run it (as in Redis)")
    func notificationForMasterEvents() {
        var s = make()
        _ = hello(&s, "127.0.0.1,26380,\(Self.peer),7,mymaster,127.0.0.1,6380,7", now: 2000)
        let argvs = s.scripts.jobs.map(\.argv).dropFirst()
        #expect(
            Array(argvs) == [
                [Self.notify, "+new-epoch", "7"],
                [Self.notify, "+config-update-from", "sentinel \(Self.peer) 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"],
                [Self.notify, "+switch-master", "mymaster 127.0.0.1 6379 127.0.0.1 6380"],
            ])
    }

    @Test("argv is cut to 16 entries, the path included")
    func maxArguments() {
        var s = makeEmpty()
        s.queueScript(path: "/bin/x", arguments: (1...20).map { "\($0)" })
        #expect(s.scripts.jobs.first?.argv == ["/bin/x"] + (1...15).map { "\($0)" })
    }

    // MARK: - Client reconfig script

    @Test("an observer switching the master by hello runs client-reconfig-script with the old and new address")
    func clientReconfigObserver() {
        var s = make(notification: nil, reconfig: Self.reconfig)
        _ = hello(&s, "127.0.0.1,26380,\(Self.peer),0,mymaster,127.0.0.1,6379,0", now: 2000)
        #expect(s.scripts.jobs.isEmpty)
        _ = hello(&s, "127.0.0.1,26380,\(Self.peer),3,mymaster,127.0.0.2,6380,3", now: 2100)
        #expect(
            s.scripts.jobs.map(\.argv) == [
                [Self.reconfig, "mymaster", "observer", "start", "127.0.0.1", "6379", "127.0.0.2", "6380"]
            ])
        s.queueClientReconfigScript(
            master: "other", role: "leader", from: HostPort("127.0.0.1", 7000), to: HostPort("127.0.0.1", 7001))
        #expect(s.scripts.jobs.count == 1, "a master without the script runs nothing")
        s.queueClientReconfigScript(
            master: "mymaster", role: "leader", from: HostPort("127.0.0.2", 6380), to: HostPort("127.0.0.3", 6381))
        #expect(
            s.scripts.jobs.last?.argv
                == [Self.reconfig, "mymaster", "leader", "start", "127.0.0.2", "6380", "127.0.0.3", "6381"])
    }

    // MARK: - Queue limits

    @Test("at most 16 jobs run at once; a reaped one frees a slot on the next tick")
    func maxRunning() {
        var s = makeEmpty()
        for i in 0..<20 { s.queueScript(path: "/bin/job", arguments: ["\(i)"]) }
        let first = runs(s.handle(.tick, now: 2000))
        #expect(first.map(\.1) == (0..<16).map { ["/bin/job", "\($0)"] }, "oldest first")
        #expect(runs(s.handle(.tick, now: 2100)).isEmpty)
        _ = s.handle(.scriptStarted(first[3].0, pid: 100), now: 2150)
        _ = s.handle(.scriptExited(first[3].0, exitCode: 0, signal: 0), now: 2200)
        #expect(runs(s.handle(.tick, now: 2300)).map(\.1) == [["/bin/job", "16"]])
        #expect(s.scripts.runningCount == 16)
        #expect(s.scripts.jobs.count == 19)
    }

    @Test("a queue over 256 drops its oldest job that is not running")
    func overflow() {
        var s = makeEmpty()
        for i in 0..<16 { s.queueScript(path: "/bin/job", arguments: ["\(i)"]) }
        _ = s.handle(.tick, now: 2000)
        for i in 16..<256 { s.queueScript(path: "/bin/job", arguments: ["\(i)"]) }
        #expect(s.scripts.jobs.count == 256)
        s.queueScript(path: "/bin/job", arguments: ["256"])
        #expect(s.scripts.jobs.count == 256)
        let kept = s.scripts.jobs.map { $0.argv[1] }
        #expect(Array(kept.prefix(16)) == (0..<16).map { "\($0)" }, "running jobs are never dropped")
        #expect(!kept.contains("16"), "the oldest scheduled job went")
        #expect(kept.last == "256")
    }

    // MARK: - Outcomes

    @Test("exit 0 removes the job; -script-child and +script-child are DEBUG only")
    func success() {
        var s = makeEmpty()
        s.settings.logLevel = .debug
        s.queueScript(path: Self.notify, arguments: [])
        let id = runs(s.handle(.tick, now: 2000))[0].0
        #expect(logs(s.handle(.scriptStarted(id, pid: 4242), now: 2000)) == ["+script-child 4242"])
        #expect(logs(s.handle(.scriptExited(id, exitCode: 0, signal: 0), now: 2500)) == ["-script-child 4242 0 0"])
        #expect(s.scripts.jobs.isEmpty)
    }

    @Test("exit 1 or a signal retries after 30 s, then 60 s; the tenth failure is final")
    func retries() throws {
        var s = makeEmpty()
        let id = startOne(&s, now: 2000)
        _ = s.handle(.scriptExited(id, exitCode: 1, signal: 0), now: 2500)
        var job = try #require(s.scripts.jobs.first)
        #expect(!job.running && job.pid == 0 && job.retryCount == 1 && job.notBefore == 32_500)
        #expect(runs(s.handle(.tick, now: 32_499)).isEmpty)
        #expect(runs(s.handle(.tick, now: 32_500)).map(\.0) == [id])
        _ = s.handle(.scriptStarted(id, pid: 4243), now: 32_500)
        _ = s.handle(.scriptExited(id, exitCode: 0, signal: 15), now: 33_000)
        job = try #require(s.scripts.jobs.first)
        #expect(job.retryCount == 2 && job.notBefore == 93_000, "60 s after the second try")

        // Tries 3 to 10 fail too; the last one is reported and the job dropped.
        var now: Millis = 93_000
        var last: [Action] = []
        for attempt in 3...10 {
            #expect(runs(s.handle(.tick, now: now)).map(\.0) == [id])
            _ = s.handle(.scriptStarted(id, pid: 5000), now: now)
            last = s.handle(.scriptExited(id, exitCode: 1, signal: 0), now: now + 10)
            if attempt < 10 {
                #expect(s.scripts.jobs.first?.notBefore == now + 10 + 30_000 << (attempt - 1))
                now = s.scripts.jobs.first!.notBefore
            }
        }
        #expect(s.scripts.jobs.isEmpty)
        #expect(logs(last) == ["-script-error \(Self.notify) 0 1"])
    }

    @Test("exit 2 (exec failed) or another code is not retried: -script-error <path> <signal> <exit>")
    func noRetry() {
        var s = makeEmpty()
        let client = ClientID(5)
        _ = s.handle(.clientConnected(client, address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: 1500)
        _ = s.handle(.clientCommand(client, ["SUBSCRIBE", "-script-error"]), now: 1500)
        let id = startOne(&s, now: 2000)
        let actions = s.handle(.scriptExited(id, exitCode: 2, signal: 0), now: 2100)
        #expect(logs(actions) == ["-script-error \(Self.notify) 0 2"])
        #expect(
            actions.contains(
                .reply(
                    client,
                    .array([.bulkString("message"), .bulkString("-script-error"), .bulkString("\(Self.notify) 0 2")]),
                    .resp2)))
        #expect(s.scripts.jobs.isEmpty)

        let other = startOne(&s, now: 3000)
        #expect(logs(s.handle(.scriptExited(other, exitCode: 7, signal: 0), now: 3100)) == ["-script-error \(Self.notify) 0 7"])
        #expect(s.scripts.jobs.isEmpty)
    }

    @Test("a process that cannot be created is reported as -script-error <path> 99 0")
    func failedToStart() {
        var s = makeEmpty()
        s.queueScript(path: Self.notify, arguments: [])
        let id = runs(s.handle(.tick, now: 2000))[0].0
        #expect(logs(s.handle(.scriptFailedToStart(id), now: 2000)) == ["-script-error \(Self.notify) 99 0"])
        #expect(s.scripts.jobs.isEmpty)
    }

    @Test("a script running longer than script-max-runtime is killed with -script-timeout, then retried")
    func timeout() throws {
        var s = makeEmpty()
        let id = startOne(&s, now: 2000)
        #expect(!s.handle(.tick, now: 62_000).contains(.killScript(id)), "exactly 60 s is not over the limit")
        let actions = s.handle(.tick, now: 62_001)
        #expect(actions.contains(.killScript(id)))
        #expect(logs(actions) == ["-script-timeout \(Self.notify) 4242"])
        _ = s.handle(.scriptExited(id, exitCode: 0, signal: 9), now: 62_050)
        let job = try #require(s.scripts.jobs.first)
        #expect(!job.running && job.retryCount == 1 && job.notBefore == 92_050)

        // SENTINEL DEBUG shortens the limit.
        var t = makeEmpty()
        _ = command(&t, "SENTINEL", "DEBUG", "script-max-runtime", "500", now: 1500)
        let short = startOne(&t, now: 2000)
        #expect(t.handle(.tick, now: 2501).contains(.killScript(short)))
    }

    // MARK: - Introspection

    @Test("PENDING-SCRIPTS: argv, flags, pid, run-time or run-delay, retry-num")
    func pendingScripts() {
        var s = makeEmpty()
        #expect(command(&s, "SENTINEL", "PENDING-SCRIPTS", now: 1500) == .array([]))
        let failing = startOne(&s, argv: ["/bin/a", "x"], pid: 11, now: 2000)
        _ = s.handle(.scriptExited(failing, exitCode: 1, signal: 0), now: 2100)
        _ = startOne(&s, argv: ["/bin/b", "y", "z"], pid: 12, now: 2200)
        s.queueScript(path: "/bin/c", arguments: [])
        let reply = command(&s, "SENTINEL", "PENDING-SCRIPTS", now: 2700)
        func entry(_ argv: [String], _ flags: String, _ pid: String, _ clock: (String, String), _ retries: String)
            -> RESPValue
        {
            .map([
                .bulkString("argv"), .array(argv.map { .bulkString($0) }), .bulkString("flags"), .bulkString(flags),
                .bulkString("pid"), .bulkString(pid), .bulkString(clock.0), .bulkString(clock.1),
                .bulkString("retry-num"), .bulkString(retries),
            ])
        }
        #expect(
            reply
                == .array([
                    entry(["/bin/a", "x"], "scheduled", "0", ("run-delay", "29400"), "1"),
                    entry(["/bin/b", "y", "z"], "running", "12", ("run-time", "500"), "1"),
                    entry(["/bin/c"], "scheduled", "0", ("run-delay", "0"), "0"),
                ]))
        // Past its retry time a scheduled job shows no negative delay.
        guard case .array(let later) = command(&s, "SENTINEL", "PENDING-SCRIPTS", now: 40_000) else {
            Issue.record("PENDING-SCRIPTS is an array")
            return
        }
        #expect(later.first?["run-delay"] == "0")
    }

    @Test("INFO sentinel counts running scripts and the whole queue")
    func info() {
        var s = makeEmpty()
        #expect(s.infoText(sections: ["sentinel"]).contains("sentinel_running_scripts:0\r\nsentinel_scripts_queue_length:0\r\n"))
        _ = startOne(&s, now: 2000)
        s.queueScript(path: "/bin/c", arguments: [])
        #expect(s.infoText(sections: ["sentinel"]).contains("sentinel_running_scripts:1\r\nsentinel_scripts_queue_length:2\r\n"))
    }
}
