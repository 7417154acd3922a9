import OrderedCollections

/// Reaching masters, replicas and peers in the ``InstanceTable``: by name for masters
/// (``Sentinel/masters``), by name under their master for replicas and peers.
///
/// The paths that run every timer tick for every instance read field by field through the
/// table's in-place accessors (`instances[id].master.config.quorum`, `self[master: name]…`), and
/// modify in place (`modify…`, `self[master:]`, `instances[id]`): a copy of an instance retains and
/// releases every string, dictionary and array in it. The closure readers (`read…`, the body gets
/// a `borrowing` value it can only read) suit the other paths: a body the optimizer does not
/// inline receives a copy (docs/architecture.md, "Instances").
extension Sentinel {
    /// The master named `name`'s own data, read or modified in place. The master must exist (as
    /// `masters[name]!` did).
    subscript(master name: String) -> MasterState {
        _read { yield instances[masters[name]!].master }
        _modify { yield &instances[masters[name]!].master }
    }

    /// A copy of the master named `name`'s own data; nil if there is no such master.
    func masterNamed(_ name: String) -> MasterState? {
        masters[name].map { instances[$0].master }
    }

    /// The master named `name`'s instance (a copy); nil if there is no such master.
    func masterInstance(_ name: String) -> Instance? {
        masters[name].map { instances[$0] }
    }

    /// The id of the replica `replica` (`ip:port`) of the master named `master`, if both exist.
    func replicaID(_ replica: String, of master: String) -> InstanceID? {
        guard let id = masters[master] else { return nil }
        return instances[id].master.replicas[replica]
    }

    /// The id of the peer `runID` under the master named `master`, if both exist.
    func peerID(_ runID: String, of master: String) -> InstanceID? {
        guard let id = masters[master] else { return nil }
        return instances[id].master.sentinels[runID]
    }

    /// Runs `body` on the master named `name`'s own data, read in place; nil if there is no such master.
    @inline(__always)
    func readMaster<R>(_ name: String, _ body: (borrowing MasterState) -> R) -> R? {
        guard let id = masters[name] else { return nil }
        return body(instances[id].master)
    }

    /// Runs `body` on the master named `name`'s own data, modified in place; nil if there is no such master.
    @inline(__always) @discardableResult
    mutating func modifyMaster<R>(_ name: String, _ body: (inout MasterState) -> R) -> R? {
        guard let id = masters[name] else { return nil }
        return instances.modify(id) { body(&$0.master) }
    }

    /// Runs `body` on an instance, read in place; nil if it is gone.
    @inline(__always)
    func readInstance<R>(_ id: InstanceID, _ body: (borrowing Instance) -> R) -> R? {
        instances.read(id, body)
    }

    /// Runs `body` on an instance, modified in place; nil if it is gone.
    @inline(__always) @discardableResult
    mutating func modifyInstance<R>(_ id: InstanceID, _ body: (inout Instance) -> R) -> R? {
        instances.modify(id, body)
    }

    /// Runs `body` on an owner's link, read in place; nil if it has no link. `body` must only read.
    ///
    /// Mutating only to reach the link through the dictionary's in-place accessor: the getter
    /// copies the link (its connections' pending queues retained, then released) on every call,
    /// and this runs several times per link every tick.
    @inline(__always)
    mutating func readLink<R>(_ owner: LinkOwner, _ body: (inout InstanceLink) -> R) -> R? {
        modifyLink(owner, body)
    }

    /// Runs `body` on every master's own data in order, read in place (no copies), stopping at the
    /// first non-nil result.
    @inline(__always)
    func firstMaster<R>(_ body: (borrowing MasterState) -> R?) -> R? {
        for id in masters.values {
            if let result = body(instances[id].master) { return result }
        }
        return nil
    }

    /// Runs `body` on every master's own data in order, read in place (no copies).
    @inline(__always)
    func forEachMaster(_ body: (borrowing MasterState) -> Void) {
        for id in masters.values { body(instances[id].master) }
    }

    /// The replicas of a master, as instances (copies), in order.
    func replicaInstances(of master: borrowing MasterState) -> [Instance] {
        master.replicas.values.map { instances[$0] }
    }

    /// The peer sentinels of a master, as instances (copies), in order.
    func peerInstances(of master: borrowing MasterState) -> [Instance] {
        master.sentinels.values.map { instances[$0] }
    }
}
