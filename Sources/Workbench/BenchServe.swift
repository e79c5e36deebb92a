import ArgumentParser
import Foundation
import Tensors

/// `workbench bench serve`: throughput and latency of `workbench serve` on a
/// zoo model (LeNet-5 by default) with and without dynamic batching, at several
/// client counts, plus for LeNet-5 a minimal PyTorch HTTP baseline
/// (`scripts/serve_torch_baseline.py`) driven by the same load generator in the
/// same run. LeNet-5 costs a small part of a request, so batching shows on
/// heavier models (`--model resnet18`).
struct BenchServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serving a zoo model: requests/s and p50/p99 latency, batched vs unbatched vs a PyTorch baseline; errors; server RSS.")

    @Option(help: "Seconds of load per measurement (the issue's soak run: 60).") var seconds: Double = 10
    @Option(help: ArgumentHelp("Concurrent clients, comma-separated.", valueName: "list")) var clients: String = "1,8,64"
    @Option(name: .customLong("max-batch"), help: "--max-batch of the batched server.") var maxBatch: Int = 64
    @Option(name: .customLong("max-delay-ms"), help: "--max-delay-ms of the batched server.") var maxDelayMs: Double = 2
    @Option(help: "infer (KServe JSON tensors, 60 KB per request) or predict (one 3073-byte CIFAR-10 record; no PyTorch baseline).")
    var endpoint: String = "infer"
    @Option(help: "Zoo model to serve (a 3×32×32 image model: lenet5, smallvgg, resnet18, …); the PyTorch baseline is LeNet-5 only.")
    var model: String = "lenet5"
    @Flag(name: .customLong("no-torch"), help: "Skip the PyTorch baseline.") var noTorch = false
    @Option(help: "Python with torch and safetensors for the baseline.") var python: String = "/tmp/torchenv/bin/python"

    struct Result {
        var requests = 0
        var errors = 0
        var latencies: [Double] = []
        var seconds = 0.0
        var rssBefore = 0.0
        var rssAfter = 0.0
        /// The server's RSS 1 s after the load stopped (an idle batcher gives batch memory back after 0.5 s).
        var rssIdle = 0.0
    }

    func run() throws {
        #if DEBUG
        print("warning: debug build; run `swift build -c release` and .build/release/workbench bench serve for real figures")
        #endif
        let counts = clients.split(separator: ",").compactMap { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else { throw UserError("--clients \(clients): expected positive integers") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-serve-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        guard let entry = ModelZoo.entries.first(where: { $0.name == model }), entry.inputShape == [3, 32, 32] else {
            throw UserError("--model \(model): expected a zoo model with 3×32×32 image input (\(ModelZoo.entries.filter { $0.inputShape == [3, 32, 32] }.map(\.name).joined(separator: ", ")))")
        }
        let weights = try Self.saveModel(model, in: dir)
        let body = try Self.inferBody()
        guard ["infer", "predict"].contains(endpoint) else { throw UserError("--endpoint \(endpoint): expected infer or predict") }
        let binary = endpoint == "predict"
        let payload = binary ? Data((0..<3073).map { UInt8(truncatingIfNeeded: $0 &* 7) }) : body
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        setvbuf(stdout, nil, _IOLBF, 0)
        print("bench serve: \(model) /\(endpoint), \(seconds) s per point, clients \(counts), body \(payload.count) bytes")
        print(String(format: "%-34@ %7@ %10@ %9@ %9@ %7@ %14@", "server" as NSString, "clients" as NSString, "req/s" as NSString,
                     "p50 ms" as NSString, "p99 ms" as NSString, "errors" as NSString, "server RSS MB (before → after → 1 s idle)" as NSString))
        var rows: [(String, Int, Result)] = []
        let servers: [(String, [String])] = [
            ("workbench unbatched", ["--max-batch", "1", "--max-delay-ms", "0"]),
            ("workbench batched (\(maxBatch), \(maxDelayMs) ms)", ["--max-batch", String(maxBatch), "--max-delay-ms", String(maxDelayMs)]),
        ]
        for (label, extra) in servers {
            let server = try ServerProcess.start(exe, ["serve", "--weights", "\(model)=\(weights.path)", "--port", "0"] + extra)
            defer { server.stop() }
            for c in counts {
                let r = try load(port: server.port, clients: c, body: payload, binary: binary, pid: server.process.processIdentifier)
                rows.append((label, c, r))
                report(label, c, r)
            }
        }
        if !noTorch && !binary && model == "lenet5" {
            if FileManager.default.isExecutableFile(atPath: python) {
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("scripts/serve_torch_baseline.py").path
                let server = try ServerProcess.start(python, [script, weights.path, "0"])
                // SIGKILL: http.server's serve_forever can sit out a SIGTERM; it holds nothing to save.
                defer { kill(server.process.processIdentifier, SIGKILL); server.process.waitUntilExit() }
                for c in counts {
                    let r = try load(port: server.port, clients: c, body: body, binary: false, pid: server.process.processIdentifier)
                    rows.append(("pytorch http.server", c, r))
                    report("pytorch http.server", c, r)
                }
            } else {
                print("(no PyTorch baseline: \(python) not found; pass --python)")
            }
        }
        for c in counts {
            let u = rows.first { $0.0.hasPrefix("workbench unbatched") && $0.1 == c }?.2
            let b = rows.first { $0.0.hasPrefix("workbench batched") && $0.1 == c }?.2
            if let u, let b, u.requests > 0 {
                print(String(format: "batched / unbatched at %d clients: %.2fx", c,
                             (Double(b.requests) / b.seconds) / (Double(u.requests) / u.seconds)))
            }
        }
    }

    /// A seeded zoo model with CIFAR-10 metadata saved as `dir/NAME.safetensors`.
    static func saveModel(_ name: String, in dir: URL) throws -> URL {
        let weights = dir.appendingPathComponent("\(name).safetensors")
        let model = try ModelZoo.make(name, generator: Generator(seed: 0))
        try ModelFile.save(model, metadata: ModelMetadata(architecture: .init(name: name, inputShape: [3, 32, 32], outputs: 10),
                                                          classes: CIFAR10.classNames, transform: .cifar10), to: weights)
        return weights
    }

    /// A KServe v2 infer body of one seeded [1, 3, 32, 32] input (about 60 KB); `shape` and `datatype` may lie.
    static func inferBody(shape: [Int] = [1, 3, 32, 32], datatype: String = "FP32") throws -> Data {
        let x = Tensor.randn([1, 3, 32, 32], generator: Generator(seed: 1))
        return try JSONSerialization.data(withJSONObject: ["inputs": [["name": "input", "shape": shape, "datatype": datatype,
                                                                       "data": x.toArray().map(Double.init)]]])
    }

    func report(_ label: String, _ clients: Int, _ r: Result) {
        let s = r.latencies.sorted()
        func pct(_ p: Double) -> Double { s.isEmpty ? 0 : s[Swift.min(s.count - 1, Int(Double(s.count) * p))] * 1000 }
        print(String(format: "%-34@ %7d %10.0f %9.2f %9.2f %7d %6.1f → %.1f → %.1f", label as NSString, clients,
                     Double(r.requests) / r.seconds, pct(0.5), pct(0.99), r.errors, r.rssBefore, r.rssAfter, r.rssIdle))
        fflush(stdout)
    }

    /// `clients` threads sending requests back to back for `seconds` (after a short warm-up).
    func load(port: Int, clients: Int, body: Data, binary: Bool, pid: Int32) throws -> Result {
        let path = binary ? "/v2/models/\(model)/predict" : "/v2/models/\(model)/infer"
        let type = binary ? "application/octet-stream" : "application/json"
        let warm = LoadClient(port: port, path: path, body: body, contentType: type)
        for _ in 0..<20 { _ = try warm.send() }
        final class Box: @unchecked Sendable { var result = Result() }
        let box = Box()
        box.result.rssBefore = ServerProcess.rss(pid)
        let lock = NSLock()
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let start = DispatchTime.now()
        // One thread per client (concurrentPerform would run only as many as there are cores).
        let group = DispatchGroup()
        for _ in 0..<clients {
            group.enter()
            Thread {
            defer { group.leave() }
            let client = LoadClient(port: port, path: path, body: body, contentType: type)
            var lat: [Double] = []
            var errors = 0
            while DispatchTime.now().uptimeNanoseconds < deadline {
                let t = DispatchTime.now()
                let status = (try? client.send()) ?? 0
                if status == 200 { lat.append(Bench.seconds(since: t)) } else { errors += 1 }
            }
            lock.lock()
            box.result.latencies += lat
            box.result.errors += errors
            box.result.requests += lat.count
            lock.unlock()
            }.start()
        }
        group.wait()
        var result = box.result
        result.seconds = Bench.seconds(since: start)
        result.rssAfter = ServerProcess.rss(pid)
        Thread.sleep(forTimeInterval: 1)
        result.rssIdle = ServerProcess.rss(pid)
        return result
    }
}
