import Foundation

/// Turns a reply into lines that keep what two sentinels must agree on and mask what is
/// volatile, so that two replies can be compared with a line diff.
///
/// Kept: the RESP type of every element, map keys and their order, record field names and
/// their order (flat RESP2 key/value arrays are kept as they are: names stay, values are
/// masked like any string), error prefixes and texts, the field names of INFO sections and of
/// CLIENT INFO/LIST records. Masked: every number (integers, doubles, digits inside strings:
/// ports, times, addresses, versions) becomes `#`, every 40-hex run id becomes `<id>`, and
/// INFO and CLIENT field values are dropped.
enum ReplyShape {
    enum Ordering: Sendable {
        /// Element order matters everywhere.
        case ordered
        /// The top-level array is a list of records whose order is a hash-table order
        /// (SENTINEL MASTERS/REPLICAS/SENTINELS): its elements are sorted.
        case unorderedTopLevel
        /// Every array is sorted (COMMAND INFO subcommands, INFO-CACHE entries).
        case unorderedDeep
    }

    static func lines(_ reply: RESPReply, ordering: Ordering = .ordered) -> [String] {
        render(reply, depth: 0, ordering: ordering)
    }

    // MARK: Masking

    static func mask(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var index = 0
        func isDigit(_ at: Int) -> Bool { at < chars.count && chars[at].isASCII && chars[at].isNumber }
        func isLowerHex(_ at: Int) -> Bool { isDigit(at) || ("a"..."f").contains(chars[at]) }
        while index < chars.count {
            // A 40-character lowercase hex run is a run id.
            var end = index
            while end < chars.count && isLowerHex(end) { end += 1 }
            if end - index == 40 && (index == 0 || !isLowerHex(index - 1)) {
                out += "<id>"
                index = end
                continue
            }
            // A number: optional minus, digits, and dotted groups (addresses, versions).
            if isDigit(index) || (chars[index] == "-" && isDigit(index + 1)) {
                var next = index + 1
                while isDigit(next) { next += 1 }
                while next < chars.count && chars[next] == "." && isDigit(next + 1) {
                    next += 1
                    while isDigit(next) { next += 1 }
                }
                out += "#"
                index = next
                continue
            }
            out.append(chars[index])
            index += 1
        }
        return out
    }

    /// `a=1,b=2` style values (INFO `master0:`, `slave0:`, `db0:` lines).
    private static func subfieldNames(_ value: String) -> [Substring]? {
        let parts = value.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        var names: [Substring] = []
        for part in parts {
            guard let equals = part.firstIndex(of: "=") else { return nil }
            let name = part[..<equals]
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" || $0 == "-" }) else { return nil }
            names.append(name)
        }
        return names
    }

    private static func quoted(_ text: String) -> String {
        "\"" + mask(text).replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    // MARK: Rendering

    private static func render(_ reply: RESPReply, depth: Int, ordering: Ordering) -> [String] {
        let pad = String(repeating: "  ", count: depth)
        switch reply {
        case .simpleString(let text): return [pad + "simple " + quoted(text)]
        case .simpleError(let text): return [pad + "error " + quoted(text)]
        case .bulkError(let text): return [pad + "bulk-error " + quoted(text)]
        case .integer: return [pad + "integer #"]
        case .double: return [pad + "double #"]
        case .bigNumber: return [pad + "big-number #"]
        case .boolean(let value): return [pad + "boolean \(value)"]
        case .nullBulkString: return [pad + "null-bulk"]
        case .nullArray: return [pad + "null-array"]
        case .null: return [pad + "null"]
        case .bulkString(let text): return renderText(text, kind: "bulk", depth: depth)
        case .verbatim(let format, let text): return renderText(text, kind: "verbatim \(format)", depth: depth)
        case .array(let items):
            return [pad + "array"] + renderChildren(items, depth: depth + 1, sort: ordering != .ordered, ordering: ordering)
        case .set(let items):
            return [pad + "set"] + renderChildren(items, depth: depth + 1, sort: true, ordering: ordering)
        case .push(let items):
            return [pad + "push"] + renderChildren(items, depth: depth + 1, sort: false, ordering: ordering)
        case .map(let pairs):
            return [pad + "map"] + renderPairs(pairs, depth: depth + 1, ordering: ordering)
        case .attributed(let pairs, let value):
            return [pad + "attribute"] + renderPairs(pairs, depth: depth + 1, ordering: ordering)
                + render(value, depth: depth, ordering: ordering)
        }
    }

    private static func renderChildren(_ items: [RESPReply], depth: Int, sort: Bool, ordering: Ordering) -> [String] {
        let childOrdering: Ordering = ordering == .unorderedDeep ? .unorderedDeep : .ordered
        var blocks = items.map { render($0, depth: depth, ordering: childOrdering) }
        if sort {
            blocks.sort { $0.joined(separator: "\n") < $1.joined(separator: "\n") }
        }
        return blocks.flatMap { $0 }
    }

    private static func renderPairs(_ pairs: [RESPReply.Pair], depth: Int, ordering: Ordering) -> [String] {
        let pad = String(repeating: "  ", count: depth)
        let childOrdering: Ordering = ordering == .unorderedDeep ? .unorderedDeep : .ordered
        var result: [String] = []
        for pair in pairs {
            let key = render(pair.key, depth: 0, ordering: childOrdering)
            if key.count == 1 {
                result.append(pad + "key " + key[0])
            } else {
                result.append(pad + "key")
                result += render(pair.key, depth: depth + 1, ordering: childOrdering)
            }
            result += render(pair.value, depth: depth + 1, ordering: childOrdering)
        }
        return result
    }

    /// Bulk and verbatim strings: INFO text and CLIENT INFO/LIST records are broken into field
    /// names; anything else is one masked line.
    private static func renderText(_ text: String, kind: String, depth: Int) -> [String] {
        let pad = String(repeating: "  ", count: depth)
        if text.hasPrefix("# ") && text.contains("\r\n") {
            return [pad + kind + " info"] + renderInfo(text, depth: depth + 1)
        }
        if text.hasPrefix("id=") && text.contains(" addr=") {
            return [pad + kind + " client-records"] + renderClientRecords(text, depth: depth + 1)
        }
        return [pad + kind + " " + quoted(text)]
    }

    private static func renderInfo(_ text: String, depth: Int) -> [String] {
        let pad = String(repeating: "  ", count: depth)
        var result: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let line = String(line)
            if line.hasPrefix("# ") {
                result.append(pad + "section " + line.dropFirst(2))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                result.append(pad + "  text " + quoted(line))
                continue
            }
            let name = line[..<colon]
            let value = String(line[line.index(after: colon)...])
            if let keys = subfieldNames(value) {
                result.append(pad + "  field \(name) {\(keys.joined(separator: ","))}")
            } else {
                result.append(pad + "  field \(name)")
            }
        }
        return result
    }

    /// One block per distinct field-name sequence (the number of connected clients varies).
    private static func renderClientRecords(_ text: String, depth: Int) -> [String] {
        let pad = String(repeating: "  ", count: depth)
        var sequences: [[String]] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let names = line.split(separator: " ").map { String($0.split(separator: "=", maxSplits: 1)[0]) }
            if !sequences.contains(names) {
                sequences.append(names)
            }
        }
        sequences.sort { $0.joined(separator: " ") < $1.joined(separator: " ") }
        return sequences.flatMap { names in
            [pad + "client"] + names.map { pad + "  client-field " + $0 }
        }
    }
}

/// A line diff (longest common subsequence) between the reference's and the candidate's lines.
enum LineDiff {
    enum Side: String, Sendable {
        /// A line only the reference sentinel produced (missing in the candidate).
        case reference
        /// A line only the candidate produced (extra, or different, in the candidate).
        case candidate
    }

    struct Entry: Sendable, CustomStringConvertible {
        let side: Side
        let line: String
        /// The last line both sides had before this one (for reports; not used for matching).
        var after: String? = nil

        var description: String {
            (side == .reference ? "- " : "+ ") + line
        }
    }

    static func compare(_ reference: [String], _ candidate: [String]) -> [Entry] {
        let n = reference.count
        let m = candidate.count
        // lengths[i][j] = LCS length of reference[i...] and candidate[j...]
        var lengths = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i][j] = reference[i] == candidate[j]
                    ? lengths[i + 1][j + 1] + 1
                    : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var entries: [Entry] = []
        var i = 0
        var j = 0
        var lastCommon: String?
        while i < n || j < m {
            if i < n && j < m && reference[i] == candidate[j] {
                lastCommon = reference[i]
                i += 1
                j += 1
            } else if j < m && (i == n || lengths[i][j + 1] >= lengths[i + 1][j]) {
                entries.append(Entry(side: .candidate, line: candidate[j], after: lastCommon))
                j += 1
            } else {
                entries.append(Entry(side: .reference, line: reference[i], after: lastCommon))
                i += 1
            }
        }
        return entries
    }
}
