import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore
@testable import WorkbenchRuns

/// The TUI's tuning tools: the learning-rate range test from the menu (plot, suggestion
/// applied on confirm, weights put back) and the divergence guard (a NaN/Inf pause offers
/// a rollback to the last good state with a lower learning rate).
final class TuningToolsTests: XCTestCase {
    func collect(_ s: TrainingSession, until: ([SessionEvent]) -> Bool) -> [SessionEvent] { collectEvents(s, until: until) }

    func engineSession() throws -> TrainingSession {
        try EngineBackend(limit: 64).makeSession(model: "lenet5", dataset: SyntheticShapesDataset(trainCount: 100, testCount: 20), seed: 0)
    }

    func settings(lr: Double) -> TrainingConfig {
        var h = TrainingConfig.editorDefaults
        h.epochs = 500
        h.batchSize = 16
        h.valFraction = 0.25
        h.lr = lr
        return h
    }

    // MARK: LR finder

    func testTheRangeTestOnTheEngineSweepsAndPutsTheWeightsBack() throws {
        let dir = NSTemporaryDirectory() + "wb-lrfind-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try engineSession()
        defer { s.close(timeout: 10) }
        func save(_ name: String) -> [(String, Tensor)] {
            s.send(.file(.saveModel, path: dir + "/" + name))
            _ = collect(s) { e in e.contains { if case .fileFinished = $0 { return true } else { return false } } }
            return (try? Safetensors.load(from: URL(fileURLWithPath: dir + "/" + name)).tensors) ?? []
        }
        let before = save("before.safetensors")
        let test = try LRRangeTest(minLR: 1e-5, maxLR: 1, steps: 8)
        s.send(.findLR(settings(lr: 0.01), test: test))
        let ev = collect(s) { e in e.contains { if case .lrFind(.finished) = $0 { return true }; if case .lrFind(.failed) = $0 { return true }; return false } }
        let progress = ev.compactMap { e -> Int? in if case .lrFind(.progress(let st, 8, _, _)) = e { return st } else { return nil } }
        XCTAssertEqual(progress.first, 1)
        guard case .lrFind(.finished(let r))? = ev.last else { return XCTFail("no result: \(ev.last.map { "\($0)" } ?? "none")") }
        XCTAssertFalse(r.points.isEmpty)
        XCTAssertLessThanOrEqual(r.points.count, 8)
        XCTAssertEqual(r.points[0].lr, 1e-5, accuracy: 1e-12)
        for (a, b) in zip(r.points, r.points.dropFirst()) { XCTAssertGreaterThan(b.lr, a.lr) }
        XCTAssertFalse(ev.contains { if case .training(.step) = $0 { return true } else { return false } },
                       "the sweep's steps are not the run's")
        let after = save("after.safetensors")
        XCTAssertEqual(before.map(\.0), after.map(\.0))
        for ((k, a), (_, b)) in zip(before, after) { XCTAssertEqual(a.toArray(), b.toArray(), "\(k) restored") }
    }

    func testTheMenuRunsTheRangeTestAndConfirmAppliesTheSuggestion() throws {
        let (app, backend) = makeApp(width: 100, height: 30)
        app.press(.char("m"))
        XCTAssertShows(app.draw(), "Find learning rate…")
        app.press(.char("F"))
        guard case .findLR(_, let test)? = backend.last.commands.last else { return XCTFail("no range test sent") }
        XCTAssertEqual(test, App.lrFinderTest)
        XCTAssertEqual(app.overlayName, "progress")
        backend.last.pending = [.lrFind(.progress(step: 40, of: 100, lr: 1e-4, loss: 2.2))]
        app.tick()
        XCTAssertShows(app.draw(), "step 40/100")
        let points = (0..<50).map { i -> LRRangeTest.Point in
            let lr = 1e-6 * pow(10, Double(i) / 8)
            let loss = 2.3 - 1.5 / (1 + exp(-(log10(lr) + 3) * 3))
            return LRRangeTest.Point(step: i + 1, lr: lr, loss: loss, smoothed: loss)
        }
        let suggested = LRRangeTest.suggest(points)
        XCTAssertNotNil(suggested)
        backend.last.pending = [.lrFind(.finished(LRRangeTest.Result(points: points, suggested: suggested, diverged: false)))]
        app.tick()
        XCTAssertEqual(app.overlayName, "lr-finder")
        let screen = app.draw()
        XCTAssertShows(screen, "Suggested lr \(formatHyperparameter(suggested ?? 0))")
        XCTAssertShows(screen, "lr (log)")
        XCTAssertShows(screen, "suggested")
        app.press(.char("y"))
        XCTAssertNil(app.overlayName)
        XCTAssertEqual(app.hyper.lr, Double(formatHyperparameter(suggested ?? 0)) ?? -1, accuracy: 1e-12)
    }

    func testEscKeepsTheLearningRateAndFailuresAreMessages() {
        let (app, backend) = makeApp(width: 100, height: 30)
        let lr = app.hyper.lr
        app.press(.char("m"), .char("F"))
        backend.last.pending = [.lrFind(.finished(LRRangeTest.Result(points: [], suggested: nil, diverged: true)))]
        app.tick()
        XCTAssertShows(app.draw(), "No suggestion")
        app.press(.escape)
        XCTAssertEqual(app.hyper.lr, lr)
        app.press(.char("m"), .char("F"))
        backend.last.pending = [.lrFind(.failed("a run is active; stop it (x) before the range test"))]
        app.tick()
        XCTAssertEqual(app.overlayName, "message")
        XCTAssertShows(app.draw(), "stop it (x)")
    }

    // MARK: Divergence guard

    func testANaNPauseOffersARollbackWithATenthOfTheRate() {
        let (app, backend) = makeApp(width: 100, height: 30)
        app.press(.char("s"))
        backend.last.pending = [.training(.stateChanged(.running)),
                                .training(.stateChanged(.paused(reason: "loss is nan at epoch 1 step 3; the step was not applied")))]
        app.tick()
        XCTAssertEqual(app.overlayName, "confirm")
        let lr = app.hyper.lr
        let screen = app.draw()
        XCTAssertShows(screen, "loss is nan")
        XCTAssertShows(screen, "Roll back to the start of the run")
        app.press(.char("y"))
        XCTAssertEqual(backend.last.commands.last, .rollback(lr: lr * App.rollbackFactor))
        XCTAssertEqual(app.hyper.lr, lr * App.rollbackFactor, accuracy: 1e-15)
        // "n" leaves the run paused and sends nothing.
        backend.last.pending = [.training(.stateChanged(.paused(reason: "loss is inf at epoch 2 step 1")))]
        app.tick()
        let sent = backend.last.commands.count
        app.press(.char("n"))
        XCTAssertNil(app.overlayName)
        XCTAssertEqual(backend.last.commands.count, sent)
    }

    func testRollbackOnTheEngineRestoresTheLastGoodStateAndContinues() throws {
        let s = try engineSession()
        defer { s.close(timeout: 10) }
        // SGD at 1e30 overflows the weights at once: the loss turns NaN/Inf and the engine pauses.
        s.send(.start(settings(lr: 1e30)))
        var ev = collect(s) { e in e.contains { if case .training(.stateChanged(.paused(_?))) = $0 { return true } else { return false } } }
        XCTAssertTrue(ev.contains { if case .training(.stateChanged(.paused(_?))) = $0 { return true } else { return false } }, "no NaN pause")
        let before = stepInfos(ev).count
        s.send(.rollback(lr: 0.01))
        ev += collect(s) { e in stepInfos(e).count >= 3 }
        let after = Array(stepInfos(ev).dropFirst(before))
        XCTAssertGreaterThanOrEqual(after.count, 3)
        for m in after {
            XCTAssertTrue(m.loss.isFinite, "step \(m.globalStep) loss \(m.loss) after the rollback")
            XCTAssertEqual(m.lr, 0.01, accuracy: 1e-12)
        }
        XCTAssertTrue(ev.contains(.training(.message("rolled back to the start of the run with lr 0.01"))))
        s.send(.stop)
        _ = collect(s) { $0.contains(.training(.stateChanged(.stopped))) }
    }
}
