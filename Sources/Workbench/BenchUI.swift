import ArgumentParser
import Dispatch
import Foundation
import Tensors
import WorkbenchCore
import WorkbenchRuns

/// `workbench bench ui`: what the TUI costs while training.
///
/// Alternates two runs of the same training (LeNet5 with the TUI's default settings on
/// the embedded Shapes10, or `--data`): headless, exactly as `workbench train` runs it
/// (`TrainingSetup` + `TrainingEngine`), and under the full UI loop (`App` on the real
/// engine, `TerminalRunner` drawing every frame into an off-screen terminal, or onto this
/// terminal with `--tty`). The UI run is started by keys like a user would (epochs set in
/// the hyperparameter pane, then `s`), and while it trains, arrow keys arrive at random
/// times; each one's latency is the time from injection until the frame that shows it has
/// been drawn. Reports training images/s of both, the overhead, and latency percentiles.
struct BenchUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "TUI cost: training images/s headless vs under the UI loop, key-to-frame latency while training."
    )

    @Option(help: ArgumentHelp("CIFAR-10 archive or folder (default: the embedded Shapes10).", valueName: "path"))
    var data: String?

    @Option(help: "Epochs per run.")
    var epochs: Int = 3

    @Option(help: "Headless/UI pairs to run (alternating); medians are reported.")
    var repeats: Int = 3

    @Option(help: ArgumentHelp("Use only the first N training and N test images.", valueName: "n"))
    var limit: Int?

    @Option(help: "Off-screen terminal width in cells.")
    var width: Int = 120

    @Option(help: "Off-screen terminal height in cells.")
    var height: Int = 40

    @Option(name: .customLong("keys-per-second"), help: "Mean rate of injected arrow keys during UI runs (0: none).")
    var keysPerSecond: Double = 5

    @Flag(help: "Draw the UI runs on this terminal (ncurses) instead of off-screen.")
    var tty = false

    @Flag(help: "Record the UI runs into a run store (a temporary SQLite file), as `workbench` does by default.")
    var record = false

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        guard width >= 60, height >= 18 else { throw ValidationError("--width/--height must be at least 60×18, got \(width)×\(height)") }
        guard keysPerSecond >= 0, keysPerSecond <= 100 else { throw ValidationError("--keys-per-second must be in [0, 100], got \(keysPerSecond)") }
        if let l = limit, l < 2 { throw ValidationError("--limit must be at least 2, got \(l)") }
    }

    struct RunResult {
        var imagesPerSecond: Double
        var wallSeconds: Double
        /// Process CPU seconds (all threads) while training.
        var processCPUSeconds = 0.0
        var frames = 0
        var uiCPUSeconds = 0.0
        var bytes = 0
        var latencies: [Double] = []
        var mismatches = 0
    }

    func run() throws {
        #if DEBUG
        print("warning: debug build; run `swift build -c release` and .build/release/workbench for real figures")
        #endif
        let provider = TensorsDatasetProvider()
        let dataset: DatasetSource
        do { dataset = try data.map { try provider.openCIFAR10(path: $0) } ?? provider.embeddedDefault() } catch {
            throw UserError("--data \(data ?? ""): \(error)")
        }
        var settings = TrainingConfig.editorDefaults
        settings.epochs = epochs
        let config = EngineSession.trainingConfig(model: "lenet5", dataPath: data, limit: limit, settings: settings)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("bench ui: \(dataset.name), lenet5, \(config.optimizer) lr \(config.lr) momentum \(config.momentum), batch \(config.batchSize), "
              + "\(epochs) epochs, val \(config.valSize ?? 0), workers \(config.numWorkers); \(ProcessInfo.processInfo.activeProcessorCount) cores, "
              + "load average \(load)")
        print("UI runs: \(tty ? "this terminal" : "off-screen \(width)×\(height) truecolor"), arrow keys at \(keysPerSecond)/s on average" + (record ? ", recorded into a run store" : ""))
        // Warm-up (not counted): page in the code and the data pipeline once.
        var warm = config
        warm.epochs = 1
        _ = try runHeadless(warm)
        var headless: [RunResult] = [], ui: [RunResult] = []
        // ABBA order (H U, U H, H U …) so that drift in the machine's load hits both sides alike.
        for r in 1...repeats {
            for side in r % 2 == 1 ? ["headless", "ui"] : ["ui", "headless"] {
                if side == "headless" {
                    let h = try runHeadless(config)
                    headless.append(h)
                    print(String(format: "  headless %d: %8.0f img/s  %6.2f s  process CPU %.2f s", r, h.imagesPerSecond, h.wallSeconds, h.processCPUSeconds))
                } else {
                    let u = try runUI(settings: settings)
                    ui.append(u)
                    let lat = u.latencies.sorted()
                    print(String(format: "  ui       %d: %8.0f img/s  %6.2f s  process CPU %.2f s  %4d frames (%.1f/s, %.0f KB/s)  UI thread %.2f s CPU  %d keys, median %.1f ms",
                                 r, u.imagesPerSecond, u.wallSeconds, u.processCPUSeconds, u.frames, Double(u.frames) / u.wallSeconds,
                                 Double(u.bytes) / 1024 / u.wallSeconds, u.uiCPUSeconds, lat.count, percentile(lat, 0.5) * 1000))
                }
            }
        }
        let mh = median(headless.map(\.imagesPerSecond)), mu = median(ui.map(\.imagesPerSecond))
        print(String(format: "training images/s, median of %d: headless %.0f, UI %.0f → UI overhead %.1f%%",
                     repeats, mh, mu, (mh - mu) / mh * 100))
        // Each pair ran back to back, so its ratio is less exposed to drift in the machine's load.
        let ratios = zip(headless, ui).map { $1.imagesPerSecond / $0.imagesPerSecond }
        print(String(format: "UI/headless per pair: %@ → median overhead %.1f%%",
                     ratios.map { String(format: "%.3f", $0) }.joined(separator: " "), (1 - median(ratios)) * 100))
        let ch = median(headless.map(\.processCPUSeconds)), cu = median(ui.map(\.processCPUSeconds))
        print(String(format: "process CPU per run, median: headless %.2f s, UI %.2f s (%+.1f%%)", ch, cu, (cu - ch) / ch * 100))
        let cpu = ui.reduce(0) { $0 + $1.uiCPUSeconds } / ui.reduce(0) { $0 + $1.wallSeconds }
        print(String(format: "UI thread CPU: %.1f%% of one core while training", cpu * 100))
        let all = ui.flatMap(\.latencies).sorted()
        if !all.isEmpty {
            print(String(format: "key-to-frame latency while training (%d keys): median %.1f ms, p95 %.1f ms, max %.1f ms; %d frames disagreed with the app state",
                         all.count, percentile(all, 0.5) * 1000, percentile(all, 0.95) * 1000, (all.last ?? 0) * 1000,
                         ui.reduce(0) { $0 + $1.mismatches }))
        }
    }

    // MARK: Runs

    func runHeadless(_ config: TrainingConfig) throws -> RunResult {
        let setup: TrainingSetup
        do { setup = try TrainingSetup(config: config) } catch { throw UserError("\(error)") }
        let engine = setup.makeEngine()
        var failure: String?
        engine.observe { event in
            switch event {
            case .stateChanged(.failed(let m)): failure = m
            case .stateChanged(.paused(let reason)): failure = reason ?? "paused"; engine.send(.stop)
            default: break
            }
        }
        let t0 = DispatchTime.now(), cpu0 = Bench.cpuSeconds()
        engine.start()
        engine.waitUntilDone()
        let wall = seconds(since: t0), cpu = Bench.cpuSeconds() - cpu0
        if let failure { throw UserError("headless run: \(failure)") }
        let ips = Self.meanRate(engine.history.epochs.map { ($0.samplesPerSecond, $0.seconds) })
        return RunResult(imagesPerSecond: ips, wallSeconds: wall, processCPUSeconds: cpu)
    }

    /// Images/s over several epochs: total images over total time, from each epoch's rate.
    static func meanRate(_ epochs: [(rate: Double, seconds: Double)]) -> Double {
        // Each epoch trains the same number of images, so the overall rate is the harmonic mean.
        let inv = epochs.reduce(0.0) { $0 + 1 / max($1.rate, 1e-9) }
        return epochs.isEmpty ? 0 : Double(epochs.count) / inv
    }

    final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var running = false
        var done = false
        func set(running r: Bool? = nil, done d: Bool? = nil) {
            lock.lock()
            if let r { running = r }
            if let d { done = d }
            lock.unlock()
        }
        var state: (running: Bool, done: Bool) {
            lock.lock()
            defer { lock.unlock() }
            return (running, done)
        }
    }

    func runUI(settings: TrainingConfig) throws -> RunResult {
        let terminal: ScriptedTerminal
        if tty {
            let screen: Screen
            do { screen = try Screen() } catch { throw UserError("--tty: \(error)") }
            terminal = ScriptedTerminal(output: screen)
        } else {
            terminal = ScriptedTerminal(width: width, height: height, colorMode: .truecolor)
        }
        var store: RunStore?
        if record {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-ui-runs-\(getpid()).sqlite").path
            do { store = try RunStore(path: path) } catch { throw UserError("--record: \(error)") }
        }
        defer { if let p = store?.path { for ext in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + ext) } } }
        let services = AppServices(datasets: TensorsDatasetProvider(), catalog: ZooModelCatalog(),
                                   backend: EngineBackend(limit: limit, recorder: store.map(runStoreRecorder)), themes: .standard(),
                                   runs: store)
        let app = App(services: services, options: AppOptions(dataPath: data), colorMode: terminal.colorMode)

        // Like a user: set the epochs in the hyperparameter pane, back to the dataset pane, start.
        terminal.inject(.char("4"))
        for _ in 0..<5 { terminal.inject(.down) }
        terminal.inject(.enter)
        terminal.inject(.ctrl("u"))
        for ch in String(settings.epochs) { terminal.inject(.char(ch)) }
        terminal.inject(.enter)
        terminal.inject(.char("1"))
        terminal.inject(.char("s"))

        let shared = Shared()
        var mismatches = 0
        terminal.onDraw = { canvas in
            // The dataset pane's title shows the selection the arrow keys move.
            if shared.state.running && !canvas.row(0).contains("train \(app.datasetPane.selected + 1)/") { mismatches += 1 }
        }
        let injectorDone = DispatchSemaphore(value: 0)
        let injector = Thread { [keysPerSecond] in
            defer { injectorDone.signal() }
            guard keysPerSecond > 0 else { return }
            var g = SystemRandomNumberGenerator()
            var right = true
            while !shared.state.done {
                Thread.sleep(forTimeInterval: Double.random(in: 0.5...1.5, using: &g) / keysPerSecond)
                let s = shared.state
                guard s.running && !s.done else { continue }
                terminal.inject(right ? .right : .left)
                right.toggle()
            }
        }
        injector.start()

        var started: DispatchTime?
        var ended: DispatchTime?
        var cpuStart = 0.0, processStart = 0.0, processCPU = 0.0
        var failure: String?
        let launched = DispatchTime.now()
        TerminalRunner.run(app, terminal: terminal) {
            if started == nil && app.runState == .running {
                started = DispatchTime.now()
                cpuStart = threadCPUSeconds()
                processStart = Bench.cpuSeconds()
                terminal.resetLatencies()
                shared.set(running: true)
            }
            var stop = false
            switch app.runState {
            case .finished:
                ended = DispatchTime.now()
                processCPU = Bench.cpuSeconds() - processStart
                stop = true
            case .failed(let m):
                failure = m
                stop = true
            default:
                if started == nil && seconds(since: launched) > 120 {
                    failure = "the run did not start within 120 s (screen: \(app.overlayName ?? "no overlay"))"
                    stop = true
                }
            }
            if stop {
                shared.set(done: true)
                app.handle(.ctrl("c"))
            }
        }
        shared.set(done: true)
        let cpu = threadCPUSeconds() - cpuStart
        injectorDone.wait()
        if let failure { throw UserError("UI run: \(failure)") }
        guard let s = started, let e = ended else { throw UserError("UI run: training did not finish") }
        let ips = Self.meanRate(app.history.epochs.map { ($0.samplesPerSecond, $0.seconds) })
        return RunResult(imagesPerSecond: ips, wallSeconds: Double(e.uptimeNanoseconds - s.uptimeNanoseconds) / 1e9,
                         processCPUSeconds: processCPU,
                         frames: terminal.frames, uiCPUSeconds: cpu, bytes: terminal.bytesWritten,
                         latencies: terminal.latencies, mismatches: mismatches)
    }

    // MARK: Helpers

    func seconds(since t: DispatchTime) -> Double { Bench.seconds(since: t) }

    func median(_ xs: [Double]) -> Double { Bench.median(xs) }

    /// The `q` quantile of sorted values (nearest rank).
    func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

/// CPU seconds used by the calling thread.
private func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
