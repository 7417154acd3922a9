/// Names one instance in the ``InstanceTable``: its slot, and the slot's generation when the
/// instance was added. A slot is reused after a removal with the next generation, so an id kept
/// across a removal finds nothing rather than another instance.
struct InstanceID: Hashable, Sendable, CustomStringConvertible {
    let slot: Int32
    let generation: UInt32
    init(slot: Int32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }
    /// An id no table hands out (in the vacant value, and in tests).
    init(_ raw: Int) { self.init(slot: Int32(truncatingIfNeeded: raw), generation: .max) }
    var description: String { "instance#\(slot).\(generation)" }
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
        // Through the in-place projections: a `case .master(let m)` binding would copy the data.
        switch kind {
        case .master: master.config.name
        case .replica: replica.name
        case .sentinel: runID ?? ""
        }
    }

    /// The address its link connects to.
    var address: HostPort {
        switch kind {
        case .master: master.config.address
        case .replica: replica.address
        case .sentinel: peer.address
        }
    }

    /// What a removed instance's slot holds: every field trivial or immortal.
    static let vacant = Instance(.sentinel(.vacant), now: 0)

    /// The master a replica or peer belongs to; nil for a master.
    var masterID: InstanceID? {
        switch kind {
        case .master: nil
        case .replica: replica.master
        case .sentinel: peer.master
        }
    }

    /// The kind of instance, without its data.
    typealias Kind = InstanceKind

    var kind: Kind {
        switch role {
        case .master: .master
        case .replica: .replica
        case .sentinel: .sentinel
        }
    }

    var isMaster: Bool { kind == .master }

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
        switch kind {
        case .master: master.state
        case .replica: replica.state
        case .sentinel: nil
        }
    }
}

/// Every monitored instance, by ``InstanceID`` (Redis's `sentinel.masters` dictionary with each
/// master's `slaves` and `sentinels` dictionaries, flattened). Masters are found by name through
/// ``Sentinel/masters``, replicas and peers through their master's ``MasterState/replicas`` and
/// ``MasterState/sentinels``. An id reaches its instance by position, with no hashing: this runs
/// several times per instance on every tick.
struct InstanceTable: Hashable, Sendable {
    private struct Slot: Hashable, Sendable {
        var generation: UInt32
        var live: Bool
        /// ``Instance/vacant`` once removed (not an optional: unwrapping one would copy the instance).
        var instance: Instance
    }
    private var slots: ContiguousArray<Slot> = []
    /// Slots whose instance was removed, reused last-freed first.
    private var free: [Int32] = []

    private(set) var count = 0

    /// Adds an instance and returns its new id.
    mutating func insert(_ instance: Instance) -> InstanceID {
        count += 1
        if let slot = free.popLast() {
            slots[Int(slot)].generation &+= 1
            slots[Int(slot)].live = true
            slots[Int(slot)].instance = instance
            return InstanceID(slot: slot, generation: slots[Int(slot)].generation)
        }
        slots.append(Slot(generation: 0, live: true, instance: instance))
        return InstanceID(slot: Int32(slots.count - 1), generation: 0)
    }

    /// Removes an instance (its id finds nothing afterwards).
    mutating func remove(_ id: InstanceID) {
        guard contains(id) else { return }
        slots[Int(id.slot)].live = false
        slots[Int(id.slot)].instance = .vacant
        free.append(id.slot)
        count -= 1
    }

    /// Whether the instance is still in the table.
    func contains(_ id: InstanceID) -> Bool {
        id.slot >= 0 && Int(id.slot) < slots.count && slots[Int(id.slot)].generation == id.generation
            && slots[Int(id.slot)].live
    }

    /// The instance with this id, read or modified in place (a chain such as
    /// `instances[id].master.config.quorum` reads one field and copies nothing). The id must be in
    /// the table.
    subscript(id: InstanceID) -> Instance {
        _read {
            precondition(contains(id), "no \(id)")
            yield slots[Int(id.slot)].instance
        }
        _modify {
            precondition(contains(id), "no \(id)")
            yield &slots[Int(id.slot)].instance
        }
    }

    /// The instance with this id, if it is still in the table (a copy).
    func lookup(_ id: InstanceID) -> Instance? {
        contains(id) ? slots[Int(id.slot)].instance : nil
    }

    /// Runs `body` on the instance with this id, lent in place; nil if there is none.
    @inline(__always)
    func read<R>(_ id: InstanceID, _ body: (borrowing Instance) -> R) -> R? {
        guard contains(id) else { return nil }
        return body(self[id])
    }

    /// Runs `body` on the instance with this id, modified in place; nil if there is none.
    @inline(__always) @discardableResult
    mutating func modify<R>(_ id: InstanceID, _ body: (inout Instance) -> R) -> R? {
        guard contains(id) else { return nil }
        return body(&self[id])
    }
}

/// What an instance is: the master, one of its replicas, or a peer sentinel watching it.
package enum InstanceKind: String, Hashable, Sendable {
    case master
    case replica
    case sentinel
}
