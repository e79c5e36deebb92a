import Foundation
import Tensors
import XCTest

/// `workbench serve` against hostile clients: the bearer token, the queue
/// limit, the loopback bind, and (through the short `bench soak`) slowloris,
/// oversized bodies and heads, malformed JSON, wrong shapes/dtypes and idle
/// connections, each answered as its limit promises while well-behaved
/// clients see no error.
extension DeployEndToEndTests {
    /// Starts `workbench serve ARGS` (with `env` added); returns the process and its port.
    func startServe(_ args: [String], env: [String: String] = [:]) throws -> (Process, Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try WorkbenchBinary.path())
        p.arguments = ["serve", "--port", "0"] + args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var first = Data()
        while !first.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first += chunk
        }
        let line = String(decoding: first, as: UTF8.self)
        let port = try XCTUnwrap(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, line)
        return (p, port)
    }

    /// curl -i: status, response headers (lower-cased names) and body.
    func curlHeaders(_ url: String, method: String = "GET", headers: [String] = [], body: Data? = nil) throws
        -> (status: Int, headers: [String: String], body: String) {
        var args = ["-s", "-i", "-X", method, "--max-time", "30"] + headers.flatMap { ["-H", $0] }
        if let body {
            let f = dir.appendingPathComponent("body-\(UUID().uuidString)")
            try body.write(to: f)
            args += ["-H", "Content-Type: application/json", "-H", "Expect:", "--data-binary", "@\(f.path)"]
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = args + [url]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = (parts.first ?? "").components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var fields: [String: String] = [:]
        for l in lines.dropFirst() {
            if let c = l.firstIndex(of: ":") {
                fields[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return (status, fields, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    func testServeBearerTokenQueueLimitAndLoopbackBind() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else { throw XCTSkip("no curl") }
        let (lenet, _) = try saveLeNet()
        let (p, port) = try startServe(["--weights", "lenet5=\(lenet.path)", "--max-queue", "1", "--max-delay-ms", "1000", "--max-batch", "64"],
                                       env: ["WORKBENCH_SERVE_TOKEN": "s3cret-token"])
        defer { p.terminate(); p.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)"

        // Bound to loopback only: the listening socket's local address is 127.0.0.1.
        let tcp = try String(contentsOfFile: "/proc/\(p.processIdentifier)/net/tcp", encoding: .utf8)
        let listening = tcp.split(separator: "\n").filter { $0.contains(String(format: ":%04X ", port)) && $0.contains(" 0A ") }
        XCTAssertFalse(listening.isEmpty, tcp)
        XCTAssertTrue(listening.allSatisfy { $0.contains(String(format: "0100007F:%04X", port)) }, "\(listening)")

        // Health checks are open; everything else needs the token.
        XCTAssertEqual(try curlHeaders("\(base)/v2/health/live").status, 200)
        XCTAssertEqual(try curlHeaders("\(base)/v2/health/ready").status, 200)
        for path in ["/v2/models/lenet5", "/metrics", "/v2/models/lenet5/ready"] {
            let r = try curlHeaders(base + path)
            XCTAssertEqual(r.status, 401, path)
            XCTAssertEqual(r.headers["www-authenticate"], "Bearer realm=\"workbench\"", path)
            XCTAssertTrue(r.body.contains("needs a bearer token"), r.body)
        }
        let wrong = try curlHeaders("\(base)/v2/models/lenet5", headers: ["Authorization: Bearer s3cret-tokeX"])
        XCTAssertEqual(wrong.status, 401)
        XCTAssertTrue(wrong.headers["www-authenticate"]?.contains("invalid_token") == true, "\(wrong.headers)")
        XCTAssertEqual(try curlHeaders("\(base)/v2/models/lenet5", headers: ["Authorization: Bearer s3cret-token-longer"]).status, 401)
        XCTAssertEqual(try curlHeaders("\(base)/v2/models/lenet5", headers: ["Authorization: Basic s3cret-token"]).status, 401)
        let auth = ["Authorization: Bearer s3cret-token"]
        XCTAssertEqual(try curlHeaders("\(base)/v2/models/lenet5", headers: auth).status, 200)
        XCTAssertEqual(try curlHeaders("\(base)/v2/models/lenet5", headers: ["authorization: bearer s3cret-token"]).status, 200)

        // A full queue: the batcher holds the first request for 1 s (--max-delay-ms) and --max-queue 1 turns the others away.
        let body = try inferBody(Tensor.randn([1, 3, 32, 32], generator: Generator(seed: 4)))
        // Initialised before the concurrent writes: assigning into raw memory would release garbage.
        let results = UnsafeMutableBufferPointer<(Int, String?)>.allocate(capacity: 6)
        results.initialize(repeating: (0, nil))
        defer { _ = results.deinitialize(); results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            let r = try? self.curlHeaders("\(base)/v2/models/lenet5/infer", method: "POST", headers: auth, body: body)
            results[i] = (r?.status ?? 0, r?.headers["retry-after"])
        }
        let statuses = results.map(\.0)
        XCTAssertTrue(statuses.contains(200), "\(statuses)")
        XCTAssertTrue(statuses.contains(503), "\(statuses)")
        XCTAssertTrue(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses)")
        XCTAssertTrue(results.filter { $0.0 == 503 }.allSatisfy { $0.1 == "1" }, "503 without Retry-After: \(Array(results))")
    }

    func testServeRefusesBadLimitsAndTokens() throws {
        let (lenet, _) = try saveLeNet()
        for (args, message) in [(["--max-connections", "0"], "--max-connections must be at least 1"),
                                (["--request-timeout", "0"], "--request-timeout must be positive"),
                                (["--max-queue", "0"], "--max-queue must be at least 1"),
                                (["--token", "has space"], "must be non-empty printable ASCII")] {
            let r = try workbench(["serve", "--weights", lenet.path] + args)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.err.contains(message), r.err)
        }
    }

    /// The short soak: a few seconds of 8 clients beside every abuse and 200 idle connections.
    func testShortSoakUnderAbuse() throws {
        let report = dir.appendingPathComponent("soak.json")
        let r = try workbench(["bench", "soak", "--seconds", "4", "--quiet-seconds", "2", "--clients", "8", "--idle", "200",
                               "--request-timeout", "1", "--idle-timeout", "1", "--abuse-nice", "5", "--json", report.path])
        XCTAssertEqual(r.status, 0, r.err)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any], r.out)
        let quiet = try XCTUnwrap(doc["quiet"] as? [String: Any]), abuse = try XCTUnwrap(doc["abuse"] as? [String: Any])
        XCTAssertEqual(quiet["errors"] as? Int, 0, r.out)
        XCTAssertEqual(abuse["errors"] as? Int, 0, r.out)
        XCTAssertGreaterThan(abuse["requests"] as? Int ?? 0, 0, r.out)
        let abuses = try XCTUnwrap(doc["abuses"] as? [[String: Any]])
        XCTAssertEqual(abuses.count, 9, r.out)
        for a in abuses { XCTAssertEqual(a["ok"] as? Bool, true, "\(a["name"] ?? "?"): \(a["answers"] ?? "?") \n\(r.out)") }
        let idle = try XCTUnwrap(doc["idle"] as? [String: Any])
        XCTAssertEqual(idle["max_open"] as? Int, 200, r.out)
        XCTAssertGreaterThan(idle["closed_by_server"] as? Int ?? 0, 0, "the idle timeout closes idle connections: \(r.out)")
        XCTAssertEqual(idle["connect_failures"] as? Int, 0, r.out)
        // The abuse ran in its own process, and the report tells its CPU from the server's.
        let cpu = try XCTUnwrap(doc["cpu_seconds"] as? [String: Double], r.out)
        XCTAssertGreaterThan(cpu["abuse_process"] ?? 0, 0, r.out)
        XCTAssertGreaterThan(cpu["server_abuse"] ?? 0, 0, r.out)
        XCTAssertTrue(r.out.contains("abuse process"), r.out)
    }
}

extension DeployEndToEndTests {
    /// `--max-connections 2`: two clients hold connections; three more are answered at once with
    /// 503 + Retry-After + Connection: close and closed (before they send anything, and after), while
    /// the two keep being served; when one leaves, a new connection is served again.
    func testConnectionsOverTheLimitAreAnswered503AndClosed() throws {
        let (lenet, _) = try saveLeNet()
        let (p, port) = try startServe(["--weights", "lenet5=\(lenet.path)", "--max-connections", "2"])
        defer { p.terminate(); p.waitUntilExit() }
        var first: RawHTTPConnection? = try RawHTTPConnection(port: port)
        let second = try RawHTTPConnection(port: port)
        XCTAssertTrue(first?.request("GET", "/v2/health/live").hasPrefix("HTTP/1.1 200") == true)
        XCTAssertTrue(second.request("GET", "/v2/health/live").hasPrefix("HTTP/1.1 200"))

        for k in 0..<3 {
            let extra = try RawHTTPConnection(port: port)
            if k == 1 { extra.send("GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") }
            let (text, closed) = extra.readUntilClosed(timeout: 10)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), text)
            let head = text.lowercased()
            XCTAssertTrue(head.contains("\r\nretry-after: 1\r\n"), text)
            XCTAssertTrue(head.contains("\r\nconnection: close\r\n"), text)
            XCTAssertTrue(text.contains("--max-connections 2"), text)
            XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 ").count, 2, "one answer only: \(text)")
            XCTAssertTrue(closed, "the server closes a refused connection: \(text)")
        }

        // The admitted clients were not disturbed; the refusals are counted.
        XCTAssertTrue(first?.request("GET", "/v2/health/ready").hasPrefix("HTTP/1.1 200") == true)
        let metrics = second.request("GET", "/metrics")
        XCTAssertTrue(metrics.contains("workbench_request_errors_total{endpoint=\"connection_limit\",code=\"503\"} 3"), metrics)

        // A place frees up when a client leaves (the server sees the close a moment later).
        first = nil
        var answer = ""
        for _ in 0..<50 {
            answer = try RawHTTPConnection(port: port).request("GET", "/v2/health/live")
            if answer.hasPrefix("HTTP/1.1 200") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
    }
}
