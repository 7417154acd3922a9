import Testing

@testable import SentinelCore

/// The config rewrite splits the old lines with a fast path (`ConfigRewriteState.splitPlain`) for
/// lines without quotes or control characters; Redis splits every line with sdssplitargs
/// (`ConfigTokenizer.split`). These prove the fast path gives the same words whenever it takes a
/// line, and leaves every line it cannot split exactly to the tokenizer.
@Suite("Config rewrite: plain-line split")
struct ConfigRewriterSplitTests {
    /// Lines the fast path takes: its words are the tokenizer's, spaces anywhere included.
    @Test(arguments: [
        "port 26379",
        "sentinel monitor mymaster 127.0.0.1 6379 2",
        "  sentinel   known-replica  mymaster 10.0.0.2   6380  ",
        "sentinel myid 0123456789abcdef0123456789abcdef01234567",
        "bind 127.0.0.1 -::1",
        "user default on nopass ~* &* +@all",
        "sentinel monitor nœud-é 10.0.0.1 6379 1",
        "dir /tmp/a\\b",
        "",
        "   ",
    ])
    func plainLineSplitsAsTheTokenizer(_ line: String) throws {
        let fast = try #require(ConfigRewriteState.splitPlain(line))
        #expect(fast == ConfigTokenizer.split(line))
    }

    /// Lines with quotes, tabs or other control characters are left to the tokenizer (which
    /// unquotes, unescapes and splits on every C whitespace).
    @Test(arguments: [
        "sentinel auth-pass mymaster \"p w\"",
        "sentinel auth-pass mymaster 'p w'",
        "requirepass a\"b",
        "port\t26379",
        "sentinel monitor m 10.0.0.1 6379 2\r",
        "logfile \"\"",
    ])
    func quotedOrControlLineIsLeftToTheTokenizer(_ line: String) {
        #expect(ConfigRewriteState.splitPlain(line) == nil)
    }
}
