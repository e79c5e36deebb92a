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
    /// The model each session was made for (a zoo name or a model file's path).
    var models: [String] = []
    func makeSession(model: String, dataset: DatasetSource, seed: UInt64) throws -> TrainingSession {
        models.append(model)
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
/// Downloads are refused unless a test gives its own files (`downloads`): no test reaches the network.
func makeApp(width w: Int = 80, height h: Int = 24, colorMode: ColorMode = .truecolor,
             options: AppOptions = AppOptions(), recents: RecentPaths? = nil,
             modelRecents: RecentPaths? = nil,
             downloads: @escaping (ImageDatasetKind) throws -> DatasetDownload = noDownloads) -> (App, RecordingBackend) {
    let backend = RecordingBackend()
    let services = AppServices(datasets: DemoDatasetProvider(), catalog: DemoModelCatalog(), backend: backend,
                               themes: ThemeLibrary(directories: [repoThemes]), recents: recents, modelRecents: modelRecents,
                               downloads: downloads)
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

/// The tests' default for `AppServices.downloads`: refused, naming the dataset.
func noDownloads(_ kind: ImageDatasetKind) throws -> DatasetDownload {
    throw DatasetOpenError("\(kind.rawValue): downloads are off in this test")
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

/// Step `n` (global, 1-based) of a run with `stepsPerEpoch` steps per epoch, as the engine reports it.
func step(_ n: Int, loss: Double = 1.0, epoch: Int = 1, lr: Double = 0.01, stepsPerEpoch: Int = 10) -> SessionEvent {
    .training(.step(StepInfo(epoch: epoch, step: n - (epoch - 1) * stepsPerEpoch, stepsPerEpoch: stepsPerEpoch,
                             globalStep: n, loss: loss, lr: lr, samplesPerSecond: 1000)))
}

/// The per-epoch summary of a classification run (1-based `epoch`).
func epochSummary(_ epoch: Int, trainLoss: Double, valLoss: Double?, valAccuracy: Double?) -> EpochSummary {
    var validation: [String: Double]?
    if valLoss != nil || valAccuracy != nil {
        validation = [:]
        validation?["loss"] = valLoss
        validation?["accuracy"] = valAccuracy
    }
    return EpochSummary(epoch: epoch, train: ["loss": trainLoss], validation: validation, samplesPerSecond: 0, seconds: 0, lr: 0.01)
}

/// A test-split evaluation with the given `rows[truth][predicted]` counts.
func evaluation(_ rows: [[Int]], split: String = "test") -> Evaluation {
    let cm = DemoTrainingSession.matrix(rows)
    return Evaluation(split: split, loss: 1.0, metrics: ["accuracy": cm.accuracy], confusion: cm, samples: cm.total)
}

/// Whether `e` is an engine event matching `match`.
func isTraining(_ e: SessionEvent, _ match: (TrainingEvent) -> Bool) -> Bool {
    if case .training(let t) = e { return match(t) }
    return false
}

/// The engine events among `events`.
func trainingEvents(_ events: [SessionEvent]) -> [TrainingEvent] {
    events.compactMap { if case .training(let t) = $0 { return t } else { return nil } }
}

/// The steps among `events`.
func stepInfos(_ events: [SessionEvent]) -> [StepInfo] {
    trainingEvents(events).compactMap { if case .step(let m) = $0 { return m } else { return nil } }
}

/// The epoch summaries among `events`.
func epochSummaries(_ events: [SessionEvent]) -> [EpochSummary] {
    trainingEvents(events).compactMap { if case .epochEnded(let m) = $0 { return m } else { return nil } }
}

/// The evaluations among `events`.
func evaluations(_ events: [SessionEvent]) -> [Evaluation] {
    trainingEvents(events).compactMap { if case .evaluated(let r) = $0 { return r } else { return nil } }
}

extension AppServices {
    /// The demo services: the synthetic shapes dataset, the hand-described catalog and the
    /// demo training engine (the test doubles in `Fakes/`).
    static func demo(themes: ThemeLibrary = .standard(), stepDelay: TimeInterval = 0.02) -> AppServices {
        AppServices(datasets: DemoDatasetProvider(), catalog: DemoModelCatalog(), backend: DemoTrainingBackend(stepDelay: stepDelay),
                    themes: themes)
    }
}

/// Drains `s`'s events until `until` holds for all of them so far (or `timeout` passes).
func collectEvents(_ s: TrainingSession, timeout: TimeInterval = 60, until: ([SessionEvent]) -> Bool) -> [SessionEvent] {
    var events: [SessionEvent] = []
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        events += s.drainEvents()
        if until(events) { break }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return events
}
