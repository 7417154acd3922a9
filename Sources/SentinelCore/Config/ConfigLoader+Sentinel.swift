/// The `sentinel ...` lines of the loader (Redis's sentinelHandleConfiguration).
extension ConfigLoader {
    /// Applies one `sentinel` line (without the `sentinel` word). Returns an error message, or nil.
    ///
    /// Reproduces Redis's `sentinel` config handler: the argument count must match exactly
    /// ("Unrecognized sentinel configuration statement."), a per-master option names an existing
    /// master ("No such master with specified name."), then the values are checked.
    mutating func applySentinel(_ args: [String]) -> String? {
        let option = args[0].lowercased()
        let a = Array(args.dropFirst())
        if a.count == 2, let row = MasterOption.named(option), row.inFile {
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            return row.load(a[1], into: &config.masters[index])
        }
        if a.count == 1, let row = SentinelOption.named(option), row.inFile {
            return row.load(a[0], into: &config)
        }
        switch (option, a.count) {
        case ("monitor", 4):
            return monitor(name: a[0], host: a[1], port: a[2], quorum: a[3])
        case ("coordinated-failover", 8), ("coordinated-failover", 9):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            guard let deadline = Int64(a[7]) else { return ConfigMessages.invalidNumber }
            guard let epoch = ConfigDirectives.parseEpoch(a[1]) else { return ConfigDirectives.epochError(a[1]) }
            guard let method = a.count == 9 ? HandoverMethod(rawValue: a[8].lowercased()) : .serverFailover else {
                return ConfigMessages.unknownHandoverMethod
            }
            let old: HostPort
            let target: HostPort
            switch (makeAddress(host: a[3], port: a[4]), makeAddress(host: a[5], port: a[6])) {
            case (.success(let o), .success(let t)):
                old = o
                target = t
            case (.failure(let error), _), (_, .failure(let error)):
                return error.message
            }
            config.masters[index].coordinatedRecord = CoordinatedRecord(
                epoch: epoch, leader: a[2], old: old, target: target, pauseEndsUnixMillis: deadline, method: method)
        case ("config-epoch", 2):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            guard let epoch = ConfigDirectives.parseEpoch(a[1]) else { return ConfigDirectives.epochError(a[1]) }
            config.masters[index].configEpoch = epoch
            config.currentEpoch = max(config.currentEpoch, epoch)
        case ("leader-epoch", 2):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            guard let epoch = ConfigDirectives.parseEpoch(a[1]) else { return ConfigDirectives.epochError(a[1]) }
            config.masters[index].leaderEpoch = epoch
        case ("known-replica", 3), ("known-slave", 3):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            let address: HostPort
            switch makeAddress(host: a[1], port: a[2]) {
            case .success(let value): address = value
            case .failure(let error): return error.message
            }
            let key = HostPort(address.host.lowercased(), address.port)
            guard knownReplicaKeys[a[0], default: []].insert(key).inserted else {
                return ConfigMessages.duplicateReplica
            }
            config.masters[index].knownReplicas.append(address)
        case ("known-sentinel", 3):
            // The old form without a run id: silently ignored, as in Redis.
            break
        case ("known-sentinel", 4):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            let address: HostPort
            switch makeAddress(host: a[1], port: a[2]) {
            case .success(let value): address = value
            case .failure(let error): return error.message
            }
            guard knownSentinelIDs[a[0], default: []].insert(a[3]).inserted else {
                return ConfigMessages.duplicateSentinel
            }
            config.masters[index].knownSentinels.append(KnownSentinel(address: address, runID: a[3]))
        case ("rename-command", 3):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            let command = a[1].lowercased()
            guard !config.masters[index].renamedCommands.contains(where: { $0.command == command }) else {
                return ConfigMessages.renamedTwice
            }
            config.masters[index].renamedCommands.append(RenamedCommand(command: command, renamed: a[2]))
        case ("current-epoch", 1):
            guard let epoch = ConfigDirectives.parseEpoch(a[0]) else { return ConfigDirectives.epochError(a[0]) }
            config.currentEpoch = max(config.currentEpoch, epoch)
        case ("myid", 1):
            guard a[0].utf8.count == 40 else { return ConfigMessages.malformedID }
            config.myID = a[0]
        default:
            return ConfigMessages.unrecognizedSentinel
        }
        return nil
    }

    /// `sentinel monitor <name> <host> <port> <quorum>`: Redis checks the quorum first, then
    /// creates the instance (address, then the duplicate-name check).
    mutating func monitor(name: String, host: String, port: String, quorum quorumText: String) -> String? {
        guard let quorum = Int(quorumText), quorum > 0 else { return ConfigMessages.quorum }
        guard ConfigDirectives.isValidMasterName(name) else { return ConfigMessages.invalidMasterName }
        let address: HostPort
        switch makeAddress(host: host, port: port) {
        case .success(let value): address = value
        case .failure(let error): return error.message
        }
        guard masterIndex[name] == nil else { return ConfigMessages.duplicateMaster }
        masterIndex[name] = config.masters.count
        config.masters.append(MasterConfig(name: name, address: address, quorum: quorum))
        return nil
    }

    struct AddressError: Error { var message: String }

    /// Builds an instance address as Redis's `createSentinelAddr` does, without resolving: the
    /// port must be 0...65535; the host must be an IP literal unless `resolve-hostnames` is on
    /// (pass 1 has already applied it).
    func makeAddress(host: String, port portText: String) -> Result<HostPort, AddressError> {
        guard let port = ConfigDirectives.parsePort(portText) else { return .failure(AddressError(message: ConfigMessages.invalidPortNumber)) }
        guard !host.isEmpty, config.resolveHostnames || IPAddressLiteral.isValid(host) else {
            return .failure(AddressError(message: ConfigMessages.cantResolve))
        }
        return .success(HostPort(host, port))
    }
}
