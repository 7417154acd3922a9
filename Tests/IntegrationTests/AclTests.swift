import Foundation
import Testing

extension Integration {
    /// ACL users on the sentinel's own port, with a real client: `user` lines in sentinel.conf,
    /// redis-py 8 discovering the master as a restricted user, NOPERM and WRONGPASS, a password
    /// changed by ACL SETUSER, and the users after a restart from the rewritten config.
    @Suite("ACL users")
    struct AclTests {
        /// What redis-py 8's `Sentinel` sends to a sentinel (found with the ACL log of
        /// redis-sentinel 7.0.15 while granting nothing else): HELLO with AUTH, SENTINEL
        /// MASTERS for discover_master and SENTINEL SLAVES for discover_slaves. HELLO and AUTH
        /// need no permission.
        static let appRules = "on >apppw resetchannels -@all +sentinel|masters +sentinel|slaves"

        static let script = #"""
            import sys, redis
            from redis.sentinel import Sentinel, MasterNotFoundError
            host, port = sys.argv[1], int(sys.argv[2])
            s = Sentinel([(host, port)], sentinel_kwargs={"username": "app", "password": "apppw"}, socket_timeout=3)
            ip, p = s.discover_master("mymaster")
            print(f"master {ip}:{p}")
            print(f"replicas {len(s.discover_slaves('mymaster'))}")
            m = s.master_for("mymaster", socket_timeout=3)
            print(f"write {m.set('acl-key', 'v')}")
            try:
                s.sentinels[0].execute_command("SENTINEL RESET mymaster")
                print("reset allowed")
            except redis.exceptions.ResponseError as e:
                print(f"reset error {e}")
            bad = Sentinel([(host, port)], sentinel_kwargs={"username": "app", "password": "wrong"}, socket_timeout=3)
            try:
                bad.discover_master("mymaster")
                print("wrongpass accepted")
            except MasterNotFoundError as e:
                print(f"wrongpass {'AuthenticationError' in str(e)}")
            """#

        @Test("redis-py discovers the master as a restricted user; NOPERM, WRONGPASS, SETUSER and restart", .timeLimit(.minutes(2)))
        func restrictedUser() async throws {
            let python = try Binaries.python()
            let cluster = try await Cluster.start(
                sentinels: 1, sentinelLines: ["user app " + Self.appRules, "user admin on >adminpw ~* &* +@all"])
            defer { cluster.shutdown() }
            try await cluster.waitForFullDiscovery()
            let sentinel = cluster.sentinels[0]

            let (status, output) = try await ManagedProcess.run(
                label: "acl-redis-py", executable: python,
                arguments: ["-c", Self.script, "127.0.0.1", String(sentinel.port)],
                logURL: cluster.directory.appendingPathComponent("acl-redis-py.log"), timeout: .seconds(40))
            let lines = Set(output.split(separator: "\n").map(String.init))
            let results = ["master ", "replicas ", "write ", "reset ", "wrongpass "]
            print("integration: ACL redis-py: \(lines.filter { l in results.contains { l.hasPrefix($0) } }.sorted())")
            #expect(status == 0, "\(output)\n\(cluster.diagnostics())")
            #expect(lines.contains("master \(cluster.master.address)"), "\(output)")
            #expect(lines.contains("replicas 2"), "\(output)")
            #expect(lines.contains("write True"), "\(output)")
            #expect(lines.contains("reset error this user has no permissions to run the 'sentinel|reset' command"), "\(output)")
            #expect(lines.contains("wrongpass True"), "\(output)")

            // The ACL log has the denial and the failed authentication.
            let log = try sentinel.command("ACL", "LOG")
            let objects = log.elements?.compactMap { $0.record?["object"] } ?? []
            #expect(objects.contains("sentinel|reset") && objects.contains("HELLO"), "ACL LOG: \(log)")

            // A new password applies to new connections; the old one no longer works.
            #expect(try sentinel.command("ACL", "SETUSER", "app", "<apppw", ">newpw") == .simpleString("OK"))
            let fresh = try RESPClient(port: sentinel.port)
            #expect(try fresh.send("AUTH", "app", "apppw").errorText?.hasPrefix("WRONGPASS") == true)
            #expect(try fresh.send("AUTH", "app", "newpw") == .simpleString("OK"))
            #expect(try fresh.send("SENTINEL", "MASTERS").elements?.count == 1)
            fresh.close()

            // Restarted from its rewritten config, the sentinel still has the users.
            let conf = try String(contentsOf: sentinel.configURL, encoding: .utf8)
            #expect(conf.contains("user app on #"), "\(conf)")
            let isSwift = !URL(fileURLWithPath: sentinel.binary).lastPathComponent.hasPrefix("redis-sentinel")
            try await sentinel.restart()
            let users = try sentinel.command("ACL", "USERS").elements?.compactMap(\.string) ?? []
            #expect(users == ["admin", "app", "default"], "\(users)")
            let after = try RESPClient(port: sentinel.port)
            defer { after.close() }
            if isSwift {
                // swift-sentinel persisted the SETUSER before answering (docs/acl.md); Redis
                // writes it only with its next config flush.
                #expect(try after.send("AUTH", "app", "newpw") == .simpleString("OK"), "\(conf)")
            } else {
                #expect(try after.send("AUTH", "admin", "adminpw") == .simpleString("OK"))
            }
        }
    
        @Test("aclfile: users loaded at startup, SETUSER and ACL SAVE write the file, a missing file stops startup", .timeLimit(.minutes(2)))
        func aclFile() async throws {
            let aclURL = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-acl-\(UUID().uuidString.prefix(8)).acl")
            try "user alice on >alicepw ~* &* +@all\n".write(to: aclURL, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: aclURL) }
            let cluster = try await Cluster.start(sentinels: 1, sentinelLines: ["aclfile \"\(aclURL.path)\""])
            defer { cluster.shutdown() }
            let sentinel = cluster.sentinels[0]
            let isSwift = !URL(fileURLWithPath: sentinel.binary).lastPathComponent.hasPrefix("redis-sentinel")

            #expect(try sentinel.command("ACL", "USERS").elements?.compactMap(\.string) == ["alice", "default"])
            let client = try RESPClient(port: sentinel.port)
            defer { client.close() }
            #expect(try client.send("AUTH", "alice", "alicepw") == .simpleString("OK"))
            #expect(try client.send("ACL", "SETUSER", "bob", "on", ">bobpw", "+ping") == .simpleString("OK"))
            let afterSetUser = try String(contentsOf: aclURL, encoding: .utf8)
            if isSwift {
                // swift-sentinel writes the file before answering (docs/acl.md); Redis needs ACL SAVE.
                #expect(afterSetUser.contains("user bob on #"), "\(afterSetUser)")
            }
            #expect(try client.send("ACL", "SAVE") == .simpleString("OK"))
            let saved = try String(contentsOf: aclURL, encoding: .utf8)
            #expect(saved.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
                == ["user alice", "user bob", "user default"], "\(saved)")
            #expect(!(try String(contentsOf: sentinel.configURL, encoding: .utf8)).contains("\nuser "))

            try await sentinel.restart()
            let fresh = try RESPClient(port: sentinel.port)
            defer { fresh.close() }
            #expect(try fresh.send("AUTH", "bob", "bobpw") == .simpleString("OK"))
            #expect(try fresh.send("ACL", "WHOAMI").errorText?.hasPrefix("NOPERM") == true)

            // A missing ACL file stops the startup, naming the file.
            let missing = cluster.directory.appendingPathComponent("missing.conf")
            try "port \(try FreePort.next())\nbind 127.0.0.1\naclfile \"\(cluster.directory.path)/none.acl\"\nsentinel monitor m 127.0.0.1 1 1\n"
                .write(to: missing, atomically: true, encoding: .utf8)
            let (status, output) = try await ManagedProcess.run(
                label: "missing-aclfile", executable: sentinel.binary, arguments: [missing.path],
                logURL: cluster.directory.appendingPathComponent("missing-aclfile.log"), timeout: .seconds(10))
            #expect(status == 1, "\(output)")
            #expect(output.contains("Aborting Redis startup because of ACL errors: Error loading ACLs, opening file '\(cluster.directory.path)/none.acl': No such file or directory"), "\(output)")
        }
    }
}
