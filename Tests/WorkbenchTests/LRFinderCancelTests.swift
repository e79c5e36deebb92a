import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore
@testable import WorkbenchRuns

/// The TUI's range test runs beside the session queue (commands are still
/// answered while it sweeps) and Esc cancels it with the weights put back; the
/// misclassification gallery is filled after a run's own end-of-run test pass.
final class LRFinderCancelTests: XCTestCase {
    func engineSession() throws -> TrainingSession {
        try EngineBackend(limit: 64).makeSession(model: "lenet5", dataset: SyntheticShapesDataset(trainCount: 100, testCount: 20), seed: 0)
    }

    func settings() -> TrainingConfig {
        var h = TrainingConfig.editorDefaults
        h.epochs = 1
        h.batchSize = 16
        h.valFraction = 0.25
        return h
    }

    func testEscOnTheProgressCancelsTheRangeTest() {
        let (app, backend) = makeApp(width: 100, height: 30)
        app.press(.char("m"), .char("F"))
        XCTAssertTrue(app.lrFinderRunning)
        XCTAssertShows(app.draw(), "Esc cancel")
        app.press(.escape)
        XCTAssertEqual(backend.last.commands.last, .cancelLRFind)
        XCTAssertNil(app.overlayName)
        backend.last.pending = [.lrFind(.cancelled(steps: 12))]
        app.tick()
        XCTAssertFalse(app.lrFinderRunning)
        XCTAssertTrue(app.toast?.text.contains("range test cancelled after 12 steps") == true, app.toast?.text ?? "")
        // A failure ends it too.
        app.press(.char("m"), .char("F"))
        backend.last.pending = [.lrFind(.failed("no"))]
        app.tick()
        XCTAssertFalse(app.lrFinderRunning)
    }

    func testTheSessionAnswersWhileTheRangeTestSweepsAndCancelPutsTheWeightsBack() throws {
        let dir = NSTemporaryDirectory() + "wb-lrcancel-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try engineSession()
        defer { s.close(timeout: 10) }
        func finished(_ e: SessionEvent) -> Bool { if case .fileFinished = e { return true } else { return false } }
        s.send(.file(.saveModel, path: dir + "/before.safetensors"))
        _ = collectEvents(s) { $0.contains(where: finished) }
        let before = try Safetensors.load(from: URL(fileURLWithPath: dir + "/before.safetensors")).tensors

        s.send(.findLR(settings(), test: try LRRangeTest(minLR: 1e-5, maxLR: 1e-3, steps: 100_000)))
        _ = collectEvents(s) { e in e.contains { if case .lrFind(.progress) = $0 { return true } else { return false } } }
        // The queue is free: a save is answered (refused) at once while the sweep goes on.
        s.send(.file(.saveModel, path: dir + "/during.safetensors"))
        let during = collectEvents(s) { $0.contains(where: finished) }
        guard case .fileFinished(.saveModel, _, let error?)? = during.first(where: finished) else { return XCTFail("no answer") }
        XCTAssertTrue(error.contains("range test is running"), error)
        XCTAssertFalse(during.contains { if case .lrFind(.finished) = $0 { return true } else { return false } })
        s.send(.start(settings()))
        let refused = collectEvents(s) { e in trainingEvents(e).contains { if case .message = $0 { return true } else { return false } } }
        XCTAssertTrue(trainingEvents(refused).contains { if case .message(let m) = $0 { return m.contains("Esc cancels") } else { return false } })

        s.send(.cancelLRFind)
        let end = collectEvents(s) { e in e.contains { if case .lrFind(.cancelled) = $0 { return true } else { return false } } }
        guard case .lrFind(.cancelled(let steps))? = end.last(where: { if case .lrFind(.cancelled) = $0 { return true } else { return false } }) else {
            return XCTFail("not cancelled")
        }
        XCTAssertGreaterThan(steps, 0)
        XCTAssertLessThan(steps, 100_000)
        s.send(.file(.saveModel, path: dir + "/after.safetensors"))
        let saved = collectEvents(s) { $0.contains(where: finished) }
        guard case .fileFinished(_, _, nil)? = saved.first(where: finished) else { return XCTFail("save after the sweep failed") }
        let after = try Safetensors.load(from: URL(fileURLWithPath: dir + "/after.safetensors")).tensors
        XCTAssertEqual(before.map(\.0), after.map(\.0))
        for ((k, a), (_, b)) in zip(before, after) { XCTAssertEqual(a.toArray(), b.toArray(), "\(k) put back") }
    }

    func testTheGalleryIsFilledAfterTheEndOfRunTestPass() throws {
        let s = try engineSession()
        defer { s.close(timeout: 10) }
        s.send(.start(settings()))
        let events = collectEvents(s) { e in e.contains { if case .misclassified = $0 { return true } else { return false } } }
        let tests = evaluations(events).filter { $0.split == "test" }
        XCTAssertEqual(tests.count, 1, "the run's own test pass, not a second evaluation")
        guard let cm = tests.first?.confusion else { return XCTFail("no test pass") }
        guard case .misclassified(let wrong)? = events.last else { return XCTFail("no gallery samples after the run") }
        let correct = (0..<cm.classes).map { cm[$0, $0] }.reduce(0, +)
        XCTAssertEqual(wrong.count, cm.total - correct)
        XCTAssertTrue(trainingEvents(events).contains { $0 == .stateChanged(.finished) })

        let (app, backend) = makeApp(width: 120, height: 40)
        backend.last.pending = events
        app.tick()
        XCTAssertEqual(app.misclassified.count, wrong.count, "the app keeps them for the gallery")
    }
}
