import OrderedCollections
import RESP

/// Client-side caching state of one connection (CLIENT TRACKING, networking.c and tracking.c).
/// A sentinel has no keyspace, so there is never anything to invalidate; the state is what
/// CLIENT TRACKINGINFO, GETREDIR, CACHING and CLIENT LIST show, with Redis's validation.
struct ClientTracking: Hashable, Sendable {
    /// The client id invalidations would go to; 0 for the connection itself.
    var redirect: Int = 0
    var bcast = false
    var optin = false
    var optout = false
    var noloop = false
    /// CLIENT CACHING YES (OPTIN) or NO (OPTOUT), for the next command only.
    var caching = false
    /// BCAST prefixes, kept sorted (Redis keeps them in a radix tree); `""` when none was given.
    var prefixes: [String] = []
}

extension Sentinel {
    /// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]:
    /// options are parsed first, then checked against each other and the current state.
    mutating func clientTracking(_ id: ClientID, _ args: [String]) {
        guard let session = clients[id] else { return }
        var redirect = 0
        var bcast = false
        var optin = false
        var optout = false
        var noloop = false
        var prefixes: [String] = []
        var index = 3
        while index < args.count {
            let option = args[index].lowercased()
            let more = index + 1 < args.count
            if option == "redirect" && more {
                index += 1
                guard redirect == 0 else { return reply(id, .error(Wire.errTrackingSingleRedirect)) }
                guard let target = RedisNumbers.int64(args[index]) else { return reply(id, .error(Wire.errNotInteger)) }
                guard clients.keys.contains(where: { Int64($0.raw) == target }) else {
                    return reply(id, .error(Wire.errTrackingRedirectMissing))
                }
                redirect = Int(target)
            } else if option == "bcast" {
                bcast = true
            } else if option == "optin" {
                optin = true
            } else if option == "optout" {
                optout = true
            } else if option == "noloop" {
                noloop = true
            } else if option == "prefix" && more {
                index += 1
                prefixes.append(args[index])
            } else {
                return reply(id, .error(Wire.errSyntax))
            }
            index += 1
        }

        switch args[2].lowercased() {
        case "on":
            guard bcast || prefixes.isEmpty else { return reply(id, .error(Wire.errTrackingPrefixNeedsBcast)) }
            if let current = session.tracking, current.bcast != bcast {
                return reply(id, .error(Wire.errTrackingBcastSwitch))
            }
            guard !(bcast && (optin || optout)) else { return reply(id, .error(Wire.errTrackingBcastOptions)) }
            guard !(optin && optout) else { return reply(id, .error(Wire.errTrackingOptinOptout)) }
            if let current = session.tracking, (optin && current.optout) || (optout && current.optin) {
                return reply(id, .error(Wire.errTrackingOptSwitch))
            }
            if bcast, let error = prefixCollision(prefixes, existing: session.tracking?.prefixes ?? []) {
                return reply(id, .error(error))
            }
            // enableTracking: mode flags are replaced (CACHING stays), prefixes accumulate (BCAST
            // with none tracks "").
            var tracking = session.tracking ?? ClientTracking()
            tracking.redirect = redirect
            tracking.bcast = bcast
            tracking.optin = optin
            tracking.optout = optout
            tracking.noloop = noloop
            if bcast {
                for prefix in (prefixes.isEmpty ? [""] : prefixes) where !tracking.prefixes.contains(prefix) {
                    tracking.prefixes.append(prefix)
                }
                tracking.prefixes.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            }
            clients[id]?.tracking = tracking
        case "off":
            clients[id]?.tracking = nil
        default:
            return reply(id, .error(Wire.errSyntax))
        }
        reply(id, .ok)
    }

    /// checkPrefixCollisionsOrReply: no new prefix may start another one, old or new.
    private func prefixCollision(_ prefixes: [String], existing: [String]) -> String? {
        func overlap(_ a: String, _ b: String) -> Bool { a.hasPrefix(b) || b.hasPrefix(a) }
        for (i, prefix) in prefixes.enumerated() {
            if let old = existing.first(where: { overlap($0, prefix) }) {
                return Wire.errTrackingPrefixOverlap(prefix, old, existing: true)
            }
            if let other = prefixes[(i + 1)...].first(where: { overlap(prefix, $0) }) {
                return Wire.errTrackingPrefixOverlap(prefix, other, existing: false)
            }
        }
        return nil
    }

    /// CLIENT CACHING YES|NO.
    mutating func clientCaching(_ id: ClientID, _ mode: String) {
        guard let tracking = clients[id]?.tracking else { return reply(id, .error(Wire.errCachingNotTracking)) }
        switch mode.lowercased() {
        case "yes":
            guard tracking.optin else { return reply(id, .error(Wire.errCachingYes)) }
        case "no":
            guard tracking.optout else { return reply(id, .error(Wire.errCachingNo)) }
        default:
            return reply(id, .error(Wire.errSyntax))
        }
        clients[id]?.tracking?.caching = true
        reply(id, .ok)
    }

    /// CLIENT TRACKINGINFO: flags (a set), redirect, prefixes.
    func trackingInfo(_ id: ClientID) -> RESPValue {
        let tracking = clients[id]?.tracking
        var flags: [RESPValue] = [.bulkString(tracking == nil ? "off" : "on")]
        if let tracking {
            if tracking.bcast { flags.append(.bulkString("bcast")) }
            if tracking.optin {
                flags.append(.bulkString("optin"))
                if tracking.caching { flags.append(.bulkString("caching-yes")) }
            }
            if tracking.optout {
                flags.append(.bulkString("optout"))
                if tracking.caching { flags.append(.bulkString("caching-no")) }
            }
            if tracking.noloop { flags.append(.bulkString("noloop")) }
        }
        return .map([
            .bulkString("flags"), .set(flags),
            .bulkString("redirect"), .integer(tracking?.redirect ?? -1),
            .bulkString("prefixes"), .array((tracking?.prefixes ?? []).map { .bulkString($0) }),
        ])
    }
}
