import OrderedCollections

/// Cheap access to one master's state for the paths that run every timer tick for every master.
///
/// `masters[name]` returns a copy of the whole ``MasterState`` (every string, dictionary and
/// array in it retained, then released), and a write through `masters[name]!.…` moves the
/// struct out of the dictionary and back. These helpers look the master up once and read it in
/// place or modify it in place.
///
/// The readers lend the element to `body` (`borrowing`): it is read where it is stored, never
/// copied (a copy retains and releases every field, the very cost these helpers avoid), and the
/// compiler guarantees `body` only reads it.
extension Sentinel {
    /// Runs `body` on the master named `name`, read in place; nil if there is no such master.
    /// `body` must not keep the value beyond the call.
    @inline(__always)
    func readMaster<R>(_ name: String, _ body: (borrowing MasterState) -> R) -> R? {
        masters.readValue(forKey: name, body)
    }

    /// Runs `body` on the master named `name`, modified in place; nil if there is no such master.
    @inline(__always)
    mutating func modifyMaster<R>(_ name: String, _ body: (inout MasterState) -> R) -> R? {
        guard let index = masters.index(forKey: name) else { return nil }
        return body(&masters.values[index])
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

    /// Runs `body` on every master in order, read in place (no copies), stopping at the first
    /// non-nil result.
    @inline(__always)
    func firstMaster<R>(_ body: (borrowing MasterState) -> R?) -> R? {
        masters.firstValue(body)
    }

    /// Runs `body` on every master in order, read in place (no copies).
    @inline(__always)
    func forEachMaster(_ body: (borrowing MasterState) -> Void) {
        _ = masters.firstValue { (master: borrowing MasterState) -> Void? in
            body(master)
            return nil
        }
    }
}

extension MasterState {
    /// Runs `body` on the replica named `name`, read in place; nil if there is no such replica.
    @inline(__always)
    func withReplica<R>(_ name: String, _ body: (borrowing ReplicaState) -> R) -> R? {
        replicas.readValue(forKey: name, body)
    }

    /// Runs `body` on the peer sentinel with this runid, read in place; nil if there is none.
    @inline(__always)
    func withPeer<R>(_ runID: String, _ body: (borrowing PeerState) -> R) -> R? {
        sentinels.readValue(forKey: runID, body)
    }
}

extension MasterState {
    /// Whether any peer sentinel satisfies `predicate`, each read in place.
    @inline(__always)
    func anyPeer(_ predicate: (borrowing PeerState) -> Bool) -> Bool {
        sentinels.firstValue { predicate($0) ? true : nil } ?? false
    }
}

/// The one place the in-place readers above reach a value by address.
extension OrderedDictionary {
    /// Runs `body` on the value for `key`, lent in place; nil if there is none.
    @inline(__always)
    fileprivate func readValue<R>(forKey key: Key, _ body: (borrowing Value) -> R) -> R? {
        guard let index = index(forKey: key) else { return nil }
        return values.withUnsafeBufferPointer { body($0[index]) }
    }

    /// Runs `body` on every value in order, lent in place, stopping at the first non-nil result.
    @inline(__always)
    fileprivate func firstValue<R>(_ body: (borrowing Value) -> R?) -> R? {
        values.withUnsafeBufferPointer { buffer in
            for i in buffer.indices { if let result = body(buffer[i]) { return result } }
            return nil
        }
    }
}
