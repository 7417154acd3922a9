/// The `key=value` fields of a `+failover-summary` event's message (after the `%@` instance
/// description), in order: `kind`, `epoch`, `leader`, `target`, `outcome`, `total`, the phases,
/// and `write-pause` when writes were paused.
struct FailoverSummaryFields {
    let pairs: [(key: String, value: String)]

    init(_ message: String) {
        pairs = message.split(separator: " ").compactMap { word in
            guard let equals = word.firstIndex(of: "=") else { return nil }
            return (String(word[..<equals]), String(word[word.index(after: equals)...]))
        }
    }

    subscript(key: String) -> String? { pairs.first { $0.key == key }?.value }

    /// A `<n>ms` field as a number.
    func millis(_ key: String) -> Int? {
        self[key].flatMap { $0.hasSuffix("ms") ? Int($0.dropLast(2)) : nil }
    }

    /// The phase fields, in order: every `<n>ms` field between `total` and `write-pause`.
    var phases: [String] {
        pairs.filter { $0.value.hasSuffix("ms") && $0.key != "total" && $0.key != "write-pause" }.map(\.key)
    }

    var phaseMillis: [Int] { phases.compactMap { millis($0) } }
}
