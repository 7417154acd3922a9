import RESP
import Testing

@testable import SentinelCore

/// Authentication on the links to masters, replicas and peer sentinels (sentinel-behaviour
/// §10.3, §5.5, §9.2.1, §9.2.2), against fake servers that check passwords (`AuthDriver`).
@Suite("Authentication on instance and peer links")
struct LinkAuthTests {
    static let master = HostPort("127.0.0.1", 6379)
    static let replica = HostPort("127.0.0.1", 6380)
    static let peer = HostPort("127.0.0.1", 26380)
    static let peerID = String(repeating: "b", count: 40)

    static func flags(_ driver: inout AuthDriver) -> String {
        driver.ask("SENTINEL", "MASTER", "mymaster").first?["flags"] ?? "?"
    }

    /// redis-sentinel 7.0.15 (checked with CLIENT LIST on the master: new client ids after
    /// `auth-pass`, the same ids after `quorum` and `rename-command`) drops the master's and every
    /// replica's connections on `SENTINEL SET auth-pass|auth-user`, so they reconnect with the
    /// new credentials; other options leave the links alone.
    @Test("SENTINEL SET auth-pass / auth-user close the master's and every replica's links and the new AUTH is sent; quorum and rename-command do not")
    func setAuthDropsLinks() {
        var d = AuthDriver(config: AuthDriver.config(replicas: [Self.replica]))
        d.start()
        d.run(for: 300)
        #expect(d.target.values.filter { $0 == Self.master }.count == 2, "cmd + pubsub to the master")
        #expect(d.target.values.filter { $0 == Self.replica }.count == 2, "cmd + pubsub to the replica")
        #expect(d.ask("SENTINEL", "SET", "mymaster", "quorum", "1") == [.simpleString("OK")])
        #expect(d.ask("SENTINEL", "SET", "mymaster", "rename-command", "CONFIG", "CFG") == [.simpleString("OK")])
        #expect(d.closedLinks(to: Self.master).isEmpty && d.closedLinks(to: Self.replica).isEmpty)

        #expect(d.ask("SENTINEL", "SET", "mymaster", "auth-pass", "s3cret") == [.simpleString("OK")])
        #expect(d.closedLinks(to: Self.master).count == 2, "both master connections closed")
        #expect(d.closedLinks(to: Self.replica).count == 2, "both replica connections closed")
        d.run(for: 1_500)
        #expect(d.auths(to: Self.master) == [["AUTH", "s3cret"], ["AUTH", "s3cret"]])
        #expect(d.auths(to: Self.replica) == [["AUTH", "s3cret"], ["AUTH", "s3cret"]], "replicas use the master's auth-pass")

        #expect(d.ask("SENTINEL", "SET", "mymaster", "auth-user", "sentinel-user") == [.simpleString("OK")])
        #expect(d.closedLinks(to: Self.master).count == 4)
        #expect(d.closedLinks(to: Self.replica).count == 4)
        d.run(for: 1_500)
        #expect(d.auths(to: Self.master).suffix(2) == [["AUTH", "sentinel-user", "s3cret"], ["AUTH", "sentinel-user", "s3cret"]])
        #expect(d.logs(containing: "+set master mymaster 127.0.0.1 6379 auth-pass ******").count == 1, "auth-pass is redacted")
    }

    /// A wrong auth-pass: the AUTH reply (ignored by Redis) is logged once, SUBSCRIBE's -NOAUTH
    /// closes the pub/sub connection (hiredis), so SENTINEL MASTER shows `disconnected`, and
    /// the master goes SDOWN. `SENTINEL SET auth-pass <right>` repairs it without a restart.
    @Test("wrong auth-pass: one warning naming the master, pub/sub closed (disconnected), SDOWN; SENTINEL SET auth-pass repairs it")
    func wrongAuthPass() {
        var d = AuthDriver(config: AuthDriver.config(authPass: "wrong"))
        d.servers[Self.master] = .init(password: "right")
        d.start()
        d.run(for: 300)
        let warnings = d.logs(containing: "Authentication failed on the link to master mymaster 127.0.0.1 6379")
        #expect(warnings.count == 1, "\(d.logs(containing: ""))")
        #expect(warnings.first?.contains("WRONGPASS invalid username-password pair") == true, "\(warnings)")
        #expect(warnings.first?.contains("sent AUTH with a password for the default user") == true, "\(warnings)")
        #expect(!d.closedLinks(to: Self.master).isEmpty, "the pub/sub connection is closed after SUBSCRIBE failed")
        #expect(Self.flags(&d).contains("disconnected"), Comment(rawValue: Self.flags(&d)))

        d.run(for: 3_000)
        #expect(d.closedLinks(to: Self.master).count >= 3, "the pub/sub connection is retried about once a second")
        #expect(d.logs(containing: "Authentication failed on the link to").count == 1, "logged once, not per retry")
        #expect(d.logs(containing: "+sdown master mymaster 127.0.0.1 6379").count == 1)
        #expect(Self.flags(&d).contains("s_down"))

        #expect(d.ask("SENTINEL", "SET", "mymaster", "auth-pass", "right") == [.simpleString("OK")])
        d.run(for: 2_000)
        #expect(d.logs(containing: "Authentication on the link to master mymaster 127.0.0.1 6379 works again", level: .notice).count == 1)
        #expect(d.logs(containing: "-sdown master mymaster 127.0.0.1 6379").count == 1)
        #expect(Self.flags(&d) == "master")
    }

    /// §14.1: `-NOAUTH` to PING is a reply (last-ping-reply moves) but not an acceptable one
    /// (last-ok-ping-reply does not, and the SDOWN clock keeps running); PONG is.
    @Test("-NOAUTH answers to PING do not count as alive; PONG does")
    func noAuthPingIsNotAlive() throws {
        let owner = LinkOwner.master("mymaster")
        var d = AuthDriver(config: AuthDriver.config())
        d.servers[Self.master] = .init(password: "pw")
        d.holdReplies = true
        d.start()
        let created = try #require(d.sentinel.links[owner]?.lastAvailTime)
        d.now += 400
        d.release()
        let link = try #require(d.sentinel.links[owner])
        #expect(link.lastPongTime > created, "the NOAUTH replies were seen")
        #expect(link.lastAvailTime == created, "no acceptable reply")
        #expect(link.actPingTime != 0, "the SDOWN clock runs")
        let warnings = d.logs(containing: "Authentication failed on the link to master mymaster")
        #expect(warnings.count == 1 && warnings[0].contains("sent no AUTH"), "\(warnings)")

        var healthy = AuthDriver(config: AuthDriver.config())
        healthy.holdReplies = true
        healthy.start()
        healthy.now += 400
        healthy.release()
        let good = try #require(healthy.sentinel.links[owner])
        #expect(good.lastAvailTime > created)
        #expect(healthy.logs(containing: "Authentication").isEmpty)
    }

    /// Sentinel's AUTH to a server without a password gets `ERR AUTH <password> called without
    /// any password configured ...`; the connection works, so nothing is reported.
    @Test("an auth-pass for a server without a password is not reported as an authentication failure")
    func authWithoutServerPassword() {
        var d = AuthDriver(config: AuthDriver.config(authPass: "unneeded"))
        d.start()
        d.run(for: 1_500)
        #expect(d.logs(containing: "Authentication").isEmpty)
        #expect(Self.flags(&d) == "master")
    }

    /// An ACL user without +subscribe: AUTH and PING work, SUBSCRIBE gets -NOPERM, and the
    /// pub/sub connection is closed and retried every second. Logged once (not once per retry),
    /// cleared when SUBSCRIBE is confirmed.
    @Test("SUBSCRIBE refused with -NOPERM: one 'Permission denied' line over many retries, cleared once SUBSCRIBE works")
    func subscribeDenied() {
        var d = AuthDriver(config: AuthDriver.config(authPass: "pw", authUser: "sentinel-user"))
        d.servers[Self.master] = .init(password: "pw", user: "sentinel-user", denied: ["SUBSCRIBE"])
        d.start()
        d.run(for: 3_500, step: 70)
        let denied = d.logs(containing: "Permission denied on the link to master mymaster 127.0.0.1 6379")
        #expect(denied.count == 1, "\(d.logs(containing: "link to"))")
        #expect(denied.first?.contains("sent AUTH as user 'sentinel-user'") == true)
        #expect(denied.first?.contains("+subscribe") == true)
        #expect(d.logs(containing: "works again", level: .notice).isEmpty, "AUTH +OK does not clear a NOPERM")
        #expect(d.closedLinks(to: Self.master).count >= 3)
        #expect(Self.flags(&d).contains("disconnected"))

        // PING still works on the command connection and is sent in the ticks that reopen the
        // pub/sub connection (Redis clears link->disconnected when the reconnect starts): no SDOWN.
        // Ticks every 70 ms, as the runtime's 53-100 ms, so a reopen comes > 1000 ms after the last PONG.
        d.run(for: 5_000, step: 70)
        #expect(d.logs(containing: "+sdown").isEmpty, "\(d.logs(containing: "+sdown"))")
        #expect(d.logs(containing: "Permission denied").count == 1)

        d.servers[Self.master]?.denied = []
        d.run(for: 1_500)
        #expect(d.logs(containing: "works again", level: .notice).count == 1)
        #expect(!Self.flags(&d).contains("disconnected"))
    }

    /// Peers: without sentinel-pass the sentinel's own requirepass is sent as `AUTH <pass>`;
    /// `SENTINEL CONFIG SET sentinel-pass` is written to the config, answered `+OK`, and every
    /// peer link is closed (Redis: flush, reply, drop; here the close is queued in the same step
    /// and the reply waits for the background write, which no client can tell apart), and the
    /// new AUTH is sent on reconnect; `sentinel-user` makes it `AUTH <user> <pass>`.
    @Test("peers: requirepass fallback; SENTINEL CONFIG SET sentinel-pass persists, replies, closes the peer links; the new AUTH repairs the link")
    func peerCredentials() throws {
        var config = AuthDriver.config(peers: [KnownSentinel(address: Self.peer, runID: Self.peerID)])
        config.requirePass = "mine"
        var d = AuthDriver(config: config)
        d.clientAuth = ["mine"]
        d.servers[Self.peer] = .init(password: "theirs", isSentinel: true)
        d.start()
        d.run(for: 300)
        #expect(d.auths(to: Self.peer) == [["AUTH", "mine"]])
        let warnings = d.logs(containing: "Authentication failed on the link to sentinel \(Self.peerID) 127.0.0.1 26380")
        #expect(warnings.count == 1, "\(d.logs(containing: ""))")
        #expect(warnings.first?.contains("sentinel-pass") == true)

        let before = d.actions.count
        let client = ClientID(d.nextClient)
        #expect(d.ask("SENTINEL", "CONFIG", "SET", "sentinel-pass", "theirs") == [.simpleString("OK")])
        let after = Array(d.actions[before...])
        let persisted = after.firstIndex {
            if case .persistConfig(let c, _) = $0 { return c.sentinelPass == "theirs" }
            return false
        }
        let replied = after.lastIndex { if case .reply(client, _, _) = $0 { return true } else { return false } }
        let closed = after.firstIndex { if case .closeLink(let id) = $0 { return d.target[id] == Self.peer } else { return false } }
        let p = try #require(persisted, "the new sentinel-pass is written")
        let r = try #require(replied)
        #expect(p < r, "the reply waits for the config write")
        #expect(closed != nil, "the peer link is closed")

        d.run(for: 1_500)
        #expect(d.auths(to: Self.peer).last == ["AUTH", "theirs"])
        #expect(d.logs(containing: "Authentication on the link to sentinel \(Self.peerID)", level: .notice).count == 1)

        d.servers[Self.peer]?.user = "peer-user"
        #expect(d.ask("SENTINEL", "CONFIG", "SET", "sentinel-user", "peer-user") == [.simpleString("OK")])
        d.run(for: 1_500)
        #expect(d.auths(to: Self.peer).last == ["AUTH", "peer-user", "theirs"])
        #expect(d.ask("SENTINEL", "CONFIG", "GET", "sentinel-*") == [
            .map([.bulkString("sentinel-user"), .bulkString("peer-user"), .bulkString("sentinel-pass"), .bulkString("theirs")])
        ])
    }
}
