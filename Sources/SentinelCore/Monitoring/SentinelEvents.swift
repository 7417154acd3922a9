import DequeModule
import OrderedCollections
import RESP

/// Sentinel events: logged, and published on the sentinel's own pub/sub with the event name as
/// channel (sentinelEvent, sentinel-behaviour §8).
extension Sentinel {
    /// Emits an event. Debug events are logged but never published. With `log-format json` or
    /// `logfmt` the line carries the event's fields (type, master, current epoch); with `text`
    /// it carries none, as Redis's line has no room for them.
    /// - Parameter master: the master the event's instance belongs to, for events that have one
    ///   (`%@`); its notification script runs for WARNING events.
    mutating func emit(_ level: LogLevel, _ type: String, _ message: String, master: String? = nil) {
        if level >= settings.logLevel && settings.logLevel != .nothing {
            let fields = settings.logFormat == .text
                ? nil : EventFields(event: type, master: master, epoch: settings.currentEpoch)
            output.append(.log(level, "\(type) \(message)", fields))
        }
        guard level != .debug else { return }
        publish(channel: type, message: message)
        queueNotificationScript(level, type, message, master: master)
    }

    /// Logs `message` as a warning the first time `key` is seen in the set at `logged`, which holds
    /// at most ``EpochBounds/maxLoggedSenders`` keys, so that a flood of forged senders (hostile
    /// hellos, vote requests, coordinated-failover notices) can flood neither the log nor memory.
    /// `whenFull`, if given, is logged once as the set fills up.
    mutating func warnOnce(
        _ logged: WritableKeyPath<Sentinel, Set<String>>, key: String, _ message: String, whenFull: String? = nil
    ) {
        guard self[keyPath: logged].count < EpochBounds.maxLoggedSenders, self[keyPath: logged].insert(key).inserted
        else { return }
        output.append(.log(.warning, message))
        if let whenFull, self[keyPath: logged].count == EpochBounds.maxLoggedSenders {
            output.append(.log(.warning, whenFull))
        }
    }

    /// Delivers a message to every client subscribed to the channel or to a matching pattern.
    mutating func publish(channel: String, message: String) {
        for (id, session) in clients {
            if session.channels.contains(channel) {
                push(id, session.pushFrame([.bulkString("message"), .bulkString(channel), .bulkString(message)]))
            }
            for pattern in session.patterns where globMatch(pattern, channel) {
                push(
                    id,
                    session.pushFrame([
                        .bulkString("pmessage"), .bulkString(pattern), .bulkString(channel), .bulkString(message),
                    ]))
            }
        }
    }

    /// The host as events and replies print it: as given with announce-hostnames, else its
    /// resolved IP (Address.swift).
    func announced(_ address: HostPort) -> HostPort { announcedAddress(address) }

    /// `%@` (sentinelEvent's instance description): `master <name> <ip> <port>` for a master;
    /// `slave <ip:port> <ip> <port> @ <master> <ip> <port>` for a replica and
    /// `sentinel <runid> <ip> <port> @ <master> <ip> <port>` for a peer.
    func describe(_ id: InstanceID) -> String {
        readInstance(id) { instance in
            let a = announced(instance.address)
            let own = "\(Self.kindWord(instance.kind)) \(instance.name) \(a.host) \(a.port)"
            guard let masterID = instance.masterID, instances.contains(masterID) else { return own }
            let m = announced(instances[masterID].address)
            return "\(own) @ \(instances[masterID].name) \(m.host) \(m.port)"
        } ?? "\(id)"
    }

    /// The word that starts an instance's description and its flags in replies.
    static func kindWord(_ kind: Instance.Kind) -> String {
        switch kind {
        case .master: Wire.master
        case .replica: Wire.slave
        case .sentinel: Wire.sentinel
        }
    }

    /// `%@` for whatever owns a link (peers are described under the first master that knows them).
    func describeOwner(_ owner: LinkOwner) -> String {
        switch owner {
        case .master(let name):
            return masters[name].map { describe($0) } ?? "master \(name)"
        case .replica(let masterName, let name):
            return replicaID(name, of: masterName).map { describe($0) } ?? "slave \(name)"
        case .peer(let runID):
            return firstMaster { $0.sentinels[runID] }.map { describe($0) } ?? "sentinel \(runID)"
        }
    }
}
