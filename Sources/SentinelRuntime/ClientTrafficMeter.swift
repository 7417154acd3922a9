//===----------------------------------------------------------------------===//
// swift-sentinel — the byte and syscall counts of client connections
//===----------------------------------------------------------------------===//

import SentinelCore

/// The running I/O totals of every client connection of one runtime, counted by the
/// ``ClientConnectionHandler``s (all on the runtime's one event loop) and handed to the core as
/// ``Event/clientTraffic(_:)`` whenever they changed. Plain stored integers: counting costs a few
/// additions per read and per flush.
package final class ClientTrafficMeter {
    package var totals = ClientTraffic()

    package init() {}
}

@available(*, unavailable)
extension ClientTrafficMeter: Sendable {}
