import Foundation

/// A minimal blocking HTTP/1.0 request (a GET, by default) to 127.0.0.1 over a plain socket (URLSession needs
/// FoundationNetworking on Linux, and `curl` is not guaranteed to be installed). HTTP/1.0 makes
/// the server close the connection after the body, so the body is everything after the headers;
/// no chunked encoding, no compression (no `Accept-Encoding` is sent).
enum HTTPGet {
    struct Response: Sendable {
        let status: Int
        let headers: String
        let body: String
    }

    /// `method` is `GET` unless a test checks how another one is refused.
    static func fetch(port: UInt16, path: String, method: String = "GET", timeout: Duration = .seconds(10)) throws -> Response {
        let connection = try LoopbackSocket(port: port, timeout: timeout)
        defer { connection.close() }
        try connection.write(Array("\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8))
        // The server closes the connection after the body.
        let data = try connection.read { _ in false }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else {
            throw HarnessError("http://127.0.0.1:\(port)\(path) answered without a header end: \(text.prefix(200).debugDescription)")
        }
        let headers = String(text[..<split.lowerBound])
        let statusWords = headers.prefix { $0 != "\r" }.split(separator: " ")
        guard statusWords.count >= 2, statusWords[0].hasPrefix("HTTP/"), let status = Int(statusWords[1]) else {
            throw HarnessError("http://127.0.0.1:\(port)\(path) answered a bad status line: \(headers.prefix(100).debugDescription)")
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}
