//===----------------------------------------------------------------------===//
// swift-sentinel — splitting a line into arguments (inline commands, sentinel.conf)
//===----------------------------------------------------------------------===//

/// Splits a line into words with the rules Redis uses for inline commands and for config file lines
/// (its `sdssplitargs`), so `RESPDecoder` and the config parser share one implementation.
package enum ArgumentSplitter {
    /// Words are separated by blanks. Inside `"..."` the escapes `\n \r \t \b \a \\ \"` and `\xHH`
    /// are understood (any other `\c` is `c`); inside `'...'` only `\'` is. Quotes may start
    /// mid-word (`a"b c"` is `ab c`) but a closing quote must be followed by a blank or the end,
    /// and every quote must close. The line ends at a NUL byte, as in C.
    ///
    /// - Returns: the words, or `nil` for unbalanced quotes.
    package static func split(_ line: some RandomAccessCollection<UInt8>) -> [[UInt8]]? {
        let start = line.startIndex
        let end = line.firstIndex(of: 0).map { line.distance(from: start, to: $0) } ?? line.count
        // The byte at offset `k`, or NUL past the end.
        func at(_ k: Int) -> UInt8 { k < end ? line[line.index(start, offsetBy: k)] : 0 }
        let quote = UInt8(ascii: "\"")
        let apostrophe = UInt8(ascii: "'")
        let backslash = UInt8(ascii: "\\")

        var words: [[UInt8]] = []
        var i = 0
        while true {
            while i < end && isSpace(at(i)) { i += 1 }
            if i >= end { return words }
            var word: [UInt8] = []
            var inDouble = false
            var inSingle = false
            var done = false
            while !done {
                let c = at(i)
                if inDouble {
                    if c == backslash && at(i + 1) == UInt8(ascii: "x"),
                        let hi = hexValue(at(i + 2)), let lo = hexValue(at(i + 3))
                    {
                        word.append(hi << 4 | lo)
                        i += 3
                    } else if c == backslash && at(i + 1) != 0 {
                        i += 1
                        switch at(i) {
                        case UInt8(ascii: "n"): word.append(0x0A)
                        case UInt8(ascii: "r"): word.append(0x0D)
                        case UInt8(ascii: "t"): word.append(0x09)
                        case UInt8(ascii: "b"): word.append(0x08)
                        case UInt8(ascii: "a"): word.append(0x07)
                        case let other: word.append(other)
                        }
                    } else if c == quote {
                        let next = at(i + 1)
                        if next != 0 && !isSpace(next) { return nil }
                        done = true
                    } else if c == 0 {
                        return nil
                    } else {
                        word.append(c)
                    }
                } else if inSingle {
                    if c == backslash && at(i + 1) == apostrophe {
                        i += 1
                        word.append(apostrophe)
                    } else if c == apostrophe {
                        let next = at(i + 1)
                        if next != 0 && !isSpace(next) { return nil }
                        done = true
                    } else if c == 0 {
                        return nil
                    } else {
                        word.append(c)
                    }
                } else {
                    switch c {
                    case 0x20, 0x0A, 0x0D, 0x09, 0:
                        done = true
                    case quote:
                        inDouble = true
                    case apostrophe:
                        inSingle = true
                    default:
                        word.append(c)
                    }
                }
                if i < end { i += 1 }
            }
            words.append(word)
        }
    }

    /// C `isspace` in the C locale.
    package static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }

    package static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
