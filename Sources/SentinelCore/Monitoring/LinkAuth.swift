import RESP

/// Authentication failures on the links to monitored instances and peers, made visible.
///
/// Redis Sentinel ignores the reply to its `AUTH` (sentinel-behaviour §10.3): a wrong
/// `auth-pass` only shows indirectly, as `-NOAUTH` PING replies (the instance goes SDOWN) and a
/// pub/sub connection closed after its `SUBSCRIBE` fails (the `disconnected` flag, §5.5), and
/// nothing is logged, so an operator cannot tell why the sentinel never fails over. This keeps
/// that behaviour and adds one warning line per link when authentication starts failing (the AUTH
/// reply is `-WRONGPASS`, or a command gets `-NOAUTH`, or SUBSCRIBE gets `-NOPERM`), and one
/// notice line when it works again. The state lives in ``InstanceLink/authFailure``, which
/// survives reconnects, so a link retrying every second logs once, not every second.
extension Sentinel {
    /// An error reply that means the link is not (or wrongly) authenticated: `NOAUTH` (no AUTH,
    /// or a failed one), `WRONGPASS` (Redis 6+), `ERR invalid password` (Redis < 6). Any other
    /// error is not, `ERR AUTH <password> called without any password configured` included (that
    /// one is harmless: the server has no password, and the connection works).
    static func isAuthFailure(_ text: String) -> Bool {
        text.hasPrefix("NOAUTH") || text.hasPrefix("WRONGPASS") || text.hasPrefix("ERR invalid password")
    }

    /// The AUTH command for a link, if credentials are configured (sentinel-behaviour §10.3).
    func authCommand(for owner: LinkOwner) -> [String]? {
        switch owner {
        case .master, .replica:
            guard let master = governingMaster(of: owner), let pass = master.config.authPass else { return nil }
            if let user = master.config.authUser { return ["AUTH", user, pass] }
            return ["AUTH", pass]
        case .peer:
            if let pass = settings.sentinelPass {
                if let user = settings.sentinelUser { return ["AUTH", user, pass] }
                return ["AUTH", pass]
            }
            if let pass = settings.requirePass { return ["AUTH", pass] }
            return nil
        }
    }

    /// The reply to the AUTH of a link's handshake.
    mutating func authReply(_ owner: LinkOwner, _ value: RESPValue) {
        if case .error(let text) = value {
            if Self.isAuthFailure(text) { noteAuthFailure(owner, text, command: "AUTH") }
            return
        }
        noteAuthWorks(owner, permissionToo: false)
    }

    /// Records that `command` on `owner`'s link was refused for lack of authentication or
    /// permission (`text` is the server's error); logs a warning the first time.
    mutating func noteAuthFailure(_ owner: LinkOwner, _ text: String, command: String) {
        let first = modifyLink(owner) { $0.authFailed(text) }
        guard first == true else { return }
        output.append(.log(.warning, authFailureLine(owner, text, command: command)))
    }

    /// The link answered as an authenticated one (AUTH +OK, an acceptable PING reply; with
    /// `permissionToo`, a SUBSCRIBE confirmation): logs a notice if it had failed before. A
    /// `NOPERM` failure is cleared only by a confirmed SUBSCRIBE: AUTH and PING keep working for a
    /// user that lacks +subscribe, and clearing on them would log the failure again every second.
    mutating func noteAuthWorks(_ owner: LinkOwner, permissionToo: Bool = false) {
        let failed = modifyLink(owner) { $0.authWorks(permissionToo: permissionToo) }
        guard failed == true else { return }
        output.append(.log(.notice, "Authentication on the link to \(describeOwner(owner)) works again"))
    }

    /// One log line saying which instance refused what, with what the sentinel sent and what to
    /// change.
    func authFailureLine(_ owner: LinkOwner, _ text: String, command: String) -> String {
        let credentials = authCommand(for: owner)
        let sent: String
        switch credentials?.count {
        case 3: sent = "sent AUTH as user '\(credentials![1])'"
        case 2: sent = "sent AUTH with a password for the default user"
        default: sent = "sent no AUTH"
        }
        let denied = text.hasPrefix("NOPERM")
        let what = denied ? "Permission denied" : "Authentication failed"
        var line = "\(what) on the link to \(describeOwner(owner)): \(command) answered '\(text)' (\(sent)). "
        switch owner {
        case .master(let name), .replica(let name, _):
            if denied {
                line += "The user needs +subscribe and the \(Wire.helloChannel) channel"
                line += "; until then the instance shows as disconnected and no hellos are received through it."
            } else {
                line += "Set the right 'sentinel auth-pass \(name)' (and 'auth-user') with SENTINEL SET \(name) auth-pass"
                line += "; until then the instance shows as disconnected and will be seen as down."
            }
        case .peer:
            line += "Set this sentinel's sentinel-pass (and sentinel-user, else requirepass is used) with SENTINEL CONFIG SET"
            line += "; until then the peer is seen as down and its votes cannot be had."
        }
        return line
    }
}
