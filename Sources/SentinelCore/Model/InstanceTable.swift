import OrderedCollections

/// Names one instance in the ``InstanceTable``. Allocated in increasing order and never reused,
/// so an id kept across a removal finds nothing rather than another instance.
struct InstanceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    let raw: Int
    init(_ raw: Int) { self.raw = raw }
    static func < (a: InstanceID, b: InstanceID) -> Bool { a.raw < b.raw }
    var description: String { "instance#\(raw)" }
}

/// One monitored instance, as Redis's `sentinelRedisInstance`: a master, a replica of one, or a
/// peer sentinel discovered under one (a sentinel monitoring two of our masters is two instances
/// sharing one link, as in Redis). The fields every kind has are stored here once; the role
/// carries the kind's own data, so a replica cannot have a quorum nor a master a vote.
struct Instance: Hashable, Sendable {
    /// `run_id` from a master's or replica's INFO (nil until one arrives); a peer's runid, from
    /// its hello, which is also its key among its master's sentinels.
    var runID: String?
    /// Subjectively down (`SRI_S_DOWN`), and since when.
    var sDown = false
    var sDownSince: Millis = 0
    /// Last hello PUBLISHed to it that was acknowledged (for a peer: sent to it for its master).
    var lastPubTime: Millis
    var role: Role

    /// The kind of instance, with its own data.
    enum Role: Hashable, Sendable {
        case master(MasterState)
        case replica(ReplicaState)
        case sentinel(PeerState)
    }

    init(_ role: Role, runID: String? = nil, now: Millis) {
        self.role = role
        self.runID = runID
        self.lastPubTime = now
    }

    /// Its name in replies and events: the master's name, a replica's `ip:port`, a peer's runid.
    var name: String {
        switch role {
        case .master(let m): m.config.name
        case .replica(let r): r.name
        case .sentinel: runID ?? ""
        }
    }

    /// The address its link connects to.
    var address: HostPort {
        switch role {
        case .master(let m): m.config.address
        case .replica(let r): r.address
        case .sentinel(let p): p.address
        }
    }

    /// The master a replica or peer belongs to; nil for a master.
    var masterID: InstanceID? {
        switch role {
        case .master: nil
        case .replica(let r): r.master
        case .sentinel(let p): p.master
        }
    }

    var isMaster: Bool {
        if case .master = role { return true }
        return false
    }

    // The role's data, read in place and modified in place. Modifying puts a vacant value in the
    // role while the body runs, so the data is referenced once and a change to its collections
    // does not copy them (as ``ConnectionState/modifyUp(_:)``). Asking a replica for its master
    // data is a programming error, like a wrong key in Redis's dictionaries.

    /// A master's own data.
    var master: MasterState {
        _read {
            guard case .master(let m) = role else { preconditionFailure("\(name) is not a master") }
            yield m
        }
        _modify {
            guard case .master(var m) = role else { preconditionFailure("\(name) is not a master") }
            role = .sentinel(.vacant)
            defer { role = .master(m) }
            yield &m
        }
    }

    /// A replica's own data.
    var replica: ReplicaState {
        _read {
            guard case .replica(let r) = role else { preconditionFailure("\(name) is not a replica") }
            yield r
        }
        _modify {
            guard case .replica(var r) = role else { preconditionFailure("\(name) is not a replica") }
            role = .sentinel(.vacant)
            defer { role = .replica(r) }
            yield &r
        }
    }

    /// A peer sentinel's own data.
    var peer: PeerState {
        _read {
            guard case .sentinel(let p) = role else { preconditionFailure("\(name) is not a sentinel") }
            yield p
        }
        _modify {
            guard case .sentinel(var p) = role else { preconditionFailure("\(name) is not a sentinel") }
            role = .sentinel(.vacant)
            defer { role = .sentinel(p) }
            yield &p
        }
    }

    /// What INFO says about a master or replica; nil for a peer.
    var info: RedisInstanceState? {
        switch role {
        case .master(let m): m.state
        case .replica(let r): r.state
        case .sentinel: nil
        }
    }
}

/// Every monitored instance, by ``InstanceID`` (Redis's `sentinel.masters` dictionary with each
/// master's `slaves` and `sentinels` dictionaries, flattened). Masters are found by name through
/// ``Sentinel/masters``, replicas and peers through their master's ``MasterState/replicas`` and
/// ``MasterState/sentinels``.
struct InstanceTable: Hashable, Sendable {
    private var entries: OrderedDictionary<InstanceID, Instance> = [:]
    private var nextID = 1

    var count: Int { entries.count }

    /// Adds an instance and returns its new id.
    mutating func insert(_ instance: Instance) -> InstanceID {
        let id = InstanceID(nextID)
        nextID += 1
        entries[id] = instance
        return id
    }

    /// Removes an instance (its id finds nothing afterwards).
    mutating func remove(_ id: InstanceID) {
        entries.removeValue(forKey: id)
    }

    /// The instance with this id, read or modified in place. The id must be in the table.
    subscript(id: InstanceID) -> Instance {
        get {
            guard let index = entries.index(forKey: id) else { preconditionFailure("no \(id)") }
            return entries.values[index]
        }
        _modify {
            guard let index = entries.index(forKey: id) else { preconditionFailure("no \(id)") }
            yield &entries.values[index]
        }
    }

    /// The instance with this id, if it is still in the table (a copy).
    func lookup(_ id: InstanceID) -> Instance? {
        entries.index(forKey: id).map { entries.values[$0] }
    }

    /// Runs `body` on the instance with this id, lent in place (never copied); nil if there is none.
    @inline(__always)
    func read<R>(_ id: InstanceID, _ body: (borrowing Instance) -> R) -> R? {
        guard let index = entries.index(forKey: id) else { return nil }
        return entries.values.withUnsafeBufferPointer { body($0[index]) }
    }

    /// Runs `body` on the instance with this id, modified in place; nil if there is none.
    @inline(__always) @discardableResult
    mutating func modify<R>(_ id: InstanceID, _ body: (inout Instance) -> R) -> R? {
        guard let index = entries.index(forKey: id) else { return nil }
        return body(&entries.values[index])
    }
}
