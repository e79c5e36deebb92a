import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The demo engine on its background queue, and the app draining it: the engine/UI
/// hand-over that `swift test --sanitize=thread` checks.
final class DemoEngineTests: XCTestCase {
    let dataset = SyntheticShapesDataset(trainCount: 200, testCount: 50)

    func settings(epochs: Int = 2) -> TrainingConfig {
        var h = TrainingConfig.editorDefaults
        h.epochs = epochs
        h.batchSize = 32
        h.valFraction = 0.1
        h.lr = 0.05
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
        let events = collect(s) { $0.contains(.training(.stateChanged(.finished))) }
        XCTAssertEqual(events.first, .training(.started(RunPlan(epochs: 2, stepsPerEpoch: 5, trainSamples: 180, validationSamples: 20, batchSize: 32))))
        let steps = stepInfos(events)
        XCTAssertEqual(steps.map(\.globalStep), Array(1...10))
        XCTAssertEqual(steps.map(\.step), [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
        XCTAssertEqual(steps.map(\.epoch), [1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        XCTAssertTrue(steps.allSatisfy { $0.stepsPerEpoch == 5 })
        XCTAssertTrue(steps.allSatisfy { $0.loss.isFinite && $0.loss > 0 })
        let epochs = epochSummaries(events)
        XCTAssertEqual(epochs.map(\.epoch), [1, 2])
        XCTAssertNotNil(epochs[0].valLoss)
        XCTAssertEqual(epochs[0].trainLoss, steps[0..<5].map(\.loss).reduce(0, +) / 5, accuracy: 1e-9)
        // Validation accuracy is measured on the 20 held-out images: a whole number of them are right.
        let valAccuracy = try XCTUnwrap(epochs[0].valAccuracy)
        XCTAssertTrue((0...1).contains(valAccuracy), "\(valAccuracy)")
        XCTAssertEqual(valAccuracy * 20, (valAccuracy * 20).rounded(), accuracy: 1e-9)
        XCTAssertEqual(events.last, .training(.stateChanged(.finished)))
    }

    func testLearningRateChangeAppliesAtTheNextStep() throws {
        let s = try DemoTrainingBackend(stepDelay: 0.003).makeSession(model: "LeNet5", dataset: dataset, seed: 1)
        defer { s.close(timeout: 5) }
        var h = settings(epochs: 50)
        h.lr = 0.01
        s.send(.start(h))
        var events = collect(s) { evs in stepInfos(evs).contains { $0.globalStep >= 3 } }
        s.send(.set(.learningRate(0.2)))
        events += collect(s) { evs in evs.contains { isTraining($0) { if case .hyperparameterChanged = $0 { return true } else { return false } } } }
        events += collect(s, timeout: 5) { evs in stepInfos(evs).count >= 3 }
        s.send(.pause)
        events += collect(s) { $0.contains(.training(.stateChanged(.paused(reason: nil)))) }
        guard let applied = trainingEvents(events).compactMap({ e -> Int? in
            if case .hyperparameterChanged(.learningRate(0.2), let st) = e { return st } else { return nil }
        }).first else {
            return XCTFail("no hyperparameterChanged event")
        }
        let steps = stepInfos(events)
        for m in steps { XCTAssertEqual(m.lr, m.globalStep < applied ? 0.01 : 0.2, "step \(m.globalStep), change at \(applied)") }
        XCTAssertTrue(steps.contains { $0.globalStep >= applied })
        // Paused: no more steps arrive.
        let after = collect(s, timeout: 0.2) { _ in false }
        XCTAssertTrue(stepInfos(after).isEmpty)
    }

    func testSaveLoadRoundTripAndBadFilesLeaveWeightsUnchanged() throws {
        let dir = NSTemporaryDirectory() + "wb-demo-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try DemoTrainingBackend(stepDelay: 0).makeSession(model: "LeNet5", dataset: dataset, seed: 1)
        defer { s.close(timeout: 5) }
        s.send(.start(settings(epochs: 1)))
        _ = collect(s) { $0.contains(.training(.stateChanged(.finished))) }
        func confusion() -> ConfusionMatrix? {
            s.send(.evaluate)
            let ev = collect(s) { evs in !evaluations(evs).isEmpty }
            return evaluations(ev).first?.confusion
        }
        func file(_ op: FileOperation, _ path: String) -> String?? {
            s.send(.file(op, path: path))
            for e in collect(s, until: { evs in evs.contains { if case .fileFinished = $0 { return true } else { return false } } }) {
                if case .fileFinished(op, path, let err) = e { return .some(err) }
            }
            return .none
        }
        let trained = confusion()
        XCTAssertEqual(trained?.total, 50, "the evaluation covers the 50 test images")
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
        _ = collect(s) { $0.contains(.training(.stateChanged(.finished))) }
        s.send(.file(.saveCheckpoint, path: dir + "/c.safetensors"))
        _ = collect(s) { evs in evs.contains { if case .fileFinished = $0 { return true } else { return false } } }
        s.send(.reset(seed: 5))
        s.send(.file(.loadCheckpoint, path: dir + "/c.safetensors"))
        let ev = collect(s) { evs in evs.contains { if case .historyRestored = $0 { return true } else { return false } } }
        guard case .historyRestored(let history, _)? = ev.first(where: { if case .historyRestored = $0 { return true } else { return false } }) else {
            return XCTFail("no history")
        }
        XCTAssertEqual(history.stepLosses?.steps, [1, 2, 3, 4, 5])
        XCTAssertEqual(StepLossRecorder.steps(history.stepLosses).map(\.globalStep), [1, 2, 3, 4, 5])
        XCTAssertEqual(history.epochs.map(\.epoch), [1])
    }

    /// The real hand-over: the app drives the demo engine on its queue and drains events on
    /// this thread while keys arrive.
    func testAppDrivesEngineAcrossThreads() throws {
        final class SmallProvider: DatasetProvider {
            func embeddedDefault() -> DatasetSource { SyntheticShapesDataset(trainCount: 300, testCount: 50) }
            func openCIFAR10(path: String) throws -> DatasetSource { throw DemoError("no") }
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
            if !changed, (app.steps.last?.globalStep ?? 0) >= 5 {
                for _ in 0..<5 { app.press(.up) }
                app.press(.enter, .ctrl("u"))
                app.type("0.02")
                app.press(.enter)
                changed = true
            }
            if changed && !app.history.changes.isEmpty && (app.steps.last?.globalStep ?? 0) > app.history.changes[0].step { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertEqual(app.runState, .running)
        XCTAssertEqual(app.history.changes.first?.change.label, "lr=0.02")
        XCTAssertEqual(app.steps.last?.lr, 0.02)
        app.press(.char("q"), .char("y"))
        XCTAssertTrue(app.shouldQuit)
    }
}
