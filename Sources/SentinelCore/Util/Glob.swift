//===----------------------------------------------------------------------===//
// swift-sentinel — glob matching with Redis's pattern rules
//===----------------------------------------------------------------------===//

/// Matches `string` against the glob `pattern` the way Redis does (`SENTINEL RESET`,
/// `SENTINEL CONFIG GET`, `COMMAND LIST FILTERBY PATTERN`, `PSUBSCRIBE`).
///
/// Both are compared as UTF-8 bytes. The rules, checked against redis-server 7.0.15:
/// * `*` matches any run of bytes, `?` any single byte.
/// * `[abc]` a set, `[a-z]` a range (a reversed range such as `[z-a]` is swapped), `[^...]`
///   negates the set. Inside a set, `\x` is the byte `x` (always compared case-sensitively).
///   An unterminated set ends with the pattern: `[ab` is `[ab]`, `[^` matches any byte and a lone
///   `[` matches nothing. `]` right after `[` closes an empty set, which matches nothing.
/// * `\x` outside a set is the literal `x`; a trailing `\` is a literal backslash.
/// * An empty string is matched only by an empty pattern (Redis quirk: `*` does not match "").
///
/// With `caseInsensitive`, ASCII letters compare case-insensitively, except escaped bytes inside
/// a set. Ranges are swapped first and lowercased after, as Redis does.
///
/// Runs in O(pattern × string) time and constant stack: each token other than `*` consumes
/// exactly one byte, so backtracking to the most recent `*` only is enough.
func globMatch(_ pattern: String, _ string: String, caseInsensitive: Bool = false) -> Bool {
    let tokens = GlobToken.parse(Array(pattern.utf8))
    let bytes = Array(string.utf8)
    if bytes.isEmpty { return tokens.isEmpty }

    var t = 0  // next token
    var s = 0  // next byte
    var starToken = -1  // token index just after the most recent `*`
    var starByte = 0  // byte index that `*` would resume from

    while s < bytes.count {
        if t < tokens.count {
            switch tokens[t] {
            case .star:
                t += 1
                starToken = t
                starByte = s
                continue
            case .single(let matcher):
                if matcher.matches(bytes[s], caseInsensitive: caseInsensitive) {
                    t += 1
                    s += 1
                    continue
                }
            }
        }
        // Mismatch or pattern exhausted: let the last `*` swallow one more byte.
        guard starToken >= 0 else { return false }
        starByte += 1
        s = starByte
        t = starToken
    }
    // The string is used up; only stars may remain.
    while t < tokens.count, case .star = tokens[t] { t += 1 }
    return t == tokens.count
}

/// One element of a parsed glob: a star, or a matcher for exactly one byte.
private enum GlobToken {
    case star
    case single(GlobByteMatcher)

    /// Splits a pattern into tokens. How far each token reaches depends only on the pattern,
    /// never on the subject string, so parsing once up front is equivalent to Redis's scan.
    static func parse(_ p: [UInt8]) -> [GlobToken] {
        var tokens: [GlobToken] = []
        var i = 0
        while i < p.count {
            switch p[i] {
            case UInt8(ascii: "*"):
                // Consecutive stars are one star.
                if case .star? = tokens.last {} else { tokens.append(.star) }
                i += 1
            case UInt8(ascii: "?"):
                tokens.append(.single(.any))
                i += 1
            case UInt8(ascii: "\\"):
                if i + 1 < p.count {
                    tokens.append(.single(.literal(p[i + 1])))
                    i += 2
                } else {
                    tokens.append(.single(.literal(p[i])))
                    i += 1
                }
            case UInt8(ascii: "["):
                i += 1
                let negated = i < p.count && p[i] == UInt8(ascii: "^")
                if negated { i += 1 }
                var items: [GlobSetItem] = []
                while i < p.count {
                    let c = p[i]
                    if c == UInt8(ascii: "\\"), i + 1 < p.count {
                        items.append(.exact(p[i + 1]))
                        i += 2
                    } else if c == UInt8(ascii: "]") {
                        i += 1
                        break
                    } else if i + 2 < p.count, p[i + 1] == UInt8(ascii: "-") {
                        items.append(.range(min(c, p[i + 2]), max(c, p[i + 2])))
                        i += 3
                    } else {
                        items.append(.byte(c))
                        i += 1
                    }
                }
                tokens.append(.single(.set(items, negated: negated)))
            default:
                tokens.append(.single(.literal(p[i])))
                i += 1
            }
        }
        return tokens
    }
}

/// Matches exactly one byte of the subject.
private enum GlobByteMatcher {
    case any
    case literal(UInt8)
    case set([GlobSetItem], negated: Bool)

    func matches(_ b: UInt8, caseInsensitive ci: Bool) -> Bool {
        switch self {
        case .any:
            return true
        case .literal(let l):
            return ci ? asciiLower(l) == asciiLower(b) : l == b
        case .set(let items, let negated):
            var hit = false
            for item in items where item.matches(b, caseInsensitive: ci) {
                hit = true
                break
            }
            return hit != negated
        }
    }
}

/// One member of a `[...]` set.
private enum GlobSetItem {
    /// An escaped byte (`\x`): compared case-sensitively even in case-insensitive mode.
    case exact(UInt8)
    /// A plain byte.
    case byte(UInt8)
    /// An inclusive range whose ends are already ordered.
    case range(UInt8, UInt8)

    func matches(_ b: UInt8, caseInsensitive ci: Bool) -> Bool {
        switch self {
        case .exact(let e):
            return e == b
        case .byte(let c):
            return ci ? asciiLower(c) == asciiLower(b) : c == b
        case .range(let lo, let hi):
            // Lowercasing after ordering can empty the range (e.g. `[Z-a]`); Redis does the same.
            if ci {
                let x = asciiLower(b)
                return x >= asciiLower(lo) && x <= asciiLower(hi)
            }
            return b >= lo && b <= hi
        }
    }
}

/// ASCII-only lowercasing, as C's `tolower` in the "C" locale.
@inline(__always)
private func asciiLower(_ b: UInt8) -> UInt8 {
    b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b
}
