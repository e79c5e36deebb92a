import ArgumentParser
import Dispatch
import Foundation
import Tensors
import WorkbenchRuns

/// `workbench bench runs`: what recording a run costs training.
///
/// Trains the same short run with and without a `RunRecorder` (and TensorBoard
/// events), alternating the two sides, and prints the median training time of
/// each and the overhead; then the recorder's own cost per step event and the
/// write rate of its background queue.
struct BenchRuns: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "Overhead of recording runs (run store, TensorBoard).")

    @Option(help: "Model.") var model = "lenet5"
    @Option(help: "Training samples per run (embedded data).") var limit = 2048
    @Option(help: "Alternating pairs.") var repeats = 5
    @Option(help: "Synthetic step events for the recorder's own cost.") var events = 200_000

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-runs-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try RunStore(path: dir.appendingPathComponent("runs.sqlite").path)
        var c = TrainingConfig()
        c.model = model
        c.limit = limit
        c.epochs = 1
        c.numWorkers = 0
        c.augment = false
        print("bench runs: \(model), \(limit) samples, batch \(c.batchSize), \(repeats) alternating pairs")

        func once(record: Bool) throws -> (seconds: Double, steps: Int) {
            let setup = try TrainingSetup(config: c)
            let engine = setup.makeEngine()
            var recorder: RunRecorder?
            var logger: TensorBoardLogger?
            if record {
                let r = try RunRecorder(store: store, config: c, task: setup.task.kind.rawValue, source: "bench")
                r.attach(to: engine)
                recorder = r
                let l = try TensorBoardLogger(directory: dir.appendingPathComponent("tb"))
                _ = engine.observe { l.record($0) }
                logger = l
            }
            let t = DispatchTime.now()
            engine.start()
            engine.waitUntilDone()
            let s = Bench.seconds(since: t)
            recorder?.close()
            logger?.close()
            return (s, engine.globalStep)
        }
        _ = try once(record: true)   // warm up
        var plain: [Double] = [], recorded: [Double] = []
        var steps = 0
        for _ in 0..<repeats {
            plain.append(try once(record: false).seconds)
            let r = try once(record: true)
            recorded.append(r.seconds)
            steps = r.steps
        }
        let p = Bench.median(plain), r = Bench.median(recorded)
        print(String(format: "training %d steps (train + val + test): plain %.3f s, recorded %.3f s (median); overhead %+.2f%% (min-to-min %+.2f%%)",
                     steps, p, r, (r / p - 1) * 100, ((recorded.min() ?? r) / (plain.min() ?? p) - 1) * 100))

        // The recorder alone: the training thread's cost per step event, and the writer's rate.
        let rec = try RunRecorder(store: store, config: c, task: "classification", source: "bench")
        let t0 = DispatchTime.now()
        for i in 1...events {
            rec.record(.step(StepInfo(epoch: 1, step: i, stepsPerEpoch: events, globalStep: i, loss: 1, lr: 0.01, samplesPerSecond: 1)))
        }
        let callSeconds = Bench.seconds(since: t0)
        rec.close()
        let total = Bench.seconds(since: t0)
        print(String(format: "recorder: %.2f µs per step event on the training thread; %d steps written in %.2f s (%.0f steps/s)",
                     callSeconds / Double(events) * 1e6, events, total, Double(events) / total))
    }
}
