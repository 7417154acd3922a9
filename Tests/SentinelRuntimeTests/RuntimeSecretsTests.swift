import NIOCore
import SentinelCore
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 15 item 5 through the runtime: it gives the core the system's generator, so two
/// sentinels started with the same seed (the jitter seed) still get different myids and ACL
/// GENPASS passwords, as Redis's come from /dev/urandom.
@Suite("Runtime secrets")
struct RuntimeSecretsTests {
    /// Sends `command` and reads its bulk-string reply of `length` characters: the text, or the
    /// whole reply when it is not such a bulk string.
    static func bulk(_ client: TestSocket, _ command: String, length: Int) -> String {
        client.send(command)
        let header = "$\(length)\r\n"
        let reply = client.read(count: header.utf8.count + length + 2)
        guard reply.hasPrefix(header), reply.hasSuffix("\r\n") else { return reply }
        return String(decoding: reply.utf8.dropFirst(header.utf8.count).dropLast(2), as: UTF8.self)
    }

    @Test("two runtimes with the same seed: different myids and ACL GENPASS passwords of Redis's lengths")
    func sameSeedDifferentSecrets() async throws {
        var runtimes: [SentinelRuntime] = []
        var paths: [String] = []
        defer { for path in paths { unlink(path) } }
        var ids: [String] = []
        var passwords: [String] = []
        for index in 0..<2 {
            var config = SentinelConfig()
            config.port = 0
            config.bind = ["127.0.0.1"]
            config.logLevel = .nothing
            let path = "/tmp/swift-sentinel-secrets-test-\(getpid())-\(index)-\(UInt32.random(in: 0...UInt32.max)).conf"
            paths.append(path)
            var options = RuntimeOptions(configPath: path, seed: 42)
            options.handleSignals = false
            let runtime = SentinelRuntime(config: config, options: options)
            runtimes.append(runtime)
            let port = try #require(try await runtime.start().first?.port)
            let client = try TestSocket(port: port)
            ids.append(Self.bulk(client, "SENTINEL MYID\r\n", length: 40))
            passwords.append(Self.bulk(client, "ACL GENPASS\r\n", length: 64))
            #expect(Self.bulk(client, "ACL GENPASS 5\r\n", length: 2).count == 2, "redis-sentinel 7.0.15: 2 digits for 5 bits")
        }
        for runtime in runtimes { try await runtime.stop() }
        #expect(ids.allSatisfy { $0.count == 40 }, "\(ids)")
        #expect(passwords.allSatisfy { $0.count == 64 }, "\(passwords)")
        #expect(ids[0] != ids[1])
        #expect(passwords[0] != passwords[1])
    }
}
