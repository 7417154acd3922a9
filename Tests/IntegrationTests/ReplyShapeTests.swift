import Testing

/// The comparer of the differential test must itself be right: these run without processes.
@Suite("Reply shapes (differential comparer)", .timeLimit(.minutes(1)))
struct ReplyShapeTests {
    @Test("numbers, addresses, versions and run ids are masked; words are kept")
    func masking() {
        #expect(ReplyShape.mask("127.0.0.1:26379") == "#:#")
        #expect(ReplyShape.mask("7.0.15") == "#")
        #expect(ReplyShape.mask("-1") == "#")
        #expect(ReplyShape.mask("sentinel-user") == "sentinel-user")
        #expect(ReplyShape.mask(String(repeating: "ab12", count: 10)) == "<id>")
        #expect(ReplyShape.mask("ERR unknown command 'select', with args beginning with: '1' ")
            == "ERR unknown command 'select', with args beginning with: '#' ")
        #expect(ReplyShape.mask("OK 2 usable Sentinels.") == "OK # usable Sentinels.")
    }

    @Test("types are distinguished: simple vs bulk, null kinds, array vs map")
    func types() {
        #expect(ReplyShape.lines(.simpleString("OK")) != ReplyShape.lines(.bulkString("OK")))
        #expect(ReplyShape.lines(.nullArray) != ReplyShape.lines(.nullBulkString))
        #expect(ReplyShape.lines(.nullArray) != ReplyShape.lines(.null))
        let flat = RESPReply.array([.bulkString("name"), .bulkString("m")])
        let map = RESPReply.map([.init(key: .bulkString("name"), value: .bulkString("m"))])
        #expect(ReplyShape.lines(flat) != ReplyShape.lines(map))
        #expect(ReplyShape.lines(.integer(1)) == ReplyShape.lines(.integer(42)))
    }

    @Test("field order matters, values do not")
    func fieldOrder() {
        let a = RESPReply.map([
            .init(key: .bulkString("ip"), value: .bulkString("127.0.0.1")),
            .init(key: .bulkString("port"), value: .bulkString("6379")),
        ])
        let b = RESPReply.map([
            .init(key: .bulkString("ip"), value: .bulkString("10.1.2.3")),
            .init(key: .bulkString("port"), value: .bulkString("16379")),
        ])
        let swapped = RESPReply.map([
            .init(key: .bulkString("port"), value: .bulkString("6379")),
            .init(key: .bulkString("ip"), value: .bulkString("127.0.0.1")),
        ])
        #expect(ReplyShape.lines(a) == ReplyShape.lines(b))
        #expect(ReplyShape.lines(a) != ReplyShape.lines(swapped))
    }

    @Test("INFO keeps section and field names, drops values")
    func info() {
        let reference = "# Server\r\nredis_version:7.0.15\r\nrun_id:abc\r\n\r\n# Sentinel\r\nmaster0:name=m,status=ok,address=127.0.0.1:1\r\n"
        let candidate = "# Server\r\nredis_version:7.2.4\r\nrun_id:def\r\n\r\n# Sentinel\r\nmaster0:name=m,status=odown,address=127.0.0.1:2\r\n"
        let extra = "# Server\r\nredis_version:7.2.4\r\nrun_id:def\r\nlistener0:name=tcp\r\n\r\n# Sentinel\r\nmaster0:name=m,status=ok,address=127.0.0.1:2\r\n"
        #expect(ReplyShape.lines(.bulkString(reference)) == ReplyShape.lines(.bulkString(candidate)))
        let diff = LineDiff.compare(ReplyShape.lines(.bulkString(reference)), ReplyShape.lines(.bulkString(extra)))
        #expect(diff.map(\.description) == ["+     field listener0"])
    }

    @Test("CLIENT LIST compares distinct field-name sequences, not the number of clients")
    func clientList() {
        let one = "id=3 addr=127.0.0.1:1 name= flags=N\n"
        let two = "id=3 addr=127.0.0.1:1 name= flags=N\nid=9 addr=127.0.0.1:5 name=x flags=S\n"
        let newer = "id=3 addr=127.0.0.1:1 name= flags=N lib-name=redis-py\n"
        #expect(ReplyShape.lines(.bulkString(one)) == ReplyShape.lines(.bulkString(two)))
        let diff = LineDiff.compare(ReplyShape.lines(.bulkString(one)), ReplyShape.lines(.bulkString(newer)))
        #expect(diff.map(\.description) == ["+     client-field lib-name"])
    }

    @Test("unordered probes sort records; ordered ones do not")
    func ordering() {
        let r1 = RESPReply.array([.bulkString("name"), .bulkString("a"), .bulkString("flags"), .bulkString("slave")])
        let r2 = RESPReply.array([.bulkString("name"), .bulkString("b"), .bulkString("flags"), .bulkString("slave")])
        #expect(ReplyShape.lines(.array([r1, r2]), ordering: .unorderedTopLevel)
            == ReplyShape.lines(.array([r2, r1]), ordering: .unorderedTopLevel))
        #expect(ReplyShape.lines(.array([r1, r2])) != ReplyShape.lines(.array([r2, r1])))
    }

    @Test("the line diff reports only what differs, on the right side")
    func lineDiff() {
        let diff = LineDiff.compare(["a", "b", "c", "d"], ["a", "c", "x", "d"])
        #expect(diff.map(\.description) == ["- b", "+ x"])
    }

    @Test("a candidate-only command is removed from COMMAND INFO, DOCS (RESP2 and RESP3), LIST and ACL CAT shapes")
    func removingEntries() {
        let info = RESPReply.array([
            .array([.bulkString("client"), .integer(-2), .array([.array([.bulkString("client|id"), .integer(2)]), .array([.bulkString("client|setinfo"), .integer(4)])])]),
            .array([.bulkString("ping"), .integer(-1)]),
        ])
        let (trimmedInfo, infoCount) = ReplyShape.removing("client|setinfo", from: info)
        #expect(infoCount == 1)
        #expect(trimmedInfo == .array([
            .array([.bulkString("client"), .integer(-2), .array([.array([.bulkString("client|id"), .integer(2)])])]),
            .array([.bulkString("ping"), .integer(-1)]),
        ]))
        let docs2 = RESPReply.array([.bulkString("client|id"), .array([.bulkString("summary"), .bulkString("x")]), .bulkString("client|setinfo"), .array([.bulkString("summary"), .bulkString("y")])])
        #expect(ReplyShape.removing("client|setinfo", from: docs2).0 == .array([.bulkString("client|id"), .array([.bulkString("summary"), .bulkString("x")])]))
        let docs3 = RESPReply.map([.init(key: .bulkString("client|setinfo"), value: .map([])), .init(key: .bulkString("client|id"), value: .map([]))])
        #expect(ReplyShape.removing("client|setinfo", from: docs3).0 == .map([.init(key: .bulkString("client|id"), value: .map([]))]))
        let list = RESPReply.array([.bulkString("client|reply"), .bulkString("client|setinfo"), .bulkString("client|setname")])
        let (trimmedList, listCount) = ReplyShape.removing("client|setinfo", from: list)
        #expect(listCount == 1)
        #expect(trimmedList == .array([.bulkString("client|reply"), .bulkString("client|setname")]))
        #expect(ReplyShape.removing("client|setinfo", from: .simpleString("OK")).1 == 0)
    }

    @Test("known differences match by probe (with * globs), side and line")
    func knownDifferenceMatching() {
        let known = KnownDifference(probe: "*CLIENT INFO", side: .candidate, line: "client-field lib-name", reason: "test")
        let entry = LineDiff.Entry(side: .candidate, line: "    client-field lib-name")
        #expect(known.matches(probe: "CLIENT INFO", entry))
        #expect(known.matches(probe: "[resp3] CLIENT INFO", entry))
        #expect(!known.matches(probe: "CLIENT INFO extra", entry))
        let prefixed = KnownDifference(probe: "[resp3] *", side: .candidate, line: "lib-name", reason: "test")
        #expect(prefixed.matches(probe: "[resp3] CLIENT INFO", entry))
        #expect(!prefixed.matches(probe: "CLIENT INFO", entry))
        #expect(!known.matches(probe: "CLIENT INFO", LineDiff.Entry(side: .reference, line: "client-field lib-name")))
    }
}
