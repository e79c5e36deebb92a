import Foundation
import Tensors
import XCTest
@testable import WorkbenchServe

/// The server workers' hand-off under stress: many threads send `/infer` requests (the
/// handlers' path into `DynamicBatcher`, two worker threads) while another thread rewrites
/// the weights file with one of two models and reloads it (`POST …/load`, SIGHUP) again
/// and again. Every request is answered, each answer is exactly one model's answer for
/// that input (never a mix, never another request's rows), and once the reloads stop
/// every answer is the last model's.
///
/// `WORKBENCH_STRESS_COUNT` scales the counts (default 1: a few seconds in `make test`).
final class ServeReloadStressTests: XCTestCase {
    func testConcurrentRequestsDuringReloadsGetOneModelsAnswerEach() throws {
        let scale = ProcessInfo.processInfo.environment["WORKBENCH_STRESS_COUNT"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
        let threads = 8, perThread = 250 * scale, reloads = 40 * scale
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-serve-stress-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let metadata = ModelMetadata(architecture: .init(name: "mlp", inputShape: [4], outputs: 3))
        let models = try (0..<2).map { i in try ModelZoo.make("mlp", inputShape: [4], outputs: 3, generator: Generator(seed: UInt64(10 + i))) }
        let files = try models.enumerated().map { i, m -> URL in
            let u = dir.appendingPathComponent("model\(i).safetensors")
            try ModelFile.save(m, metadata: metadata, to: u)
            return u
        }
        let served = dir.appendingPathComponent("served.safetensors")
        try ModelFile.save(models[0], metadata: metadata, to: served)
        let reference = try files.map { try Predictor(weights: $0) }

        // The inputs and each model's answer, one request at a time.
        let g = Generator(seed: 5)
        let inputs = (0..<threads * perThread).map { _ in Tensor.randn([1 + g.nextInt(below: 3), 4], generator: g) }
        let expected = try inputs.map { x in try reference.map { try $0.run(x).toArray() } }
        for e in expected.prefix(20) { XCTAssertGreaterThan(zip(e[0], e[1]).map { abs($0 - $1) }.max() ?? 0, 1e-3, "the two models agree") }

        var options = ServeOptions()
        options.maxBatch = 16
        options.maxDelayMs = 1
        options.workers = 2
        let repo = try ModelRepository(models: [(name: "m", weights: served, modelName: nil)], options: options)
        defer { repo.close() }
        guard let batcher = repo.entry("m")?.batcher else { return XCTFail("no batcher") }

        final class Answers: @unchecked Sendable {
            let lock = NSLock()
            var rows: [[Float]?]
            var failures: [String] = []
            init(_ n: Int) { rows = Array(repeating: nil, count: n) }
        }
        let answers = Answers(inputs.count)
        let reloader = Thread {
            for r in 0..<reloads {
                do {
                    try ModelFile.save(models[(r + 1) % 2], metadata: metadata, to: served)
                    try repo.reload("m")
                } catch {
                    answers.lock.lock(); answers.failures.append("reload \(r): \(error)"); answers.lock.unlock()
                }
                usleep(2_000)
            }
        }
        reloader.start()
        let sendingDone = DispatchGroup()
        let box = UnsafeSendable(inputs)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for k in 0..<perThread {
                let i = t * perThread + k
                sendingDone.enter()
                batcher.enqueue(box.value[i], timeout: 60) { result in
                    answers.lock.lock()
                    switch result {
                    case .success(let out): answers.rows[i] = out.toArray()
                    case .failure(let f): answers.failures.append("request \(i): \(f)")
                    }
                    answers.lock.unlock()
                    sendingDone.leave()
                }
                if k % 8 == 0 { usleep(300) }
            }
        }
        XCTAssertEqual(sendingDone.wait(timeout: .now() + 120), .success, "requests unanswered")
        while !reloader.isFinished { usleep(1_000) }

        answers.lock.lock()
        let rows = answers.rows, failures = answers.failures
        answers.lock.unlock()
        XCTAssertEqual(failures, [])
        var byModel = [0, 0]
        for (i, row) in rows.enumerated() {
            guard let row else { XCTFail("request \(i) has no answer"); continue }
            let close = expected[i].map { e in e.count == row.count && zip(e, row).allSatisfy { abs($0 - $1) <= 1e-5 } }
            guard let m = close.firstIndex(of: true) else {
                XCTFail("request \(i): the answer is neither model's")
                continue
            }
            byModel[m] += 1
        }
        XCTAssertGreaterThan(min(byModel[0], byModel[1]), 0, "the reloads never changed an answer: \(byModel)")

        // After the last reload every answer is the last model's.
        let last = reloads % 2
        let settled = DispatchGroup()
        for i in 0..<50 {
            settled.enter()
            batcher.enqueue(inputs[i], timeout: 60) { result in
                if case .success(let out) = result {
                    XCTAssertTrue(zip(expected[i][last], out.toArray()).allSatisfy { abs($0 - $1) <= 1e-5 }, "request \(i) after the reloads")
                } else {
                    XCTFail("request \(i) after the reloads: \(result)")
                }
                settled.leave()
            }
        }
        XCTAssertEqual(settled.wait(timeout: .now() + 60), .success)
        print("stress: \(rows.count) requests from \(threads) threads during \(reloads) reloads: \(byModel[0]) on model 0, \(byModel[1]) on model 1")
    }
}

/// Hands a value to `concurrentPerform`'s threads that only read it.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
