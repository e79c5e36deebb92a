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
