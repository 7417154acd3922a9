import DequeModule
import OrderedCollections
import RESP
/// The INFO command of the sentinel's port: sections server, clients, cpu, stats and sentinel.
extension Sentinel {
    /// The INFO inputs: the static ones the runtime set in ``serverInfoBase``, plus live numbers.
    func serverInfoInput() -> ServerInfoInput {
        var input = serverInfoBase
        input.runID = myID
        input.tcpPort = settings.port
        input.pid = processStats.pid
        input.serverTimeMicros = processStats.unixTimeMicros
        input.uptimeMillis = now - startTime
        input.connectedClients = clients.count
        input.maxClients = settings.maxClients
        input.clientRecentMaxInputBuffer = recentInputBuffer.value(at: now / 1000)
        input.clientRecentMaxOutputBuffer = recentOutputBuffer.value(at: now / 1000)
        if processStats.hz > 0 { input.hz = processStats.hz }
        // Clients whose commands wait for a CLIENT PAUSE count as blocked, as in Redis.
        input.blockedClients = postponedClients.count
        input.cpuSysMicros = Int64(processStats.usedCPUSys * 1_000_000)
        input.cpuUserMicros = Int64(processStats.usedCPUUser * 1_000_000)
        input.cpuSysChildrenMicros = Int64(processStats.usedCPUSysChildren * 1_000_000)
        input.cpuUserChildrenMicros = Int64(processStats.usedCPUUserChildren * 1_000_000)
        input.totalConnectionsReceived = counters.connectionsReceived
        input.totalCommandsProcessed = counters.commandsProcessed
        input.rejectedConnections = counters.rejectedConnections
        input.totalErrorReplies = counters.errorReplies + Int(traffic.protocolErrors)
        input.totalNetInputBytes = traffic.inputBytes
        input.totalNetOutputBytes = traffic.outputBytes
        input.totalReadsProcessed = Int(traffic.reads)
        input.totalWritesProcessed = Int(traffic.writes)
        input.instantaneousOpsPerSec = Int(trafficRates.commands.perSecond)
        // Redis: (float)getInstantaneousMetric(...)/1024.
        input.instantaneousInputKbps = Double(trafficRates.input.perSecond) / 1024
        input.instantaneousOutputKbps = Double(trafficRates.output.perSecond) / 1024
        var channels = Set<String>()
        var patterns = Set<String>()
        var prefixes = Set<String>()
        var tracking = 0
        for client in clients.values {
            channels.formUnion(client.channels)
            patterns.formUnion(client.patterns)
            if let state = client.tracking {
                tracking += 1
                if state.bcast { prefixes.formUnion(state.prefixes) }
            }
        }
        input.pubsubChannels = channels.count
        input.pubsubPatterns = patterns.count
        input.trackingClients = tracking
        input.trackingTotalPrefixes = prefixes.count
        return input
    }

    static let infoSectionNames = ["server", "clients", "stats", "cpu", "sentinel"]

    /// Renders INFO for the requested sections (`default`, `all`, `everything` or none select all
    /// five; unknown names are dropped silently, as in Redis's sentinel mode).
    func infoText(sections requested: [String]) -> String {
        var wanted = Set<String>()
        if requested.isEmpty { wanted = Set(Self.infoSectionNames) }
        for name in requested.map({ $0.lowercased() }) {
            if ["default", "all", "everything"].contains(name) {
                wanted.formUnion(Self.infoSectionNames)
            } else if Self.infoSectionNames.contains(name) {
                wanted.insert(name)
            }
        }
        var parts: [String] = []
        for name in Self.infoSectionNames where wanted.contains(name) {
            switch name {
            case "server": parts.append(InfoSections.server(serverInfoInput()))
            case "clients": parts.append(InfoSections.clients(serverInfoInput()))
            case "cpu": parts.append(InfoSections.cpu(serverInfoInput()))
            case "stats": parts.append(InfoSections.stats(serverInfoInput()))
            default: parts.append(sentinelInfoSection())
            }
        }
        return parts.joined(separator: "\r\n")
    }
}
