//===----------------------------------------------------------------------===//
// swift-sentinel — epochs and which epochs from outside are believed
//===----------------------------------------------------------------------===//

/// A Sentinel epoch (current epoch, a master's config epoch, a vote's leader epoch): signed
/// 64-bit, never negative. redis-sentinel 7.0.15 keeps them as `uint64_t` and reads them with
/// `strtoull` (so `-1` is 2^64-1 and garbage is 0), but reads the epoch of
/// `SENTINEL IS-MASTER-DOWN-BY-ADDR` as a `long long`; we take the signed range everywhere and
/// refuse what lies outside it.
package typealias Epoch = Int64

/// Which epochs arriving from outside (a hello, a vote request) are believed (docs/security.md).
///
/// An epoch only ever grows, and every sentinel adopts the largest one it hears. A forged hello
/// announcing the largest epoch would therefore stop failover for good: no sentinel could ever
/// start a newer one. So an epoch is refused when it is negative, beyond 64 bits, or implausibly
/// far ahead of ours, which is when it is above both ``floor`` and our epoch + ``maxJump``:
///
/// * An epoch grows by one per failover attempt (a start, an election lost and retried), global
///   over every master a sentinel monitors. An extreme fleet (10,000 masters, a datacenter
///   outage a month that makes each one fail over twice, for twenty years) reaches about
///   5 million; ``floor`` is 2^32, almost 900 times that. So a new sentinel (epoch 0) joining any
///   real fleet, or one restored from an old backup, adopts the fleet's epoch at once.
/// * Between two sentinels of one fleet the gap is the failovers one of them missed while cut
///   off; ``maxJump`` (one million) is far more than any partition sees, and a fleet already past
///   the floor still advances by it.
/// * An attacker who can PUBLISH on the data nodes can still raise the fleet's epoch, but only to
///   the floor at once and by ``maxJump`` per accepted hello after that: about 9.2 × 10^12 hellos
///   to exhaust the 63 bits, against one before.
enum EpochBounds {
    /// Up to this, any epoch is plausible whatever ours is.
    static let floor: Epoch = 1 << 32
    /// How far above ours (once past the floor) an epoch is still plausible.
    static let maxJump: Epoch = 1_000_000

    /// How many senders of refused epochs are remembered, and logged, at most.
    static let maxLoggedSenders = 1024

    /// The largest epoch believed while ours is `current`.
    static func limit(current: Epoch) -> Epoch {
        max(current, floor).saturatingAdding(maxJump)
    }

    /// What an epoch field of a hello says.
    enum Check: Equatable {
        case plausible(Epoch)
        /// Negative, or a number beyond 64 signed bits.
        case outOfRange
        /// Above ``limit(current:)``.
        case tooFarAhead(Epoch, limit: Epoch)
        /// Not a number at all (such a hello is dropped silently, as before).
        case malformed
    }

    /// Classifies the decimal text of an epoch against our current epoch.
    static func check(_ text: Substring, current: Epoch) -> Check {
        guard let epoch = Epoch(text) else {
            // Digits that do not fit (an optional sign, then only digits) are a number out of range.
            let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : text
            return !digits.isEmpty && digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
                ? .outOfRange : .malformed
        }
        return check(epoch, current: current)
    }

    /// Classifies an epoch already read as a number.
    static func check(_ epoch: Epoch, current: Epoch) -> Check {
        guard epoch >= 0 else { return .outOfRange }
        let limit = limit(current: current)
        return epoch <= limit ? .plausible(epoch) : .tooFarAhead(epoch, limit: limit)
    }
}
