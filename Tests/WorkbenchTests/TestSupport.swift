import Foundation
import XCTest
@testable import WorkbenchCore

/// A session that records commands and emits only what the test pushes.
final class RecordingSession: TrainingSession {
    var commands: [TrainingCommand] = []
    var pending: [TrainingEvent] = []
    var closed = false

    func send(_ command: TrainingCommand) { commands.append(command) }
    func drainEvents() -> [TrainingEvent] {
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

/// Asserts the canvas shows `text` somewhere.
func XCTAssertShows(_ canvas: Canvas, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(canvas.contains(text), "screen does not show \"\(text)\":\n\(canvas.text)", file: file, line: line)
}

func XCTAssertNotShows(_ canvas: Canvas, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(canvas.contains(text), "screen shows \"\(text)\":\n\(canvas.text)", file: file, line: line)
}

func step(_ n: Int, loss: Double = 1.0, epoch: Int = 1, lr: Double = 0.01) -> TrainingEvent {
    .step(StepMetrics(step: n, epoch: epoch, loss: loss, imagesPerSecond: 1000, learningRate: lr))
}
