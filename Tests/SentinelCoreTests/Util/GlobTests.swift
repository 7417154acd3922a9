import Testing

@testable import SentinelCore

/// `globMatch` against the truth table observed on redis-server 7.0.15 (`KEYS <pattern>` over a
/// fixed set of keys), plus case-insensitive cases observed with `COMMAND LIST FILTERBY PATTERN`
/// on redis-sentinel 7.0.15.
@Suite("Glob")
struct GlobTests {
    /// The subjects stored as keys in redis-server 7.0.15.
    static let subjects: [String] = [
        "", "a", "A", "b", "B", "ab", "aB", "abc", "aXc", "a*c", "a?c", "a[c", "[", "]", "\\", "-",
        "^", "*", "?", "a-", "z", "Z", "_", "`", "m", "hello", "hallo", "hxllo", "hllo",
        "heeeello", "a\\", "\\a", "[a]", "ba", "aa", "aaa", "-a", "^a", "x]", "]x",
    ]

    /// Pattern -> the subjects `KEYS pattern` returned on redis-server 7.0.15.
    static let observed: [(pattern: String, matches: Set<String>)] = [
        ("", [""]),
        (
            "**",
            [
                "*", "-", "-a", "?", "A", "B", "Z", "[", "[a]", "\\", "\\a", "]", "]x", "^", "^a", "_", "`", "a", "a*c",
                "a-", "a?c", "aB", "aXc", "a[c", "a\\", "aa", "aaa", "ab", "abc", "b", "ba", "hallo", "heeeello",
                "hello", "hllo", "hxllo", "m", "x]", "z",
            ]
        ),
        ("a", ["a"]),
        ("A", ["A"]),
        ("?", ["*", "-", "?", "A", "B", "Z", "[", "\\", "]", "^", "_", "`", "a", "b", "m", "z"]),
        ("??", ["-a", "\\a", "]x", "^a", "a-", "aB", "a\\", "aa", "ab", "ba", "x]"]),
        ("*a", ["-a", "\\a", "^a", "a", "aa", "aaa", "ba"]),
        ("a*", ["a", "a*c", "a-", "a?c", "aB", "aXc", "a[c", "a\\", "aa", "aaa", "ab", "abc"]),
        (
            "*a*",
            [
                "-a", "[a]", "\\a", "^a", "a", "a*c", "a-", "a?c", "aB", "aXc", "a[c", "a\\", "aa", "aaa", "ab", "abc",
                "ba", "hallo",
            ]
        ),
        ("a*c", ["a*c", "a?c", "aXc", "a[c", "abc"]),
        ("a?c", ["a*c", "a?c", "aXc", "a[c", "abc"]),
        ("a\\*c", ["a*c"]),
        ("a\\?c", ["a?c"]),
        ("\\a", ["a"]),
        ("\\\\", ["\\"]),
        ("\\", ["\\"]),
        ("a\\", ["a\\"]),
        ("\\*", ["*"]),
        ("[ab]", ["a", "b"]),
        ("[^ab]", ["*", "-", "?", "A", "B", "Z", "[", "\\", "]", "^", "_", "`", "m", "z"]),
        ("[a-c]", ["a", "b"]),
        ("[c-a]", ["a", "b"]),
        ("[A-Z]", ["A", "B", "Z"]),
        ("[Z-a]", ["Z", "[", "\\", "]", "^", "_", "`", "a"]),
        ("[a-]", ["]", "^", "_", "`", "a"]),
        ("[-a]", ["-", "a"]),
        ("[]", []),
        ("[]x", []),
        ("[]]", []),
        ("[^]", ["*", "-", "?", "A", "B", "Z", "[", "\\", "]", "^", "_", "`", "a", "b", "m", "z"]),
        ("[^", ["*", "-", "?", "A", "B", "Z", "[", "\\", "]", "^", "_", "`", "a", "b", "m", "z"]),
        ("[", []),
        ("[a", ["a"]),
        ("[^a", ["*", "-", "?", "A", "B", "Z", "[", "\\", "]", "^", "_", "`", "b", "m", "z"]),
        ("a[", []),
        ("[\\]]", ["]"]),
        ("[\\]]x", ["]x"]),
        ("[\\\\]", ["\\"]),
        ("[\\", ["\\"]),
        ("[a\\", ["\\", "a"]),
        ("[a-\\]", ["\\", "]", "^", "_", "`", "a"]),
        ("[\\-]", ["-"]),
        ("h?llo", ["hallo", "hello", "hxllo"]),
        ("h*llo", ["hallo", "heeeello", "hello", "hllo", "hxllo"]),
        ("h[ae]llo", ["hallo", "hello"]),
        ("h[^e]llo", ["hallo", "hxllo"]),
        ("h[a-b]llo", ["hallo"]),
        ("*[", []),
        ("*[]", []),
        ("*]", ["[a]", "]", "x]"]),
        ("[]]x", []),
        ("[]-]", []),
        ("[!a]", ["a"]),
        ("[x-z]", ["z"]),
        ("[^-]", ["*", "?", "A", "B", "Z", "[", "\\", "]", "^", "_", "`", "a", "b", "m", "z"]),
        ("x[]]", []),
        ("[]a]", []),
        ("[a-c]*", ["a", "a*c", "a-", "a?c", "aB", "aXc", "a[c", "a\\", "aa", "aaa", "ab", "abc", "b", "ba"]),
        ("*[c-a]", ["-a", "\\a", "^a", "a", "a*c", "a?c", "aXc", "a[c", "aa", "aaa", "ab", "abc", "b", "ba"]),
        ("a**c", ["a*c", "a?c", "aXc", "a[c", "abc"]),
        (
            "*?",
            [
                "*", "-", "-a", "?", "A", "B", "Z", "[", "[a]", "\\", "\\a", "]", "]x", "^", "^a", "_", "`", "a", "a*c",
                "a-", "a?c", "aB", "aXc", "a[c", "a\\", "aa", "aaa", "ab", "abc", "b", "ba", "hallo", "heeeello",
                "hello", "hllo", "hxllo", "m", "x]", "z",
            ]
        ),
        (
            "?*",
            [
                "*", "-", "-a", "?", "A", "B", "Z", "[", "[a]", "\\", "\\a", "]", "]x", "^", "^a", "_", "`", "a", "a*c",
                "a-", "a?c", "aB", "aXc", "a[c", "a\\", "aa", "aaa", "ab", "abc", "b", "ba", "hallo", "heeeello",
                "hello", "hllo", "hxllo", "m", "x]", "z",
            ]
        ),
        ("*\\", ["\\", "a\\"]),
        ("[[]", ["["]),
        ("[^^]", ["*", "-", "?", "A", "B", "Z", "[", "\\", "]", "_", "`", "a", "b", "m", "z"]),
        ("[\\^]", ["^"]),
        ("[]-a]", []),
    ]

    @Test("matches exactly what redis-server 7.0.15 KEYS matched")
    func redisTruthTable() {
        for (pattern, matches) in Self.observed {
            for subject in Self.subjects {
                #expect(
                    globMatch(pattern, subject) == matches.contains(subject),
                    "pattern \(pattern.debugDescription) vs \(subject.debugDescription)"
                )
            }
        }
    }

    @Test("* does not match the empty string, but the empty pattern does")
    func emptySubject() {
        #expect(!globMatch("*", ""))
        #expect(!globMatch("**", ""))
        #expect(globMatch("", ""))
        #expect(!globMatch("", "a"))
    }

    @Test(
        "case-insensitive matching as COMMAND LIST FILTERBY PATTERN does it",
        arguments: [
            ("CL*", "client", true),
            ("[B-D]*", "client", true),
            ("*|LIST", "acl|list", true),
            ("p[I]ng", "ping", true),
            ("\\Client", "client", true),
            // Escaped bytes inside a set compare case-sensitively even here.
            ("[\\C]lient", "client", false),
            ("[\\c]lient", "client", true),
            ("[^A-Z]ing", "ping", false),
            // Ranges are swapped first and lowercased after, which can empty them.
            ("[Z-a]*", "client", false),
            ("[a-Z]*", "client", false),
        ]
    )
    func caseInsensitive(pattern: String, subject: String, expected: Bool) {
        #expect(globMatch(pattern, subject, caseInsensitive: true) == expected)
    }

    @Test("case-sensitive by default")
    func caseSensitiveDefault() {
        #expect(!globMatch("CL*", "client"))
        #expect(globMatch("cl*", "client"))
        #expect(!globMatch("mymaster", "MyMaster"))
    }

    @Test("escapes, ranges and negation")
    func syntax() {
        #expect(globMatch("h\\*llo", "h*llo"))
        #expect(!globMatch("h\\*llo", "hello"))
        #expect(globMatch("h\\?llo", "h?llo"))
        #expect(globMatch("a\\[b\\]", "a[b]"))
        #expect(globMatch("[0-9][0-9]", "42"))
        #expect(globMatch("[9-0]", "5"))
        #expect(!globMatch("[^0-9]", "5"))
        #expect(globMatch("[^0-9]", "x"))
        #expect(globMatch("[abc]x[^y]", "bxz"))
        #expect(globMatch("master-*-??", "master-eu-01"))
    }

    @Test("works on UTF-8 bytes")
    func utf8Bytes() {
        // "é" is two bytes, so one `?` does not match it.
        #expect(!globMatch("?", "é"))
        #expect(globMatch("??", "é"))
        #expect(globMatch("*é*", "café au lait"))
    }

    @Test("pathological patterns finish quickly")
    func noExponentialBlowup() {
        let subject = String(repeating: "a", count: 20_000)
        let pattern = String(repeating: "*a", count: 30) + "*b"
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(!globMatch(pattern, subject))
            #expect(globMatch(String(repeating: "*a", count: 30) + "*", subject))
            #expect(!globMatch(String(repeating: "a*", count: 2_000) + "b", subject))
        }
        #expect(elapsed < .seconds(5))
    }

    @Test("very long patterns do not exhaust the stack")
    func longPattern() {
        let pattern = String(repeating: "*?", count: 50_000)
        #expect(globMatch(pattern, String(repeating: "x", count: 50_000)))
        #expect(!globMatch(pattern, String(repeating: "x", count: 49_999)))
    }
}
