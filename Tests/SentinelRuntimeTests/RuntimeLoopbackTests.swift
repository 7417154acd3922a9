import NIOCore
import RESP
import SentinelCore
import Synchronization
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a scripted core (``ScriptedCore``, ``TimedCore``) saw, readable from the test while the
/// runtime runs.
final class Recorder: Sendable {
    private typealias Seen = (events: [Event], ticks: Int, stats: [ProcessStats], timeline: [(event: Event, now: Millis)])
    private let state = Mutex<Seen>(([], 0, [], []))

    func record(_ event: Event, now: Millis) {
        state.withLock { state in
            state.timeline.append((event, now))
            switch event {
            case .tick: state.ticks += 1
            case .processStats(let stats): state.stats.append(stats)
            default: state.events.append(event)
            }
        }
    }

    var events: [Event] { state.withLock { $0.events } }
    var ticks: Int { state.withLock { $0.ticks } }
    var stats: [ProcessStats] { state.withLock { $0.stats } }
    var descriptions: [String] { events.map { "\($0)" } }
    /// Every event handed to the core, ticks and stats included, with the `now` it came with.
    var timeline: [(event: Event, now: Millis)] { state.withLock { $0.timeline } }
}

/// A stand-in core driven by client commands, so the runtime can be exercised on loopback:
/// `PING` -> `+PONG`; `DIAL <port> <id>` opens a link (which sends `PING` once up);
/// `DIALCLOSE <port> <id>` opens and at once closes one; `CLOSELINK <id>`; `PERSIST <token>` (with
/// `current-epoch <token>` in the state);
/// `BIG <n>` answers n bulk strings of 1 KiB; `QUIT`; `SHUTDOWN`; `SUB` makes the client a
/// subscriber (`pubsub` output class), `PUB <n>` sends each subscriber n messages of 1 KiB.
struct ScriptedCore: SentinelMachine {
    let recorder: Recorder
    var config: SentinelConfig
    var persistOnStart = false
    /// Clients that sent `SUB`.
    var subscribers: [ClientID] = []
    var unsavedConfig: SentinelConfig? { nil }

    func executablesToCheck(_ words: [String]) -> [String] { [] }
    func metricsSnapshot() -> MetricsSnapshot { .empty }

    mutating func start(now: Millis, wall: Int64?) -> [Action] {
        var actions: [Action] = [.log(.notice, "scripted core started")]
        if persistOnStart {
            config.myID = String(repeating: "b", count: 40)
            actions.append(.persistConfig(config, token: 1))
        }
        return actions
    }

    mutating func handle(_ event: Event, now: Millis, wall: Int64?) -> [Action] {
        recorder.record(event, now: now)
        switch event {
        case .clientCommand(let client, let words, _):
            let arguments = words.dropFirst().compactMap { Int($0) }
            switch words.first?.uppercased() {
            case "PING":
                return [.reply(client, .simpleString("PONG"), .resp2)]
            case "DIAL":
                return [
                    .connect(LinkID(arguments[1]), host: "127.0.0.1", port: arguments[0]), .reply(client, .ok, .resp2),
                ]
            case "DIALCLOSE":
                let id = LinkID(arguments[1])
                return [
                    .connect(id, host: "127.0.0.1", port: arguments[0]), .closeLink(id), .reply(client, .ok, .resp2),
                ]
            case "CLOSELINK":
                return [.closeLink(LinkID(arguments[0])), .reply(client, .ok, .resp2)]
            case "PERSIST":
                // The state names its token, so a test can tell which state reached the file.
                config.currentEpoch = Epoch(arguments[0])
                return [.persistConfig(config, token: arguments[0]), .reply(client, .ok, .resp2)]
            case "QUIT":
                return [.reply(client, .ok, .resp2), .closeClient(client)]
            case "BIG":
                let chunk = RESPValue.bulkString(String(repeating: "x", count: 1024))
                return Array(repeating: .reply(client, chunk, .resp2), count: arguments[0])
            case "SHUTDOWN":
                return [.shutdown]
            case "SUB":
                subscribers.append(client)
                return [.setClientOutputClass(client, .pubsub), .reply(client, .ok, .resp2)]
            case "PUB":
                // `PUB <n>`: n messages of 1 KiB to every subscriber.
                let message = RESPValue.array([.bulkString("message"), .bulkString("c"), .bulkString(String(repeating: "m", count: 1024))])
                let fanOut = subscribers.flatMap { Array(repeating: Action.reply($0, message, .resp2), count: arguments[0]) }
                return fanOut + [.reply(client, .integer(subscribers.count), .resp2)]
            default:
                return [.reply(client, .error("ERR unknown command"), .resp2)]
            }
        case .linkConnected(let id, _):
            return [.send(id, ["PING"]), .send(id, ["PING"])]
        case .clientDisconnected(let id):
            subscribers.removeAll { $0 == id }
            return []
        default:
            return []
        }
    }
}

/// A blocking loopback TCP client for the tests.
final class TestSocket {
    private let fd: Int32

    init(port: Int) throws {
        fd = closeOnExecTCPSocket()
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let result = address.withSockAddr { pointer, length in connect(fd, pointer, socklen_t(length)) }
        guard result == 0 else { throw IOError(errnoCode: errno, reason: "connect") }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        transmit(fd, Array(text.utf8))
    }

    /// Reads until `text` has arrived in full, EOF, or the 3 s timeout.
    func read(count: Int) -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < count {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// True when input (or EOF) arrives within `milliseconds`, without reading it.
    func hasInput(within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    /// True when the peer closed the connection within 15 s: EOF, or a reset (Linux answers with RST
    /// when the closing side still had unread input). False when a byte arrives instead.
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        for _ in 0..<5 {
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n > 0 { return false }
            if errno == ECONNRESET { return true }
            // EAGAIN: the 3 s receive timeout passed; a loaded CI machine may need longer.
        }
        return false
    }
}

/// Starts `runtime` (one with a ``ScriptedCore``) and has its core open link `id` to the runtime's
/// own first port (`DIAL`), so the link's PINGs arrive there as client commands. Returns that port
/// and the client that asked.
func startDialingItself(_ runtime: SentinelRuntime, link id: Int = 1) async throws -> (port: Int, client: TestSocket) {
    let port = try #require(try await runtime.start().first?.port)
    let client = try TestSocket(port: port)
    client.send("DIAL \(port) \(id)\r\n")
    #expect(client.read(count: 5) == "+OK\r\n")
    return (port, client)
}

/// An IPv4 TCP socket that child processes do not inherit: scripts the runtime spawns during the
/// tests check that they receive no sockets.
func closeOnExecTCPSocket() -> Int32 {
    #if os(Linux)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fd
    #endif
}

private func transmit(_ fd: Int32, _ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
}

/// Polls `condition` for up to 15 s (CI runs this beside the integration suite on 2 cores).
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<1500 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A loopback port that refuses connections for as long as the value lives: a socket bound to it
/// that never listens, so no other process can take the port meanwhile.
final class RefusingPort {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = closeOnExecTCPSocket()
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        let any = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
        guard any.withSockAddr({ bind(fd, $0, socklen_t($1)) }) == 0 else {
            close(fd)
            throw IOError(errnoCode: errno, reason: "bind")
        }
        // getsockname into raw storage: an IPv4 sockaddr has the port, big-endian, at bytes 2...3.
        var storage = [UInt8](repeating: 0, count: 128)
        var length = socklen_t(storage.count)
        let named = storage.withUnsafeMutableBytes { raw in
            getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        guard named == 0 else {
            close(fd)
            throw IOError(errnoCode: errno, reason: "getsockname")
        }
        self.fd = fd
        port = Int(storage[2]) << 8 | Int(storage[3])
    }

    deinit { close(fd) }
}

@Suite("Runtime on loopback", .serialized, .timeLimit(.minutes(1)))
struct RuntimeLoopbackTests {
    private func makeRuntime(
        recorder: Recorder, configPath: String? = nil, persistOnStart: Bool = false, port: Int = 0,
        outputLimit: Int? = nil
    ) -> SentinelRuntime {
        var config = SentinelConfig()
        config.port = port
        config.bind = ["127.0.0.1"]
        config.logLevel = .nothing
        if let outputLimit {
            config.otherDirectives.append(
                ServerDirective(name: "client-output-buffer-limit", arguments: ["normal", "\(outputLimit)", "0", "0"]))
        }
        let path =
            configPath ?? "/tmp/swift-sentinel-runtime-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).conf"
        var options = RuntimeOptions(configPath: path, seed: 42)
        options.handleSignals = false

        let core = ScriptedCore(recorder: recorder, config: config, persistOnStart: persistOnStart)
        return SentinelRuntime(config: config, options: options, core: core)
    }

    private func start(_ runtime: SentinelRuntime) async throws -> Int {
        let addresses = try await runtime.start()
        return try #require(addresses.first?.port)
    }

    @Test("a protocol error closes only the offending client, with the exact -ERR text")
    func protocolErrorIsolation() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder)
        let port = try await start(runtime)

        let good = try TestSocket(port: port)
        let bad = try TestSocket(port: port)
        good.send("PING\r\n")
        #expect(good.read(count: 7) == "+PONG\r\n")

        bad.send("*1\r\n$4\r\nPING\r\n*abc\r\nPING\r\n")
        let expected = "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"
        #expect(bad.read(count: expected.utf8.count) == expected)
        #expect(bad.isClosedByPeer())

        good.send("*1\r\n$4\r\nPING\r\n")
        #expect(good.read(count: 7) == "+PONG\r\n")
        #expect(
            await eventually {
                recorder.events.contains { if case .clientDisconnected = $0 { true } else { false } }
            }
        )
        let disconnects = recorder.events.filter { if case .clientDisconnected = $0 { true } else { false } }
        #expect(disconnects.count == 1)
        try await runtime.stop()
    }

    @Test("pipelined commands split across segments get their replies in order")
    func pipelining() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder)
        let port = try await start(runtime)
        let client = try TestSocket(port: port)
        client.send("PING\r\n*1\r\n$4\r\nPI")
        try await Task.sleep(for: .milliseconds(50))
        client.send("NG\r\nQUIT\r\nPING\r\n")
        #expect(client.read(count: 19) == "+PONG\r\n+PONG\r\n+OK\r\n")
        #expect(client.isClosedByPeer())
        try await runtime.stop()
    }

    @Test("a link connects, sends, receives frames; closeLink silences it")
    func linkRoundTrip() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder)
        let (_, client) = try await startDialingItself(runtime)
        #expect(
            await eventually {
                recorder.events.filter {
                    if case .linkFrame(LinkID(1), .simpleString("PONG")) = $0 { true } else { false }
                }
                .count == 2
            }
        )
        let connected = recorder.events.compactMap { event -> String?? in
            if case .linkConnected(LinkID(1), let local) = event { return .some(local) }
            return nil
        }
        #expect(connected == [.some("127.0.0.1")])

        client.send("CLOSELINK 1\r\n")
        #expect(client.read(count: 5) == "+OK\r\n")
        // The server side of the link sees its client go away...
        #expect(
            await eventually {
                recorder.events.filter { if case .clientDisconnected = $0 { true } else { false } }.count == 1
            }
        )
        // ...but no linkClosed is reported for a link the core closed.
        #expect(!recorder.events.contains { if case .linkClosed = $0 { true } else { false } })
        try await runtime.stop()
    }

    @Test("a refused connect reports linkClosed with the reason")
    func refused() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder)
        let port = try await start(runtime)
        let client = try TestSocket(port: port)
        let refusing = try RefusingPort()
        client.send("DIAL \(refusing.port) 5\r\n")
        #expect(client.read(count: 5) == "+OK\r\n")
        #expect(
            await eventually {
                recorder.descriptions.contains("\(Event.linkClosed(LinkID(5), reason: "Connection refused"))")
            }
        )
        #expect(!recorder.events.contains { if case .linkConnected = $0 { true } else { false } })
        withExtendedLifetime(refusing) {}
        try await runtime.stop()
    }

    @Test("closeLink while dialling: no event at all for that link")
    func closeWhileDialling() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder)
        let port = try await start(runtime)
        let client = try TestSocket(port: port)
        let refusing = try RefusingPort()
        client.send("DIALCLOSE \(port) 7\r\nDIALCLOSE \(refusing.port) 8\r\n")
        #expect(client.read(count: 10) == "+OK\r\n+OK\r\n")
        try await Task.sleep(for: .milliseconds(300))
        let linkEvents = recorder.events.filter {
            switch $0 {
            case .linkConnected, .linkClosed, .linkFrame: true
            default: false
            }
        }
        #expect(linkEvents.isEmpty)
        withExtendedLifetime(refusing) {}
        try await runtime.stop()
    }

    @Test("persistConfig writes the file and answers configPersisted")
    func persist() async throws {
        let recorder = Recorder()
        let path = "/tmp/swift-sentinel-persist-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).conf"
        defer { unlink(path) }
        let runtime = makeRuntime(recorder: recorder, configPath: path, persistOnStart: true)
        let port = try await start(runtime)
        #expect(await eventually { recorder.descriptions.contains("\(Event.configPersisted(token: 1, error: nil))") })
        let text = try ConfigFile.read(path: path)
        #expect(text.contains("sentinel myid \(String(repeating: "b", count: 40))"))

        let failing = Recorder()
        let broken = makeRuntime(recorder: failing, configPath: "/nonexistent-dir-\(getpid())/s.conf")
        let brokenPort = try await start(broken)
        let client = try TestSocket(port: brokenPort)
        client.send("PERSIST 9\r\n")
        #expect(client.read(count: 5) == "+OK\r\n")
        #expect(
            await eventually {
                failing.events.contains {
                    if case .configPersisted(token: 9, error: .some) = $0 { true } else { false }
                }
            }
        )
        _ = port
        try await runtime.stop()
        try await broken.stop()
    }

    @Test("ticks arrive at 10-19 Hz and process stats about once a second")
    func timers() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder)
        _ = try await start(runtime)
        try await Task.sleep(for: .milliseconds(700))
        let ticks = recorder.ticks
        #expect(ticks >= 3 && ticks <= 14, "got \(ticks) ticks in 700 ms")
        let stats = try #require(recorder.stats.first)
        #expect(stats.pid == Int(getpid()))
        #expect(stats.residentMemory > 0)
        #expect(stats.unixTimeMicros > 1_600_000_000_000_000)
        try await runtime.stop()
    }

    @Test("a client whose unsent output passes the limit is disconnected; others are not")
    func outputLimit() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder, outputLimit: 256 * 1024)
        let port = try await start(runtime)
        let slow = try TestSocket(port: port)
        let other = try TestSocket(port: port)
        slow.send("BIG 8192\r\n")  // 8 MiB at once, never read
        #expect(
            await eventually {
                recorder.events.contains { if case .clientDisconnected = $0 { true } else { false } }
            }
        )
        other.send("BIG 2\r\n")
        #expect(other.read(count: 2 * (1024 + 9)).utf8.count == 2 * (1024 + 9))
        try await runtime.stop()
    }

    @Test("the shutdown action ends run() and closes clients")
    func shutdown() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder)
        let port = try await start(runtime)
        let client = try TestSocket(port: port)
        let other = try TestSocket(port: port)
        client.send("SHUTDOWN\r\n")
        await runtime.waitUntilStopped()
        #expect(other.isClosedByPeer())
        try await runtime.stop()
    }

    @Test("a bind failure names the address")
    func bindFailure() async throws {
        let first = makeRuntime(recorder: Recorder())
        let port = try await start(first)
        let second = makeRuntime(recorder: Recorder(), port: port)
        do {
            _ = try await second.start()
            Issue.record("binding a used port succeeded")
        } catch let error as RuntimeStartupError {
            #expect(error.description.contains("127.0.0.1:\(port)"))
        }
        try await second.stop()
        try await first.stop()
    }
}
