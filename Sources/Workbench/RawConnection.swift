import Foundation

/// A blocking loopback TCP connection for abuse traffic: raw bytes out, the
/// status code (or how the connection ended) in. Every call has a timeout, so
/// a server that never answers shows as `timeout`, never as a hang.
final class RawConnection {
    /// How an exchange ended.
    enum Outcome: Hashable {
        case status(Int)
        /// The server closed (or reset) the connection without an answer.
        case closed
        /// Nothing came back within the client's own timeout.
        case timeout
        /// The connection could not be opened.
        case connectFailed

        /// The label in reports: `413`, `closed`, …
        var label: String {
            switch self {
            case .status(let s): return String(s)
            case .closed: return "closed"
            case .timeout: return "timeout"
            case .connectFailed: return "connect failed"
            }
        }
    }

    /// The socket (-1 once closed).
    private(set) var fd: Int32

    /// Connects to 127.0.0.1:`port`, waiting up to `connectTimeout` seconds;
    /// reads and writes then give up after `timeout` seconds.
    ///
    /// The connect has its own timeout because Linux applies `SO_SNDTIMEO` to
    /// `connect`: with a slowloris client's 0.25 s write timeout, one SYN the
    /// kernel dropped while the accept queue was full (TCP retries it after
    /// 1 s) would count as a failed connect, although any real client gets in.
    init?(port: Int, timeout: Double, connectTimeout: Double = 5) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        func setTimeouts(_ seconds: Double, _ options: [Int32]) {
            var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - floor(seconds)) * 1e6))
            for o in options { setsockopt(fd, SOL_SOCKET, o, &tv, socklen_t(MemoryLayout<timeval>.size)) }
        }
        setTimeouts(connectTimeout, [SO_SNDTIMEO])
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else {
            close(fd)
            return nil
        }
        setTimeouts(timeout, [SO_RCVTIMEO, SO_SNDTIMEO])
    }

    deinit { shut() }

    /// Closes the socket.
    func shut() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// Writes all of `bytes`; false when the server closed or the write timed out.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    /// Writes `text`.
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads the answer's status line; `closed` on EOF/reset, `timeout` when nothing came within the timeout.
    func readStatus() -> Outcome {
        var got: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while !got.contains(10) {
            let n = recv(fd, &buf, buf.count, 0)
            if n == 0 { return .closed }
            if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? .timeout : .closed }
            got += buf[0..<n]
        }
        let line = String(decoding: got.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else { return .closed }
        return .status(code)
    }

    /// Whether the server has closed this connection (a poll with no wait).
    var closedByPeer: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var b: UInt8 = 0
        return recv(fd, &b, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }
}
