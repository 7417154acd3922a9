//===----------------------------------------------------------------------===//
// swift-sentinel — a libFuzzer custom mutator that swaps numbers for boundary values
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer keeps an input only when it reaches new code, and a value that overflows an
/// arithmetic operation reaches no new code before it traps: `down-after-milliseconds 5000` and
/// `... 1000000000000000000` look the same to coverage. So one mutation in four replaces a
/// decimal number of the input (`-?[0-9]+`) by a boundary value or a multiple of it; the others
/// are libFuzzer's own. This serves every target (epochs in hellos, INFO fields, config values,
/// bulk lengths, SET values).
enum NumberMutator {
    static let boundaries: [String] = [
        "0", "1", "-1", "2", "255", "256", "65535", "65536", "2147483647", "2147483648", "-2147483648",
        "4294967295", "4294967296", "9007199254740993",
        "9223372036854775807", "9223372036854775806", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775807", "18446744073709551615", "18446744073709551616", "99999999999999999999",
        // Int64.max / 2, / 3, / 5, / 10, / 1000 and one more: the edges of `* 2`, `* 3`, `* 5`,
        // `* 10`, `* 1000`.
        "4611686018427387903", "4611686018427387904", "3074457345618258602", "3074457345618258603",
        "1844674407370955161", "1844674407370955162", "922337203685477580", "922337203685477581",
        "9223372036854775", "9223372036854776",
    ]

    /// Replaces one number in `data[0..<size]` in place; the new size, or nil (no number, or no room).
    static func mutate(_ data: UnsafeMutablePointer<UInt8>, size: Int, maxSize: Int, seed: UInt32) -> Int? {
        var rng = seed == 0 ? 0x9E37_79B9 : UInt64(seed)
        func next() -> Int {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: rng >> 33)
        }
        let bytes = UnsafeBufferPointer(start: data, count: size)
        var numbers: [Range<Int>] = []
        var index = 0
        while index < size {
            let isDigit = bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
            if isDigit {
                var start = index
                if start > 0 && bytes[start - 1] == UInt8(ascii: "-") { start -= 1 }
                var end = index
                while end < size && bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9") { end += 1 }
                numbers.append(start..<end)
                index = end
            } else {
                index += 1
            }
        }
        guard !numbers.isEmpty else { return nil }
        let range = numbers[next() % numbers.count]
        let replacement: [UInt8]
        if next() % 4 == 0, let old = Int64(String(decoding: bytes[range], as: UTF8.self)) {
            // Near the old value: off by one, doubled, times ten or a thousand (wrapping).
            let factors: [Int64] = [2, 10, 1000, -1]
            let changed =
                next() % 2 == 0 ? old &+ Int64(next() % 3 - 1) : old &* factors[next() % factors.count]
            replacement = Array(String(changed).utf8)
        } else {
            replacement = Array(boundaries[next() % boundaries.count].utf8)
        }
        let newSize = size - range.count + replacement.count
        guard newSize <= maxSize else { return nil }
        let tail = Array(bytes[range.upperBound...])
        replacement.withUnsafeBufferPointer { (data + range.lowerBound).update(from: $0.baseAddress!, count: $0.count) }
        tail.withUnsafeBufferPointer {
            if $0.count > 0 { (data + range.lowerBound + replacement.count).update(from: $0.baseAddress!, count: $0.count) }
        }
        return newSize
    }
}

@_silgen_name("LLVMFuzzerMutate")
func libFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int) -> Int

/// libFuzzer calls this instead of its own mutations when it is defined.
@_cdecl("LLVMFuzzerCustomMutator")
func fuzzCustomMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: CUnsignedInt) -> Int {
    if let data, size > 0, seed % 4 == 0,
        let newSize = NumberMutator.mutate(data, size: size, maxSize: maxSize, seed: seed / 4)
    {
        return newSize
    }
    return libFuzzerMutate(data, size, maxSize)
}
