import RESP

/// Splits config lines into arguments.
package enum ConfigTokenizer {
    /// Splits one line into arguments with the rules of Redis's `sdssplitargs`:
    /// arguments are separated by blanks; `"..."` understands `\n \r \t \b \a \\ \"` and `\xHH`
    /// (any other escaped character stands for itself); `'...'` understands only `\'`; a closing
    /// quote must be followed by a blank or the end of the line.
    /// - Returns: the arguments, or nil for unbalanced quotes.
    package static func split(_ line: some StringProtocol) -> [String]? {
        splitBytes(Array(line.utf8))?.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Byte-level form of ``split(_:)``.
    static func splitBytes(_ p: [UInt8]) -> [[UInt8]]? {
        ArgumentSplitter.split(p)
    }

    /// C `isspace` in the C locale.
    static func isCSpace(_ c: UInt8) -> Bool { ArgumentSplitter.isSpace(c) }

    /// Splits a whole file into lines on `\n` (like Redis, which splits the file content on newlines
    /// only) and trims each line of ` \t\r\n` at both ends (Redis's `sdstrim(line, " \t\r\n")`).
    package static func lines(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var text = text
        // One pass over the contiguous bytes (the config is re-read at every save).
        var result: [String] = text.withUTF8 { bytes in
            func isTrim(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0d || c == 0x0a }
            var lines: [String] = []
            var start = 0
            while true {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var first = start
                var last = end
                while first < last && isTrim(bytes[first]) { first += 1 }
                while last > first && isTrim(bytes[last - 1]) { last -= 1 }
                lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[first..<last]), as: UTF8.self))
                if end >= bytes.count { return lines }
                start = end + 1
            }
        }
        if text.utf8.last == UInt8(ascii: "\n") { result.removeLast() }
        return result
    }
}
