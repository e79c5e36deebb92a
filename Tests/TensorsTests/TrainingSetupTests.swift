import Foundation
import XCTest
@testable import Tensors

final class TrainingSetupTests: XCTestCase {
    private func config(epochs: Int, seed: UInt64 = 5) -> TrainingConfig {
        var c = TrainingConfig()
        c.model = "lenet5"
        c.epochs = epochs
        c.limit = 96
        c.batchSize = 16
        c.numWorkers = 0
        c.lr = 0.01
        c.seed = seed
        return c
    }

    private func train(_ setup: TrainingSetup, history: MetricHistory = MetricHistory(),
                       checkpointAt: URL? = nil) -> TrainingEngine {
        let engine = setup.makeEngine(history: history)
        if let url = checkpointAt {
            engine.observe { e in
                if case .epochEnded = e {
                    do { try setup.checkpoint(engine: engine).save(to: url) } catch { XCTFail("checkpoint: \(error)") }
                }
            }
        }
        engine.start()
        engine.waitUntilDone()
        return engine
    }

    func testBadSettingsAreNamed() {
        var c = config(epochs: 1)
        c.lr = -1
        XCTAssertThrowsError(try TrainingSetup(config: c)) { XCTAssertEqual("\($0)", "learning rate must be a positive number, got -1.0") }
        c = config(epochs: 1)
        c.model = "nope"
        XCTAssertThrowsError(try TrainingSetup(config: c)) { XCTAssertTrue("\($0)".hasPrefix("unknown model 'nope'")) }
        c = config(epochs: 1)
        c.dataPath = "/nonexistent/cifar"
        XCTAssertThrowsError(try TrainingSetup(config: c)) { XCTAssertTrue("\($0)".contains("/nonexistent/cifar")) }
        c = config(epochs: 1)
        c.valSize = 96
        XCTAssertThrowsError(try TrainingSetup(config: c)) { XCTAssertTrue("\($0)".contains("validation size 96")) }
    }

    func testSplitSizesAndSeededInit() throws {
        let a = try TrainingSetup(config: config(epochs: 1))
        XCTAssertEqual(a.train.images, 77)  // 96 - 96/5
        XCTAssertEqual(a.val?.images, 19)
        XCTAssertEqual(a.test?.images, 96)
        XCTAssertEqual(a.inputShape, [3, 32, 32])
        XCTAssertEqual(a.classes.count, 10)
        let b = try TrainingSetup(config: config(epochs: 1))
        XCTAssertEqual(a.model.stateDict().map { $0.1.toArray() }, b.model.stateDict().map { $0.1.toArray() })
        let c = try TrainingSetup(config: config(epochs: 1, seed: 6))
        XCTAssertNotEqual(a.model.parameters()[0].toArray(), c.model.parameters()[0].toArray())
    }

    func testCheckpointResumeIsExact() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckURL = dir.appendingPathComponent("run.ckpt")

        // Two epochs straight through.
        let straight = try TrainingSetup(config: config(epochs: 2))
        let e1 = train(straight)
        XCTAssertEqual(e1.state, .finished)

        // One epoch, checkpoint, then a fresh process-like setup resumes for the second.
        let first = try TrainingSetup(config: config(epochs: 1))
        _ = train(first, checkpointAt: ckURL)
        let ck = try Checkpoint.load(from: ckURL)
        XCTAssertEqual(ck.history.epochs.count, 1)
        let resumed = try TrainingSetup(config: config(epochs: 2))
        try resumed.restore(from: ck)
        let e2 = train(resumed, history: ck.history)
        XCTAssertEqual(e2.history.epochs.count, 2)

        for ((name, a), (_, b)) in zip(straight.model.stateDict(), resumed.model.stateDict()) {
            XCTAssertEqual(a.toArray(), b.toArray(), name)
        }
        XCTAssertEqual(e1.history.epochs[1].trainLoss, e2.history.epochs[1].trainLoss)
    }

    func testSavedWeightsLoadBackAndBadFilesLeaveTheModelUnchanged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try ModelZoo.make("lenet5", generator: Tensors.Generator(seed: 1))
        let b = try ModelZoo.make("lenet5", generator: Tensors.Generator(seed: 2))
        let url = dir.appendingPathComponent("lenet.safetensors")
        try ModelFile.save(a, modelName: "lenet5", to: url)
        XCTAssertEqual(ModelFile.modelName(in: url), "lenet5")
        let before = b.stateDict().map { $0.1.toArray() }

        // A file for another model: keys do not match; b stays as it was.
        let other = try ModelZoo.make("simplenet")
        let otherURL = dir.appendingPathComponent("simple.safetensors")
        try ModelFile.save(other, to: otherURL)
        XCTAssertThrowsError(try ModelFile.load(into: b, from: otherURL)) { XCTAssertTrue("\($0)".contains(otherURL.path)) }
        XCTAssertEqual(b.stateDict().map { $0.1.toArray() }, before)
        // Not a weights file at all.
        let junk = dir.appendingPathComponent("junk.safetensors")
        try Data("hello".utf8).write(to: junk)
        XCTAssertThrowsError(try ModelFile.load(into: b, from: junk))
        XCTAssertEqual(b.stateDict().map { $0.1.toArray() }, before)

        try ModelFile.load(into: b, from: url)
        XCTAssertEqual(b.stateDict().map { $0.1.toArray() }, a.stateDict().map { $0.1.toArray() })
    }
}
