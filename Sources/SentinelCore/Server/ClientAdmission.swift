import OrderedCollections
import RESP

extension Sentinel {
    /// `maxclients` on `.clientConnected`: with `maxclients` clients already connected, the new
    /// connection gets `-ERR max number of clients reached` and is closed, before any other check
    /// (Redis's acceptCommonHandler). It counts in `rejected_connections` and never becomes a
    /// session. Returns true when the client was refused.
    mutating func refuseOverMaxClients(_ id: ClientID) -> Bool {
        guard clients.count >= settings.maxClients else { return false }
        counters.rejectedConnections += 1
        output.append(.reply(id, .error(Wire.errMaxClients), .resp2))
        output.append(.closeClient(id))
        return true
    }

    /// `timeout`, every tick (Redis's clientsCronHandleTimeout): a client whose last command is more
    /// than `timeout` seconds old is closed, and logged at verbose level as "Closing idle client".
    /// Subscribers and clients whose commands wait for a CLIENT PAUSE are never closed for it
    /// (Redis skips pub/sub and blocked clients). The session goes at once, as Redis frees it.
    mutating func closeIdleClients() {
        let timeout = settings.clientIdleTimeout
        guard timeout > 0 else { return }
        let idle = clients.values.filter {
            $0.subscriptionCount == 0 && $0.postponed.isEmpty && $0.idleSeconds(now: now) > timeout
        }.map(\.id)
        for id in idle {
            output.append(.log(.verbose, "Closing idle client"))
            output.append(.closeClient(id))
            removeClientSession(id)
        }
    }

    /// Tells the runtime when a command moved the client in or out of Redis's `pubsub` class (at
    /// least one channel or pattern), which selects its `client-output-buffer-limit`.
    mutating func noteOutputClass(_ id: ClientID, wasSubscribed: Bool) {
        guard let index = clientIndex(id) else { return }
        let isSubscribed = clients.values[index].subscriptionCount > 0
        if isSubscribed != wasSubscribed {
            output.append(.setClientOutputClass(id, isSubscribed ? .pubsub : .normal))
        }
    }
}
