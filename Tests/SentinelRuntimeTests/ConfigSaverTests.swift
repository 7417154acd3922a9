#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import NIOPosix
import RESP
import SentinelCore
import Synchronization
import Testing

@testable import SentinelRuntime

/// A `ConfigFile.Seams.willPersist` hook: counts config writes and, while closed, holds each one
/// at its start (as a slow disk or a long fsync would). Never holds a write longer than 20 s.
final class WriteGate: Sendable {
    private let state = Mutex<(closed: Bool, started: Int, waiting: Bool)>((false, 0, false))

    var started: Int { state.withLock { $0.started } }
    /// A write is being held right now.
    var isHolding: Bool { state.withLock { $0.waiting } }

    func close() { state.withLock { $0.closed = true } }
    func open() { state.withLock { $0.closed = false } }

    var seams: ConfigFile.Seams {
        var seams = ConfigFile.Seams()
        seams.willPersist = { [self] in self.arrive() }
        return seams
    }

    private func arrive() {
        state.withLock { $0.started += 1 }
        let deadline = Date().addingTimeInterval(20)
        while state.withLock({ $0.closed }) && Date() < deadline {
            state.withLock { $0.waiting = true }
            usleep(1000)
        }
        state.withLock { $0.waiting = false }
    }
}

/// Config saves run on a background thread: the event loop keeps serving while a write is slow,
/// bursts coalesce into few writes, replies that need a write (votes, SENTINEL SET) still wait
/// for it, and shutdown writes the latest state before exiting.
@Suite("Config saves off the event loop", .serialized)
struct ConfigSaverTests {
    static func tempPath() -> String {
        "/tmp/swift-sentinel-saver-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).conf"
    }

    static func scriptedRuntime(recorder: Recorder, gate: WriteGate, path: String) -> SentinelRuntime {
        var config = SentinelConfig()
        config.port = 0
        config.bind = ["127.0.0.1"]
        config.logLevel = .nothing
        var options = RuntimeOptions(configPath: path, seed: 42)
        options.handleSignals = false
        options.configSeams = gate.seams
        return SentinelRuntime(config: config, options: options, core: ScriptedCore(recorder: recorder, config: config))
    }

    /// A started ``scriptedRuntime(recorder:gate:path:)`` with a new gate and temporary config
    /// path (the caller removes it), and a client connected to it.
    static func startScripted() async throws -> (Recorder, WriteGate, String, SentinelRuntime, TestSocket) {
        let recorder = Recorder()
        let gate = WriteGate()
        let path = tempPath()
        let runtime = scriptedRuntime(recorder: recorder, gate: gate, path: path)
        let port = try #require(try await runtime.start().first?.port)
        return (recorder, gate, path, runtime, try TestSocket(port: port))
    }

    static func persistedTokens(_ recorder: Recorder) -> [Int] {
        recorder.events.compactMap { if case .configPersisted(let token, nil) = $0 { token } else { nil } }
    }

    static func fileText(_ path: String) -> String { (try? ConfigFile.read(path: path)) ?? "" }

    /// A loopback port nothing listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        let port = try #require(channel.localAddress?.port)
        try channel.close().wait()
        return port
    }

    /// Before, the read/rewrite/write/fsync/rename ran on the loop: a slow disk stopped every
    /// client and timer (TILT and false +sdown at 200 masters).
    @Test("the loop keeps answering PING while a config write is held")
    func loopServesDuringWrite() async throws {
        let (recorder, gate, path, runtime, client) = try await Self.startScripted()
        defer { unlink(path) }

        gate.close()
        client.send("PERSIST 1\r\n")
        #expect(client.read(count: 5) == "+OK\r\n")
        #expect(await eventually { gate.isHolding })
        for _ in 0..<5 {
            let sent = ContinuousClock.now
            client.send("PING\r\n")
            #expect(client.read(count: 7) == "+PONG\r\n")
            #expect(ContinuousClock.now - sent < .seconds(1))
        }
        let ticks = recorder.ticks
        #expect(await eventually { recorder.ticks >= ticks + 3 }, "timers keep firing")
        #expect(gate.isHolding, "the write was held all along")
        #expect(Self.persistedTokens(recorder).isEmpty, "no answer before the write finished")

        gate.open()
        #expect(await eventually { Self.persistedTokens(recorder) == [1] })
        #expect(Self.fileText(path).contains("sentinel current-epoch 1\n"))
        try await runtime.stop()
    }

    /// 50 requests while a write is in flight cost one more write, of the latest state, and one
    /// answer for the last token (the core takes it as covering the others).
    @Test("a burst of persist requests coalesces into one write of the latest state")
    func burstCoalesces() async throws {
        let (recorder, gate, path, runtime, client) = try await Self.startScripted()
        defer { unlink(path) }

        gate.close()
        client.send("PERSIST 1\r\n")
        #expect(client.read(count: 5) == "+OK\r\n")
        #expect(await eventually { gate.isHolding })
        client.send((2...50).map { "PERSIST \($0)\r\n" }.joined())
        #expect(client.read(count: 5 * 49) == String(repeating: "+OK\r\n", count: 49))
        gate.open()
        #expect(await eventually { Self.persistedTokens(recorder).last == 50 })
        #expect(Self.persistedTokens(recorder) == [1, 50])
        #expect(gate.started == 2, "the held write and one for the 49 queued states")
        #expect(Self.fileText(path).contains("sentinel current-epoch 50\n"))

        // Unheld, a pipelined burst still mostly coalesces (before: one write per request).
        let before = gate.started
        client.send((51...250).map { "PERSIST \($0)\r\n" }.joined())
        #expect(client.read(count: 5 * 200) == String(repeating: "+OK\r\n", count: 200))
        #expect(await eventually { Self.persistedTokens(recorder).last == 250 })
        #expect(gate.started - before < 100, "\(gate.started - before) writes for 200 requests")
        #expect(Self.fileText(path).contains("sentinel current-epoch 250\n"))
        try await runtime.stop()
    }

    /// SHUTDOWN/SIGTERM write the latest state before the process exits, after the write in
    /// flight, and never an older state over it.
    @Test("shutdown waits for the write in flight and writes the latest state")
    func shutdownFlushes() async throws {
        let (_, gate, path, runtime, client) = try await Self.startScripted()
        defer { unlink(path) }

        gate.close()
        client.send("PERSIST 1\r\nPERSIST 2\r\nPERSIST 3\r\n")
        #expect(client.read(count: 15) == String(repeating: "+OK\r\n", count: 3))
        #expect(await eventually { gate.isHolding })
        let stopping = Task { try await runtime.stop() }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!Self.fileText(path).contains("current-epoch"), "nothing written while held")
        gate.open()
        try await stopping.value
        #expect(Self.fileText(path).contains("sentinel current-epoch 3\n"))
        #expect(gate.started == 2, "the held write (state 1), then state 3")
        let name = (path as NSString).lastPathComponent
        let strays = try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix(name + ".tmp-") }
        #expect(strays.isEmpty, "no temporary file left behind")
    }

    /// A state whose write failed is tried once more on the way out; when that fails too, the exit
    /// says so and `run()` ends with an error, so the process exits 1 (it exited 0 without a word).
    @Test("a failed final save at shutdown is logged and makes run() fail")
    func failedFinalSave() async throws {
        let recorder = Recorder()
        let path = Self.tempPath()
        defer { unlink(path) }
        let renames = Mutex(0)
        var config = SentinelConfig()
        config.port = try Self.freePort()
        config.bind = ["127.0.0.1"]
        config.logLevel = .nothing
        var options = RuntimeOptions(configPath: path, seed: 42)
        options.handleSignals = false
        options.configSeams.rename = { _, _ in
            renames.withLock { $0 += 1 }
            errno = EIO
            return -1
        }
        let runtime = SentinelRuntime(config: config, options: options, core: ScriptedCore(recorder: recorder, config: config))
        let running = Task { try await runtime.run() }
        defer { runtime.requestShutdown() }
        var attempt: TestSocket?
        for _ in 0..<200 where attempt == nil {
            attempt = try? TestSocket(port: config.port)
            if attempt == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let client = try #require(attempt, "the runtime listens")
        client.send("PERSIST 1\r\n")
        #expect(client.read(count: 5) == "+OK\r\n")
        #expect(await eventually { recorder.events.contains { if case .configPersisted(1, .some) = $0 { true } else { false } } })
        runtime.requestShutdown()
        await #expect(throws: RuntimeExitError.self) { try await running.value }
        #expect(renames.withLock { $0 } == 2, "the failed state was written again at the exit")
    }

    /// The real core: a vote (IS-MASTER-DOWN-BY-ADDR) and SENTINEL SET are answered only once a
    /// write containing them has finished, while other clients are served meanwhile.
    @Test("replies that need a config write wait for it; other clients do not")
    func repliesWaitForWrite() async throws {
        let gate = WriteGate()
        let path = Self.tempPath()
        defer { unlink(path) }
        var config = SentinelConfig()
        config.port = 0
        config.bind = ["127.0.0.1"]
        config.myID = String(repeating: "a", count: 40)
        config.logLevel = .nothing
        // Port 1 refuses: the master stays unreachable, which the commands do not care about.
        config.masters = [MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 1), quorum: 2)]
        var options = RuntimeOptions(configPath: path, seed: 7)
        options.handleSignals = false
        options.configSeams = gate.seams
        let runtime = SentinelRuntime(config: config, options: options)
        let port = try #require(try await runtime.start().first?.port)
        let voter = try TestSocket(port: port)
        let other = try TestSocket(port: port)
        // Any startup write has finished once FLUSHCONFIG is answered: saves run one at a time
        // and its reply waits for its own write.
        other.send("SENTINEL FLUSHCONFIG\r\n")
        #expect(other.read(count: 5) == "+OK\r\n")

        gate.close()
        let candidate = String(repeating: "c", count: 40)
        voter.send("SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 1 7 \(candidate)\r\n")
        #expect(await eventually { gate.isHolding })
        other.send("PING\r\n")
        #expect(other.read(count: 7) == "+PONG\r\n")
        #expect(!voter.hasInput(within: 300), "the vote is not announced before it is on disk")
        gate.open()
        let vote = "*3\r\n:0\r\n$40\r\n\(candidate)\r\n:7\r\n"
        #expect(voter.read(count: vote.utf8.count) == vote)
        let text = Self.fileText(path)
        #expect(text.contains("sentinel current-epoch 7\n"))
        #expect(text.contains("sentinel leader-epoch mymaster 7\n"))

        gate.close()
        voter.send("SENTINEL SET mymaster quorum 1\r\n")
        #expect(await eventually { gate.isHolding })
        other.send("PING\r\n")
        #expect(other.read(count: 7) == "+PONG\r\n")
        #expect(!voter.hasInput(within: 300), "SENTINEL SET answers after the save")
        gate.open()
        #expect(voter.read(count: 5) == "+OK\r\n")
        #expect(Self.fileText(path).contains("sentinel monitor mymaster 127.0.0.1 1 1\n"))
        try await runtime.stop()
    }
}
