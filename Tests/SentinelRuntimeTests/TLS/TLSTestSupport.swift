import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import SentinelCore

/// Certificates made with the `openssl` command for the TLS tests, once per test process, in a
/// temporary directory: a CA, a server certificate (SAN IP:127.0.0.1, DNS:localhost), a second
/// server certificate, a client certificate, a key that belongs to none of them, the server key
/// encrypted with the passphrase `secret`, and a file that is not PEM at all.
struct TLSTestFiles: Sendable {
    let dir: String
    var ca: String { dir + "/ca.crt" }
    var serverCert: String { dir + "/server.crt" }
    var serverKey: String { dir + "/server.key" }
    var server2Cert: String { dir + "/server2.crt" }
    var server2Key: String { dir + "/server2.key" }
    var clientCert: String { dir + "/client.crt" }
    var clientKey: String { dir + "/client.key" }
    var strayKey: String { dir + "/stray.key" }
    var encryptedKey: String { dir + "/server-enc.key" }
    var garbage: String { dir + "/garbage.pem" }

    static let shared: TLSTestFiles = {
        let dir = NSTemporaryDirectory() + "sentinel-tls-unit-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = """
            set -e
            cd "\(dir)"
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
            key ca.key
            openssl req -x509 -new -key ca.key -out ca.crt -days 2 -subj "/CN=Sentinel Test CA" 2>/dev/null
            sign() {
                key "$1.key"
                openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
                printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > "$1.ext"
                openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 2 -extfile "$1.ext" 2>/dev/null
            }
            sign server "server one"
            sign server2 "server two"
            sign client "client"
            key stray.key
            openssl req -x509 -new -key stray.key -out self.crt -days 2 -subj "/CN=stranger" 2>/dev/null
            openssl pkey -in server.key -aes256 -passout pass:secret -out server-enc.key
            echo "this is not a certificate" > garbage.pem
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        try? process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "openssl failed to make the test certificates")
        // Removed when the test process exits.
        atexit { try? FileManager.default.removeItem(atPath: TLSTestFiles.shared.dir) }
        return TLSTestFiles(dir: dir)
    }()

    /// Settings for a TLS sentinel with these files: tls-port, server cert/key, CA, client auth yes.
    func settings(port: Int = 0, replication: Bool = false) -> TLSSettings {
        var settings = TLSSettings()
        settings.port = port
        settings.certFile = serverCert
        settings.keyFile = serverKey
        settings.caCertFile = ca
        settings.replication = replication
        return settings
    }
}

/// A TLS client for the tests (NIOSSL over NIOPosix): sends text, collects what comes back.
final class TLSTestClient: @unchecked Sendable {
    let channel: any Channel
    private let collector: Collector

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let lock = NSLock()
        var received = ""
        var closed = false
        var peerCertificateSubject: String? = nil
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            lock.withLock { received += String(buffer: buffer) }
        }
        func channelInactive(context: ChannelHandlerContext) {
            lock.withLock { closed = true }
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    /// Connects and completes the handshake (or throws).
    init(
        port: Int, group: any EventLoopGroup, ca: String, cert: String?, key: String?
    ) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
        configuration.certificateVerification = .noHostnameVerification
        if let cert, let key {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        let context = try NIOSSLContext(configuration: configuration)
        let collector = Collector()
        self.collector = collector
        let handshake = group.next().makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: group).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let tls = try NIOSSLClientHandler(context: context, serverHostname: nil)
                try channel.pipeline.syncOperations.addHandler(tls)
                try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: handshake))
                try channel.pipeline.syncOperations.addHandler(collector)
            }
        }
        channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        try await handshake.futureResult.get()
    }

    /// The received text once it contains `text` (within 5 s), else what arrived.
    func send(_ text: String, waitFor expected: String) async throws -> String {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
        for _ in 0..<500 {
            let now = collector.lock.withLock { collector.received }
            if now.contains(expected) { return now }
            try await Task.sleep(for: .milliseconds(10))
        }
        return collector.lock.withLock { collector.received }
    }

    /// Everything received so far.
    var received: String { collector.lock.withLock { collector.received } }

    /// The certificate the server presented.
    func peerCertificate() async throws -> NIOSSLCertificate? {
        try await channel.nioSSL_peerCertificate().get()
    }

    var isClosed: Bool { collector.lock.withLock { collector.closed } }

    func close() async {
        try? await channel.close().get()
    }
}

/// Completes a promise when the TLS handshake is done, or fails it.
final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>
    init(promise: EventLoopPromise<Void>) { self.promise = promise }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { promise.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }
    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }
}

/// A loopback port free right now (bound, read, released).
func freeLoopbackPort() throws -> Int {
    let holder = try RefusingPort()
    return holder.port
}
