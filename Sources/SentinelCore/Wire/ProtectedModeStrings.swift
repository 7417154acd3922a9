extension Wire {
    /// What Redis 7.0 writes (with a leading `-` and `\r\n`) to a client that connects from a
    /// non-loopback address while protected mode is on and the default user has no password,
    /// before closing the connection (networking.c, clientAcceptHandler). Byte for byte the text of
    /// redis-sentinel 7.0.15, including its "Setup a an" typo; ProtectedModeTests compares them.
    package static let errProtectedModeDenied =
        "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."

    /// Why swift-sentinel refuses to start (and `--check-config` fails) with protected mode on, no
    /// password for the default user and a listener beyond loopback: Redis would start and answer
    /// every remote client `-DENIED`; this says how to fix the config instead.
    package static func protectedModeRefusal(exposed: [String], defaultBind: Bool) -> String {
        let addresses = exposed.map { "'\($0)'" }.joined(separator: ", ")
        let bindNote = defaultBind ? " (no bind line means 'bind * -::*', every interface)" : ""
        return "Refusing to start: protected-mode is yes and the default user has no password, "
            + "but the sentinel would listen on non-loopback address(es) \(addresses)\(bindNote), "
            + "where every client from another host would be refused with -DENIED. "
            + "Fix the config in one of these ways: "
            + "1) set a password for the default user ('requirepass <password>', "
            + "or 'user default on >password ...'); "
            + "2) bind only loopback addresses (for example 'bind 127.0.0.1 -::1'); "
            + "3) set 'protected-mode no' (the sentinel default) if the network is trusted."
    }
}
