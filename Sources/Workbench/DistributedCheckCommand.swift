import ArgumentParser
import Foundation
import Tensors

/// `workbench ddp-check` (hidden): a few data-parallel steps on Shapes10 that
/// record what the equivalence test compares — under `mpirun -np N` with
/// batch B per rank, or alone with batch N·B: the averaged loss per step,
/// the largest difference between any rank's parameters and rank 0's after
/// every step, the final parameters and buffers, and the reduced test metrics.
/// Rank 0 writes them as JSON.
struct DistributedCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddp-check",
        abstract: "Data-parallel equivalence check (used by the test suite).",
        shouldDisplay: false
    )

    @Option(help: "lenet5, or bn (conv + SyncBatchNorm + linear).") var model = "lenet5"
    @Option(name: .customLong("batch-size"), help: "Samples per batch on each rank.") var batchSize = 8
    @Option(help: "Optimisation steps (the data holds steps × world size × batch samples).") var steps = 4
    @Option(name: .customLong("global-batch"), help: "Samples per step over all ranks (default: world size × batch).")
    var globalBatch: Int?
    @Option(parsing: .unconditional, help: "SGD learning rate.") var lr = 0.01
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Write the record (rank 0).", valueName: "file")) var out: String
    @Option(name: .customLong("fail-rank"), help: "Test: this rank fails at --fail-step.") var failRank: Int?
    @Option(name: .customLong("stall-rank"), help: "Test: this rank stalls (sleeps) at --fail-step.") var stallRank: Int?
    @Option(name: .customLong("fail-step"), help: "Test: the step at which --fail-rank/--stall-rank misbehaves.") var failStep = 2
    @Option(name: .customLong("collective-timeout"), help: "Seconds before a stalled collective aborts the job.")
    var collectiveTimeout: Double = 60

    func run() throws {
        let group = try DistributedLaunch.joinOrSingle(timeout: collectiveTimeout)
        let global = globalBatch ?? group.worldSize * batchSize
        var c = TrainingConfig()
        c.model = "lenet5"
        c.batchSize = batchSize
        c.epochs = 1
        c.lr = lr
        c.momentum = 0.9
        c.valSize = 0
        c.augment = false
        c.numWorkers = 0
        c.seed = seed
        c.limit = steps * global
        let custom: Module?
        switch model {
        case "lenet5": custom = nil
        case "bn": custom = Self.batchNormModel(seed: seed, group: group)
        default: throw UserError("--model \(model): expected lenet5 or bn")
        }
        let setup: TrainingSetup
        do { setup = try TrainingSetup(config: c, model: custom, processGroup: group) } catch { throw UserError("\(error)") }
        let engine = setup.makeEngine()
        var losses: [Double] = []
        var maxDifference: Float = 0
        let params = setup.model.parameters() + setup.model.buffers()
        engine.observe { event in
            guard case .step(let info) = event else { return }
            losses.append(info.loss)
            if info.globalStep == failStep {
                if group.rank == failRank { group.abort("ddp-check: rank \(group.rank) fails at step \(failStep) as asked") }
                if group.rank == stallRank { Thread.sleep(forTimeInterval: 3600) }
            }
            // Every rank's parameters against rank 0's.
            let mine = params.flatMap { $0.toArray() }
            let all = group.allGather(mine)
            for r in 1..<group.worldSize {
                for i in mine.indices { maxDifference = max(maxDifference, abs(all[r * mine.count + i] - all[i])) }
            }
        }
        engine.start()
        engine.waitUntilDone()
        guard engine.state == .finished else { throw UserError("ddp-check: the run ended \(engine.state)") }
        if group.rank == 0 {
            let test = engine.history.test
            let record: [String: Any] = [
                "world": group.worldSize, "batch": batchSize, "steps": losses.count, "losses": losses,
                "maxRankDifference": Double(maxDifference),
                "parameters": params.flatMap { $0.toArray() }.map(Double.init),
                "testLoss": test?.loss ?? Double.nan, "testAccuracy": test?.accuracy ?? Double.nan,
                "testSamples": test?.samples ?? 0,
            ]
            let data = try JSONSerialization.data(withJSONObject: record)
            try AtomicFile.write(data, to: URL(fileURLWithPath: out))
        }
        DistributedLaunch.finish(group)
    }

    /// Conv → SyncBatchNorm → ReLU → max-pool → linear, for 3×32×32 Shapes10 images.
    static func batchNormModel(seed: UInt64, group: any ProcessGroup) -> Module {
        let g = Generator(seed: seed)
        let bn = SyncBatchNorm(8)
        bn.processGroup = group
        return Sequential([Conv2d(3, 8, kernelSize: 3, padding: 1, generator: g), bn, ReLU(), MaxPool2d(4),
                           Flatten(), Linear(8 * 8 * 8, 10, generator: g)])
    }
}
