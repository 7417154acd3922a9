import DequeModule
import OrderedCollections
import RESP

/// A master that comes back after its replacement (`+convert-to-slave`, sentinel-behaviour §6.2
/// "Otherwise Sentinel converts the instance back to a replica").
///
/// Redis waits 4 × the hello period (8 s) after the role change was seen, and 8 s without SDOWN
/// of the instance, before it sends the SLAVEOF: it gives the peers' hellos time to arrive in
/// case the instance is a master a newer configuration chose. While it waits, the returning old
/// master acknowledges writes that its resync throws away (issue 12, defect 6: about 9 s of
/// writes after a partition healed or a frozen master resumed).
///
/// What this file adds:
/// - an instance is asked for INFO as soon as it answers again after a silence (the INFO at
///   link (re)connect already exists), and a replica that claims to be a master is asked again as
///   soon as its master's INFO makes the master look sane, so the claim is checked at once;
/// - the wait is skipped when the INFO itself proves the instance is the master ours replaced:
///   its `master_replid` is our master's `master_replid2` (``isSupersededMaster(replID:of:)``).
///   Otherwise Redis's conditions apply unchanged. See docs/returning-master.md.
extension Sentinel {
    /// Whether a replica that reports `role:master` with replication id `replID` is the master
    /// `master` was promoted from, still serving the history `master` forked from.
    ///
    /// A failover promotes with `REPLICAOF NO ONE` or `FAILOVER`, and both give the promoted
    /// server a new replication id (its old one becomes `master_replid2`); a restarted master also
    /// starts with a new one. So an instance whose id is still our master's `master_replid2` has
    /// neither been promoted nor restarted since our master took over from it: no configuration,
    /// older or newer than ours, can have chosen it as master since, and every write it
    /// acknowledges now is lost when it resyncs. The 8 s wait for newer configurations is then
    /// pointless, and the conversion is safe at once.
    ///
    /// Kept conservative: never while our master is failing over or handing over (its INFO may be
    /// changing under us), and only with both ids reported (Redis ≥ 4, Valkey).
    func isSupersededMaster(replID: String?, of master: MasterState) -> Bool {
        guard let replID, let predecessor = master.predecessorReplID else { return false }
        return replID == predecessor && !master.failoverInProgress && master.coordinated == nil
    }

    /// Asks a master or a replica for INFO now, unless an INFO is already on its way (its answer
    /// comes soon enough, in order on the same connection).
    mutating func askInfoNow(_ owner: LinkOwner) {
        switch owner {
        case .master, .replica: break
        case .peer: return
        }
        let idle = readLink(owner) { link in
            link.cc.isUp && !link.cc.isAwaiting(.info)
        }
        guard idle == true else { return }
        send(owner, ["INFO"], tag: .info)
    }

    /// A PING answered after the instance had been silent for longer than the ping period (it was
    /// frozen, partitioned, overloaded): its role may have changed meanwhile, so ask for INFO now
    /// rather than at the next INFO period (up to 10 s later).
    mutating func instanceAnsweredAfterSilence(_ owner: LinkOwner, silence: Millis) {
        guard silence > timing.pingPeriod else { return }
        askInfoNow(owner)
    }

    /// After a master's INFO: if the master now looks sane, re-check at once every replica that
    /// claims to be a master (after `+switch-master` the old master's INFO often arrives before the
    /// new master's, when the master does not look sane yet). Runs outside TILT only, as the
    /// conversion itself.
    mutating func recheckReplicasClaimingMaster(_ name: String) {
        guard !tilt else { return }
        let claimants: [String] =
            readMaster(name) { master in
                master.replicas.compactMap { name, id in
                    readInstance(id) { $0.replica.state.roleReported == .master } == true && name != master.promotedReplica
                        ? name : nil
                }
            } ?? []
        guard !claimants.isEmpty, let id = masters[name], masterLooksSane(id) else { return }
        for replica in claimants { askInfoNow(.replica(master: name, name: replica)) }
    }
}
