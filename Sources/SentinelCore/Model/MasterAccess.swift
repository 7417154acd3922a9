import OrderedCollections

/// Cheap access to one master's state for the paths that run every timer tick for every master.
///
/// `masters[name]` returns a copy of the whole ``MasterState`` (every string, dictionary and
/// array in it retained, then released), and a write through `masters[name]!.…` moves the
/// struct out of the dictionary and back. These helpers look the master up once and read it in
/// place or modify it in place.
///
/// The readers pass the element to `body` by address (`inout` on the storage, which they never
/// write): passed by value, the optimizer copies an element read through a pointer before the
/// call (every field retained and released), which is the very cost these helpers avoid. The
/// `body` closures must only read.
extension Sentinel {
    /// Runs `body` on the master named `name`, read in place; nil if there is no such master.
    /// `body` must not keep the value beyond the call.
    @inline(__always)
    func readMaster<R>(_ name: String, _ body: (inout MasterState) -> R) -> R? {
        guard let index = masters.index(forKey: name) else { return nil }
        return masters.values.withUnsafeBufferPointer { body(&UnsafeMutablePointer(mutating: $0.baseAddress.unsafelyUnwrapped)[index]) }
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
    func firstMaster<R>(_ body: (inout MasterState) -> R?) -> R? {
        masters.values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress.map(UnsafeMutablePointer.init(mutating:)) else { return nil }
            for i in buffer.indices { if let result = body(&base[i]) { return result } }
            return nil
        }
    }

    /// Runs `body` on every master in order, read in place (no copies).
    @inline(__always)
    func forEachMaster(_ body: (inout MasterState) -> Void) {
        masters.values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress.map(UnsafeMutablePointer.init(mutating:)) else { return }
            for i in buffer.indices { body(&base[i]) }
        }
    }
}

extension MasterState {
    /// Runs `body` on the replica named `name`, read in place; nil if there is no such replica.
    @inline(__always)
    func withReplica<R>(_ name: String, _ body: (inout ReplicaState) -> R) -> R? {
        guard let index = replicas.index(forKey: name) else { return nil }
        return replicas.values.withUnsafeBufferPointer { body(&UnsafeMutablePointer(mutating: $0.baseAddress.unsafelyUnwrapped)[index]) }
    }

    /// Runs `body` on the peer sentinel with this runid, read in place; nil if there is none.
    @inline(__always)
    func withPeer<R>(_ runID: String, _ body: (inout PeerState) -> R) -> R? {
        guard let index = sentinels.index(forKey: runID) else { return nil }
        return sentinels.values.withUnsafeBufferPointer { body(&UnsafeMutablePointer(mutating: $0.baseAddress.unsafelyUnwrapped)[index]) }
    }
}

extension MasterState {
    /// Whether any peer sentinel satisfies `predicate`, each read in place.
    @inline(__always)
    func anyPeer(_ predicate: (inout PeerState) -> Bool) -> Bool {
        sentinels.values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress.map(UnsafeMutablePointer.init(mutating:)) else { return false }
            for i in buffer.indices where predicate(&base[i]) { return true }
            return false
        }
    }
}
