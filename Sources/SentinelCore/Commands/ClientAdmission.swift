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

    /// Tells the runtime when a command moved the client in or out of Redis's `pubsub` class (at
    /// least one channel or pattern), which selects its `client-output-buffer-limit`.
    mutating func noteOutputClass(_ id: ClientID, wasSubscribed: Bool) {
        guard let session = clients[id] else { return }
        let isSubscribed = session.subscriptionCount > 0
        if isSubscribed != wasSubscribed {
            output.append(.setClientOutputClass(id, isSubscribed ? .pubsub : .normal))
        }
    }
}
