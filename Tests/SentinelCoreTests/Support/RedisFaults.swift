import RESP
@testable import SentinelCore

/// Faults of a Redis host in the simulation: the host cut off from the network (with the sentinel
/// that runs on it) and the Redis process frozen (SIGSTOP / SIGCONT); and the replication ids a
/// real server reports, which change as Redis changes them.
extension Simulation {
    /// Cuts these Redis nodes and sentinels off from everything else (they still reach each
    /// other): traffic across the cut is lost and connects across it time out, as with a
    /// firewall that drops packets.
    mutating func cutOff(redis: Set<Int>, sentinels: Set<Int>) {
        cutOffRedis = redis
        cutOffSentinels = sentinels
    }

    /// Ends the cut: connections opened from now on work. Connections across the cut that the
    /// sentinels kept open carry traffic again.
    mutating func healCut() {
        cutOffRedis = []
        cutOffSentinels = []
    }

    /// Whether a connect from sentinel `node` to `address` crosses the cut.
    func crossesCut(_ node: Int, to address: HostPort) -> Bool {
        let inside = cutOffSentinels.contains(node)
        if let r = redis.firstIndex(where: { $0.address == address }) { return inside != cutOffRedis.contains(r) }
        if let other = nodes.firstIndex(where: { $0.address == address }) { return inside != cutOffSentinels.contains(other) }
        return false
    }

    /// SIGSTOP: the node stops answering; its connections stay open and buffer what is sent.
    mutating func freezeRedis(_ r: Int) { redis[r].frozen = true }

    /// SIGCONT: the node answers everything it was sent meanwhile, in order, on the connections
    /// still open.
    mutating func thawRedis(_ r: Int) {
        redis[r].frozen = false
        let held = heldCommands.removeValue(forKey: r) ?? []
        for (node, link, words) in held {
            guard linkTargets[node]?[link] == .redis(r) else { continue }
            let reply = redisCommand(r, words, from: (node, link))
            schedule(node: node, at: arrival("\(node)/\(link)"), .linkFrame(link, reply))
        }
    }

    /// `master_replid` of node `r`: its own once set (by a promotion), else its master's (a
    /// replica serves its master's history), else one derived from its run id (a master since boot).
    func replicationID(of r: Int) -> String {
        var current = r
        for _ in 0..<redis.count {
            if let id = redis[current].replID { return id }
            guard let master = redis[current].replicaOf, let m = redis.firstIndex(where: { $0.address == master }),
                m != current
            else { break }
            current = m
        }
        return "f" + String(redis[current].runID.dropFirst())
    }

    /// What `REPLICAOF NO ONE` (or a `FAILOVER` target taking over) does to the ids: the current
    /// history becomes `master_replid2` and a new one starts.
    mutating func promoteReplicationID(_ r: Int) {
        let previous = replicationID(of: r)
        seq += 1
        redis[r].replID2 = previous
        let digits = String(seq)
        redis[r].replID = "e" + digits + String(repeating: "7", count: 39 - digits.count)
    }
}
