import Foundation

/// Many connections that never send a byte (`bench soak`'s idle abuse):
/// opened up to `target`, watched with `poll`, and reopened when the server
/// closes them, counting the closes.
final class IdleConnections: @unchecked Sendable {
    private let port: Int
    private let target: Int
    private let lock = NSLock()
    private var _opened = 0
    private var _closedByServer = 0
    private var _connectFailures = 0
    private var _openNow = 0
    private var _maxOpen = 0

    /// Connections the holder keeps open against 127.0.0.1:`port`.
    init(port: Int, target: Int) {
        self.port = port
        self.target = target
    }

    /// Counts so far: opened, closed by the server, failed connects, open now, most open at once.
    var counts: (opened: Int, closedByServer: Int, connectFailures: Int, openNow: Int, maxOpen: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (_opened, _closedByServer, _connectFailures, _openNow, _maxOpen)
    }

    /// Holds the connections until `deadline` (uptime nanoseconds), then closes them all.
    func hold(until deadline: UInt64) {
        var conns: [RawConnection] = []
        conns.reserveCapacity(target)
        func fill() {
            while conns.count < target, DispatchTime.now().uptimeNanoseconds < deadline {
                guard let c = RawConnection(port: port, timeout: 2) else {
                    lock.lock(); _connectFailures += 1; lock.unlock()
                    Thread.sleep(forTimeInterval: 0.05)   // out of descriptors or the backlog is full: retry later
                    return
                }
                conns.append(c)
                lock.lock()
                _opened += 1
                _openNow = conns.count
                _maxOpen = max(_maxOpen, conns.count)
                lock.unlock()
            }
        }
        // At most ten polls a second: a poll over 10,000 descriptors costs about a millisecond of
        // this process's CPU, and with the server closing some every few milliseconds an
        // unthrottled loop took half a core from the server it is meant to test. A closed
        // connection is reopened within 0.1 s, so the server still holds `target` connections and
        // sees the same reconnect rate (target / its idle timeout).
        let interval: UInt64 = 100_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let started = DispatchTime.now().uptimeNanoseconds
            fill()
            var fds = conns.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 200)
            if ready > 0 {
                var kept: [RawConnection] = []
                kept.reserveCapacity(conns.count)
                var closed = 0
                for (c, p) in zip(conns, fds) {
                    if p.revents != 0 && c.closedByPeer { closed += 1; c.shut() } else { kept.append(c) }
                }
                conns = kept
                lock.lock()
                _closedByServer += closed
                _openNow = conns.count
                lock.unlock()
            }
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            if elapsed < interval { usleep(useconds_t((interval - elapsed) / 1000)) }
        }
        for c in conns { c.shut() }
        lock.lock(); _openNow = 0; lock.unlock()
    }
}
