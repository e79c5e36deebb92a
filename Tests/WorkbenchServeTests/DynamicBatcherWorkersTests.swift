import Foundation
import Tensors
import XCTest
@testable import WorkbenchServe

/// `serve --workers N`: each worker thread takes whole batches, so with two
/// workers two batches run at the same time (and with one, never).
final class DynamicBatcherWorkersTests: XCTestCase {
    /// A model that holds each forward pass for a while and counts how many run at once.
    final class SlowLayer: Module, UnaryLayer, @unchecked Sendable {
        let lock = NSLock()
        var running = 0
        var mostAtOnce = 0

        func forward(_ input: Tensor) -> Tensor {
            lock.lock()
            running += 1
            mostAtOnce = max(mostAtOnce, running)
            lock.unlock()
            Thread.sleep(forTimeInterval: 0.15)
            lock.lock()
            running -= 1
            lock.unlock()
            return input * 2
        }
    }

    /// Runs `requests` one-sample requests at once through a batcher of `workers`; the most forward passes seen at once.
    func mostAtOnce(workers: Int, requests: Int = 4) throws -> Int {
        let layer = SlowLayer()
        let metadata = ModelMetadata(architecture: .init(name: "slow", inputShape: [2], outputs: 2))
        let predictor = Predictor(model: layer, metadata: metadata, weights: URL(fileURLWithPath: "/dev/null"))
        let batcher = DynamicBatcher(predictor: predictor, maxBatch: 1, maxDelayMs: 0, workers: workers)
        defer { batcher.close() }
        let done = DispatchGroup()
        let results = NSLock()
        var outputs: [[Float]] = []
        for i in 0..<requests {
            done.enter()
            batcher.enqueue(Tensor([Float(i), 1], shape: [1, 2]), timeout: 30) { result in
                results.lock()
                if case .success(let t) = result { outputs.append(t.toArray()) }
                results.unlock()
                done.leave()
            }
        }
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(outputs.count, requests, "every request answered")
        XCTAssertEqual(Set(outputs.map { $0[0] }), Set((0..<requests).map { Float(2 * $0) }))
        return layer.mostAtOnce
    }

    func testTwoWorkersRunTwoBatchesAtOnceAndOneWorkerNever() throws {
        XCTAssertEqual(try mostAtOnce(workers: 1), 1)
        XCTAssertEqual(try mostAtOnce(workers: 2), 2)
    }
}

/// After a batch, an idle batcher gives the batch's memory back (the conv workspace
/// down to its cap, the malloc heap trimmed); while requests keep coming it does not.
final class DynamicBatcherIdleReleaseTests: XCTestCase {
    func testAnIdleBatcherTrimsTheWorkspaceAfterABatch() throws {
        let model = Sequential([Conv2d(3, 32, kernelSize: 3, padding: 1, generator: Generator(seed: 1)), ReLU(),
                                Conv2d(32, 32, kernelSize: 3, padding: 1, generator: Generator(seed: 2)), Flatten(),
                                Linear(32 * 32 * 32, 10, generator: Generator(seed: 3))])
        let metadata = ModelMetadata(architecture: .init(name: "conv", inputShape: [3, 32, 32], outputs: 10))
        let predictor = Predictor(model: model, metadata: metadata, weights: URL(fileURLWithPath: "/dev/null"))
        let batcher = DynamicBatcher(predictor: predictor, maxBatch: 64, maxDelayMs: 0, workers: 1,
                                     idleRelease: .init(seconds: 0.3, workspaceBytes: 1 << 20))
        defer { batcher.close() }
        let done = DispatchSemaphore(value: 0)
        batcher.enqueue(Tensor.randn([64, 3, 32, 32], generator: Generator(seed: 4)), timeout: 60) { result in
            if case .failure(let f) = result { XCTFail("\(f)") }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 120), .success)
        var waited = 0.0
        while batcher.memoryReleases == 0, waited < 30 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
        }
        XCTAssertEqual(batcher.memoryReleases, 1, "no release after \(waited) s idle")
        XCTAssertLessThanOrEqual(MemoryTuning.retainedWorkspaceBytes, 1 << 20)
        // Idle again without a batch in between: nothing more to give back.
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertEqual(batcher.memoryReleases, 1)
    }
}
