//===----------------------------------------------------------------------===//
// swift-sentinel — saturating arithmetic for values that come from outside
//===----------------------------------------------------------------------===//

/// Arithmetic that clamps to `Int64.min ... Int64.max` instead of trapping.
///
/// Swift traps on overflow; C Redis wraps (undefined behaviour, in practice two's complement).
/// Every sum, difference or product that involves a value taken from a client, a peer, a hello,
/// an INFO reply or the config file (down-after-milliseconds, failover-timeout, a coordinated
/// pause, a replication offset, the SENTINEL DEBUG periods, an epoch) goes through these, so that
/// no such value can stop the process: a deadline past `Int64.max` ms simply never comes.
extension Int64 {
    /// `self + other`, clamped.
    func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self - other`, clamped.
    func saturatingSubtracting(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other < 0 ? .max : .min
    }

    /// `self * factor`, clamped.
    func saturatingMultiplied(by factor: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: factor)
        guard overflow else { return product }
        return (self < 0) == (factor < 0) ? .max : .min
    }
}
