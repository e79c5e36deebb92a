import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore
@testable import WorkbenchRuns

/// The TUI and the run store: sessions record their runs; the Runs view lists, sorts,
/// filters, overlays curves on the charts and diffs configs.
final class RunsViewTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("runs-view-\(getpid())-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A store with three finished runs at lr 0.001, 0.01, 0.05 (val loss 1.5, 0.9, 1.2).
    func storeWithThreeRuns() throws -> (RunStore, [String]) {
        let store = try RunStore(path: dir.appendingPathComponent("runs.sqlite").path)
        var ids: [String] = []
        for (lr, val) in [(0.001, 1.5), (0.01, 0.9), (0.05, 1.2)] {
            var c = TrainingConfig()
            c.lr = lr
            let r = try RunRecorder(store: store, config: c, task: "classification", source: "test")
            for i in 1...20 {
                r.record(.step(StepInfo(epoch: 1, step: i, stepsPerEpoch: 20, globalStep: i, loss: 2.3 - lr * Double(i), lr: lr,
                                        samplesPerSecond: 1)))
            }
            r.record(.epochEnded(EpochSummary(epoch: 1, train: ["loss": 2], validation: ["loss": val], samplesPerSecond: 1,
                                              seconds: 1, lr: lr)))
            r.record(.stateChanged(.finished))
            r.close()
            ids.append(r.runId)
            usleep(2000)   // distinct start times: newest first is the reverse order
        }
        return (store, ids)
    }

    func makeApp(store: RunStore?) -> App {
        let services = AppServices(datasets: DemoDatasetProvider(), catalog: DemoModelCatalog(), backend: RecordingBackend(),
                                   themes: ThemeLibrary(directories: [repoThemes]), runs: store)
        let app = App(services: services)
        app.resize(width: 140, height: 40)
        return app
    }

    func testTheRunsViewListsSortsFiltersOverlaysAndDiffs() throws {
        let (store, ids) = try storeWithThreeRuns()
        try store.rename(ids[0], to: "baseline-run")
        let app = makeApp(store: store)
        app.press(.char("R"))
        XCTAssertEqual(app.overlayName, "runs")
        var screen = app.draw()
        for id in ids { XCTAssertShows(screen, id) }
        XCTAssertShows(screen, "sort newest")
        XCTAssertEqual(app.runsBrowser.visible.map(\.id), ids.reversed())

        app.press(.char("o"))   // by val loss
        XCTAssertEqual(app.runsBrowser.sort, .valLoss)
        XCTAssertEqual(app.runsBrowser.visible.map(\.id), [ids[1], ids[2], ids[0]])

        app.press(.char("/"))
        app.type("baseline")
        XCTAssertEqual(app.runsBrowser.visible.map(\.id), [ids[0]])
        app.press(.escape)       // cancels the edit, keeps what was typed
        app.press(.char("/"), .ctrl("u"), .enter)
        XCTAssertEqual(app.runsBrowser.visible.count, 3)

        // Mark the two best, diff them, overlay them.
        app.press(.char(" "), .char(" "))
        XCTAssertEqual(app.runsBrowser.marked, [ids[1], ids[2]])
        app.press(.char("d"))
        screen = app.draw()
        XCTAssertShows(screen, "config diff")
        XCTAssertShows(screen, "* lr")
        app.press(.enter)
        XCTAssertNil(app.overlayName)
        XCTAssertEqual(app.overlaidRuns.map(\.id), [ids[1], ids[2]])
        XCTAssertEqual(app.overlaidRuns.map(\.points.count), [20, 20])
        XCTAssertEqual(app.overlaidRuns.map(\.color), [RunCurve.color(for: ids[1]), RunCurve.color(for: ids[2])])
        XCTAssertEqual(app.focus, .charts)
        screen = app.draw()
        XCTAssertShows(screen, "\(ids[1]) lr=0.01")
        XCTAssertShows(screen, "\(ids[2]) lr=0.05")
    }

    func testTheRunsViewDrawsAtAnySize() throws {
        let (store, _) = try storeWithThreeRuns()
        let app = makeApp(store: store)
        app.press(.char("R"), .char(" "))
        for (w, h) in [(20, 6), (40, 10), (80, 24), (200, 60), (1, 1)] {
            app.resize(width: w, height: h)
            _ = app.draw()
        }
        app.resize(width: 80, height: 24)
        XCTAssertShows(app.draw(), "Runs")
    }

    func testColoursAreStablePerRunAndTheBaselineComesFirst() throws {
        let (store, ids) = try storeWithThreeRuns()
        XCTAssertEqual(RunCurve.color(for: ids[0]), RunCurve.color(for: ids[0]))
        var b = RunsBrowser()
        b.reload(store)
        // Cursor on the newest (ids[2]); pin it as the baseline, mark the oldest.
        _ = b.handle(.char("b"), store: store)
        _ = b.handle(.down, store: store)
        _ = b.handle(.char(" "), store: store)
        guard case .overlay(let curves) = b.handle(.enter, store: store) else { return XCTFail("Enter overlays") }
        XCTAssertEqual(curves.map(\.id), [ids[2], ids[1]])
        XCTAssertEqual(curves.map(\.isBaseline), [true, false])
    }

    func testDeletingARunAndAStoreLessSession() throws {
        let (store, ids) = try storeWithThreeRuns()
        var b = RunsBrowser()
        b.reload(store)
        _ = b.handle(.char("X"), store: store)
        XCTAssertEqual(try store.runs().map(\.id), [ids[1], ids[0]])
        XCTAssertEqual(b.message, "deleted \(ids[2])")

        let app = makeApp(store: nil)
        app.press(.char("R"))
        XCTAssertNil(app.overlayName)
        XCTAssertTrue(app.toast?.text.contains("not recorded") == true)
    }

    func testTheEngineSessionRecordsItsRunsIntoTheStore() throws {
        let store = try RunStore(path: dir.appendingPathComponent("tui.sqlite").path)
        let backend = EngineBackend(limit: 64, recorder: runStoreRecorder(store))
        let session = try backend.makeSession(model: "lenet5", dataset: TensorsDatasetProvider(embeddedTrainCount: 100, embeddedTestCount: 20).embeddedDefault(),
                                              seed: 0)
        var h = TrainingConfig.editorDefaults
        h.epochs = 1
        session.send(.start(h))
        var finished = false
        let deadline = Date().addingTimeInterval(120)
        while !finished && Date() < deadline {
            for e in session.drainEvents() {
                if case .training(.stateChanged(let s)) = e, s == .finished || !(s.isActive || s == .idle) { finished = true }
            }
            usleep(10_000)
        }
        session.close(timeout: 10)
        XCTAssertTrue(finished)
        let runs = try store.runs()
        XCTAssertEqual(runs.count, 1)
        XCTAssertEqual(runs.first?.source, "tui")
        XCTAssertEqual(runs.first?.status, .finished)
        XCTAssertGreaterThan(try store.stepCount(runs[0].id), 0)
        XCTAssertEqual(try store.epochs(runs[0].id).count, 1)
    }

    func testRenameTagAndResumeFromTheRunsView() throws {
        let (store, ids) = try storeWithThreeRuns()
        let app = makeApp(store: store)
        app.press(.char("R"))
        // The newest run is first: rename it, then tag it.
        app.press(.char("n"))
        XCTAssertShows(app.draw(), "name of \(ids[2])")
        app.type("wide-lr")
        app.press(.enter)
        XCTAssertEqual(try store.resolve(ids[2]).name, "wide-lr")
        XCTAssertShows(app.draw(), "renamed to wide-lr")
        app.press(.char("t"))
        app.type("cifar, keep")
        app.press(.enter)
        XCTAssertEqual(try store.resolve(ids[2]).tags, "cifar,keep")
        XCTAssertShows(app.draw(), "wide-lr [cifar,keep]")
        // Esc while typing leaves the name as it was.
        app.press(.char("n"), .ctrl("u"))
        app.type("other")
        app.press(.escape)
        XCTAssertEqual(try store.resolve(ids[2]).name, "wide-lr")
        XCTAssertEqual(app.overlayName, "runs")
        // No checkpoint recorded: a message, the view stays.
        app.press(.char("u"))
        XCTAssertShows(app.draw(), "saved no checkpoint")
        XCTAssertEqual(app.overlayName, "runs")
        // With a checkpoint on disk: the session loads it.
        let ck = dir.appendingPathComponent("ck.safetensors")
        try Checkpoint(modelState: try ModelZoo.make("lenet5").stateDict()).save(to: ck)
        try store.write([.artifact(ArtifactRecord(runId: ids[2], kind: "checkpoint", path: ck.path, sha256: "", bytes: 1, step: 20,
                                                  wallTime: Date().timeIntervalSince1970))])
        app.press(.char("u"))
        XCTAssertNil(app.overlayName)
        let backend = app.services.backend as? RecordingBackend
        XCTAssertEqual(backend?.last.commands.last, .file(.loadCheckpoint, path: ck.path))
        XCTAssertShows(app.draw(), "resuming \(ids[2])")
    }
}
