import Foundation
import XCTest
@testable import Tensors

/// A run on the path the TUI opened last reuses its splits instead of reading the files again.
final class LoadedDatasetsTests: XCTestCase {
    override func tearDown() { LoadedDatasets.clear() }

    func testARunReusesTheSplitsOpenedLast() throws {
        let path = "/nonexistent/cifar-10-batches-bin"
        var c = TrainingConfig()
        c.dataPath = path
        c.limit = 32
        c.batchSize = 16
        c.numWorkers = 0
        XCTAssertThrowsError(try TrainingSetup(config: c), "nothing to read there")
        let train = Shapes10(train: true, count: 64), test = Shapes10(train: false, count: 32)
        LoadedDatasets.remember(train, path: path, train: true)
        LoadedDatasets.remember(test, path: path, train: false)
        let setup = try TrainingSetup(config: c)
        XCTAssertEqual(setup.classes, train.classes)
        XCTAssertEqual(setup.inputShape, [3, 32, 32])
        XCTAssertEqual(setup.test?.samples, 32)
        XCTAssertNil(LoadedDatasets.recall(path: path, train: true)?.transform, "kept without the run's transform")
        // One path at a time.
        LoadedDatasets.remember(train, path: "/other", train: true)
        XCTAssertNil(LoadedDatasets.recall(path: path, train: true))
        XCTAssertNotNil(LoadedDatasets.recall(path: "/other", train: true))
    }
}
