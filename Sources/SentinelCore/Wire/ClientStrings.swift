/// Error texts of the client-connection commands (CLIENT, ACL, SHUTDOWN), byte-exact with
/// redis-sentinel 7.0.15 (networking.c, acl.c, server.c), without the leading '-'.
extension Wire {
    // CLIENT PAUSE / UNBLOCK / TRACKING / CACHING (networking.c clientCommand).
    static let errPauseMode = "ERR CLIENT PAUSE mode must be WRITE or ALL"
    static let errTimeoutNotInteger = "ERR timeout is not an integer or out of range"
    static let errTimeoutNegative = "ERR timeout is negative"
    static let errTimeoutOutOfRange = "ERR timeout is out of range"
    static let errUnblockReason = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
    static let errNoSuchClient = "ERR No such client"
    /// A connection past `maxclients` (networking.c acceptCommonHandler), sent before the close.
    static let errMaxClients = "ERR max number of clients reached"
    static let errClientIDNotPositive = "ERR client-id should be greater than 0"
    static let errTrackingSingleRedirect = "ERR A client can only redirect to a single other client"
    static let errTrackingRedirectMissing = "ERR The client ID you want redirect to does not exist"
    static let errTrackingPrefixNeedsBcast = "ERR PREFIX option requires BCAST mode to be enabled"
    static let errTrackingBcastSwitch =
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
    static let errTrackingBcastOptions = "ERR OPTIN and OPTOUT are not compatible with BCAST"
    static let errTrackingOptinOptout = "ERR You can't specify both OPTIN mode and OPTOUT mode"
    static let errTrackingOptSwitch =
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
    static let errCachingNotTracking =
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
    static let errCachingYes = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
    static let errCachingNo = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."

    /// Two BCAST prefixes of one client where one starts with the other.
    static func errTrackingPrefixOverlap(_ prefix: String, _ other: String, existing: Bool) -> String {
        "ERR Prefix '\(prefix)' overlaps with \(existing ? "an existing" : "another provided") prefix '\(other)'. "
            + "Prefixes for a single client must not overlap."
    }

    /// `CLIENT KILL USER <name>` for a user that does not exist.
    static func errNoSuchUser(_ name: String) -> String {
        "ERR No such user '\(name)'"
    }

    /// A subcommand whose argument count its own parser rejects (`CLIENT PAUSE 1 WRITE x`).
    static func errSubcommandSyntax(command: String, sub: String) -> String {
        "ERR unknown subcommand or wrong number of arguments for '\(sub.prefix(128))'. Try \(command.uppercased()) HELP."
    }

    // ACL (acl.c).
    static let errAclGenpassBits =
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"
    /// ACL subcommands that need users beyond `default` (issue 6).
    static func errAclNotSupported(_ sub: String) -> String {
        "ERR ACL \(sub.uppercased()) is not supported by swift-sentinel yet: only the default user (requirepass) exists"
    }
    // ACL users and permissions (acl.c, server.c processCommand).
    static let errAclUsernameSpaces = "ERR Usernames can't contain spaces or null characters"
    static func errAclUnmatchedParenthesis(_ word: String) -> String {
        "ERR Unmatched parenthesis in acl selector starting at '\(word)'."
    }
    static func errAclSetUser(_ rule: String, _ reason: String) -> String {
        "ERR Error in ACL SETUSER modifier '\(rule)': \(reason)"
    }
    static let errAclSaveFailed =
        "ERR There was an error trying to save the ACLs. Please check the server logs for more information"
    static let errAclDeleteDefault = "ERR The 'default' user cannot be removed"
    static func errAclDryRunNoUser(_ name: String) -> String { "ERR User '\(name)' not found" }
    static func errAclDryRunNoCommand(_ name: String) -> String { "ERR Command '\(name)' not found" }
    static func errNoPermCommand(_ fullName: String) -> String {
        "NOPERM this user has no permissions to run the '\(fullName)' command"
    }
    static let errNoPermChannel = "NOPERM this user has no permissions to access one of the channels used as arguments"
    static func errUnknownCategory(_ name: String) -> String {
        "ERR Unknown category '\(name)'"
    }
    static let errNoACLFile =
        "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."

    // SHUTDOWN (server.c shutdownCommand).
    static let errNoShutdownInProgress = "ERR No shutdown in progress."
}
