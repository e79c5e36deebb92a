import ArgumentParser
import Foundation
import Tensors

/// `workbench bench soak`: `workbench serve` (LeNet-5, a child process) under
/// well-behaved load and hostile clients at once.
///
/// `--clients` keep-alive clients send infer requests back to back: first
/// alone (`--quiet-seconds`), then for `--seconds` beside every kind of
/// `AbuseClient` (slowloris head and body, oversized body and head, malformed
/// JSON, wrong shape and dtype, missing/wrong token) and `--idle` connections
/// that never send a byte; the hostile side runs as a child process
/// (`BenchSoakAbuse`), which `--abuse-cpu` pins and `--abuse-nice` lowers, so
/// the CPU the load generator takes can be told from the server's. The report
/// gives the CPU seconds of the server, the clients and the abuse process per
/// phase, and the well-behaved clients' errors
/// (must be 0) and p50/p99 in both phases (p99 under abuse within 2×), the
/// server's RSS at start/middle/end, and each abuse's answers against the one
/// its limit promises.
struct BenchSoak: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Soak and abuse `serve`: well-behaved clients' errors and p50/p99 with and without hostile clients; RSS; each abuse's answers.")

    @Option(help: "Seconds of load with abuse (the issue's soak: 600).") var seconds: Double = 60
    @Option(name: .customLong("quiet-seconds"), help: "Seconds of load without abuse first (default: a fifth of --seconds, at least 2).")
    var quietSeconds: Double?
    @Option(help: "Concurrent well-behaved clients.") var clients: Int = 64
    @Option(help: "Idle connections held open during the abuse (the fd limit is raised to its hard limit).") var idle: Int = 1000
    @Option(name: .customLong("request-timeout"), help: "The server's --request-timeout.") var requestTimeout: Double = 2
    @Option(name: .customLong("idle-timeout"), help: "The server's --idle-timeout.") var idleTimeout: Double = 5
    @Option(name: .customLong("max-batch"), help: "The server's --max-batch.") var maxBatch: Int = 64
    @Option(name: .customLong("abuse-cpu"), help: "Pin the abuse process to this CPU (0-based; default: not pinned).")
    var abuseCPU: Int?
    @Option(name: .customLong("abuse-nice"), help: "Nice value of the abuse process (0…19).") var abuseNice: Int = 0
    @Option(help: "Write the figures as JSON to this file.") var json: String?

    struct Phase {
        var requests = 0
        var errors = 0
        var latencies: [Double] = []
        var seconds = 0.0
        func percentile(_ p: Double) -> Double {
            let s = latencies.sorted()
            return s.isEmpty ? 0 : s[Swift.min(s.count - 1, Int(Double(s.count) * p))] * 1000
        }
    }

    func validate() throws {
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1") }
        guard idle >= 0 else { throw ValidationError("--idle must not be negative") }
        guard requestTimeout > 0, idleTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard (0...19).contains(abuseNice) else { throw ValidationError("--abuse-nice must be in 0…19, got \(abuseNice)") }
    }

    func run() throws {
        #if DEBUG
        print("warning: debug build; run `swift build -c release` and .build/release/workbench bench soak for real figures")
        #endif
        setvbuf(stdout, nil, _IOLBF, 0)
        signal(SIGPIPE, SIG_IGN)
        let fdLimit = Self.raiseDescriptorLimit()
        let idleTarget = Swift.min(idle, Swift.max(0, fdLimit - clients - 256))
        let quiet = quietSeconds ?? Swift.max(2, seconds / 5)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-soak-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = try BenchServe.saveModel("lenet5", in: dir)
        let body = try BenchServe.inferBody()
        let token = "soak-\(UInt64.random(in: 0...UInt64.max))"
        let maxBody = 1 << 20, maxHeader = 16 << 10
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let server = try ServerProcess.start(exe, [
            "serve", "--weights", "lenet5=\(weights.path)", "--port", "0", "--max-batch", String(maxBatch), "--max-delay-ms", "2",
            "--max-body-bytes", String(maxBody), "--max-header-bytes", String(maxHeader),
            "--request-timeout", String(requestTimeout), "--idle-timeout", String(idleTimeout),
            "--max-connections", String(idleTarget + clients + 512),
        ], environment: ["WORKBENCH_SERVE_TOKEN": token])
        defer { server.stop() }
        let port = server.port
        print("bench soak: lenet5 /infer on port \(port), \(clients) clients, \(quiet) s quiet then \(seconds) s with abuse, "
              + "\(idleTarget) idle connections (fd limit \(fdLimit)), request timeout \(requestTimeout) s, idle timeout \(idleTimeout) s")

        // Well-behaved clients: one thread each, phase by the clock.
        let auth = ["Authorization: Bearer \(token)"]
        let warm = LoadClient(port: port, path: "/v2/models/lenet5/infer", body: body, headers: auth)
        for _ in 0..<20 { _ = try warm.send() }
        let ns = { DispatchTime.now().uptimeNanoseconds }
        let t0 = ns()
        let serverCPUStart = server.cpuSeconds, clientsCPUStart = Bench.cpuSeconds()
        let abuseStart = t0 + UInt64(quiet * 1e9)
        let end = abuseStart + UInt64(seconds * 1e9)
        final class Box: @unchecked Sendable {
            var phases = [Phase(), Phase()]
            var rss: [(Double, Double)] = []
        }
        let box = Box()
        let lock = NSLock()
        let rssStart = server.rssMB
        let group = DispatchGroup()
        for _ in 0..<clients {
            group.enter()
            Thread {
                defer { group.leave() }
                let client = LoadClient(port: port, path: "/v2/models/lenet5/infer", body: body, headers: auth)
                var local = [Phase(), Phase()]
                while true {
                    let t = DispatchTime.now()
                    guard t.uptimeNanoseconds < end else { break }
                    let phase = t.uptimeNanoseconds < abuseStart ? 0 : 1
                    let status = (try? client.send()) ?? 0
                    if status == 200 { local[phase].latencies.append(Bench.seconds(since: t)) } else { local[phase].errors += 1 }
                }
                lock.lock()
                for i in 0..<2 {
                    box.phases[i].latencies += local[i].latencies
                    box.phases[i].errors += local[i].errors
                }
                lock.unlock()
            }.start()
        }
        // RSS once a second.
        group.enter()
        Thread {
            defer { group.leave() }
            while ns() < end {
                let s = Double(ns() - t0) / 1e9
                let r = server.rssMB
                lock.lock(); box.rss.append((s, r)); lock.unlock()
                Thread.sleep(forTimeInterval: 1)
            }
        }.start()
        // Abuse, from abuseStart, in a child process (see `BenchSoakAbuse`).
        while ns() < abuseStart { Thread.sleep(forTimeInterval: 0.05) }
        let serverCPUQuiet = server.cpuSeconds - serverCPUStart, clientsCPUQuiet = Bench.cpuSeconds() - clientsCPUStart
        var abuseArgs = ["bench", "soak-abuse", "--port", String(port), "--seconds", String(seconds), "--idle", String(idleTarget),
                         "--request-timeout", String(requestTimeout), "--idle-timeout", String(idleTimeout),
                         "--max-body-bytes", String(maxBody), "--max-header-bytes", String(maxHeader), "--nice", String(abuseNice)]
        if let abuseCPU { abuseArgs += ["--cpu", String(abuseCPU)] }
        let abuser = Process()
        abuser.executableURL = URL(fileURLWithPath: exe)
        abuser.arguments = abuseArgs
        abuser.environment = ProcessInfo.processInfo.environment.merging(["WORKBENCH_SERVE_TOKEN": token]) { $1 }
        let abuseOut = Pipe()
        abuser.standardOutput = abuseOut
        try abuser.run()
        group.wait()
        let serverCPUAbuse = server.cpuSeconds - serverCPUStart - serverCPUQuiet
        let clientsCPUAbuse = Bench.cpuSeconds() - clientsCPUStart - clientsCPUQuiet
        let report = abuseOut.fileHandleForReading.readDataToEndOfFile()   // until the child exits
        abuser.waitUntilExit()
        guard abuser.terminationStatus == 0,
              let doc = try? JSONSerialization.jsonObject(with: report) as? [String: Any],
              let kindDocs = doc["kinds"] as? [[String: Any]], let idleDoc = doc["idle"] as? [String: Int] else {
            throw UserError("the abuse process (bench soak-abuse) exited with status \(abuser.terminationStatus) and no report")
        }
        let abuseCPU = doc["cpu_seconds"] as? Double ?? 0
        box.phases[0].seconds = quiet
        box.phases[1].seconds = seconds
        for i in 0..<2 { box.phases[i].requests = box.phases[i].latencies.count }

        // The report.
        let q = box.phases[0], a = box.phases[1]
        let rssMiddle = box.rss.min { abs($0.0 - (quiet + seconds / 2)) < abs($1.0 - (quiet + seconds / 2)) }?.1 ?? 0
        let rssEnd = server.rssMB
        let rssMax = box.rss.map(\.1).max() ?? rssEnd
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }
        print(pad("well-behaved clients (\(clients))", 30) + "    req/s  errors    p50 ms    p99 ms")
        for (label, p) in [("without abuse", q), ("with abuse", a)] {
            print(pad("  " + label, 30) + String(format: " %8.0f %7d %9.2f %9.2f", Double(p.requests) / p.seconds, p.errors,
                                                   p.percentile(0.5), p.percentile(0.99)))
        }
        let ratio = q.percentile(0.99) > 0 ? a.percentile(0.99) / q.percentile(0.99) : 0
        print(String(format: "p99 with / without abuse: %.2fx (limit 2x)", ratio))
        print(String(format: "server RSS MB: start %.1f, middle %.1f, end %.1f, max %.1f", rssStart, rssMiddle, rssEnd, rssMax))
        print(String(format: "CPU seconds, quiet (%.0f s) / abuse (%.0f s): server %.1f / %.1f (%.0f%% / %.0f%% of a core), "
                     + "well-behaved clients %.1f / %.1f, abuse process %.1f", quiet, seconds, serverCPUQuiet, serverCPUAbuse,
                     100 * serverCPUQuiet / quiet, 100 * serverCPUAbuse / seconds, clientsCPUQuiet, clientsCPUAbuse, abuseCPU))
        print("abuse (answers; expected):")
        var abuseJSON: [[String: Any]] = []
        var allExpected = true
        for kind in kindDocs {
            let name = kind["name"] as? String ?? "?", expected = kind["expected"] as? String ?? "?"
            let counts = kind["answers"] as? [String: Int] ?? [:]
            let ok = !counts.isEmpty && counts.keys.allSatisfy { $0 == expected }
            allExpected = allExpected && ok
            let text = counts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            print("  \(name): \(text.isEmpty ? "no attempt finished" : text); expected \(expected)\(ok ? "" : "  ← UNEXPECTED")")
            abuseJSON.append(["name": name, "expected": expected, "answers": counts, "ok": ok])
        }
        let idleFailures = idleDoc["connect_failures"] ?? 0
        print("  idle connections: \(idleDoc["max_open"] ?? 0) open at most (target \(idleTarget)), \(idleDoc["opened"] ?? 0) opened, "
              + "\(idleDoc["closed_by_server"] ?? 0) closed by the server's idle timeout, \(idleFailures) connects failed")
        let flat = rssEnd <= rssMiddle * 1.1 + 5
        let pass = q.errors + a.errors == 0 && allExpected && ratio <= 2 && flat
        print("verdict: errors \(q.errors + a.errors == 0 ? "0" : "NONZERO"), answers \(allExpected ? "as expected" : "UNEXPECTED"), "
              + "p99 \(ratio <= 2 ? "within" : "OVER") 2x, RSS \(flat ? "flat" : "GROWING") → \(pass ? "PASS" : "FAIL")")
        if let json {
            func phase(_ p: Phase) -> [String: Any] {
                ["requests": p.requests, "errors": p.errors, "p50_ms": p.percentile(0.5), "p99_ms": p.percentile(0.99),
                 "requests_per_second": Double(p.requests) / p.seconds]
            }
            let doc: [String: Any] = [
                "clients": clients, "quiet": phase(q), "abuse": phase(a), "p99_ratio": ratio,
                "rss_mb": ["start": rssStart, "middle": rssMiddle, "end": rssEnd, "max": rssMax],
                "abuses": abuseJSON,
                "idle": idleDoc,
                "cpu_seconds": ["server_quiet": serverCPUQuiet, "server_abuse": serverCPUAbuse, "clients_quiet": clientsCPUQuiet,
                                "clients_abuse": clientsCPUAbuse, "abuse_process": abuseCPU],
                "pass": pass,
            ]
            try AtomicFile.write(try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .prettyPrinted]),
                                 to: URL(fileURLWithPath: json))
        }
    }

    /// Raises the soft descriptor limit to the hard one (the child server inherits it); returns the new soft limit.
    static func raiseDescriptorLimit() -> Int {
        var r = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r) == 0 else { return 1024 }
        if r.rlim_cur < r.rlim_max {
            r.rlim_cur = r.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
        }
        return Int(clamping: r.rlim_cur)
    }
}
