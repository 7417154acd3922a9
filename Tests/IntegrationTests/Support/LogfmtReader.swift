/// Reads the lines swift-sentinel writes with `log-format logfmt` (docs/operations.md, Logs): a
/// small logfmt reader (the go-logfmt rules): `key=value` pairs separated by spaces, a value
/// bare or double-quoted with `\"`, `\\`, `\n`, `\r`, `\t` and `\uXXXX` escapes. Nil when the
/// line does not parse.
enum LogfmtReader {
    static func parse(_ line: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        var scalars = Substring(line).unicodeScalars[...]
        while !scalars.isEmpty {
            while scalars.first == " " { scalars = scalars.dropFirst() }
            guard let equals = scalars.firstIndex(of: "=") else { return nil }
            let key = String(String.UnicodeScalarView(scalars[..<equals]))
            guard !key.isEmpty, !key.unicodeScalars.contains(where: { $0 == " " || $0 == "\"" }) else { return nil }
            scalars = scalars[scalars.index(after: equals)...]
            var value = String.UnicodeScalarView()
            if scalars.first == "\"" {
                scalars = scalars.dropFirst()
                var closed = false
                while let scalar = scalars.first {
                    scalars = scalars.dropFirst()
                    if scalar == "\"" {
                        closed = true
                        break
                    }
                    guard scalar == "\\" else {
                        value.append(scalar)
                        continue
                    }
                    guard let escaped = scalars.first else { return nil }
                    scalars = scalars.dropFirst()
                    switch escaped {
                    case "\"", "\\": value.append(escaped)
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "t": value.append("\t")
                    case "u":
                        let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
                        guard hex.count == 4, let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else { return nil }
                        value.append(decoded)
                        scalars = scalars.dropFirst(4)
                    default: return nil
                    }
                }
                guard closed, scalars.isEmpty || scalars.first == " " else { return nil }
            } else {
                while let scalar = scalars.first, scalar != " " {
                    guard scalar != "\"", scalar != "=" else { return nil }
                    value.append(scalar)
                    scalars = scalars.dropFirst()
                }
            }
            pairs.append((key, String(value)))
        }
        return pairs
    }
}
