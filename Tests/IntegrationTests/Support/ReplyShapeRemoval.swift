extension ReplyShape {
    /// Removes every entry named `name` from a reply, at any depth, in the shapes `COMMAND`,
    /// `COMMAND INFO|DOCS|LIST` and `ACL CAT` give a command or subcommand:
    /// * a map pair whose key is `name` (COMMAND DOCS in RESP3);
    /// * in an array, `name` followed by an aggregate, when the array is a flat list of pairs
    ///   (COMMAND DOCS in RESP2): the name and its value;
    /// * an array whose first element is `name` (a COMMAND INFO record);
    /// * `name` itself as an element (COMMAND LIST, ACL CAT).
    /// Returns the reply and the number of entries removed.
    static func removing(_ name: String, from reply: RESPReply) -> (RESPReply, Int) {
        var count = 0
        func isName(_ value: RESPReply) -> Bool { value.string == name }
        func isAggregate(_ value: RESPReply) -> Bool {
            switch value {
            case .array, .map, .set: true
            default: false
            }
        }
        func walk(_ value: RESPReply) -> RESPReply {
            switch value {
            case .map(let pairs):
                var kept: [RESPReply.Pair] = []
                for pair in pairs {
                    if isName(pair.key) {
                        count += 1
                    } else {
                        kept.append(RESPReply.Pair(key: walk(pair.key), value: walk(pair.value)))
                    }
                }
                return .map(kept)
            case .array(let items):
                return .array(walkList(items))
            case .set(let items):
                return .set(walkList(items))
            default:
                return value
            }
        }
        func walkList(_ items: [RESPReply]) -> [RESPReply] {
            let pairs = items.count % 2 == 0 && stride(from: 0, to: items.count, by: 2).allSatisfy { items[$0].string != nil }
            var kept: [RESPReply] = []
            var index = 0
            while index < items.count {
                let item = items[index]
                if isName(item) {
                    count += 1
                    let skipValue = pairs && index % 2 == 0 && index + 1 < items.count && isAggregate(items[index + 1])
                    index += skipValue ? 2 : 1
                    continue
                }
                if let first = item.elements?.first, isName(first) {
                    count += 1
                    index += 1
                    continue
                }
                kept.append(walk(item))
                index += 1
            }
            return kept
        }
        let result = walk(reply)
        return (result, count)
    }
}
