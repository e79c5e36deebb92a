import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The demo engine on its background queue, and the app draining it: the engine/UI
/// hand-over that `swift test --sanitize=thread` checks.
final class DemoEngineTests: XCTestCase {
    let dataset = SyntheticShapesDataset(trainCount: 200, testCount: 50)

    func settings(epochs: Int = 2) -> Hyperparameters {
        var h = Hyperparameters()
        h.epochs = epochs
        h.batchSize = 32
        h.validationSplit = 0.1
        h.learningRate = 0.05
        return h
    }

    /// Drains `session` until `until` holds for the events so far (or the time runs out).
    func collect(_ session: TrainingSession, timeout: TimeInterval = 20, until: ([SessionEvent]) -> Bool) -> [SessionEvent] {
        var events: [SessionEvent] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            events += session.drainEvents()
            if until(events) { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return events
    }

    func testRunEmitsPlanStepsEpochsAndFinishes() throws {
        let s = try DemoTrainingBackend(stepDelay: 0).makeSession(model: "LeNet5", dataset: dataset, seed: 1)
        defer { s.close(timeout: 5) }
        s.send(.start(settings()))
        let events = collect(s) { $0.contains(.stateChanged(.finished)) }
        XCTAssertEqual(events.first, .runStarted(RunPlan(epochs: 2, stepsPerEpoch: 5, trainExamples: 180, validationExamples: 20, batchSize: 32)))
        let steps = events.compactMap { e -> StepMetrics? in if case .step(let m) = e { return m } else { return nil } }
        XCTAssertEqual(steps.map(\.step), Array(1...10))
        XCTAssertEqual(steps.map(\.epoch), [1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        XCTAssertTrue(steps.allSatisfy { $0.loss.isFinite && $0.loss > 0 })
        let epochs = events.compactMap { e -> EpochMetrics? in if case .epochEnded(let m) = e { return m } else { return nil } }
        XCTAssertEqual(epochs.map(\.epoch), [1, 2])
        XCTAssertNotNil(epochs[0].valLoss)
        XCTAssertEqual(epochs[0].trainLoss, steps[0..<5].map(\.loss).reduce(0, +) / 5, accuracy: 1e-9)
        // The validation confusion matrix covers the 20 held-out images.
        let evals = events.compactMap { e -> EvaluationResult? in if case .evaluated(let r) = e { return r } else { return nil } }
        XCTAssertEqual(evals.last?.confusion.flatMap { $0 }.reduce(0, +), 20)
        XCTAssertEqual(events.last, .stateChanged(.finished))
    }

    func testLearningRateChangeAppliesAtTheNextStep() throws {
        let s = try DemoTrainingBackend(stepDelay: 0.003).makeSession(model: "LeNet5", dataset: dataset, seed: 1)
        defer { s.close(timeout: 5) }
        var h = settings(epochs: 50)
        h.learningRate = 0.01
        s.send(.start(h))
        var events = collect(s) { evs in evs.contains { if case .step(let m) = $0 { return m.step >= 3 } else { return false } } }
        s.send(.set(.learningRate(0.2)))
        events += collect(s) { evs in evs.contains { if case .hyperparameterApplied = $0 { return true } else { return false } } }
        events += collect(s, timeout: 5) { evs in evs.filter { if case .step = $0 { return true } else { return false } }.count >= 3 }
        s.send(.pause)
        events += collect(s) { $0.contains(.stateChanged(.paused)) }
        guard let applied = events.compactMap({ e -> Int? in if case .hyperparameterApplied(.learningRate(0.2), let st) = e { return st } else { return nil } }).first else {
            return XCTFail("no hyperparameterApplied event")
        }
        let steps = events.compactMap { e -> StepMetrics? in if case .step(let m) = e { return m } else { return nil } }
        for m in steps { XCTAssertEqual(m.learningRate, m.step < applied ? 0.01 : 0.2, "step \(m.step), change at \(applied)") }
        XCTAssertTrue(steps.contains { $0.step >= applied })
        // Paused: no more steps arrive.
        let after = collect(s, timeout: 0.2) { _ in false }
        XCTAssertFalse(after.contains { if case .step = $0 { return true } else { return false } })
    }

    func testSaveLoadRoundTripAndBadFilesLeaveWeightsUnchanged() throws {
        let dir = NSTemporaryDirectory() + "wb-demo-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try DemoTrainingBackend(stepDelay: 0).makeSession(model: "LeNet5", dataset: dataset, seed: 1)
        defer { s.close(timeout: 5) }
        s.send(.start(settings(epochs: 1)))
        _ = collect(s) { $0.contains(.stateChanged(.finished)) }
        func confusion() -> [[Int]] {
            s.send(.evaluate)
            let ev = collect(s) { evs in evs.contains { if case .evaluated = $0 { return true } else { return false } } }
            for e in ev { if case .evaluated(let r) = e { return r.confusion } }
            return []
        }
        func file(_ op: FileOperation, _ path: String) -> String?? {
            s.send(.save(op, path: path))
            for e in collect(s, until: { evs in evs.contains { if case .fileFinished = $0 { return true } else { return false } } }) {
                if case .fileFinished(op, path, let err) = e { return .some(err) }
            }
            return .none
        }
        let trained = confusion()
        let path = dir + "/m.safetensors"
        XCTAssertEqual(file(.saveModel, path), .some(nil))
        // The file is safetensors: 8-byte length, JSON header with PyTorch-style keys.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(data[0]) | Int(data[1]) << 8 | Int(data[2]) << 16
        let header = String(decoding: data[8..<(8 + n)], as: UTF8.self)
        XCTAssertTrue(header.contains("\"fc.weight\""), header)
        XCTAssertTrue(header.replacingOccurrences(of: " ", with: "").contains("[10,3072]"), header)

        s.send(.reset(seed: 99))
        XCTAssertNotEqual(confusion(), trained)
        XCTAssertEqual(file(.loadModel, path), .some(nil))
        XCTAssertEqual(confusion(), trained)

        // Not a weights file; wrong keys/shapes; missing file: errors, weights untouched.
        try "hello".write(toFile: dir + "/junk.safetensors", atomically: true, encoding: .utf8)
        let junk = file(.loadModel, dir + "/junk.safetensors")
        XCTAssertTrue((junk ?? nil)?.contains("junk.safetensors: file too short") == true, "\(String(describing: junk))")
        try Safetensors.save([("fc.weight", Tensor([1, 2, 3, 4], shape: [2, 2]))], to: URL(fileURLWithPath: dir + "/bad.safetensors"))
        let bad = (file(.loadModel, dir + "/bad.safetensors") ?? nil) ?? ""
        XCTAssertTrue(bad.contains("\"fc.weight\" has shape [2, 2], the model expects [10, 3072]"), bad)
        XCTAssertTrue(bad.contains("missing key \"fc.bias\""), bad)
        let missing = (file(.loadModel, dir + "/nope.safetensors") ?? nil) ?? ""
        XCTAssertTrue(missing.contains("no such file"), missing)
        XCTAssertEqual(confusion(), trained)
    }

    func testCheckpointRestoresHistory() throws {
        let dir = NSTemporaryDirectory() + "wb-ckpt-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try DemoTrainingBackend(stepDelay: 0).makeSession(model: "LeNet5", dataset: dataset, seed: 1)
        defer { s.close(timeout: 5) }
        s.send(.start(settings(epochs: 1)))
        _ = collect(s) { $0.contains(.stateChanged(.finished)) }
        s.send(.save(.saveCheckpoint, path: dir + "/c.safetensors"))
        _ = collect(s) { evs in evs.contains { if case .fileFinished = $0 { return true } else { return false } } }
        s.send(.reset(seed: 5))
        s.send(.save(.loadCheckpoint, path: dir + "/c.safetensors"))
        let ev = collect(s) { evs in evs.contains { if case .historyRestored = $0 { return true } else { return false } } }
        guard case .historyRestored(let steps, let epochs, _)? = ev.first(where: { if case .historyRestored = $0 { return true } else { return false } }) else {
            return XCTFail("no history")
        }
        XCTAssertEqual(steps.map(\.step), [1, 2, 3, 4, 5])
        XCTAssertEqual(epochs.count, 1)
    }

    /// The real hand-over: the app drives the demo engine on its queue and drains events on
    /// this thread while keys arrive.
    func testAppDrivesEngineAcrossThreads() throws {
        final class SmallProvider: DatasetProvider {
            func embeddedDefault() -> DatasetSource { SyntheticShapesDataset(trainCount: 300, testCount: 50) }
            func openCIFAR10(path: String) throws -> DatasetSource { throw DemoError("no") }
            func downloadCIFAR10(into directory: String, progress: @escaping @Sendable (Double, String) -> Void) throws -> String { throw DemoError("no") }
        }
        let services = AppServices(datasets: SmallProvider(), catalog: DemoModelCatalog(),
                                   backend: DemoTrainingBackend(stepDelay: 0.002), themes: ThemeLibrary(directories: [repoThemes]))
        let app = App(services: services)
        app.resize(width: 100, height: 30)
        app.press(.char("4"))
        for _ in 0..<5 { app.press(.down) }
        app.press(.enter, .ctrl("u"))
        app.type("100")
        app.press(.enter)  // epochs 100
        app.press(.char("s"))
        let deadline = Date().addingTimeInterval(20)
        var changed = false
        while Date() < deadline {
            app.tick()
            var c = Canvas(width: 100, height: 30)
            app.render(into: &c)
            if !changed, (app.history.steps.last?.step ?? 0) >= 5 {
                for _ in 0..<5 { app.press(.up) }
                app.press(.enter, .ctrl("u"))
                app.type("0.02")
                app.press(.enter)
                changed = true
            }
            if changed && !app.history.changes.isEmpty && (app.history.steps.last?.step ?? 0) > app.history.changes[0].step { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertEqual(app.runState, .running)
        XCTAssertEqual(app.history.changes.first?.label, "lr=0.02")
        XCTAssertEqual(app.history.steps.last?.learningRate, 0.02)
        app.press(.char("q"), .char("y"))
        XCTAssertTrue(app.shouldQuit)
    }
}
