import Testing

@testable import SentinelCore

/// The byte-level `InfoParser` gives exactly what the Character-based parser it replaced
/// (`ReferenceInfoParser`) gives on ASCII text: on real INFO replies of redis-server 7.0.15 and on
/// thousands of seeded random mutations of them (lines dropped, duplicated, reordered; CRLF vs
/// LF; extra colons; odd `slaveN` lines with IPv6 addresses and hostnames; bad numbers). On
/// non-ASCII text it compares bytes, as Sentinel does, where the old parser compared Characters.
@Suite("InfoParser equivalence")
struct InfoParserEquivalenceTests {
    /// Lines that exercise the fields Sentinel reads, in forms Redis sends and forms it does not.
    static let oddLines: [String] = [
        "role:slave", "role:master", "role:sentinel", "role:", "role:slave\r", "role:Slave",
        "master_host:::1", "master_host:fe80::1%eth0", "master_host:redis-1.example.com", "master_host:",
        "master_port:6379", "master_port:+6379", "master_port:-1", "master_port:99999999999999999999",
        "master_port: 6379", "master_port:6379x", "master_port:", "master_port:-", "master_port:+",
        "master_link_status:up", "master_link_status:down", "master_link_status:UP", "master_link_status:up:",
        "master_link_down_since_seconds:-1", "master_link_down_since_seconds:-9223372036854775808",
        "master_link_down_since_seconds:-9223372036854775809", "master_link_down_since_seconds:9223372036854775807",
        "slave_priority:100", "replica_priority:0", "slave_priority:-5", "slave_repl_offset:123456789012",
        "replica_announced:1", "replica_announced:0", "replica_announced:2", "replica_announced:x",
        "master_repl_offset:0", "master_repl_offset:-0", "master_failover_state:waiting-for-sync",
        "master_failover_state:", "master_failover_state:failover-in-progress",
        "master_replid:0b7e1dff3df106c46a1e50da4cde5c619d548cd9", "master_replid:0b7e1dff", "master_replid:",
        "master_replid2:0000000000000000000000000000000000000000", "master_replid2:0b7e1dff3df106c46a1e50da4cde5c619d548cd9x",
        "run_id:0123456789012345678901234567890123456789", "run_id:0123456789", "run_id:é123456789012345678901234567890123456",
        "run_id:\u{301}12345678901234567890123456789012345678", "run_id:abc:def:0123456789012345678901234567890",
        "tcp_port:6380", "connected_slaves:3", "redis_version:7.0.15:extra",
        "slave0:ip=127.0.0.1,port=6380,state=online,offset=1199,lag=1",
        "slave1:ip=::1,port=6381,state=wait_bgsave,offset=0,lag=0",
        "slave2:ip=fe80::1:2:3,port=6382,state=online,offset=5,lag=0",
        "slave3:ip=replica-3.example.com,port=6383,state=send_bulk,offset=-1,lag=12",
        "slave4:127.0.0.1,6384,online", "slave5:127.0.0.1,6385", "slave6:127.0.0.1", "slave7:,6387,online",
        "slave8:ip=127.0.0.1,port=0,state=online", "slave9:ip=127.0.0.1,port=65536", "slave10:ip=,port=6390",
        "slave11:port=6391,ip=10.0.0.1,lag=x,offset=y,extra=1", "slave12:ip=10.0.0.1,port=6392,,state=", "slave13:",
        "slave:ip=127.0.0.1,port=6393", "slavex:ip=127.0.0.1,port=6394", "slave1a:ip=127.0.0.1,port=6395",
        "slave14:ip=h\u{e9}te,port=6396,state=\u{e9}", "slave15:ip=127.0.0.1,port=6397,state=online,a=b=c",
        "slave16:h,1,s,extra", "slave17:ip=127.0.0.1,port=6398,state", "slave0:ip=127.0.0.1,port=6380,state=online,offset=1199,lag=1,",
        "# Replication", "#role:slave", "#\u{20E3}role:master", ":", "::", "no colon here", "", "\r", "\r\r",
        "role\u{301}:master", "role:\u{301}master", "role:master\u{301}", "master_host:\u{1F600}",
        "r\u{f4}le:slave", "master_port:\u{661}\u{662}", "key:value\r\r", "slave0:ip=1.2.3.4,port=6380\u{301}",
    ]

    /// The odd lines that are plain ASCII (the others are checked against Sentinel's byte rules).
    static let asciiOddLines = oddLines.filter { $0.utf8.allSatisfy { $0 < 0x80 } }

    static func agree(_ text: String, _ context: @autoclosure () -> String) {
        let expected = ReferenceInfoParser.parse(text)
        let actual = InfoParser.parse(text)
        #expect(actual == expected, "\(context()): \(String(reflecting: text))")
    }

    @Test("real redis-server 7.0.15 INFO replies, LF and CRLF, parse as before")
    func realReplies() {
        for fixture in [InfoFixtures.master, InfoFixtures.replica] {
            Self.agree(fixture, "LF")
            Self.agree(InfoFixtures.crlf(fixture), "CRLF")
            Self.agree(String(InfoFixtures.crlf(fixture).dropLast(2)), "no trailing newline")
        }
        let master = InfoParser.parse(InfoFixtures.crlf(InfoFixtures.master))
        #expect(master.role == .master && master.replicas.count == 1 && master.runID?.utf8.count == 40)
        let replica = InfoParser.parse(InfoFixtures.crlf(InfoFixtures.replica))
        #expect(replica.role == .slave && replica.masterLinkUp && replica.masterPort != nil)
    }

    @Test("every odd ASCII line alone and after role:slave parses as before")
    func oddLinesAlone() {
        #expect(Self.asciiOddLines.count > 70)
        for line in Self.asciiOddLines {
            for ending in ["", "\n", "\r\n"] {
                Self.agree(line + ending, "alone")
                Self.agree("role:slave\r\n" + line + ending, "after role:slave")
            }
        }
    }

    @Test("seeded random mutations of real replies parse as before", arguments: [1, 2, 3, 4] as [UInt64])
    func mutations(seed: UInt64) {
        var rng = SplitMix64(seed: seed)  // the core's generator: failures reproduce from the seed
        let bases = [InfoFixtures.master, InfoFixtures.replica].map {
            $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        for round in 0..<500 {
            var lines = bases[Int.random(in: 0..<bases.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                let i = Int.random(in: 0..<lines.count, using: &rng)
                switch Int.random(in: 0..<9, using: &rng) {
                case 0: lines.remove(at: i)
                case 1: lines.insert(lines[i], at: i)
                case 2: lines.swapAt(i, Int.random(in: 0..<lines.count, using: &rng))
                case 3: lines[i] += ":" + lines[Int.random(in: 0..<lines.count, using: &rng)]
                case 4: lines.insert(Self.asciiOddLines.randomElement(using: &rng)!, at: i)
                case 5: lines[i] = String(lines[i].prefix(Int.random(in: 0...max(0, lines[i].count), using: &rng)))
                case 6: lines[i] += "\r"
                case 7: lines.insert("role:slave", at: i)
                default: lines[i] = lines[i].replacingOccurrences(":", with: ["::", ":", ""].randomElement(using: &rng)!)
                }
                if lines.isEmpty { lines = [""] }
            }
            let separator = ["\n", "\r\n"].randomElement(using: &rng)!
            var text = lines.joined(separator: separator)
            if Bool.random(using: &rng) { text += separator }
            Self.agree(text, "seed \(seed) round \(round)")
        }
    }
}

extension InfoParserEquivalenceTests {
    @Test("non-ASCII bytes are compared as bytes, as Sentinel's strncmp/memcmp do")
    func nonASCIIBytes() {
        // A combining mark after the colon still leaves a 40-byte run id (the Character-based
        // parser saw no colon there and dropped the line).
        let runID = "\u{301}" + String(repeating: "1", count: 38)
        #expect(InfoParser.parse("run_id:\(runID)\r\n").runID == runID)
        #expect(InfoParser.parse("role:slave\r\nmaster_host:h\u{e9}te\r\n").masterHost == "h\u{e9}te")
        let listed = InfoParser.parse("slave0:ip=h\u{e9}te,port=6396,state=online\r\n").replicas
        #expect(listed == [ReplicaListing(host: "h\u{e9}te", port: 6396, state: "online", offset: nil, lag: nil)])
        for ignored in ["role\u{301}:master", "role:master\u{301}", "r\u{f4}le:slave", "#\u{20E3}role:master"] {
            #expect(InfoParser.parse(ignored).role == nil, "\(ignored)")
        }
        #expect(InfoParser.parse("role:slave\nmaster_port:\u{661}\u{662}").masterPort == nil)
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
