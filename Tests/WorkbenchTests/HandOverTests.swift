import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The engine/UI hand-over with every thread of the real program: the run loop
/// (`TerminalRunner`) on this thread, the real training engine and its session queue, data
/// loader workers, and keys typed from another thread into a `ScriptedTerminal`.
/// `swift test --sanitize=thread --filter "HandOverTests|AdapterTests|DemoEngineTests"`
/// checks these for data races.
final class HandOverTests: XCTestCase {
    /// What the UI thread publishes for the typing thread.
    final class Snapshot: @unchecked Sendable {
        private let lock = NSLock()
        private var _state: TrainingState = .idle
        private var _step = 0
        private var _changes: [String] = []
        private var _toast = ""

        func update(_ app: App) {
            lock.lock()
            _state = app.runState
            _step = app.steps.last?.globalStep ?? 0
            _changes = app.history.changes.map(\.change.label)
            if let t = app.toast?.text { _toast = t }
            lock.unlock()
        }

        var value: (state: TrainingState, step: Int, changes: [String], toast: String) {
            lock.lock()
            defer { lock.unlock() }
            return (_state, _step, _changes, _toast)
        }
    }

    func testKeysFromAnotherThreadDriveTheRealEngineThroughTheRunLoop() throws {
        let dir = NSTemporaryDirectory() + "wb-handover-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let services = AppServices(datasets: TensorsDatasetProvider(embeddedTrainCount: 100, embeddedTestCount: 20),
                                   catalog: ZooModelCatalog(), backend: EngineBackend(limit: 64),
                                   themes: ThemeLibrary(directories: [repoThemes]))
        let app = App(services: services)
        let terminal = ScriptedTerminal(width: 100, height: 30)
        let snapshot = Snapshot()
        let savePath = dir + "/lenet5.safetensors"
        let failures = MessageQueue<String>()

        let typist = Thread {
            let deadline = Date().addingTimeInterval(120)
            func wait(_ what: String, _ cond: ((state: TrainingState, step: Int, changes: [String], toast: String)) -> Bool) -> Bool {
                while Date() < deadline {
                    if cond(snapshot.value) { return true }
                    Thread.sleep(forTimeInterval: 0.005)
                }
                failures.push("timed out waiting for \(what); last state \(snapshot.value)")
                terminal.interrupt()
                return false
            }
            func keys(_ ks: Key...) { for k in ks { terminal.inject(k) } }
            func text(_ s: String) { for ch in s { terminal.inject(.char(ch)) } }

            // Epochs 500 (a next-run field), then start.
            keys(.char("4"), .down, .down, .down, .down, .down, .enter, .ctrl("u"))
            text("500")
            keys(.enter, .char("s"))
            guard wait("steps", { $0.state == .running && $0.step >= 3 }) else { return }
            // Learning rate 0.05 mid-run: applied at a step boundary and marked.
            keys(.up, .up, .up, .up, .up, .enter, .ctrl("u"))
            text("0.05")
            keys(.enter)
            guard wait("the lr change", { $0.changes.contains("lr=0.05") }) else { return }
            let changedAt = snapshot.value.step
            guard wait("steps after the change", { $0.step > changedAt + 2 }) else { return }
            // Pause, save the model between steps, resume.
            keys(.char("p"))
            guard wait("pause", { $0.state == .paused(reason: nil) }) else { return }
            keys(.char("S"), .ctrl("u"))
            text(savePath)
            keys(.enter)
            guard wait("the save", { $0.toast.hasPrefix("saved model to") }) else { return }
            let pausedAt = snapshot.value.step
            keys(.char("p"))
            guard wait("steps after resuming", { $0.state == .running && $0.step > pausedAt + 2 }) else { return }
            // Quit while training: confirmed.
            keys(.char("q"), .char("y"))
        }

        var iterations = 0
        let typing = DispatchTime.now()
        TerminalRunner.run(app, terminal: terminal) {
            iterations += 1
            snapshot.update(app)
            if iterations == 1 { typist.start() }
            if Double(DispatchTime.now().uptimeNanoseconds - typing.uptimeNanoseconds) > 150e9 { app.handle(.ctrl("c")) }
        }
        for f in failures.drain() { XCTFail(f) }
        XCTAssertTrue(app.shouldQuit)
        XCTAssertTrue(FileManager.default.fileExists(atPath: savePath))
        guard let change = app.history.changes.first(where: { $0.change.label == "lr=0.05" }) else { return XCTFail("no lr marker") }
        XCTAssertTrue(app.steps.contains { $0.globalStep >= change.step }, "no step after the change at \(change.step)")
        for s in app.steps {
            XCTAssertEqual(s.lr, s.globalStep < change.step ? 0.001 : 0.05, accuracy: 1e-12, "lr of step \(s.globalStep)")
        }
        // Every key was answered by a frame.
        XCTAssertGreaterThanOrEqual(terminal.latencies.count, 30)
        XCTAssertGreaterThan(terminal.frames, 3)
    }

    func testScriptedTerminalMeasuresKeyToFrameLatencyAndEncodesOnlyChanges() {
        let t = ScriptedTerminal(width: 20, height: 3, colorMode: .palette256)
        XCTAssertNil(t.readKey(timeout: 1))
        t.inject(.char("a"))
        Thread.sleep(forTimeInterval: 0.01)
        XCTAssertEqual(t.readKey(timeout: 0), .char("a"))
        var c = Canvas(width: 20, height: 3, colorMode: .palette256)
        c.put("hello", x: 0, y: 0, Style(fg: .rgb(RGB(255, 0, 0))))
        t.draw(c)
        XCTAssertEqual(t.latencies.count, 1)
        XCTAssertGreaterThanOrEqual(t.latencies[0], 0.01)
        let first = t.bytesWritten
        t.draw(c)
        XCTAssertEqual(t.bytesWritten, first, "an unchanged frame sends nothing")
        XCTAssertEqual(t.latencies.count, 1, "a frame without a key adds no latency")
        c.put("j", x: 0, y: 0, Style(fg: .rgb(RGB(255, 0, 0))))
        t.draw(c)
        // Cursor move, colour, one character.
        XCTAssertEqual(t.bytesWritten - first, "\u{1b}[1;1H\u{1b}[0;38;5;196mj".utf8.count)
        // Resize arrives as a key; interrupt as Ctrl-C would.
        t.resize(width: 30, height: 5)
        XCTAssertEqual(t.readKey(timeout: 0), .resize)
        XCTAssertEqual(t.size.width, 30)
        XCTAssertFalse(t.takeInterrupt())
        t.interrupt()
        XCTAssertTrue(t.takeInterrupt())
    }
}
