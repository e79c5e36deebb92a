import Foundation

/// The hostile clients of `workbench bench soak`: each kind sends one kind of
/// bad traffic in a loop and counts how the server answered it, to compare
/// with the answer the limit promises.
struct AbuseClient: Sendable {
    /// A name for the report.
    let name: String
    /// The outcome the server's limit promises (`413`, `closed`, …).
    let expected: String
    /// Concurrent connections of this kind.
    let concurrency: Int
    /// Pause between two attempts of one connection, in seconds.
    let pause: Double
    /// One attempt against the server on `port`.
    let attempt: @Sendable (_ port: Int) -> RawConnection.Outcome

    /// Settings the attempts need.
    struct Target: Sendable {
        var port: Int
        var token: String?
        var requestTimeout: Double
        var idleTimeout: Double
        var maxBodyBytes: Int
        var maxHeaderBytes: Int
    }

    /// Every kind, for a server with `target`'s limits.
    static func all(_ target: Target, validBody: Data, wrongShape: Data, wrongDtype: Data) -> [AbuseClient] {
        let path = "/v2/models/lenet5/infer"
        let auth = target.token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let wait = max(target.requestTimeout, target.idleTimeout) * 3 + 5
        func head(_ length: Int, extra: String = "") -> String {
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(auth)\(extra)Content-Type: application/json\r\nContent-Length: \(length)\r\n\r\n"
        }
        /// Sends `bytes` and reads the answer.
        func exchange(_ bytes: [UInt8]) -> @Sendable (Int) -> RawConnection.Outcome {
            { port in
                guard let c = RawConnection(port: port, timeout: wait) else { return .connectFailed }
                c.send(bytes)   // the server may answer (and close) before all of it is sent
                return c.readStatus()
            }
        }
        /// Sends `prefix`, then `trickle` one byte every `every` seconds until the server answers or closes.
        func trickle(_ prefix: String, _ trickle: [UInt8], every: Double) -> @Sendable (Int) -> RawConnection.Outcome {
            { port in
                guard let c = RawConnection(port: port, timeout: every) else { return .connectFailed }
                guard c.send(prefix) else { return .closed }
                let start = Date()
                var i = 0
                while Date().timeIntervalSince(start) < wait {
                    switch c.readStatus() {
                    case .timeout: break
                    case let other: return other
                    }
                    if !c.send([trickle[i % trickle.count]]) {
                        let o = c.readStatus()
                        return o == .timeout ? .closed : o
                    }
                    i += 1
                }
                return .timeout
            }
        }
        var kinds: [AbuseClient] = [
            AbuseClient(name: "slowloris head (1 header byte / 0.5 s)", expected: "closed", concurrency: 4, pause: 0,
                        attempt: trickle("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n", Array("X-Slow: aaaaaaaaaaaa\r\n".utf8), every: 0.5)),
            AbuseClient(name: "slowloris body (1 body byte / 0.25 s)", expected: "408", concurrency: 4, pause: 0,
                        attempt: trickle(head(validBody.count), [UInt8](validBody), every: 0.25)),
            AbuseClient(name: "oversized body (Content-Length 1 GB)", expected: "413", concurrency: 1, pause: 0.05,
                        attempt: exchange(Array(head(1 << 30).utf8) + [UInt8](repeating: 0x20, count: 65536))),
            AbuseClient(name: "oversized head (64 KB header)", expected: "400", concurrency: 1, pause: 0.05,
                        attempt: exchange(Array(head(2, extra: "X-Big: \(String(repeating: "a", count: 65536))\r\n").utf8) + Array("{}".utf8))),
            AbuseClient(name: "malformed JSON", expected: "400", concurrency: 1, pause: 0.05,
                        attempt: exchange(Array((head(9) + "{not json").utf8))),
            AbuseClient(name: "wrong shape [1, 3, 28, 28]", expected: "400", concurrency: 1, pause: 0.05,
                        attempt: exchange(Array(head(wrongShape.count).utf8) + [UInt8](wrongShape))),
            AbuseClient(name: "wrong dtype INT8", expected: "400", concurrency: 1, pause: 0.05,
                        attempt: exchange(Array(head(wrongDtype.count).utf8) + [UInt8](wrongDtype))),
        ]
        if target.token != nil {
            let noAuth = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            let wrong = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong\r\nContent-Length: 2\r\n\r\n{}"
            kinds.append(AbuseClient(name: "no bearer token", expected: "401", concurrency: 1, pause: 0.05, attempt: exchange(Array(noAuth.utf8))))
            kinds.append(AbuseClient(name: "wrong bearer token", expected: "401", concurrency: 1, pause: 0.05, attempt: exchange(Array(wrong.utf8))))
        }
        return kinds
    }
}
