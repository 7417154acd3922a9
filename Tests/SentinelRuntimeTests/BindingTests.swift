import NIOCore
import RESP
import SentinelCore
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `bind`, `bind-source-addr` and the protected-mode startup refusal, as redis-sentinel 7.0.15
/// applies them (listenToPort/anetTcpServer): which addresses are skipped, which stop startup and
/// with which log text, and where outgoing links connect from. 192.0.2.1 (TEST-NET-1) stands for an
/// address this machine does not have.
@Suite("Listener binding", .serialized, .timeLimit(.minutes(1)))
struct BindingTests {
    static let absent = "192.0.2.1"

    private func makeRuntime(bind: [String], extra: [ServerDirective] = [], recorder: Recorder = Recorder())
        -> SentinelRuntime
    {
        var config = SentinelConfig()
        config.port = 0
        config.bind = bind
        config.logLevel = .nothing
        config.otherDirectives = extra
        var options = RuntimeOptions(
            configPath: "/tmp/swift-sentinel-binding-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).conf", seed: 1)
        options.handleSignals = false
        return SentinelRuntime(config: config, options: options, core: ScriptedCore(recorder: recorder, config: config))
    }

    /// A runtime on 127.0.0.1 with `bind-source-addr <source>`, started, whose core has opened
    /// link 1 to the runtime's own port; and the client that asked for the link.
    private func dialingFrom(_ source: String, recorder: Recorder) async throws -> (runtime: SentinelRuntime, control: TestSocket) {
        let runtime = makeRuntime(
            bind: ["127.0.0.1"], extra: [ServerDirective(name: "bind-source-addr", arguments: [source])],
            recorder: recorder)
        return (runtime, try await startDialingItself(runtime).client)
    }

    // MARK: - Pure parts

    @Test("no bind line means '* -::*'; '-' marks optional; ':' selects IPv6")
    func bindList() {
        #expect(BindAddress.list([]) == [BindAddress("*"), BindAddress("-::*")])
        let parsed = BindAddress.list(["-10.0.0.1", "::1", "*"])
        #expect(parsed.map(\.host) == ["10.0.0.1", "::1", "*"])
        #expect(parsed.map(\.optional) == [true, false, false])
        #expect(parsed.map(\.isIPv6) == [false, true, false])
    }

    /// Redis skips EADDRNOTAVAIL only for an optional address, and a missing protocol or family for
    /// any address; everything else (in use, EINVAL, an unresolvable name) is fatal.
    @Test("which bind failures are skipped")
    func skipRules() {
        func skipped(_ code: Int32?, _ optional: Bool) -> Bool {
            ListenerBinding.isSkipped(BindFailure(errno: code, reason: ""), optional: optional)
        }
        #expect(skipped(EADDRNOTAVAIL, true))
        #expect(!skipped(EADDRNOTAVAIL, false))
        for code in [EAFNOSUPPORT, EPROTONOSUPPORT, ENOPROTOOPT, ESOCKTNOSUPPORT, EPFNOSUPPORT] {
            #expect(skipped(code, false) && skipped(code, true))
        }
        for code in [EADDRINUSE, EINVAL, EACCES] {
            #expect(!skipped(code, true))
        }
        #expect(!skipped(nil, true), "a name that does not resolve stops startup even when optional")
    }

    @Test("addresses resolve in the entry's family, wildcards to the any-address")
    func resolution() throws {
        func resolved(_ entry: String) -> String {
            switch ListenerBinding.resolve(BindAddress(entry), port: 7000) {
            case .success(let address): "\(address.ipAddress ?? "?") \(address.port ?? -1)"
            case .failure(let failure): "error: \(failure.reason)"
            }
        }
        #expect(resolved("*") == "0.0.0.0 7000")
        #expect(resolved("::*") == ":: 7000")
        #expect(resolved("127.0.0.1") == "127.0.0.1 7000")
        #expect(resolved("localhost") == "127.0.0.1 7000", "IPv4 family for a name without ':'")
        #expect(resolved("::1") == "::1 7000")
        // Measured on redis-sentinel 7.0.15: the same getaddrinfo text.
        #expect(resolved("[::1]") == "error: Name or service not known")
        #expect(resolved("256.1.1.1") == "error: Name or service not known")
    }

    @Test("Redis's warning text: address as written, IPv6 without brackets")
    func warningText() {
        let failure = BindFailure(errno: EADDRNOTAVAIL, reason: "bind: Cannot assign requested address")
        #expect(
            ListenerBinding.failure(BindAddress("-2001:db8::1"), port: 26379, failure)
                == "Could not create server TCP listening socket 2001:db8::1:26379: bind: Cannot assign requested address")
        #expect(ListenerBinding.aborting(port: 26379) == "Failed listening on port 26379 (TCP), aborting.")
        #expect(ListenerBinding.aborting(port: 26380, tls: true) == "Failed listening on port 26380 (TLS), aborting.")
        let io = IOError(errnoCode: EADDRINUSE, reason: "bind(descriptor:ptr:bytes:)")
        #expect(ListenerBinding.describe(io) == BindFailure(errno: EADDRINUSE, reason: "bind: Address already in use"))
        let socket = IOError(errnoCode: EAFNOSUPPORT, reason: "socket(domain:type:protocolSubtype:)")
        #expect(ListenerBinding.describe(socket).reason == "unable to bind socket, errno: \(EAFNOSUPPORT)")
    }

    // MARK: - The runtime

    @Test("an optional address that does not exist is skipped; the others are bound")
    func optionalSkipped() async throws {
        let runtime = makeRuntime(bind: ["-\(Self.absent)", "127.0.0.1", "-::1"])
        let bound = try await runtime.start()
        #expect(bound.map { $0.ipAddress ?? "?" } == ["127.0.0.1", "::1"])
        let client = try TestSocket(port: try #require(bound.first?.port))
        client.send("PING\r\n")
        #expect(client.read(count: 7) == "+PONG\r\n")
        try await runtime.stop()
    }

    @Test("a non-optional address that does not exist stops startup with Redis's message")
    func requiredFails() async throws {
        let runtime = makeRuntime(bind: ["127.0.0.1", Self.absent])
        do {
            _ = try await runtime.start()
            Issue.record("started although \(Self.absent) cannot be bound")
        } catch let error as RuntimeStartupError {
            #expect(
                error.description
                    == "Could not create server TCP listening socket \(Self.absent):0: bind: Cannot assign requested address")
            #expect(error.listener == .init(port: 0, tls: false), "Redis: Failed listening on port 0 (TCP), aborting.")
        }
        try await runtime.stop()
    }

    @Test("an optional address whose name does not resolve still stops startup")
    func unresolvableOptional() async throws {
        let runtime = makeRuntime(bind: ["-nosuchhost.invalid", "127.0.0.1"])
        await #expect(throws: RuntimeStartupError.self) { _ = try await runtime.start() }
        try await runtime.stop()
    }

    @Test("when every address was skipped: 'Configured to not listen anywhere, exiting.'")
    func nowhere() async throws {
        let runtime = makeRuntime(bind: ["-\(Self.absent)"])
        do {
            _ = try await runtime.start()
            Issue.record("started without a listener")
        } catch let error as RuntimeStartupError {
            #expect(error.description == ListenerBinding.nowhere)
            #expect(error.listener == nil, "no 'Failed listening' line after 'not listen anywhere'")
        }
        try await runtime.stop()
    }

    /// `bind-source-addr`: the runtime's outgoing link to its own port comes from 127.0.0.2; the
    /// server side of that connection sees the same address as its peer.
    @Test("bind-source-addr is the source address of outgoing links")
    func sourceAddress() async throws {
        let recorder = Recorder()
        let (runtime, control) = try await dialingFrom("127.0.0.2", recorder: recorder)
        #expect(
            await eventually {
                recorder.events.contains { if case .linkConnected(LinkID(1), "127.0.0.2") = $0 { true } else { false } }
            })
        // The accepted side is reported by its own event, possibly after the dialling side's.
        func peers() -> [String] {
            recorder.events.compactMap { event -> String? in
                if case .clientConnected(_, let address, _, _) = event { return address }
                return nil
            }
        }
        #expect(await eventually { peers().contains { $0.hasPrefix("127.0.0.2:") } }, "\(peers())")
        withExtendedLifetime(control) {}  // the client that asked for the link stays connected
        try await runtime.stop()
    }

    /// Measured with redis-sentinel 7.0.15: `localhost` works as a source, a name that does not
    /// resolve and an address this machine lacks fail every link with these reasons.
    @Test(
        "bind-source-addr: a name is resolved; failures fail the link with Redis's reason",
        arguments: [
            ("localhost", nil),
            ("nonsense.invalid", "Can't get addr: Name or service not known"),
            (absent, "Can't bind socket: Cannot assign requested address"),
        ] as [(String, String?)])
    func sourceFailures(source: String, reason: String?) async throws {
        let recorder = Recorder()
        let (runtime, control) = try await dialingFrom(source, recorder: recorder)
        #expect(
            await eventually {
                recorder.events.contains {
                    switch $0 {
                    case .linkConnected(LinkID(1), let local): reason == nil && local == "127.0.0.1"
                    case .linkClosed(LinkID(1), let text): text == reason
                    default: false
                    }
                }
            }, "\(recorder.descriptions)")
        withExtendedLifetime(control) {}  // the client that asked for the link stays connected
        try await runtime.stop()
    }

    // MARK: - Startup refusal (the executable's decisions)

    @Test("--check-config refuses protected mode without a password on a non-loopback bind, and says how to fix it")
    func checkConfigRefusal() {
        let refused = Launcher.checkConfig(text: "protected-mode yes\nbind 0.0.0.0\n", fileName: "s.conf", overrides: [])
        #expect(refused.status == 1)
        #expect(refused.output.contains("Refusing to start") && refused.output.contains("'0.0.0.0'"))
        #expect(refused.output.contains("requirepass") && refused.output.contains("protected-mode no"))
        for text in [
            "protected-mode yes\nbind 127.0.0.1 -::1\n", "protected-mode yes\nbind 0.0.0.0\nrequirepass pw\n",
            "protected-mode no\nbind 0.0.0.0\n", "bind 0.0.0.0\n",
        ] {
            #expect(Launcher.checkConfig(text: text, fileName: "s.conf", overrides: []) == (0, "configuration OK"), "\(text)")
        }
        // The default user's password may come from a user line or from the aclfile (read
        // relative to dir, as the sentinel does after its chdir).
        #expect(
            Launcher.checkConfig(
                text: "protected-mode yes\nbind 0.0.0.0\nuser default on >pw ~* &* +@all\n", fileName: "s.conf", overrides: []
            ).status == 0)
        let dir = "/tmp/swift-sentinel-binding-acl-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(dir, 0o755)
        defer {
            unlink(dir + "/users.acl")
            rmdir(dir)
        }
        let aclConfig = "protected-mode yes\nbind 0.0.0.0\ndir \"\(dir)\"\naclfile users.acl\n"
        #expect(Launcher.checkConfig(text: aclConfig, fileName: "s.conf", overrides: []).status == 1, "no file yet: nopass")
        let fd = open(dir + "/users.acl", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let line = Array("user default on >pw ~* &* +@all\n".utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(Launcher.checkConfig(text: aclConfig, fileName: "s.conf", overrides: []) == (0, "configuration OK"))
        // An override on the command line counts like a line of the file.
        let overridden = Launcher.checkConfig(text: "bind 0.0.0.0\n", fileName: "s.conf", overrides: ["protected-mode yes"])
        #expect(overridden.status == 1)
    }
}
