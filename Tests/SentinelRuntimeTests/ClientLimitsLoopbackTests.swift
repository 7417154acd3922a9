import Dispatch
import NIOCore
import SentinelCore
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Clients that do not read what they are sent, against a runtime with a ``ScriptedCore``: they are
/// slowed down or disconnected, the process does not buffer without bound and other clients go on
/// being served (issue 12: defect 8 and "Limits as in Redis").
@Suite("Client limits on loopback", .serialized, .timeLimit(.minutes(1)))
struct ClientLimitsLoopbackTests {
    private func makeRuntime(
        recorder: Recorder, directives: [ServerDirective] = [], highWaterMark: Int = 64 * 1024
    ) -> SentinelRuntime {
        var config = SentinelConfig()
        config.port = 0
        config.bind = ["127.0.0.1"]
        config.logLevel = .nothing
        config.otherDirectives = directives
        var options = RuntimeOptions(configPath: "/tmp/swift-sentinel-limits-test-\(getpid()).conf", seed: 7)
        options.handleSignals = false
        options.clientOutputHighWaterMark = highWaterMark
        options.statsInterval = .milliseconds(50)
        return SentinelRuntime(config: config, options: options, core: ScriptedCore(recorder: recorder, config: config))
    }

    /// A runtime with `client-output-buffer-limit pubsub <pubsubLimit>`, a subscriber (client 1, a
    /// 4 KiB receive buffer, never reads after `SUB`) and a publisher.
    private func startWithSubscriber(pubsubLimit: [String]) async throws -> (SentinelRuntime, Recorder, RawClient, TestSocket) {
        let recorder = Recorder()
        let runtime = makeRuntime(
            recorder: recorder, directives: [ServerDirective(name: "client-output-buffer-limit", arguments: ["pubsub"] + pubsubLimit)])
        let port = try #require(try await runtime.start().first?.port)
        let subscriber = try RawClient(port: port, receiveBuffer: 4096)
        subscriber.send(Array("SUB\r\n".utf8))
        #expect(subscriber.drain(bytes: 5, timeoutMilliseconds: 3000) == 5)
        return (runtime, recorder, subscriber, try TestSocket(port: port))
    }

    private func disconnects(_ recorder: Recorder) -> [ClientID] {
        recorder.events.compactMap { if case .clientDisconnected(let id) = $0 { id } else { nil } }
    }

    @Test("a client that pipelines and never reads is slowed down by TCP: another client is still served and buffers stay bounded")
    func unreadPipeline() async throws {
        let recorder = Recorder()
        let runtime = makeRuntime(recorder: recorder)
        let port = try #require(try await runtime.start().first?.port)
        let flooder = try RawClient(port: port, receiveBuffer: 4096)
        // Another client pings throughout, one round trip at a time, on its own thread.
        let pinger = Task.detached { () -> [Double] in
            guard let client = try? TestSocket(port: port) else { return [] }
            var latencies: [Double] = []
            for _ in 0..<300 {
                let start = DispatchTime.now().uptimeNanoseconds
                client.send("PING\r\n")
                guard client.read(count: 7) == "+PONG\r\n" else { break }
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            return latencies
        }
        // Each `BIG 16` asks for 16 KiB. Send until the runtime stops reading (no progress for
        // 500 ms), at most 16 MiB of commands.
        let command = Array(String(repeating: "BIG 16\r\n", count: 512).utf8)
        let stalled = flooder.sendUntilStalled(command, limit: 16 << 20, stallMilliseconds: 500)
        let latencies = await pinger.value
        #expect(stalled.stalled, "the runtime read \(stalled.sent) bytes of commands whose replies were not read and went on reading")
        #expect(latencies.count == 300, "the other client got \(latencies.count) of 300 PONGs")
        let sorted = latencies.sorted()
        let p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        // A debug build on a shared 2-core machine: a generous bound, the point is no starvation.
        #expect(p99 < 250, "other client's p99 \(p99) ms while the flooder was being served")

        // What the runtime holds for the flooder: its unsent output is the high water mark plus at
        // most one turn of replies (64 commands of 16 KiB), its input at most one read.
        let stats = recorder.stats
        let output = stats.map(\.clientOutputBufferPeak).max() ?? 0
        let input = stats.map(\.clientInputBufferPeak).max() ?? 0
        #expect(output <= 64 * 1024 + 64 * 16 * 1040 + 64 * 1024, "unsent output peaked at \(output) bytes")
        #expect(input <= 128 * 1024, "held input peaked at \(input) bytes")

        // Reading again resumes it: replies keep coming.
        #expect(flooder.drain(bytes: 4 << 20, timeoutMilliseconds: 5000) == 4 << 20)
        flooder.close()
        #expect(await eventually { disconnects(recorder).count == 2 })
        try await runtime.stop()
    }

    @Test("a subscriber that never reads is disconnected at the pubsub hard limit; the publisher is not")
    func pubsubHardLimit() async throws {
        let (runtime, recorder, subscriber, publisher) = try await startWithSubscriber(pubsubLimit: ["256kb", "0", "0"])
        var published = 0
        // 16 KiB per PUB; the kernel's socket buffers take a few MiB before the runtime holds any.
        while disconnects(recorder).isEmpty && published < 4000 {
            publisher.send("PUB 16\r\n")
            let answer = publisher.read(count: 4)
            if answer != ":1\r\n" {
                #expect(answer == ":0\r\n")
                break
            }
            published += 1
        }
        #expect(disconnects(recorder) == [ClientID(1)], "after \(published) PUBs of 16 KiB")
        let output = recorder.stats.map(\.clientOutputBufferPeak).max() ?? 0
        #expect(output <= 256 * 1024 + 16 * 1100, "the subscriber's unsent output peaked at \(output) bytes")
        publisher.send("PING\r\n")
        #expect(publisher.read(count: 7) == "+PONG\r\n")
        subscriber.close()  // only now: the subscriber must not go away on its own
        try await runtime.stop()
    }

    @Test("a subscriber past the pubsub soft limit is disconnected once it has stayed there longer than soft-seconds")
    func pubsubSoftLimit() async throws {
        let (runtime, recorder, subscriber, publisher) = try await startWithSubscriber(pubsubLimit: ["0", "64kb", "1"])
        let clock = ContinuousClock()
        var firstOver: ContinuousClock.Instant?
        var end: ContinuousClock.Instant?
        for _ in 0..<400 {
            publisher.send("PUB 64\r\n")
            _ = publisher.read(count: 4)
            if firstOver == nil, (recorder.stats.last?.clientOutputBufferPeak ?? 0) >= 64 * 1024 { firstOver = clock.now }
            if !disconnects(recorder).isEmpty {
                end = clock.now
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let start = try #require(firstOver, "the subscriber never held 64 KiB")
        let closed = try #require(end, "the subscriber was not disconnected")
        // Over the soft limit for more than 1 s (the 50 ms stats sampling makes `start` late, not early).
        #expect(closed - start > .milliseconds(900), "disconnected \(closed - start) after passing the soft limit")
        subscriber.close()
        try await runtime.stop()
    }
}

/// A loopback client with a small receive buffer and a non-blocking socket, for floods.
final class RawClient {
    private(set) var fd: Int32

    init(port: Int, receiveBuffer: Int32) throws {
        fd = closeOnExecTCPSocket()
        var size = receiveBuffer
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let result = address.withSockAddr { pointer, length in connect(fd, pointer, socklen_t(length)) }
        guard result == 0 else { throw IOError(errnoCode: errno, reason: "connect") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    /// Closes once: a second close could hit a descriptor another test opened meanwhile.
    func close() {
        guard fd >= 0 else { return }
        _ = Glibc.close(fd)
        fd = -1
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Sends `chunk` again and again until `limit` bytes went out or no byte could be sent for
    /// `stallMilliseconds`.
    func sendUntilStalled(_ chunk: [UInt8], limit: Int, stallMilliseconds: Int32) -> (sent: Int, stalled: Bool) {
        var sent = 0
        var offset = 0
        while sent < limit {
            let n = chunk.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
                offset = (offset + n) % chunk.count
                continue
            }
            guard n < 0, errno == EAGAIN || errno == EWOULDBLOCK else { return (sent, false) }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&entry, 1, stallMilliseconds) == 0 { return (sent, true) }
        }
        return (sent, false)
    }

    /// Reads and discards up to `bytes`; returns how many arrived before `timeoutMilliseconds` of silence.
    func drain(bytes: Int, timeoutMilliseconds: Int32) -> Int {
        var received = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        while received < bytes {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, timeoutMilliseconds) > 0 else { break }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, bytes - received), 0) }
            if n <= 0 { break }
            received += n
        }
        return received
    }
}
