import ArgumentParser
import Foundation
import Tensors
import WorkbenchRuns

/// `workbench sweep`: a grid or random search, one recorded run per trial, run one after another.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Grid or random search over settings; every trial is recorded; prints the comparison and the best.",
        discussion: """
        Examples: workbench sweep --grid lr=1e-3,3e-3 batch=16,64 --epochs 2
                  workbench sweep --random 6 --space lr=1e-4:1e-1 momentum=0.8,0.9 --epochs 2
        Settings: \(SweepSpace.names.joined(separator: ", ")). Ranges LOW:HIGH are sampled log-uniformly.
        """
    )

    @OptionGroup var options: RunOptions
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Grid: NAME=V1,V2 … (every combination).", valueName: "name=values"))
    var grid: [String] = []
    @Option(help: ArgumentHelp("Random search: this many trials over --space.", valueName: "n")) var random: Int?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Random search space: NAME=LOW:HIGH or NAME=V1,V2 …", valueName: "name=range"))
    var space: [String] = []
    @Option(help: "Epochs per trial.") var epochs: Int = 2
    @Option(parsing: .unconditional, help: "Learning rate (unless swept).") var lr: Double = 0.001
    @Option(parsing: .unconditional, help: "Momentum (unless swept).") var momentum: Double = 0.9
    @Option(help: ArgumentHelp("Optimizer (unless swept).")) var optimizer: String = "sgd"
    @Option(help: "Seed of every trial (unless swept) and of the random search.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("The figure that picks the best trial.", valueName: "figure")) var by: String = "val loss"
    @OptionGroup var runStore: RunStoreOption

    func run() throws {
        let trials: [[(String, String)]]
        do {
            if let random {
                guard random >= 1 else { throw UserError("--random must be at least 1, got \(random)") }
                trials = try SweepSpace(space.isEmpty ? grid : space).random(random, seed: seed)
            } else {
                guard space.isEmpty else { throw UserError("--space goes with --random N; use --grid NAME=V1,V2 for a grid") }
                trials = try SweepSpace(grid).grid()
            }
        } catch let e as UserError { throw e } catch { throw UserError("\(error)") }

        var base = try options.config()
        base.epochs = epochs
        base.lr = lr
        base.momentum = momentum
        base.seed = seed
        do { base.optimizer = try OptimizerKind(name: optimizer) } catch { throw UserError("--optimizer: \(error)") }
        // Check every trial's settings before training any.
        var configs: [TrainingConfig] = []
        for t in trials {
            var c = base
            do {
                for (k, v) in t { try SweepSpace.apply(k, v, to: &c) }
                try c.validate()
            } catch { throw UserError("trial \(t.map { "\($0)=\($1)" }.joined(separator: " ")): \(error)") }
            configs.append(c)
        }
        let store = try runStore.open()
        let tag = "sweep-" + RunID.make(seed: trials.description)
        print("Sweep \(tag): \(configs.count) trial\(configs.count == 1 ? "" : "s"), recorded in \(store.path)")
        var ids: [String] = []
        for (i, (c, t)) in zip(configs, trials).enumerated() {
            let label = t.map { "\($0)=\($1)" }.joined(separator: " ")
            let setup: TrainingSetup
            do { setup = try TrainingSetup(config: c) } catch { throw UserError("trial \(label): \(error)") }
            let engine = setup.makeEngine()
            let recorder: RunRecorder
            do {
                recorder = try RunRecorder(store: store, config: c, task: setup.task.kind.rawValue, source: "sweep")
                try store.setTags(recorder.runId, [tag])
            } catch { throw UserError("\(error)") }
            recorder.attach(to: engine)
            var failure: String?
            _ = engine.observe { e in
                switch e {
                case .stateChanged(.paused(let r?)): failure = r; engine.send(.stop)
                case .stateChanged(.failed(let m)): failure = m
                default: break
                }
            }
            engine.start()
            engine.waitUntilDone()
            recorder.close()
            let last = engine.history.epochs.last
            let val = last?.valLoss.map { String(format: "%.4f", $0) } ?? "-"
            print("[\(i + 1)/\(configs.count)] \(recorder.runId) \(label): val loss \(val)"
                  + (engine.history.test?.accuracy.map { String(format: ", test accuracy %.4f", $0) } ?? "")
                  + (failure.map { " — failed: \($0)" } ?? ""))
            fflush(stdout)
            ids.append(recorder.runId)
        }
        let runs = try RunsCommand.resolve(store, ids)
        let cmp = try RunComparison(store: store, runs: runs)
        print(cmp.table(onlyDifferences: true))
        if let best = cmp.best(by: by) {
            let i = ids.firstIndex(of: best.id) ?? 0
            print("Best (\(by)): \(best.id) \(trials[i].map { "\($0)=\($1)" }.joined(separator: " "))")
        } else {
            print("No trial reported \(by)")
        }
    }
}
