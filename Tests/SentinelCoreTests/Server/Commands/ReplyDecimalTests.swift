//===----------------------------------------------------------------------===//
// swift-sentinel — numbers in instance records
//===----------------------------------------------------------------------===//

import Testing

@testable import SentinelCore

/// SENTINEL MASTER(S)/REPLICAS/SENTINELS write numbers as Redis's addReplyBulkLongLong does, in
/// plain decimal; the direct formatter must give exactly what `Int64.description` gives.
@Suite("Reply decimals")
struct ReplyDecimalTests {
    @Test func edgesMatchDescription() {
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 1_000, 65_535, 1_000_000_007]
        var power: Int64 = 1
        for _ in 0..<18 {
            values += [power - 1, power, power + 1, -(power - 1), -power, -(power + 1)]
            power *= 10
        }
        values += [Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
        for value in values {
            #expect(ReplyFields.decimal(value) == value.description, "\(value)")
        }
    }

    @Test func seededRandomMatchDescription() {
        var state: UInt64 = 0x5EED
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            // Spread over every magnitude: shift the random bits by a random amount.
            let value = Int64(bitPattern: state) >> (state % 64)
            #expect(ReplyFields.decimal(value) == value.description, "\(value)")
        }
    }
}
