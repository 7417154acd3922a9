import DequeModule
import OrderedCollections
import RESP

/// Leader election, one vote per epoch (sentinel-behaviour §7.4).
extension Sentinel {
    /// sentinelVoteLeader: at most one vote per epoch, persisted as `leader-epoch` before anyone
    /// hears of it (the caller's reply waits for the flush).
    mutating func voteLeader(master name: String, epoch: Epoch, candidate: String) -> (leader: String?, epoch: Epoch) {
        if epoch > settings.currentEpoch {
            settings.currentEpoch = epoch
            persistence.changed = true
            emit(.warning, "+new-epoch", "\(epoch)", master: name)
        }
        guard var master = masterNamed(name) else { return (nil, 0) }
        if master.config.leaderEpoch < epoch && settings.currentEpoch <= epoch {
            master.leader = candidate
            master.config.leaderEpoch = settings.currentEpoch
            persistence.changed = true
            emit(.warning, "+vote-for-leader", "\(candidate) \(master.config.leaderEpoch)", master: name)
            output.append(.observe(.voteCast(master: name, forSelf: candidate.lowercased() == myID.lowercased())))
            // Voting for someone else keeps us from starting our own failover for 2 × failover-timeout.
            if candidate.lowercased() != myID.lowercased() {
                master.failoverStartTime = now + desync()
                master.pendingStartAt = nil
            }
            self[master: name] = master
        }
        return (self[master: name].leader, self[master: name].config.leaderEpoch)
    }

    /// sentinelGetLeader: tallies the votes the peers reported for the current epoch, casts our own
    /// vote (for the front runner, else ourselves), and returns the winner if it has at least
    /// `max(quorum, voters/2 + 1)` votes. Every known sentinel counts as a voter, dead ones too.
    mutating func electedLeader(master name: String, epoch: Epoch) -> String? {
        guard let master = masterNamed(name) else { return nil }
        let voters = master.sentinels.count + 1
        var counts: OrderedDictionary<String, Int> = [:]
        for peer in peerInstances(of: master).map(\.peer) {
            if let leader = peer.leader, peer.leaderEpoch == settings.currentEpoch {
                counts[leader, default: 0] += 1
            }
        }
        // The front runner; ties go to the candidate seen first (Redis: hash table order).
        var winner: String? = nil
        var maxVotes = 0
        for (candidate, votes) in counts where votes > maxVotes {
            winner = candidate
            maxVotes = votes
        }
        let ours = voteLeader(master: name, epoch: epoch, candidate: winner ?? myID)
        if let leader = ours.leader, ours.epoch == epoch {
            let votes = (counts[leader] ?? 0) + 1
            if votes > maxVotes {
                winner = leader
                maxVotes = votes
            }
        }
        guard let winner, maxVotes >= voters / 2 + 1, maxVotes >= master.config.quorum else { return nil }
        return winner
    }

    /// The random desync term added to `failover_start_time` (Redis: `rand() % 1000`), kept small so
    /// the protocol is the same but retries are not delayed more than needed.
    mutating func desync() -> Millis {
        Millis(rng.next() % UInt64(max(1, timing.failoverStartJitter)))
    }
}
