import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The adapters onto the real `Tensors` types: datasets, model zoo, training engine.
final class AdapterTests: XCTestCase {
    func testImageDatasetSourceShowsShapes10() {
        let train = Shapes10(train: true, count: 30), test = Shapes10(train: false, count: 10)
        let src = ImageDatasetSource(name: "Shapes10", location: nil, train: train, test: test)
        XCTAssertEqual(src.count(.train), 30)
        XCTAssertEqual(src.count(.test), 10)
        XCTAssertEqual(src.classNames, Shapes10.classNames)
        XCTAssertEqual(src.inputShape, [3, 32, 32])
        XCTAssertEqual(src.classCounts(.train).reduce(0, +), 30)
        for i in [0, 7, 29] {
            XCTAssertEqual(src.label(.train, i), train.targets[i])
            let img = src.image(.train, i)
            let stored = try? train.image(at: i)
            XCTAssertEqual(img.pixels, stored?.pixels)
        }
        // Augmentation: seeded by the variant, same size, differs from the original for some draw.
        let a = src.augmentedImage(.train, 3, variant: 1), b = src.augmentedImage(.train, 3, variant: 1)
        XCTAssertEqual(a, b)
        XCTAssertEqual([a.width, a.height], [32, 32])
        XCTAssertTrue((1...8).contains { src.augmentedImage(.train, 3, variant: UInt64($0)) != src.image(.train, 3) })
    }

    func testMissingCIFARPathIsAClearError() {
        XCTAssertThrowsError(try TensorsDatasetProvider().openCIFAR10(path: "/nonexistent/cifar")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/cifar does not exist"), "\(e)")
            XCTAssertTrue("\(e)".contains("Download dataset… in the menu"), "\(e)")
        }
    }

    func testZooCatalogDescribesLeNet5() throws {
        let d = try ZooModelCatalog().describe("lenet5", inputShape: [3, 32, 32], numClasses: 10)
        XCTAssertNil(d.failure)
        XCTAssertEqual(d.name, "LeNet5")
        XCTAssertEqual(d.totalParameters, 62006)
        XCTAssertEqual(d.totalParameters, try ModelZoo.make("lenet5").parameterCount)
        XCTAssertEqual(d.root.outputShape, [1, 10])
        let conv1 = d.root.children.first { $0.name == "conv1" }
        XCTAssertEqual(conv1?.type, "Conv2d")
        XCTAssertEqual(conv1?.outputShape, [1, 6, 28, 28])
        XCTAssertEqual(conv1?.ownParameters, 456)
        XCTAssertEqual(ZooModelCatalog().modelNames, ModelZoo.names + SequenceModelZoo.names)
    }

    func testZooCatalogNamesTheFailingLayer() throws {
        // LeNet5 wants 3 channels; a 1×28×28 (MNIST-shaped) input fails in conv1.
        let d = try ZooModelCatalog().describe("lenet5", inputShape: [1, 28, 28], numClasses: 10)
        XCTAssertEqual(d.failure?.layerPath, "conv1")
        XCTAssertTrue(d.failure?.message.hasPrefix("conv2d:") == true, d.failure?.message ?? "")
        XCTAssertFalse(d.canTrain)
        XCTAssertNil(d.root.children.first { $0.name == "conv1" }?.outputShape)
        XCTAssertThrowsError(try ZooModelCatalog().describe("nope", inputShape: [3, 32, 32], numClasses: 10))
    }

    // MARK: Engine session

    func collect(_ s: TrainingSession, timeout: TimeInterval = 60, until: ([SessionEvent]) -> Bool) -> [SessionEvent] {
        collectEvents(s, timeout: timeout, until: until)
    }

    func session(limit: Int = 64) throws -> TrainingSession {
        let ds = SyntheticShapesDataset(trainCount: 100, testCount: 20)
        return try EngineBackend(limit: limit).makeSession(model: "lenet5", dataset: ds, seed: 0)
    }

    func settings(epochs: Int) -> TrainingConfig {
        var h = TrainingConfig.editorDefaults
        h.epochs = epochs
        h.batchSize = 16
        h.valFraction = 0.25
        h.lr = 0.01
        return h
    }

    func testEngineRunReportsPlanStepsEpochsTestAndFinish() throws {
        let s = try session()
        defer { s.close(timeout: 10) }
        s.send(.start(settings(epochs: 2)))
        let ev = collect(s) { $0.contains(.training(.stateChanged(.finished)))
            || $0.contains { isTraining($0) { if case .stateChanged(.failed) = $0 { return true } else { return false } } } }
        XCTAssertEqual(ev.first, .training(.started(RunPlan(epochs: 2, stepsPerEpoch: 3, trainSamples: 48, validationSamples: 16, batchSize: 16))))
        let steps = stepInfos(ev)
        XCTAssertEqual(steps.map(\.globalStep), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(steps.map(\.step), [1, 2, 3, 1, 2, 3])
        XCTAssertEqual(steps.map(\.epoch), [1, 1, 1, 2, 2, 2])
        XCTAssertTrue(steps.allSatisfy { $0.stepsPerEpoch == 3 })
        let epochs = epochSummaries(ev)
        XCTAssertEqual(epochs.map(\.epoch), [1, 2])
        XCTAssertNotNil(epochs.last?.valAccuracy)
        let evals = evaluations(ev)
        XCTAssertEqual(evals.last?.split, "test")
        XCTAssertEqual(evals.last?.confusion?.total, 64)
        XCTAssertEqual(evals.last?.samples, 64)
        // The gallery of the end-of-run test pass may follow; the run's last state is finished.
        XCTAssertEqual(ev.last { if case .training = $0 { return true } else { return false } },
                       .training(.stateChanged(.finished)))
    }

    func testEngineLiveLearningRatePauseAndFiles() throws {
        let dir = NSTemporaryDirectory() + "wb-engine-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try session()
        defer { s.close(timeout: 10) }
        s.send(.start(settings(epochs: 500)))
        var ev = collect(s) { e in stepInfos(e).contains { $0.globalStep >= 2 } }
        s.send(.set(.learningRate(0.05)))
        ev += collect(s) { e in e.contains { isTraining($0) { if case .hyperparameterChanged = $0 { return true } else { return false } } } }
        ev += collect(s) { e in stepInfos(e).count >= 2 }
        s.send(.pause)
        ev += collect(s) { $0.contains(.training(.stateChanged(.paused(reason: nil)))) }
        guard let at = trainingEvents(ev).compactMap({ e -> Int? in
            if case .hyperparameterChanged(.learningRate(0.05), let st) = e { return st } else { return nil }
        }).first else {
            return XCTFail("lr change not applied")
        }
        XCTAssertTrue(stepInfos(ev).contains { $0.globalStep >= at }, "no step after the change at \(at)")
        for m in stepInfos(ev) { XCTAssertEqual(m.lr, m.globalStep < at ? 0.01 : 0.05, accuracy: 1e-12, "step \(m.globalStep)") }

        // Save while paused (between steps), then a bad file: an error, model untouched.
        func file(_ op: FileOperation, _ path: String) -> String? {
            s.send(.file(op, path: path))
            for e in collect(s, until: { e in e.contains { if case .fileFinished = $0 { return true } else { return false } } }) {
                if case .fileFinished(_, _, let err) = e { return err ?? "ok" }
            }
            return nil
        }
        XCTAssertEqual(file(.saveModel, dir + "/m.safetensors"), "ok")
        let saved = try Safetensors.load(from: URL(fileURLWithPath: dir + "/m.safetensors"))
        XCTAssertEqual(saved.tensors.map(\.0), try ModelZoo.make("lenet5").stateDict().map(\.0))
        try Safetensors.save([("conv1.weight", Tensor.zeros([2, 2]))], to: URL(fileURLWithPath: dir + "/bad.safetensors"))
        let bad = file(.loadModel, dir + "/bad.safetensors") ?? ""
        XCTAssertTrue(bad.contains("size mismatch for conv1.weight"), bad)
        XCTAssertTrue(bad.contains("conv1.bias"), bad)
        XCTAssertEqual(file(.loadModel, dir + "/m.safetensors"), "ok")
        XCTAssertEqual(file(.saveCheckpoint, dir + "/c.safetensors"), "ok")
        s.send(.stop)
        _ = collect(s) { $0.contains(.training(.stateChanged(.stopped))) }
        s.send(.file(.loadCheckpoint, path: dir + "/c.safetensors"))
        let restored = collect(s) { e in e.contains { if case .fileFinished = $0 { return true } else { return false } } }
        XCTAssertTrue(restored.contains { if case .historyRestored = $0 { return true } else { return false } })
        XCTAssertTrue(restored.contains(.fileFinished(.loadCheckpoint, path: dir + "/c.safetensors", error: nil)))
    }
}
