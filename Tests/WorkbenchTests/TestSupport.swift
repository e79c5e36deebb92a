import Tensors
import Foundation
import XCTest
@testable import WorkbenchCore

/// A session that records commands and emits only what the test pushes.
final class RecordingSession: TrainingSession {
    var commands: [SessionCommand] = []
    var pending: [SessionEvent] = []
    var closed = false

    func send(_ command: SessionCommand) { commands.append(command) }
    func drainEvents() -> [SessionEvent] {
        defer { pending = [] }
        return pending
    }
    func close(timeout: TimeInterval) { closed = true }
}

final class RecordingBackend: TrainingBackend {
    var sessions: [RecordingSession] = []
    func makeSession(model: String, dataset: DatasetSource, seed: UInt64) throws -> TrainingSession {
        let s = RecordingSession()
        sessions.append(s)
        return s
    }
    var last: RecordingSession { sessions[sessions.count - 1] }
}

/// The repository's themes folder.
let repoThemes: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("themes").path
}()

/// An app on the demo dataset and catalog with a recording engine, sized `w`×`h`.
func makeApp(width w: Int = 80, height h: Int = 24, colorMode: ColorMode = .truecolor,
             options: AppOptions = AppOptions()) -> (App, RecordingBackend) {
    let backend = RecordingBackend()
    let services = AppServices(datasets: DemoDatasetProvider(), catalog: DemoModelCatalog(), backend: backend,
                               themes: ThemeLibrary(directories: [repoThemes]))
    let app = App(services: services, options: options, colorMode: colorMode)
    app.resize(width: w, height: h)
    return (app, backend)
}

extension App {
    func draw() -> Canvas {
        var c = Canvas(width: width, height: height, colorMode: ctx.colorMode)
        render(into: &c)
        return c
    }

    func press(_ keys: Key...) {
        for k in keys { handle(k) }
    }

    func type(_ text: String) {
        for ch in text { handle(.char(ch)) }
    }
}

/// Saves a failing screen to a file (XCTest on Linux mangles long non-ASCII messages).
func dumpScreen(_ canvas: Canvas, _ function: String) -> String {
    let path = NSTemporaryDirectory() + "workbench-test-\(function.filter { $0.isLetter || $0.isNumber }).txt"
    try? canvas.text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Asserts the canvas shows `text` somewhere.
func XCTAssertShows(_ canvas: Canvas, _ text: String, file: StaticString = #filePath, line: UInt = #line, function: String = #function) {
    if !canvas.contains(text) {
        XCTFail("screen does not show \"\(text)\" (screen saved to \(dumpScreen(canvas, function)))", file: file, line: line)
    }
}

func XCTAssertNotShows(_ canvas: Canvas, _ text: String, file: StaticString = #filePath, line: UInt = #line, function: String = #function) {
    if canvas.contains(text) {
        XCTFail("screen shows \"\(text)\" (screen saved to \(dumpScreen(canvas, function)))", file: file, line: line)
    }
}

func step(_ n: Int, loss: Double = 1.0, epoch: Int = 1, lr: Double = 0.01) -> SessionEvent {
    .step(StepMetrics(step: n, epoch: epoch, loss: loss, imagesPerSecond: 1000, learningRate: lr))
}
