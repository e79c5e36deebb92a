import Foundation
import Tensors
import XCTest

/// The deployment commands as a user runs them: `workbench predict` on CSV
/// rows, CIFAR-10 batches and tensors (bad files named, the rest still run),
/// `workbench export`, and `workbench serve` started for real on a free
/// loopback port and driven with curl through every endpoint and error,
/// reload (management call and SIGHUP) and graceful shutdown (SIGTERM).
///
/// Runs the newest of `.build/debug/workbench` and `.build/release/workbench`; skips without one.
final class DeployEndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Runs the binary to completion: status, stdout, stderr.
    func workbench(_ args: [String], home: URL? = nil, environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        try Self.run(args, home: home ?? dir.appendingPathComponent("home"), in: dir, environment: environment)
    }

    /// Runs the binary in `folder` with `WORKBENCH_HOME` set to `home` (and `environment` added): status, stdout, stderr.
    static func run(_ args: [String], home: URL, in folder: URL, environment: [String: String] = [:]) throws
        -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try WorkbenchBinary.path())
        p.arguments = args
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        env["WORKBENCH_HOME"] = home.path
        p.environment = env
        p.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// An iris-like tabular model with metadata: 4 named features, 3 classes.
    func saveTabular() throws -> (URL, any UnaryLayer) {
        let model = try ModelZoo.make("mlp", inputShape: [4], outputs: 3, generator: Generator(seed: 3))
        let meta = ModelMetadata(architecture: .init(name: "mlp", inputShape: [4], outputs: 3), task: .classification,
                                 classes: ["setosa", "versicolor", "virginica"], features: ["sl", "sw", "pl", "pw"])
        let url = dir.appendingPathComponent("iris.safetensors")
        try ModelFile.save(model, metadata: meta, to: url)
        return (url, model)
    }

    func saveLeNet() throws -> (URL, any UnaryLayer) {
        let model = try ModelZoo.make("lenet5", generator: Generator(seed: 5))
        let meta = ModelMetadata(architecture: .init(name: "lenet5", inputShape: [3, 32, 32], outputs: 10),
                                 classes: CIFAR10.classNames, transform: .cifar10)
        let url = dir.appendingPathComponent("lenet5.safetensors")
        try ModelFile.save(model, metadata: meta, to: url)
        return (url, model)
    }

    func cifarRecords(_ n: Int) -> Data {
        var g = SystemRandomNumberGenerator()
        return Data((0..<(n * 3073)).map { i in i % 3073 == 0 ? 3 : UInt8.random(in: 0...255, using: &g) })
    }

    func testMetadataRoundTripAndOldFiles() throws {
        let (url, _) = try saveLeNet()
        let meta = try XCTUnwrap(try ModelFile.metadata(in: url))
        XCTAssertEqual(meta.architecture, .init(name: "lenet5", inputShape: [3, 32, 32], outputs: 10))
        XCTAssertEqual(meta.classes, CIFAR10.classNames)
        XCTAssertEqual(meta.transform, .cifar10)
        // A file from before the metadata (only workbench.model) still loads, with zoo defaults.
        let old = dir.appendingPathComponent("old.safetensors")
        try ModelFile.save(try ModelZoo.make("lenet5"), modelName: "lenet5", to: old)
        let oldMeta = try XCTUnwrap(try ModelFile.metadata(in: old))
        XCTAssertEqual(oldMeta.architecture.name, "lenet5")
        XCTAssertEqual(oldMeta.classes, [])
        XCTAssertNoThrow(try ModelFile.loadModel(from: old))
    }

    func testPredictCSVWithBadFilesNamed() throws {
        let (weights, model) = try saveTabular()
        let csv = "pw,label,sl,sw,pl\n0.2,setosa,5.1,3.5,1.4\n1.8,virginica,6.3,2.9,5.6\n"
        try csv.write(to: dir.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
        try "sl,sw,pl,pw\n1,2,x,4\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let r = try workbench(["predict", "--weights", weights.path, "--top-k", "2", "rows.csv", "bad.csv", "missing.csv"])
        XCTAssertEqual(r.status, 1, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, r.out)
        XCTAssertTrue(lines[0].contains("rows.csv:row 1: "), r.out)
        // Columns are picked by name (the file's order differs from training's).
        let x = Tensor([5.1, 3.5, 1.4, 0.2], shape: [1, 4])
        let probs = noGrad { model(x).softmax(dim: 1) }.toArray()
        let best = probs.indices.max { probs[$0] < probs[$1] } ?? 0
        let name = ["setosa", "versicolor", "virginica"][best]
        XCTAssertTrue(lines[0].contains(": \(name) \(String(format: "%.4f", probs[best]))"), "\(r.out) vs \(probs)")
        XCTAssertTrue(r.err.contains("bad.csv line 2, column 'pl': 'x' is not a number"), r.err)
        XCTAssertTrue(r.err.contains("missing.csv: no such readable file"), r.err)

        let j = try workbench(["predict", "--weights", weights.path, "--json", "--top-k", "1", "rows.csv"])
        XCTAssertEqual(j.status, 0, j.err)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any])
        let results = try XCTUnwrap(doc["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 2)
        XCTAssertEqual((results[0]["predictions"] as? [[String: Any]])?.first?["label"] as? String, name)
    }

    func testPredictImagesFromCIFARBatchAndTensors() throws {
        let (weights, model) = try saveLeNet()
        try cifarRecords(3).write(to: dir.appendingPathComponent("batch.bin"))
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("short.bin"))
        let x = Tensor.randn([2, 3, 32, 32], generator: Generator(seed: 9))
        try Safetensors.save([("x", x)], to: dir.appendingPathComponent("inputs.safetensors"))
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: dir.appendingPathComponent("photo.png"))
        let r = try workbench(["predict", "--weights", weights.path, "--json", "--top-k", "3",
                               "batch.bin", "short.bin", "inputs.safetensors", "photo.png"])
        XCTAssertEqual(r.status, 1)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let results = try XCTUnwrap(doc["results"] as? [[String: Any]])
        let ok = results.filter { $0["predictions"] != nil }
        XCTAssertEqual(ok.count, 5, r.out)
        XCTAssertEqual(results.count - ok.count, 2, r.out)
        let tensorRow = try XCTUnwrap(ok.first { ($0["input"] as? String)?.hasSuffix("inputs.safetensors:x[1]") == true })
        let top = try XCTUnwrap((tensorRow["predictions"] as? [[String: Any]])?.first)
        let probs = noGrad { model(x).softmax(dim: 1) }.toArray()
        let best = (10..<20).max { probs[$0] < probs[$1] }! - 10
        XCTAssertEqual(top["label"] as? String, CIFAR10.classNames[best])
        XCTAssertEqual(top["score"] as? Double ?? 0, Double(probs[10 + best]), accuracy: 1e-5)
        XCTAssertTrue(r.err.contains("short.bin: 3 bytes is not a CIFAR-10 binary batch"), r.err)
        XCTAssertTrue(r.err.contains("photo.png: not a PNG or JPEG image"), r.err)
    }

    func testExportCommandAndUnknownModel() throws {
        let (weights, _) = try saveLeNet()
        let r = try workbench(["export", "--format", "onnx", "--weights", weights.path, "lenet5.onnx"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("Wrote lenet5.onnx (lenet5"), r.out)
        XCTAssertGreaterThan((try? Data(contentsOf: dir.appendingPathComponent("lenet5.onnx")))?.count ?? 0, 240_000)
        let bad = try workbench(["export", "--weights", weights.path, "--model", "nosuch", "x.onnx"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("unknown model 'nosuch'"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.onnx").path))
    }

    // MARK: serve

    /// curl: status code and body.
    func curl(_ method: String, _ url: String, body: Data? = nil, contentType: String = "application/json") throws -> (Int, String) {
        var args = ["-s", "-S", "-X", method, "-o", "-", "-w", "\n%{http_code}", "--max-time", "30"]
        if let body {
            let f = dir.appendingPathComponent("body-\(UUID().uuidString)")
            try body.write(to: f)
            args += ["-H", "Content-Type: \(contentType)", "--data-binary", "@\(f.path)"]
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = args + [url]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let nl = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: nl)...]) ?? 0, String(text[..<nl]))
    }

    func json(_ s: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any], s)
    }

    func inferBody(_ x: Tensor, datatype: String = "FP32", shape: [Int]? = nil) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["id": "r1", "inputs": [["name": "input", "shape": shape ?? x.shape,
                                                                           "datatype": datatype, "data": x.toArray().map(Double.init)]]])
    }

    func testServeEndToEnd() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else { throw XCTSkip("no curl") }
        let (lenet, model) = try saveLeNet()
        let (iris, _) = try saveTabular()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try WorkbenchBinary.path())
        p.arguments = ["serve", "--weights", "lenet5=\(lenet.path)", "--weights", iris.path, "--port", "0",
                       "--max-batch", "8", "--max-delay-ms", "20", "--max-body-bytes", "300000"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        defer { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        // The first line names the bound port.
        var first = Data()
        while !first.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first += chunk
        }
        let line = String(decoding: first, as: UTF8.self)
        let port = try XCTUnwrap(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, line)
        let base = "http://127.0.0.1:\(port)"
        XCTAssertTrue(line.contains("Serving lenet5, iris on http://127.0.0.1:"), line)

        XCTAssertEqual(try curl("GET", "\(base)/v2/health/live").0, 200)
        XCTAssertEqual(try curl("GET", "\(base)/v2/health/ready").0, 200)
        let (ms, mb) = try curl("GET", "\(base)/v2/models/lenet5")
        XCTAssertEqual(ms, 200)
        let meta = try json(mb)
        XCTAssertEqual(meta["classes"] as? [String], CIFAR10.classNames)
        XCTAssertEqual(((meta["inputs"] as? [[String: Any]])?.first?["shape"]) as? [Int], [-1, 3, 32, 32])
        let (us, ub) = try curl("GET", "\(base)/v2/models/nosuch")
        XCTAssertEqual(us, 404)
        XCTAssertTrue((try json(ub)["error"] as? String)?.contains("unknown model 'nosuch'") == true, ub)
        // No route (unknown path, or a known path with another method): a JSON 404 listing the endpoints.
        for (method, path) in [("GET", "/v2/nothing"), ("GET", "/v2/models/lenet5/infer")] {
            let (ns, nb) = try curl(method, base + path)
            XCTAssertEqual(ns, 404, nb)
            let message = try json(nb)["error"] as? String ?? ""
            XCTAssertTrue(message.hasPrefix("no endpoint \(method) \(path); endpoints: GET /v2/health/live"), nb)
            XCTAssertTrue(message.contains("POST /v2/models/{name}/infer"), nb)
        }

        // Infer: outputs equal the in-process model's.
        let x = Tensor.randn([2, 3, 32, 32], generator: Generator(seed: 11))
        let expected = noGrad { model(x) }.toArray()
        let (isx, ib) = try curl("POST", "\(base)/v2/models/lenet5/infer", body: try inferBody(x))
        XCTAssertEqual(isx, 200, ib)
        let outputs = try XCTUnwrap(try json(ib)["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.first?["shape"] as? [Int], [2, 10])
        let got = (outputs.first?["data"] as? [Double]) ?? []
        XCTAssertEqual(got.count, 20)
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, Double(b), accuracy: 1e-4) }

        // Bad inputs: 4xx JSON errors, naming the problem.
        let bad: [(Data, Int, String)] = [
            (try inferBody(Tensor.zeros([1, 3, 28, 28])), 400, "input shape [1, 3, 28, 28] does not fit the model: expected [N, 3, 32, 32]"),
            (try inferBody(Tensor.zeros([1, 3, 32, 32]), datatype: "INT8"), 400, "datatype INT8 is not supported"),
            (try inferBody(Tensor.zeros([1, 3, 32, 32]), shape: [2, 3, 32, 32]), 400, "\"data\" has 3072 values; shape [2, 3, 32, 32] needs 6144"),
            (Data("{not json".utf8), 400, "the body is not a JSON object"),
            (Data(#"{"inputs": [{"name": "input", "shape": [1, 3, 32, 32], "datatype": "FP32", "data": [true]}]}"#.utf8), 400,
             "inputs[0].data[0]: expected a number, got true"),
            (Data(count: 400_000), 413, "larger than the limit"),
        ]
        for (body, status, message) in bad {
            let (s, b) = try curl("POST", "\(base)/v2/models/lenet5/infer", body: body)
            XCTAssertEqual(s, status, b)
            XCTAssertTrue((try json(b)["error"] as? String)?.contains(message) == true, "\(b) lacks \(message)")
        }

        // Predict: CIFAR-10 records and an undecodable image.
        let (ps, pb) = try curl("POST", "\(base)/v2/models/lenet5/predict?top_k=2", body: cifarRecords(2),
                                contentType: "application/octet-stream")
        XCTAssertEqual(ps, 200, pb)
        let preds = try XCTUnwrap(try json(pb)["predictions"] as? [[[String: Any]]])
        XCTAssertEqual(preds.count, 2)
        XCTAssertEqual(preds[0].count, 2)
        XCTAssertTrue(CIFAR10.classNames.contains(preds[0][0]["label"] as? String ?? ""))
        // Real image files (PNG and JPEG, not 32×32: resized and cropped): the same top-k as `Predictor` in-process.
        let predictor = try Predictor(weights: lenet)
        let images = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/images")
        for name in ["rgb.png", "rgb.jpg", "gray.png"] {
            let file = try Data(contentsOf: images.appendingPathComponent(name))
            let image = try ImageDecoders.decode(file, extension: (name as NSString).pathExtension, name: name)
            let want = try predictor.predict(try predictor.tensor(for: image, name: name).unsqueeze(0), topK: 2)[0]
            let (s, b) = try curl("POST", "\(base)/v2/models/lenet5/predict?top_k=2", body: file,
                                  contentType: name.hasSuffix("png") ? "image/png" : "image/jpeg")
            XCTAssertEqual(s, 200, "\(name): \(b)")
            let got = try XCTUnwrap((try json(b)["predictions"] as? [[[String: Any]]])?.first, b)
            XCTAssertEqual(got.map { $0["label"] as? String ?? "" }, want.map(\.label), name)
            XCTAssertEqual(got.first?["score"] as? Double ?? -1, want[0].score, accuracy: 1e-5, name)
        }
        let (gs, gb) = try curl("POST", "\(base)/v2/models/lenet5/predict", body: Data([0x89, 0x50, 0x4E, 0x47, 0, 0]),
                                contentType: "image/png")
        XCTAssertEqual(gs, 400, gb)
        XCTAssertTrue(gb.contains("not a PNG or JPEG image"), gb)

        // Concurrent requests are batched (batch sizes above 1 in the metrics) and all succeed.
        let one = try inferBody(Tensor.randn([1, 3, 32, 32], generator: Generator(seed: 2)))
        let statuses = UnsafeMutableBufferPointer<Int>.allocate(capacity: 16)
        defer { statuses.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            statuses[i] = (try? self.curl("POST", "\(base)/v2/models/lenet5/infer", body: one).0) ?? 0
        }
        XCTAssertEqual(Array(statuses), Array(repeating: 200, count: 16))
        let (_, metrics) = try curl("GET", "\(base)/metrics")
        XCTAssertTrue(metrics.contains("workbench_requests_total{endpoint=\"infer\",code=\"200\"}"), metrics)
        XCTAssertTrue(metrics.contains("workbench_request_errors_total{endpoint=\"infer\",code=\"413\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("workbench_request_errors_total{endpoint=\"other\",code=\"404\"} 2"), metrics)
        XCTAssertTrue(metrics.contains("workbench_batch_size_bucket"), metrics)
        let single = metrics.split(separator: "\n").first { $0.hasPrefix("workbench_batch_size_bucket{le=\"1.0\"}") }
        let total = metrics.split(separator: "\n").first { $0.hasPrefix("workbench_batch_size_count") }
        XCTAssertNotEqual(single?.split(separator: " ").last, total?.split(separator: " ").last, "no batch above 1: \(metrics)")

        // Reload: by the management call, and on SIGHUP; a broken file keeps the old weights serving.
        XCTAssertEqual(try curl("POST", "\(base)/v2/repository/models/lenet5/load").0, 200)
        try Data("garbage".utf8).write(to: lenet)
        let (rs, rb) = try curl("POST", "\(base)/v2/repository/models/lenet5/load")
        XCTAssertEqual(rs, 400, rb)
        XCTAssertEqual(try curl("POST", "\(base)/v2/models/lenet5/infer", body: one).0, 200)
        kill(p.processIdentifier, SIGHUP)
        XCTAssertEqual(try curl("GET", "\(base)/v2/health/live").0, 200)

        // Graceful shutdown.
        p.terminate()
        p.waitUntilExit()
        let rest = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertTrue(rest.contains("Server stopped"), rest)
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(errText.contains("reload failed (previous weights still served)"), errText)
    }

    // MARK: hub

    func sh(_ args: [String], in cwd: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = cwd
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, args.joined(separator: " "))
    }

    func testHubPublishListHelpLoadAndHashCheck() throws {
        let (weights, _) = try saveLeNet()
        let hub = dir.appendingPathComponent("hub")
        let pub = try workbench(["hub", "publish", "--weights", weights.path, "--name", "lenet5-test",
                                 "--doc", "LeNet-5 for tests.\nSecond line.", hub.path])
        XCTAssertEqual(pub.status, 0, pub.err)
        let list = try workbench(["hub", "list", hub.path])
        XCTAssertEqual(list.status, 0, list.err)
        XCTAssertTrue(list.out.contains("lenet5-test  lenet5 [3, 32, 32] → 10  LeNet-5 for tests."), list.out)
        let help = try workbench(["hub", "help", "file://" + hub.path, "lenet5-test"])
        XCTAssertTrue(help.out.contains("classes: airplane, automobile"), help.out)

        // Load: into the cache, identical bytes.
        let load = try workbench(["hub", "load", hub.path, "lenet5-test"])
        XCTAssertEqual(load.status, 0, load.err)
        let path = try XCTUnwrap(load.out.components(separatedBy: " to ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertTrue(path.hasPrefix(dir.appendingPathComponent("home/hub").path), path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), FileManager.default.contents(atPath: weights.path))
        let missing = try workbench(["hub", "load", hub.path, "nosuch"])
        XCTAssertTrue(missing.err.contains("no entry 'nosuch' (available: lenet5-test)"), missing.err)

        // Predict by hub name: the entry is loaded (hash checked) and run, as from its file.
        try cifarRecords(2).write(to: dir.appendingPathComponent("two.bin"))
        let byFile = try workbench(["predict", "--weights", weights.path, "--json", "two.bin"])
        let byHub = try workbench(["predict", "--hub", hub.path, "--weights", "lenet5-test", "--json", "two.bin"])
        XCTAssertEqual(byHub.status, 0, byHub.err)
        XCTAssertEqual(byHub.out, byFile.out)
        XCTAssertTrue(byHub.out.contains("\"predictions\""), byHub.out)
        let noEntry = try workbench(["predict", "--hub", hub.path, "--weights", "nosuch", "two.bin"])
        XCTAssertEqual(noEntry.status, 1)
        XCTAssertTrue(noEntry.err.contains("hub \(hub.path), entry nosuch: "), noEntry.err)
        XCTAssertTrue(noEntry.err.contains("no entry 'nosuch' (available: lenet5-test)"), noEntry.err)

        // Over git (the git CLI clones a local repository).
        let repo = dir.appendingPathComponent("models.git")
        try FileManager.default.copyItem(at: hub, to: repo)
        try sh(["git", "init", "-q"], in: repo)
        try sh(["git", "add", "."], in: repo)
        try sh(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "hub"], in: repo)
        let viaGit = try workbench(["hub", "load", repo.path, "lenet5-test"], home: dir.appendingPathComponent("home-git"))
        XCTAssertEqual(viaGit.status, 0, viaGit.err)

        // Over http from a file server in this process, on 127.0.0.1.
        let server = try HubFileServer(folder: hub)
        defer { server.stop() }
        let viaHTTP = try workbench(["hub", "load", server.url, "lenet5-test"], home: dir.appendingPathComponent("home-http"))
        XCTAssertEqual(viaHTTP.status, 0, viaHTTP.err)
        let viaHTTPPath = try XCTUnwrap(viaHTTP.out.components(separatedBy: " to ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(FileManager.default.contents(atPath: viaHTTPPath), FileManager.default.contents(atPath: weights.path))

        // A changed file fails the hash check and nothing is cached.
        var bytes = try Data(contentsOf: hub.appendingPathComponent("lenet5-test.safetensors"))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: hub.appendingPathComponent("lenet5-test.safetensors"))
        let home2 = dir.appendingPathComponent("home2")
        let bad = try workbench(["hub", "load", hub.path, "lenet5-test"], home: home2)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("lenet5-test.safetensors: SHA-256 mismatch"), bad.err)
        let cached = FileManager.default.enumerator(atPath: home2.path)?.allObjects as? [String] ?? []
        XCTAssertFalse(cached.contains { $0.hasSuffix(".safetensors") }, "\(cached)")
        // ... and a cached copy is re-verified too: a missing file is named.
        try FileManager.default.removeItem(at: hub.appendingPathComponent("lenet5-test.safetensors"))
        let gone = try workbench(["hub", "load", hub.path, "lenet5-test"], home: home2)
        XCTAssertTrue(gone.err.contains("missing file lenet5-test.safetensors"), gone.err)
    }

    func testHuggingFaceLayout() throws {
        let (weights, _) = try saveLeNet()
        let out = dir.appendingPathComponent("hf")
        let r = try workbench(["hub", "export-hf", "--weights", weights.path, "--doc", "A test model.", out.path])
        XCTAssertEqual(r.status, 0, r.err)
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual((config["id2label"] as? [String: String])?["3"], "cat")
        XCTAssertEqual(config["num_labels"] as? Int, 10)
        XCTAssertEqual(FileManager.default.contents(atPath: out.appendingPathComponent("model.safetensors").path),
                       FileManager.default.contents(atPath: weights.path))
        let card = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(card.hasPrefix("---\nlibrary_name: workbench"), card)
        XCTAssertTrue(card.contains("A test model."), card)
    }
}
