import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-thread HTTP server on 127.0.0.1 (an ephemeral port) for download
/// tests: it serves one body to every GET, or a body per path (404 for
/// others), optionally cutting the transfer short, failing, trickling or
/// stalling. It stops when `stop()` closes its socket (tests call it in a
/// teardown block).
public final class LocalHTTPServer: @unchecked Sendable {
    /// How the server answers.
    public enum Behaviour: Sendable {
        case full
        /// Announce the full length, send this many body bytes, then close.
        case cutAfter(Int)
        case status(Int)
        /// Cut the first transfer after this many bytes; answer later `Range: bytes=N-` requests with 206 and the rest.
        case resumable(cutAfter: Int)
        /// Cut the first transfer after this many bytes; ignore Range later (200 and the whole file).
        case ignoresRange(cutAfter: Int)
        /// Send the body without a Content-Length (the end is the close).
        case unannounced
        /// Send `chunk` bytes every `every` seconds (honouring Range), until done or the client goes.
        case trickle(chunk: Int, every: TimeInterval)
        /// The first transfer sends this many bytes, then nothing until the client closes;
        /// later requests are answered in full (206 from a Range).
        case stallAfter(Int)
    }

    /// The port it listens on.
    public let port: UInt16
    private let listener: Int32
    private let files: [String: [UInt8]]?
    private let body: [UInt8]
    private let behaviour: Behaviour
    private let lock = NSLock()
    private var _requests = 0
    private var _ranges: [String?] = []
    private var _paths: [String] = []
    private let finished = DispatchSemaphore(value: 0)

    /// How many requests arrived.
    public var requests: Int { lock.lock(); defer { lock.unlock() }; return _requests }
    /// The Range header of each request (nil: none).
    public var ranges: [String?] { lock.lock(); defer { lock.unlock() }; return _ranges }
    /// The path of each request.
    public var paths: [String] { lock.lock(); defer { lock.unlock() }; return _paths }

    /// Serves `body` for every path.
    public convenience init(body: [UInt8], behaviour: Behaviour = .full) throws {
        try self.init(files: nil, body: body, behaviour: behaviour)
    }

    /// Serves `files[path]` (paths start with "/"), 404 for other paths.
    public convenience init(files: [String: [UInt8]], behaviour: Behaviour = .full) throws {
        try self.init(files: files, body: [], behaviour: behaviour)
    }

    private init(files: [String: [UInt8]]?, body: [UInt8], behaviour: Behaviour) throws {
        self.files = files
        self.body = body
        self.behaviour = behaviour
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw ServerError("bind/listen failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = UInt16(bigEndian: addr.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT/` (a mirror's base).
    public var base: String { "http://127.0.0.1:\(port)/" }
    /// The URL of the single-body server's file.
    public var url: String { base + "cifar-10-binary.tar.gz" }

    private func serve() {
        defer { finished.signal() }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }   // the listener was closed: stop
            // A stalled or slow client never holds the server for long.
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            answer(client)
            shutdown(client, Int32(SHUT_RDWR))
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var request: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
            let n = recv(client, &buf, buf.count, 0)
            if n <= 0 { break }
            request += buf[0..<n]
        }
        let lines = String(decoding: request, as: UTF8.self).split(separator: "\r\n")
        let path = lines.first.map { $0.split(separator: " ").dropFirst().first.map(String.init) ?? "/" } ?? "/"
        let range = lines.first { $0.lowercased().hasPrefix("range:") }
            .map { $0.dropFirst("range:".count).trimmingCharacters(in: .whitespaces) }
        lock.lock(); _requests += 1; _ranges.append(range); _paths.append(path); let first = _requests == 1; lock.unlock()
        /// Sends all of `bytes`; false when the client went away.
        @discardableResult
        func send(_ bytes: [UInt8]) -> Bool {
            var off = 0
            while off < bytes.count {
                let n = bytes[off...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
        func header(_ status: String, _ extra: String) {
            send(Array("HTTP/1.1 \(status)\r\n\(extra)Connection: close\r\n\r\n".utf8))
        }
        let body: [UInt8]
        if let files {
            guard let b = files[path] else { return header("404 Not Found", "Content-Length: 0\r\n") }
            body = b
        } else {
            body = self.body
        }
        /// The start of a `bytes=N-` range inside the body, if any.
        let start: Int? = range.flatMap { r in
            guard r.hasPrefix("bytes="), r.hasSuffix("-"), let s = Int(r.dropFirst(6).dropLast()), s < body.count else { return nil }
            return s
        }
        /// Answers with the rest from `start` (206) or the whole body (200); returns the bytes to send.
        func ranged(_ honour: Bool) -> ArraySlice<UInt8> {
            if honour, let start {
                header("206 Partial Content", "Content-Length: \(body.count - start)\r\nContent-Range: bytes \(start)-\(body.count - 1)/\(body.count)\r\n")
                return body[start...]
            }
            header("200 OK", "Content-Length: \(body.count)\r\n")
            return body[...]
        }
        switch behaviour {
        case .full:
            header("200 OK", "Content-Length: \(body.count)\r\nContent-Type: application/gzip\r\n")
            send(body)
        case .cutAfter(let n):
            header("200 OK", "Content-Length: \(body.count)\r\n")
            send(Array(body[0..<min(n, body.count)]))
        case .status(let code):
            header("\(code) Nope", "Content-Length: 0\r\n")
        case .resumable(let n), .ignoresRange(let n):
            var honours = false
            if case .resumable = behaviour { honours = true }
            if first {
                header("200 OK", "Content-Length: \(body.count)\r\n")
                send(Array(body[0..<min(n, body.count)]))
            } else {
                send(Array(ranged(honours)))
            }
        case .unannounced:
            header("200 OK", "")
            send(body)
        case .trickle(let chunk, let every):
            var rest = ranged(true)
            while !rest.isEmpty {
                guard send(Array(rest.prefix(chunk))) else { return }
                rest = rest.dropFirst(chunk)
                if !rest.isEmpty { Thread.sleep(forTimeInterval: every) }
            }
        case .stallAfter(let n):
            if first {
                header("200 OK", "Content-Length: \(body.count)\r\n")
                send(Array(body[0..<min(n, body.count)]))
                // Nothing more: wait until the client closes (or the receive timeout).
                while recv(client, &buf, buf.count, 0) > 0 {}
            } else {
                send(Array(ranged(true)))
            }
        }
    }

    /// Closes the socket and waits (at most 5 s) for the server thread to end.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = finished.wait(timeout: .now() + 5)
    }
}

/// A server that could not start.
public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
