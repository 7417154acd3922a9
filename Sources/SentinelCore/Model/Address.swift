import OrderedCollections
import RESP

/// Hostnames and their resolved IPs (sentinel-behaviour §10.5, Redis 7.0's `sentinelAddr`).
///
/// Every instance address is stored as given (``HostPort``: the hostname or IP literal from the
/// config, `SENTINEL MONITOR`, an INFO `slaveN:ip=` line or a hello) plus the IP it last resolved
/// to. The core does no I/O: the runtime resolves a name before every connect to it and reports
/// the outcome with ``Event/hostResolved(host:ip:error:)``; `SENTINEL MONITOR` asks for a resolution
/// with ``Action/resolveHost(_:)`` and answers when that event arrives.
struct InstanceAddress: Hashable, Sendable, CustomStringConvertible {
    /// The hostname or IP literal, as given.
    var hostname: String
    /// The IP it resolves to: the literal itself, the last successful resolution of the name, or
    /// nil while the name has never resolved.
    var ip: String?
    var port: Int

    init(hostname: String, ip: String?, port: Int) {
        self.hostname = hostname
        self.ip = ip
        self.port = port
    }

    /// Redis's sentinelAddrOrHostnameEqual: the same port, and the same IP or hostnames equal
    /// case-insensitively. Two unresolved names are only equal by name.
    func matches(_ other: InstanceAddress) -> Bool {
        guard port == other.port else { return false }
        if hostname == other.hostname || hostname.lowercased() == other.hostname.lowercased() { return true }
        guard let ip, let otherIP = other.ip else { return false }
        return ip == otherIP
    }

    /// The address as it is printed everywhere (events, replies, hellos, the config file, SLAVEOF
    /// targets): the hostname with `announce-hostnames yes`, else the IP. A name that never
    /// resolved has no IP; Redis prints an empty string there, we keep printing the name.
    func announced(hostnames: Bool) -> HostPort {
        HostPort(hostnames ? hostname : (ip ?? hostname), port)
    }

    var description: String { "\(hostname)(\(ip ?? "?")):\(port)" }
}

/// What the core knows about name resolution: the last IP each name resolved to, and the
/// `SENTINEL MONITOR` commands waiting for a name to resolve.
struct HostResolution: Sendable {
    /// Lowercased hostname → its last resolved IP. A failed resolution keeps the old IP (Redis
    /// keeps `ri->addr` when the new lookup fails); only the link fails.
    var ips: [String: String] = [:]
    /// Lowercased hostname → the MONITOR commands waiting for it, in arrival order.
    var waitingMonitors: [String: [WaitingMonitor]] = [:]
    /// Lowercased names of listed replicas being resolved before they are named by their IP.
    var lookups: Set<String> = []
    /// Lowercased names whose last lookup failed: such a replica is created unresolved.
    var unresolvable: Set<String> = []

    init() {}

    struct WaitingMonitor: Sendable {
        var client: ClientID
        var slot: Int
        var arguments: [String]
    }
}

extension Sentinel {
    /// The IP of a host as far as the core knows it: an IP literal is its own IP, a name the IP it
    /// last resolved to.
    func resolvedIP(of host: String) -> String? {
        if IPAddressLiteral.isValid(host) { return host }
        if resolution.ips.isEmpty { return nil }
        return resolution.ips[host.lowercased()]
    }

    /// The full address record of a stored address.
    func addressRecord(_ address: HostPort) -> InstanceAddress {
        InstanceAddress(hostname: address.host, ip: resolvedIP(of: address.host), port: address.port)
    }

    /// The printed form of an address (``InstanceAddress/announced(hostnames:)``). Free unless a
    /// name must be turned into its IP (`resolve-hostnames yes`, `announce-hostnames no`).
    func announcedAddress(_ address: HostPort) -> HostPort {
        if settings.announceHostnames || !settings.resolveHostnames { return address }
        return addressRecord(address).announced(hostnames: false)
    }

    /// Address equality with resolution (Redis's sentinelAddrOrHostnameEqual): equal hosts need
    /// no lookup; different ones are equal when both resolve to the same IP.
    func sameResolvedAddress(_ a: HostPort, _ b: HostPort) -> Bool {
        if Self.sameAddress(a, b) { return true }
        guard a.port == b.port, settings.resolveHostnames else { return false }
        return addressRecord(a).matches(addressRecord(b))
    }

    /// Whether a host may be stored for an instance (a replica from INFO, a peer from a hello): an
    /// IP literal, or any non-empty name with `resolve-hostnames yes` (Redis's createSentinelAddr
    /// with ANET_IP_ONLY otherwise; the rule the config loader applies to `known-sentinel`).
    func isAcceptableHost(_ host: String) -> Bool {
        !host.isEmpty && (settings.resolveHostnames || IPAddressLiteral.isValid(host))
    }

    /// The runtime resolved `host` (before a connect, or for a MONITOR): remember the IP, or log
    /// the failure (the link to it then fails and is retried on the normal reconnect schedule),
    /// and answer the MONITOR commands that waited for it.
    mutating func hostResolved(_ host: String, ip: String?, error: String? = nil) {
        let key = host.lowercased()
        if let ip {
            if resolution.ips[key] != ip {
                if let old = resolution.ips[key] {
                    output.append(.log(.notice, "Hostname '\(host)' now resolves to \(ip) (was \(old))"))
                }
                resolution.ips[key] = ip
                // Printed as IPs: the config file names this host by its (new) IP from now on.
                // Redis resolves at creation and writes the IP at once; we learn it here.
                if !settings.announceHostnames { persistence.changed = true }
            }
            resolution.unresolvable.remove(key)
        } else {
            // Redis's createSentinelAddr warning, with the resolver's reason when there is one.
            output.append(.log(.warning, "Failed to resolve hostname '\(host)'" + (error.map { ": \($0)" } ?? "")))
            resolution.unresolvable.insert(key)
        }
        if resolution.lookups.remove(key) != nil {
            // Replicas listed under this name, waiting to be named by their IP: add them now.
            for name in masters.keys {
                let listed =
                    readMaster(name) { master in
                        master.replicaListings.values.filter { $0.host.lowercased() == key }.map { HostPort($0.host, $0.port) }
                    } ?? []
                for address in listed where address.port > 0 && masterNamed(name)?.replicas[address.description] == nil {
                    discoverListedReplica(address, master: name)
                }
            }
        }
        guard let waiting = resolution.waitingMonitors.removeValue(forKey: key) else { return }
        for request in waiting {
            if ip == nil {
                fillReplySlot(request.client, request.slot, .error(Wire.errInvalidAddressOrHostname))
            } else {
                finishMonitor(request.client, slot: request.slot, request.arguments)
            }
        }
    }

    /// Whether a listed replica's name must be resolved before the replica is created: it is
    /// printed (and named) by its IP (resolve-hostnames yes, announce-hostnames no) and the IP is
    /// not known yet. Asks the runtime once per name; a name whose lookup failed is not waited for.
    mutating func resolveBeforeNaming(_ host: String) -> Bool {
        guard settings.resolveHostnames, !settings.announceHostnames, resolvedIP(of: host) == nil else { return false }
        let key = host.lowercased()
        if resolution.unresolvable.contains(key) { return false }
        if resolution.lookups.insert(key).inserted { output.append(.resolveHost(host)) }
        return true
    }

    /// Defers a `SENTINEL MONITOR` whose host is a name (with `resolve-hostnames yes`) until the
    /// runtime says whether it resolves; the client's later replies wait behind it.
    mutating func monitorAfterResolving(_ id: ClientID, _ args: [String]) {
        guard let slot = reserveReplySlot(id) else { return }
        let key = args[3].lowercased()
        let first = resolution.waitingMonitors[key] == nil
        resolution.waitingMonitors[key, default: []].append(
            HostResolution.WaitingMonitor(client: id, slot: slot, arguments: args))
        if first { output.append(.resolveHost(args[3])) }
    }

    /// The master's own INFO line for a replica: under the replica's name, under the address it
    /// was given as, or any listing at the same (resolved) address.
    func listing(of replica: ReplicaState, in master: MasterState) -> ReplicaListing? {
        if let listed = master.replicaListings[replica.name] { return listed }
        if !settings.resolveHostnames { return nil }
        if let listed = master.replicaListings[replica.address.description] { return listed }
        return master.replicaListings.values.first { sameResolvedAddress(HostPort($0.host, $0.port), replica.address) }
    }

    /// The `FAILOVER TO <host> <port>` target: redis-server matches `host` against the replica's
    /// announced address (`replica-announce-ip`, else its connection's IP) with strcasecmp, so it
    /// must be the address the master lists, whatever announce-hostnames says.
    func failoverToAddress(of replica: ReplicaState, in master: MasterState) -> HostPort {
        listing(of: replica, in: master).map { HostPort($0.host, $0.port) } ?? replica.address
    }
}
