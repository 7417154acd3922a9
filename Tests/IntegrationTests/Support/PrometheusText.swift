import Foundation

/// The Prometheus text exposition format (version 0.0.4), as far as redis_exporter uses it:
/// `# HELP` / `# TYPE` comments, and sample lines `name{label="value",...} value [timestamp]`.
/// Label values may contain `\\`, `\"` and `\n` escapes.
enum PrometheusText {
    struct Sample: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// Sorted by label name (the exporter's order is not part of the contract).
        let labels: [Label]
        /// The value as written (`1`, `0.25`, `NaN`, `+Inf`).
        let value: String

        struct Label: Sendable, Hashable {
            let name: String
            let value: String
        }

        func label(_ name: String) -> String? {
            labels.first { $0.name == name }?.value
        }

        /// `name{a="x",b="y"}`: the series identity.
        var series: String {
            if labels.isEmpty { return name }
            let rendered = labels.map { "\($0.name)=\"\(PrometheusText.escape($0.value))\"" }.joined(separator: ",")
            return "\(name){\(rendered)}"
        }

        /// The value as a number, so `1` and `1.0` compare equal.
        var number: Double? {
            switch value {
            case "+Inf": .infinity
            case "-Inf": -.infinity
            case "NaN": .nan
            default: Double(value)
            }
        }

        var description: String { "\(series) \(value)" }
    }

    struct ParseError: Error, CustomStringConvertible {
        let line: String
        let reason: String
        var description: String { "bad metrics line (\(reason)): \(line.debugDescription)" }
    }

    static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            samples.append(try parseSample(line))
        }
        return samples
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func parseSample(_ line: String) throws -> Sample {
        let chars = Array(line)
        var index = 0
        var name = ""
        while index < chars.count, chars[index] != "{", chars[index] != " " {
            name.append(chars[index])
            index += 1
        }
        guard !name.isEmpty else { throw ParseError(line: line, reason: "no metric name") }
        var labels: [Sample.Label] = []
        if index < chars.count, chars[index] == "{" {
            index += 1
            while true {
                guard index < chars.count else { throw ParseError(line: line, reason: "unterminated labels") }
                if chars[index] == "}" {
                    index += 1
                    break
                }
                if chars[index] == "," {
                    index += 1
                    continue
                }
                var labelName = ""
                while index < chars.count, chars[index] != "=" {
                    labelName.append(chars[index])
                    index += 1
                }
                guard index + 1 < chars.count, chars[index + 1] == "\"" else {
                    throw ParseError(line: line, reason: "label \(labelName) has no quoted value")
                }
                index += 2
                var value = ""
                var closed = false
                while index < chars.count {
                    let c = chars[index]
                    if c == "\\", index + 1 < chars.count {
                        let next = chars[index + 1]
                        value.append(next == "n" ? "\n" : next)
                        index += 2
                        continue
                    }
                    index += 1
                    if c == "\"" {
                        closed = true
                        break
                    }
                    value.append(c)
                }
                guard closed else { throw ParseError(line: line, reason: "unterminated value of label \(labelName)") }
                labels.append(Sample.Label(name: labelName, value: value))
            }
        }
        let rest = String(chars[index...]).split(separator: " ")
        guard let value = rest.first else { throw ParseError(line: line, reason: "no value") }
        labels.sort { $0.name < $1.name }
        return Sample(name: name, labels: labels, value: String(value))
    }
}
