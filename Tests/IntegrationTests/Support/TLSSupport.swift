import Foundation
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Certificates made by the test with the `openssl` command in a directory of the fixture: a CA,
/// a server certificate (SAN IP:127.0.0.1, DNS:localhost) used by every node and sentinel, a
/// second server certificate for the reload test, and a client certificate for the clients.
struct TLSFiles: Sendable {
    let dir: String
    var ca: String { dir + "/ca.crt" }
    var serverCert: String { dir + "/server.crt" }
    var serverKey: String { dir + "/server.key" }
    var server2Cert: String { dir + "/server2.crt" }
    var server2Key: String { dir + "/server2.key" }
    var clientCert: String { dir + "/client.crt" }
    var clientKey: String { dir + "/client.key" }

    static func make(in parent: URL) async throws -> TLSFiles {
        let dir = parent.appendingPathComponent("tls")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = """
            set -e
            cd "\(dir.path)"
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1"; }
            key ca.key
            openssl req -x509 -new -key ca.key -out ca.crt -days 2 -subj "/CN=Sentinel Test CA"
            sign() {
                key "$1.key"
                openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
                printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > "$1.ext"
                openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 2 -extfile "$1.ext"
            }
            sign server "server one"
            sign server2 "server two"
            sign client "client"
            """
        let (status, output) = try await ManagedProcess.run(
            label: "openssl (test certificates)", executable: "/bin/bash", arguments: ["-c", script],
            logURL: parent.appendingPathComponent("openssl.log"), timeout: .seconds(30))
        guard status == 0 else { throw HarnessError("openssl could not make the test certificates:\n\(output)") }
        return TLSFiles(dir: dir.path)
    }

    /// redis-server's TLS-only arguments (`--port 0`), with client certificates required and TLS
    /// replication.
    func redisArguments(tlsPort: UInt16) -> [String] {
        [
            "--port", "0", "--tls-port", "\(tlsPort)", "--tls-cert-file", serverCert, "--tls-key-file", serverKey,
            "--tls-ca-cert-file", ca, "--tls-replication", "yes", "--tls-auth-clients", "yes",
        ]
    }

    /// The TLS lines of a sentinel config.
    func sentinelLines(tlsPort: UInt16) -> [String] {
        [
            "tls-port \(tlsPort)", "tls-cert-file \(serverCert)", "tls-key-file \(serverKey)",
            "tls-ca-cert-file \(ca)", "tls-replication yes", "tls-auth-clients yes",
        ]
    }
}

/// A plain-text port on 127.0.0.1 that forwards every connection over TLS (with the client
/// certificate) to a TLS-only server, so the harness's blocking `RESPClient` can query TLS-only
/// nodes and sentinels unchanged. Each accepted connection opens its own TLS connection.
final class TLSTunnel: @unchecked Sendable {
    let port: UInt16
    let target: UInt16
    private let server: any Channel

    init(target: UInt16, files: TLSFiles) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(files.ca))
        configuration.certificateVerification = .noHostnameVerification
        configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(files.clientCert).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: files.clientKey, format: .pem))
        let context = try NIOSSLContext(configuration: configuration)
        let group = MultiThreadedEventLoopGroup.singleton
        server = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                inbound.eventLoop.makeCompletedFuture {
                    try inbound.pipeline.syncOperations.addHandler(TunnelEntry(target: target, context: context))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = UInt16(server.localAddress?.port ?? 0)
        self.target = target
    }

    func close() {
        try? server.close().wait()
    }

    deinit { server.close(promise: nil) }
}

/// The plain side of a tunnel: opens the TLS connection when it becomes active, holds what the
/// client sends until that connection is up, then copies both ways.
private final class TunnelEntry: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let target: UInt16
    let tlsContext: NIOSSLContext
    var outbound: (any Channel)? = nil
    var held: [ByteBuffer] = []

    init(target: UInt16, context: NIOSSLContext) {
        self.target = target
        self.tlsContext = context
    }

    func channelActive(context: ChannelHandlerContext) {
        let inbound = context.channel
        let tlsContext = self.tlsContext
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(.seconds(2))
            .channelInitializer { outbound in
                outbound.eventLoop.makeCompletedFuture {
                    try outbound.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: nil))
                    try outbound.pipeline.syncOperations.addHandler(TunnelGlue(peer: inbound))
                }
            }
            .connect(host: "127.0.0.1", port: Int(target))
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    self.outbound = channel
                    for buffer in self.held { channel.write(buffer, promise: nil) }
                    self.held = []
                    channel.flush()
                case .failure:
                    inbound.close(promise: nil)
                }
            }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let outbound {
            outbound.writeAndFlush(buffer, promise: nil)
        } else {
            held.append(buffer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        outbound?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Copies bytes to the other side of a tunnel and closes it when this side closes.
private final class TunnelGlue: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let peer: any Channel
    init(peer: any Channel) { self.peer = peer }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }
    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
        context.fireChannelInactive()
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A TLS process (redis-server or sentinel) that the harness reaches through its tunnel.
protocol TunnelledProcess: AnyObject {
    var process: ManagedProcess { get }
    var tunnel: TLSTunnel { get }
    func diagnostics() -> String
}

extension TunnelledProcess {
    func command(_ arguments: String...) throws -> RESPReply {
        try RESPClient(port: tunnel.port, timeout: .seconds(2)).send(arguments)
    }

    /// Waits up to 10 s until the process answers PING through the tunnel; stops waiting at once
    /// if it exits.
    func waitUntilAnswering() async throws {
        try await eventually(timeout: .seconds(10), "\(process.label) answers PING over TLS", diagnostics: diagnostics) {
            guard process.isRunning else { throw FatalPollingError("\(process.label) exited") }
            return try command("PING") == .simpleString("PONG")
        }
    }

    func stop() {
        process.stop()
        tunnel.close()
    }
}

/// A TLS-only `redis-server` (`--port 0 --tls-port P`) reached by the harness through a tunnel.
final class TLSRedisNode: TunnelledProcess {
    let name: String
    let tlsPort: UInt16
    let tunnel: TLSTunnel
    let process: ManagedProcess

    private init(name: String, tlsPort: UInt16, tunnel: TLSTunnel, process: ManagedProcess) {
        self.name = name
        self.tlsPort = tlsPort
        self.tunnel = tunnel
        self.process = process
    }

    static func start(name: String, in parent: URL, files: TLSFiles, replicaOf master: UInt16? = nil) async throws
        -> TLSRedisNode
    {
        let tlsPort = try FreePort.next()
        let directory = parent.appendingPathComponent("\(name)-\(tlsPort)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = [
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path, "--daemonize", "no",
            "--logfile", "", "--repl-diskless-sync-delay", "0",
        ]
        arguments += files.redisArguments(tlsPort: tlsPort)
        if let master { arguments += ["--replicaof", "127.0.0.1", "\(master)"] }
        let process = ManagedProcess(
            label: "\(name) (redis-server tls :\(tlsPort))", executable: try Binaries.redisServer(), arguments: arguments,
            logURL: directory.appendingPathComponent("redis.log"))
        let tunnel = try TLSTunnel(target: tlsPort, files: files)
        try process.launch()
        let node = TLSRedisNode(name: name, tlsPort: tlsPort, tunnel: tunnel, process: process)
        do {
            try await node.waitUntilAnswering()
        } catch {
            node.stop()
            throw error
        }
        return node
    }

    func info(_ section: String) throws -> [String: String] {
        INFOText.fields(try command("INFO", section).string ?? "")
    }

    /// SIGKILL: a crash.
    func kill() { process.kill() }

    func diagnostics() -> String { "== \(process.label) log:\n\(process.logTail())" }
}

/// A swift-sentinel (or redis-sentinel) with `tls-port`, and `port 0` unless `plainPort` is
/// given; the harness reaches its TLS port through a tunnel.
final class TLSSentinelProcess: TunnelledProcess {
    let name: String
    let tlsPort: UInt16
    let plainPort: UInt16?
    let directory: URL
    let tunnel: TLSTunnel
    let process: ManagedProcess
    var configURL: URL { directory.appendingPathComponent("sentinel.conf") }

    private init(name: String, tlsPort: UInt16, plainPort: UInt16?, directory: URL, tunnel: TLSTunnel, process: ManagedProcess) {
        self.name = name
        self.tlsPort = tlsPort
        self.plainPort = plainPort
        self.directory = directory
        self.tunnel = tunnel
        self.process = process
    }

    static func start(
        name: String, in parent: URL, files: TLSFiles, masterPort: UInt16, withPlainPort: Bool = false,
        extraLines: [String] = [], binary: String? = nil
    ) async throws -> TLSSentinelProcess {
        let tlsPort = try FreePort.next()
        let plainPort = withPlainPort ? try FreePort.next() : nil
        let directory = parent.appendingPathComponent("\(name)-\(tlsPort)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lines = [
            "port \(plainPort ?? 0)", "bind 127.0.0.1", "daemonize no", "logfile \"\"", "dir \"\(directory.path)\"",
            "sentinel monitor \(Cluster.masterName) 127.0.0.1 \(masterPort) 2",
            "sentinel down-after-milliseconds \(Cluster.masterName) 1000",
            "sentinel failover-timeout \(Cluster.masterName) 10000",
        ]
        lines += files.sentinelLines(tlsPort: tlsPort) + extraLines
        let configURL = directory.appendingPathComponent("sentinel.conf")
        try (lines.joined(separator: "\n") + "\n").write(to: configURL, atomically: true, encoding: .utf8)
        let binary = try binary ?? Binaries.sentinelUnderTest()
        let process = ManagedProcess(
            label: "\(name) (\(URL(fileURLWithPath: binary).lastPathComponent) tls :\(tlsPort))", executable: binary,
            arguments: [configURL.path], logURL: directory.appendingPathComponent("sentinel.log"))
        let tunnel = try TLSTunnel(target: tlsPort, files: files)
        try process.launch()
        let sentinel = TLSSentinelProcess(
            name: name, tlsPort: tlsPort, plainPort: plainPort, directory: directory, tunnel: tunnel, process: process)
        do {
            try await sentinel.waitUntilAnswering()
        } catch {
            sentinel.stop()
            throw error
        }
        return sentinel
    }

    func masterState() throws -> [String: String] {
        guard let record = try command("SENTINEL", "MASTER", Cluster.masterName).record else {
            throw HarnessError("SENTINEL MASTER on \(process.label) returned no record")
        }
        return record
    }

    func masterPort() throws -> UInt16? {
        let reply = try command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", Cluster.masterName)
        return reply.elements?.last?.string.flatMap { UInt16($0) }
    }

    func diagnostics() -> String { "== \(process.label) log:\n\(process.logTail(lines: 40))" }
}
