import Foundation

/// A minimal blocking HTTP/1.1 client for load generation: one keep-alive
/// connection per client thread, POSTing the same body and reading the
/// response by Content-Length. Used by `workbench bench serve` only.
final class LoadClient {
    private var fd: Int32 = -1
    private let port: UInt16
    private let request: [UInt8]
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var pending: [UInt8] = []

    /// A client that POSTs `body` to `path` on 127.0.0.1:`port`, with `headers` (`Name: value` lines) added.
    init(port: Int, path: String, body: Data, contentType: String = "application/json", headers: [String] = []) {
        self.port = UInt16(port)
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: \(contentType)\r\n"
            + headers.map { $0 + "\r\n" }.joined()
            + "Content-Length: \(body.count)\r\nConnection: keep-alive\r\n\r\n"
        request = Array(head.utf8) + [UInt8](body)
    }

    deinit { if fd >= 0 { close(fd) } }

    private func connectIfNeeded() throws {
        if fd >= 0 { return }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoadError("socket failed") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else {
            close(fd)
            fd = -1
            throw LoadError("connect to port \(port) failed")
        }
        pending = []
    }

    /// Sends one request and waits for the whole response; returns the status code.
    func send() throws -> Int {
        try connectIfNeeded()
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { write(fd, $0.baseAddress! + sent, request.count - sent) }
            guard n > 0 else { reset(); throw LoadError("write failed") }
            sent += n
        }
        // Headers.
        var headerEnd: Int?
        while headerEnd == nil {
            if let r = find([13, 10, 13, 10], in: pending) { headerEnd = r; break }
            try readMore()
        }
        let head = String(decoding: pending[0..<(headerEnd ?? 0)], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        let bodyStart = (headerEnd ?? 0) + 4
        while pending.count < bodyStart + length { try readMore() }
        pending.removeFirst(bodyStart + length)
        return status
    }

    private func readMore() throws {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n > 0 else { reset(); throw LoadError("connection closed") }
        pending += buffer[0..<n]
    }

    private func reset() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

/// A load-generation failure.
struct LoadError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
