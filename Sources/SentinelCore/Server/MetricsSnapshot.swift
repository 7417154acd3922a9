import OrderedCollections
import RESP

/// What `/metrics` reads off the sentinel's state when it is scraped (docs/operations.md): the
/// gauges. Counters and histograms come from ``Observation``s instead, because the state does
/// not keep them. Built on the event loop (the core is not thread-safe) and handed to the
/// runtime's renderer as a value.
package struct MetricsSnapshot: Equatable, Sendable {
    /// One monitored master, as INFO's `masterN:` line and the SENTINEL commands show it (what
    /// redis_exporter reads to build its `redis_sentinel_master_*` series).
    package struct Master: Equatable, Sendable {
        package var name: String
        /// The announced `ip:port` of INFO's `address=`.
        package var address: String
        /// `ok`, `sdown` or `odown`.
        package var status: String
        /// INFO's `slaves=`: every known replica.
        package var replicas: Int
        /// INFO's `sentinels=`: the peers and ourselves.
        package var sentinels: Int
        /// The replicas SENTINEL REPLICAS lists that are not down.
        package var okReplicas: Int
        /// Ourselves and the peers that are not down.
        package var okSentinels: Int
        /// SENTINEL CKQUORUM: whether it answered OK, and its text (without `-` for an error).
        package var quorumReachable: Bool
        package var quorumMessage: String
    }

    /// The link to one instance of a master: a peer's link is shared by every master it watches
    /// and shown under each.
    package struct Link: Equatable, Sendable {
        package var master: String
        package var kind: InstanceKind
        /// The `ip:port` the link connects to.
        package var address: String
        /// Whether every connection it needs (command, and pub/sub for masters and replicas) is up.
        package var up: Bool
        /// The last PING's round trip in ms, nil until one was answered.
        package var roundTripMillis: Millis?
    }

    package var tilt: Bool
    package var runningScripts: Int
    package var scriptsQueueLength: Int
    package var simulateFailureFlags: Int
    package var currentEpoch: Epoch
    package var masters: [Master]
    package var links: [Link]
    package var connectedClients: Int
    package var connectionsReceived: Int
    package var commandsProcessed: Int

    /// Nothing monitored, nothing counted (the runtime tests' stand-in cores).
    package static let empty = MetricsSnapshot(
        tilt: false, runningScripts: 0, scriptsQueueLength: 0, simulateFailureFlags: 0, currentEpoch: 0, masters: [],
        links: [], connectedClients: 0, connectionsReceived: 0, commandsProcessed: 0)
}

extension Sentinel {
    /// The gauges of `/metrics` now. The `redis_sentinel_*` fields reproduce what redis_exporter
    /// derives from INFO sentinel, SENTINEL MASTERS/REPLICAS/SENTINELS and CKQUORUM for a
    /// redis-sentinel; the links are read off the link table (`disconnected` flag, PING replies).
    package func metricsSnapshot() -> MetricsSnapshot {
        var snapshot = MetricsSnapshot(
            tilt: tilt, runningScripts: scripts.runningCount, scriptsQueueLength: scripts.jobs.count,
            simulateFailureFlags: simulateFailureFlags, currentEpoch: settings.currentEpoch, masters: [], links: [],
            connectedClients: clients.count, connectionsReceived: counters.connectionsReceived,
            commandsProcessed: counters.commandsProcessed)
        snapshot.masters.reserveCapacity(masters.count)
        for id in masters.values {
            let name = instances[id].master.config.name
            let replicaIDs = instances[id].master.replicas.values
            let peerIDs = instances[id].master.sentinels.values
            let okReplicas = replicaIDs.filter { instances[$0].replica.replicaAnnounced && !instances[$0].sDown }.count
            let okPeers = peerIDs.filter { !instances[$0].sDown }.count
            let quorum: (Bool, String)
            switch ckquorum(instances[id].master) {
            case .error(let text): quorum = (false, text)
            case .simpleString(let text): quorum = (true, text)
            default: quorum = (false, "")
            }
            snapshot.masters.append(
                .init(
                    name: name, address: infoAddress(id), status: masterStatus(id), replicas: replicaIDs.count,
                    sentinels: peerIDs.count + 1, okReplicas: okReplicas, okSentinels: okPeers + 1,
                    quorumReachable: quorum.0, quorumMessage: quorum.1))
            snapshot.links.append(metricsLink(master: name, kind: .master, id: id, owner: .master(name)))
            for replica in replicaIDs {
                let owner = LinkOwner.replica(master: name, name: instances[replica].replica.name)
                snapshot.links.append(metricsLink(master: name, kind: .replica, id: replica, owner: owner))
            }
            for peer in peerIDs {
                let owner = LinkOwner.peer(runID: instances[peer].runID ?? "")
                snapshot.links.append(metricsLink(master: name, kind: .sentinel, id: peer, owner: owner))
            }
        }
        return snapshot
    }

    private func metricsLink(master: String, kind: InstanceKind, id: InstanceID, owner: LinkOwner) -> MetricsSnapshot.Link {
        let link = links[owner]
        return .init(
            master: master, kind: kind, address: "\(instances[id].address)", up: !(link?.disconnected ?? true),
            roundTripMillis: link?.lastRoundTrip)
    }
}
