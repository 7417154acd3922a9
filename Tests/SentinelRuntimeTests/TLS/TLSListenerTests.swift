import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SentinelCore
import Testing

@testable import SentinelRuntime

/// The `tls-port` listener of a real sentinel (core and runtime) on loopback.
@Suite("TLS listener", .serialized)
struct TLSListenerTests {
    let files = TLSTestFiles.shared

    /// A sentinel with `port 0` (TLS only) and `tls-port`, its config file in the test directory.
    func startSentinel(tlsPort: Int, extra: String = "", ca: String? = nil) async throws -> (SentinelRuntime, String) {
        let path = files.dir + "/sentinel-\(tlsPort).conf"
        let text = """
            port 0
            bind 127.0.0.1
            tls-port \(tlsPort)
            tls-cert-file \(files.serverCert)
            tls-key-file \(files.serverKey)
            \(ca ?? "tls-ca-cert-file \(files.ca)")
            \(extra)
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigParser.parse(text, fileName: path)
        var options = RuntimeOptions(configPath: path, seed: 7)
        options.handleSignals = false
        let runtime = SentinelRuntime(config: config, options: options)
        let bound = try await runtime.start()
        #expect(bound.map(\.port) == [tlsPort], "port 0 with tls-port: only the TLS listener")
        return (runtime, path)
    }

    /// Whether a TLS client with this certificate (nil: none) is refused: its handshake fails,
    /// or its PING gets no +PONG (TLS 1.3: the server's refusal may come after the client thinks
    /// the handshake is done).
    func refuses(port: Int, cert: String?, key: String?) async -> Bool {
        do {
            let client = try await TLSTestClient(
                port: port, group: MultiThreadedEventLoopGroup.singleton, ca: files.ca, cert: cert, key: key)
            let reply = try await client.send("PING\r\n", waitFor: "+PONG")
            await client.close()
            return !reply.contains("+PONG")
        } catch {
            return true
        }
    }

    /// A client that speaks plain RESP to the TLS port is dropped (it never gets +PONG, and the
    /// core never hears of it), while a TLS client before and after it is served.
    @Test(.timeLimit(.minutes(1))) func plainTextIsDroppedWhileTLSClientsContinue() async throws {
        let port = try freeLoopbackPort()
        let (runtime, _) = try await startSentinel(tlsPort: port)
        let group = MultiThreadedEventLoopGroup.singleton
        let client = try await TLSTestClient(
            port: port, group: group, ca: files.ca, cert: files.clientCert, key: files.clientKey)
        #expect(try await client.send("PING\r\n", waitFor: "+PONG").contains("+PONG"))

        let plain = try TestSocket(port: port)
        plain.send("PING\r\n")
        let answer = plain.readUntilClosed()
        #expect(answer.closed, "the plain-text client is disconnected")
        #expect(!answer.text.contains("PONG"))

        #expect(try await client.send("PING\r\n", waitFor: "+PONG\r\n+PONG").contains("+PONG\r\n+PONG"))
        let info = try await client.send("INFO stats\r\n", waitFor: "total_connections_received")
        #expect(info.contains("total_connections_received:1\r\n"), "the dropped client never reached the core")
        await client.close()
        try await runtime.stop()
    }

    /// A `tls-port` that is in use stops startup as Redis's does: the listener warning, then
    /// "Failed listening on port <tls-port> (TLS), aborting." (the error names the TLS listener;
    /// before, the TCP port was named, 0 with `port 0`).
    @Test(.timeLimit(.minutes(1))) func tlsPortInUseNamesTheTLSListener() async throws {
        let port = try freeLoopbackPort()
        let (runtime, path) = try await startSentinel(tlsPort: port)
        var options = RuntimeOptions(configPath: path + ".second", seed: 8)
        options.handleSignals = false
        let second = SentinelRuntime(config: try ConfigParser.parse(String(contentsOfFile: path, encoding: .utf8), fileName: path), options: options)
        do {
            _ = try await second.start()
            Issue.record("a second sentinel bound tls-port \(port)")
        } catch let error as RuntimeStartupError {
            #expect(error.description == "Could not create server TCP listening socket 127.0.0.1:\(port): bind: Address already in use")
            #expect(error.listener == .init(port: port, tls: true))
        }
        try await second.stop()
        try await runtime.stop()
    }

    /// tls-auth-clients yes: a TLS client without a certificate is refused; with `optional` it is served.
    @Test(.timeLimit(.minutes(1))) func clientCertificatesPerAuthClients() async throws {
        let port = try freeLoopbackPort()
        let (runtime, _) = try await startSentinel(tlsPort: port)
        let group = MultiThreadedEventLoopGroup.singleton
        #expect(await refuses(port: port, cert: nil, key: nil))
        try await runtime.stop()

        let optionalPort = try freeLoopbackPort()
        let (optionalRuntime, _) = try await startSentinel(tlsPort: optionalPort, extra: "tls-auth-clients optional")
        let anonymous = try await TLSTestClient(port: optionalPort, group: group, ca: files.ca, cert: nil, key: nil)
        #expect(try await anonymous.send("PING\r\n", waitFor: "+PONG").contains("+PONG"))
        await anonymous.close()
        try await optionalRuntime.stop()
    }

    /// tls-ca-cert-dir alone (a hashed directory, as `openssl rehash` makes it) verifies client
    /// certificates; a client certificate from another CA is refused.
    @Test(.timeLimit(.minutes(1))) func caDirectoryVerifiesClients() async throws {
        let dir = files.dir + "/cadir"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: dir + "/ca.pem")
        try FileManager.default.copyItem(atPath: files.ca, toPath: dir + "/ca.pem")
        let rehash = Process()
        rehash.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        rehash.arguments = ["rehash", dir]
        try rehash.run()
        rehash.waitUntilExit()
        try #require(rehash.terminationStatus == 0)
        let port = try freeLoopbackPort()
        let (runtime, _) = try await startSentinel(tlsPort: port, ca: "tls-ca-cert-dir \(dir)")
        let group = MultiThreadedEventLoopGroup.singleton
        let client = try await TLSTestClient(port: port, group: group, ca: files.ca, cert: files.clientCert, key: files.clientKey)
        #expect(try await client.send("PING\r\n", waitFor: "+PONG").contains("+PONG"))
        await client.close()
        // A self-signed client certificate the CA did not sign.
        #expect(await refuses(port: port, cert: files.dir + "/self.crt", key: files.strayKey))
        try await runtime.stop()
    }

    /// SENTINEL CONFIG SET tls-cert-file/tls-key-file: a bad file is an error reply and the old
    /// certificate stays; good files are persisted and presented to the next connection. The files
    /// are loaded off the event loop while the reply keeps its place: a PING sent right behind
    /// the SET (same write) is answered after it, both when it fails and when it succeeds.
    @Test(.timeLimit(.minutes(1))) func configSetReloadsForNewConnections() async throws {
        let port = try freeLoopbackPort()
        let (runtime, path) = try await startSentinel(tlsPort: port)
        let group = MultiThreadedEventLoopGroup.singleton
        let first = try NIOSSLCertificate.fromPEMFile(files.serverCert)[0]
        let second = try NIOSSLCertificate.fromPEMFile(files.server2Cert)[0]
        let admin = try await TLSTestClient(port: port, group: group, ca: files.ca, cert: files.clientCert, key: files.clientKey)
        #expect(try await admin.peerCertificate() == first)

        let bad = try await admin.send(
            "SENTINEL CONFIG SET tls-cert-file \(files.dir)/missing.crt\r\nPING\r\n", waitFor: "+PONG\r\n")
        #expect(bad.hasPrefix("-ERR Unable to update TLS configuration: Failed to load certificate: \(files.dir)/missing.crt"))
        #expect(bad.hasSuffix("No such file or directory\r\n+PONG\r\n"), "\(bad)")
        let unchanged = try await TLSTestClient(port: port, group: group, ca: files.ca, cert: files.clientCert, key: files.clientKey)
        #expect(try await unchanged.peerCertificate() == first)
        await unchanged.close()

        let good = try await admin.send(
            "SENTINEL CONFIG SET tls-cert-file \(files.server2Cert) tls-key-file \(files.server2Key)\r\nPING\r\n",
            waitFor: "+OK\r\n+PONG\r\n")
        #expect(good.hasSuffix("\r\n+PONG\r\n+OK\r\n+PONG\r\n"), "\(good)")
        let fresh = try await TLSTestClient(port: port, group: group, ca: files.ca, cert: files.clientCert, key: files.clientKey)
        #expect(try await fresh.peerCertificate() == second)
        await fresh.close()
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(saved.contains("tls-cert-file \(files.server2Cert)\n"))
        #expect(saved.contains("tls-key-file \(files.server2Key)\n"))
        let listed = try await admin.send("SENTINEL CONFIG GET tls-cert-file\r\n", waitFor: files.server2Cert)
        #expect(listed.contains(files.server2Cert))
        await admin.close()
        try await runtime.stop()
    }

    /// The new files are read off the event loop: while the certificate file (a FIFO nobody
    /// writes yet) holds the load, another client connects over TLS and is answered, and the SET
    /// is not answered. Once the certificate is written into the FIFO, +OK comes (before the PING
    /// sent behind it) and the next connection is presented the new certificate.
    @Test(.timeLimit(.minutes(1))) func reloadDoesNotBlockTheEventLoop() async throws {
        let port = try freeLoopbackPort()
        let (runtime, _) = try await startSentinel(tlsPort: port)
        let group = MultiThreadedEventLoopGroup.singleton
        let fifo = files.dir + "/slow-\(port).crt"
        unlink(fifo)
        try #require(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let admin = try await TLSTestClient(port: port, group: group, ca: files.ca, cert: files.clientCert, key: files.clientKey)
        try await admin.channel.writeAndFlush(
            ByteBuffer(string: "SENTINEL CONFIG SET tls-cert-file \(fifo) tls-key-file \(files.server2Key)\r\n")
        ).get()

        let served = Flag()
        let files = self.files
        let probe = Task {
            let other = try await TLSTestClient(
                port: port, group: group, ca: files.ca, cert: files.clientCert, key: files.clientKey)
            if try await other.send("PING\r\n", waitFor: "+PONG\r\n") == "+PONG\r\n" { served.set() }
            await other.close()
        }
        #expect(await eventually { served.isSet }, "another client is served while the certificate file blocks the load")
        #expect(admin.received.isEmpty, "the SET is not answered before its files are read")

        // Non-blocking: fails (ENXIO) instead of hanging if nothing is reading the FIFO.
        let pem = try Data(contentsOf: URL(fileURLWithPath: files.server2Cert))
        let fd = open(fifo, O_WRONLY | O_NONBLOCK)
        try #require(fd >= 0, "the runtime is reading the certificate file")
        let written = pem.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(written == pem.count)
        let answer = try await admin.send("PING\r\n", waitFor: "+PONG\r\n")
        #expect(answer == "+OK\r\n+PONG\r\n")
        try await probe.value
        let fresh = try await TLSTestClient(port: port, group: group, ca: files.ca, cert: files.clientCert, key: files.clientKey)
        #expect(try await fresh.peerCertificate() == NIOSSLCertificate.fromPEMFile(files.server2Cert)[0])
        await fresh.close()
        await admin.close()
        try await runtime.stop()
    }
}

/// A thread-safe one-way switch for the tests.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension TestSocket {
    /// Reads until the peer closes (EOF or reset) or 10 s pass: what arrived, and whether it closed.
    func readUntilClosed() -> (text: String, closed: Bool) {
        var text = ""
        for _ in 0..<10 {
            let chunk = read(count: 1)
            if chunk.isEmpty { return (text, true) }
            text += chunk
        }
        return (text, false)
    }
}
