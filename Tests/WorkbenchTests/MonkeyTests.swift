import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// The TUI survives anything typed: a seeded stream of random keys, pastes, mouse events
/// and resizes (1×1 … 300×100) goes through the real run loop (`TerminalRunner`) with the
/// real training engine on the embedded dataset underneath. No crash, no hang (every loop
/// turn ends), every frame the terminal's size, the terminal restored (`shutdown`) at
/// every exit. When the keys quit the app, a new one starts on the same terminal, as a
/// user would relaunch it.
///
/// `WORKBENCH_MONKEY_EVENTS` (default 4,000) and `WORKBENCH_MONKEY_SEED` (default 1) size
/// and seed it; `scripts/monkey.sh` runs the long version (100,000 events).
final class MonkeyTests: XCTestCase {
    func testRandomInputNeverCrashesOrHangsTheTUI() throws {
        let env = ProcessInfo.processInfo.environment
        let count = env["WORKBENCH_MONKEY_EVENTS"].flatMap { Int($0) } ?? 4_000
        let seed = env["WORKBENCH_MONKEY_SEED"].flatMap { UInt64($0) } ?? 1

        // Everything the prompts write lands in a scratch folder (also $HOME: hub cache, recents).
        let dir = NSTemporaryDirectory() + "wb-monkey-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let previousDirectory = FileManager.default.currentDirectoryPath
        let previousHome = env["HOME"]
        FileManager.default.changeCurrentDirectoryPath(dir)
        setenv("HOME", dir, 1)
        defer {
            FileManager.default.changeCurrentDirectoryPath(previousDirectory)
            if let h = previousHome { setenv("HOME", h, 1) } else { unsetenv("HOME") }
            try? FileManager.default.removeItem(atPath: dir)
        }

        let terminal = MonkeyTerminal(seed: seed, events: count)
        var launches = 0, steps = 0
        let started = Date()
        while terminal.remaining > 0 {
            launches += 1
            let services = AppServices(datasets: OfflineDatasets(), catalog: ZooModelCatalog(),
                                       backend: EngineBackend(limit: 64),
                                       themes: ThemeLibrary(directories: [repoThemes]),
                                       downloads: OfflineDatasets.refuseDownload)
            let app = App(services: services)
            let shutdownsBefore = terminal.shutdowns
            TerminalRunner.run(app, terminal: terminal) {
                if terminal.remaining == 0 { app.handle(.ctrl("c")) }
            }
            XCTAssertTrue(app.shouldQuit)
            XCTAssertEqual(terminal.shutdowns, shutdownsBefore + 1, "launch \(launches): the terminal was not restored")
            steps += app.steps.count
            app.finish()
        }
        let seconds = Date().timeIntervalSince(started)
        print("monkey: seed \(seed): \(count) events (\(terminal.keys) keys, \(terminal.pastes) pastes, "
              + "\(terminal.mice) mouse events, \(terminal.resizes) resizes) in \(String(format: "%.1f", seconds)) s, "
              + "\(launches) launches, \(terminal.frames) frames, \(steps) training steps, "
              + "longest loop turn \(String(format: "%.3f", terminal.longestTurn)) s")
        XCTAssertEqual(terminal.misfits, 0, "frames drawn at a size other than the terminal's")
        XCTAssertGreaterThan(terminal.frames, 0)
        // A hang, not a speed target: a loop turn that keys, ticks and draws must end.
        XCTAssertLessThan(terminal.longestTurn, 10, "the frame loop stalled")
    }
}

/// The embedded dataset, with downloads refused (the monkey must not reach the network).
final class OfflineDatasets: DatasetProvider {
    private let real = TensorsDatasetProvider(embeddedTrainCount: 100, embeddedTestCount: 20)
    func embeddedDefault() -> DatasetSource { real.embeddedDefault() }
    func openCIFAR10(path: String) throws -> DatasetSource { try real.openCIFAR10(path: path) }
    func openDataset(path: String) throws -> DatasetSource { try real.openDataset(path: path) }
    func csvColumns(path: String) throws -> [String] { try real.csvColumns(path: path) }
    func openCSV(path: String, target: String, task: TaskKind) throws -> DatasetSource {
        try real.openCSV(path: path, target: target, task: task)
    }
    static func refuseDownload(_ kind: ImageDatasetKind) throws -> DatasetDownload {
        throw DatasetOpenError("\(kind.rawValue): downloads are off in the monkey test")
    }
}
