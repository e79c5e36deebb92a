import Foundation
import XCTest
@testable import Tensors

/// A small image classifier with dropout (drawn from the default generator),
/// so a resume must restore that generator too.
private final class DropoutNet: Module, UnaryLayer {
    let fc1: Linear
    let drop = Dropout(p: 0.3)
    let fc2: Linear
    init(generator: Tensors.Generator) {
        fc1 = Linear(3 * 32 * 32, 12, generator: generator)
        fc2 = Linear(12, 10, generator: generator)
        super.init()
    }
    func forward(_ input: Tensor) -> Tensor { fc2(drop(relu(fc1(input.flatten(startDim: 1))))) }
}

/// What one run left behind: every step's loss (bit patterns), every epoch's
/// figures and the final weights.
private struct RunTrace: Equatable {
    var steps: [Int: UInt64] = [:]
    var epochs: [[String: UInt64]] = []
    var weights: [String: [UInt32]] = [:]
}

private final class TraceLog: @unchecked Sendable {
    private let lock = NSLock()
    private var trace = RunTrace()
    func step(_ s: StepInfo) { lock.lock(); trace.steps[s.globalStep] = s.loss.bitPattern; lock.unlock() }
    func epoch(_ e: EpochSummary) {
        var row: [String: UInt64] = [:]
        for (k, v) in e.train { row["train_" + k] = v.bitPattern }
        for (k, v) in e.validation ?? [:] { row["val_" + k] = v.bitPattern }
        row["lr"] = e.lr.bitPattern
        row["epoch"] = UInt64(e.epoch)
        lock.lock(); trace.epochs.append(row); lock.unlock()
    }
    var value: RunTrace { lock.lock(); defer { lock.unlock() }; return trace }
}

/// Exact resume anywhere: a checkpoint taken mid-epoch or between epochs,
/// resumed by a fresh setup (as a new process would), gives the same step
/// losses, epoch figures and final weights to the last bit as the run that
/// was never interrupted — with workers 0 and 2, augmentation and dropout
/// on, SGD with momentum + StepLR and Adam.
final class ExactResumeTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("exact-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func config(workers: Int, optimizer: OptimizerKind) -> TrainingConfig {
        var c = TrainingConfig()
        c.epochs = 3
        c.limit = 60
        c.batchSize = 8
        c.numWorkers = workers
        c.optimizer = optimizer
        c.lr = optimizer == .adam ? 0.002 : 0.02
        c.augment = true
        c.seed = 11
        return c
    }

    /// One run from a fresh setup: resumed from `resume` when given, saving a
    /// checkpoint to `saveTo` at global step `saveAt` (0: at the first epoch's
    /// end, after validation). With `scheduler` the run's StepLR (the engine's,
    /// saved in and restored from the checkpoint) halves the rate each epoch.
    private func run(_ c: TrainingConfig, scheduler: Bool, resume: URL? = nil,
                     saveAt: Int? = nil, saveTo: URL? = nil) throws -> RunTrace {
        var c = c
        if scheduler { c.scheduler = SchedulerChoice(kind: .steplr, arguments: ["step_size": "1", "gamma": "0.5"]) }
        let model = DropoutNet(generator: Tensors.Generator(seed: c.seed))
        let setup = try TrainingSetup(config: c, model: model)
        var ck: Checkpoint?
        if let resume {
            let loaded = try Checkpoint.load(from: resume)
            try setup.restore(from: loaded)
            ck = loaded
        } else {
            manualSeed(77)  // dropout's stream, restored from the checkpoint on resume
        }
        let engine = ck.map { setup.makeEngine(resuming: $0) } ?? setup.makeEngine()
        let log = TraceLog()
        engine.observe { e in
            switch e {
            case .step(let s): log.step(s)
            case .epochEnded(let summary):
                log.epoch(summary)
            default: break
            }
        }
        if let saveAt, let saveTo {
            func save() {
                do { try setup.checkpoint(engine: engine).save(to: saveTo) } catch { XCTFail("checkpoint: \(error)") }
            }
            engine.observe { e in
                switch e {
                case .step(let s) where saveAt > 0 && s.globalStep == saveAt: save()
                case .epochEnded(let summary) where saveAt == 0 && summary.epoch == 1: save()
                default: break
                }
            }
        }
        engine.start()
        engine.waitUntilDone()
        XCTAssertEqual(engine.state, .finished)
        var t = log.value
        for (name, p) in model.stateDict() { t.weights[name] = p.toArray().map(\.bitPattern) }
        return t
    }

    /// The full run saving at `saveAt`, then a resume from that checkpoint: the
    /// resumed run's steps, epochs and weights equal the full run's after that point.
    private func assertExactResume(workers: Int, optimizer: OptimizerKind, scheduler: Bool, saveAt: Int,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        let c = config(workers: workers, optimizer: optimizer)
        let url = dir.appendingPathComponent("w\(workers)-\(optimizer.rawValue)-\(saveAt).ckpt")
        let full = try run(c, scheduler: scheduler, saveAt: saveAt, saveTo: url)
        let ck = try Checkpoint.load(from: url)
        let stepsPerEpoch = full.steps.count / c.epochs
        XCTAssertEqual(full.steps.count, c.epochs * stepsPerEpoch, file: file, line: line)
        if saveAt > 0 {
            XCTAssertEqual(ck.epoch, (saveAt - 1) / stepsPerEpoch, "epochs done", file: file, line: line)
            XCTAssertEqual(ck.batch, saveAt - ck.epoch * stepsPerEpoch, "batch inside the epoch", file: file, line: line)
            XCTAssertNotNil(ck.meterState, file: file, line: line)
        } else {
            XCTAssertEqual(ck.epoch, 1, file: file, line: line)
            XCTAssertEqual(ck.batch, 0, file: file, line: line)
        }
        let cut = saveAt > 0 ? saveAt : stepsPerEpoch
        XCTAssertEqual(ck.globalStep, cut, file: file, line: line)

        let resumed = try run(c, scheduler: scheduler, resume: url)
        XCTAssertEqual(Array(resumed.steps.keys).sorted(), Array(cut + 1...c.epochs * stepsPerEpoch),
                       "the resumed run continues with the next batch", file: file, line: line)
        XCTAssertEqual(resumed.steps, full.steps.filter { $0.key > cut }, "step losses, bit for bit", file: file, line: line)
        XCTAssertEqual(resumed.epochs, Array(full.epochs.suffix(resumed.epochs.count)), "epoch figures", file: file, line: line)
        XCTAssertEqual(resumed.epochs.count, c.epochs - ck.epoch, file: file, line: line)
        XCTAssertEqual(resumed.weights, full.weights, "final weights, bit for bit", file: file, line: line)
    }

    func testMidEpochResumeIsBitIdenticalWithoutWorkersSGDAndStepLR() throws {
        // 48 training images in batches of 8: 6 steps per epoch; step 9 is inside epoch 2.
        try assertExactResume(workers: 0, optimizer: .sgd, scheduler: true, saveAt: 9)
    }

    func testMidEpochResumeIsBitIdenticalWithTwoWorkersAdam() throws {
        try assertExactResume(workers: 2, optimizer: .adam, scheduler: false, saveAt: 4)
    }

    func testMidEpochResumeIsBitIdenticalWithTwoWorkersSGDAndStepLR() throws {
        try assertExactResume(workers: 2, optimizer: .sgd, scheduler: true, saveAt: 13)
    }

    func testEpochBoundaryResumeIsBitIdenticalWithoutWorkersAdam() throws {
        try assertExactResume(workers: 0, optimizer: .adam, scheduler: false, saveAt: 0)
    }

    func testEpochBoundaryResumeIsBitIdenticalWithTwoWorkersSGDAndStepLR() throws {
        try assertExactResume(workers: 2, optimizer: .sgd, scheduler: true, saveAt: 0)
    }

    func testCheckpointAtTheLastStepOfAnEpochResumesWithItsValidation() throws {
        try assertExactResume(workers: 0, optimizer: .sgd, scheduler: true, saveAt: 6)
    }

    func testLoaderSkippingBatchesGivesTheSameBatchesWithoutBuildingThem() throws {
        for workers in [0, 2] {
            let set = Shapes10(train: true, transform: Compose(RandomCrop(32, padding: 4), RandomHorizontalFlip(), ToTensor()),
                               count: 40)
            let g = Tensors.Generator(seed: 3)
            let loader = try DataLoader(set, batchSize: 6, shuffle: true, numWorkers: workers, generator: g)
            let start = g.state
            var all: [[UInt32]] = []
            let it = loader.makeIterator()
            while let (x, _) = try it.nextBatch() { all.append(x.toArray().map(\.bitPattern)) }
            for skip in [0, 1, 4, all.count, all.count + 2] {
                g.state = start
                var rest: [[UInt32]] = []
                let r = loader.makeIterator(skipping: skip)
                XCTAssertEqual(r.count, max(0, all.count - skip))
                while let (x, _) = try r.nextBatch() { rest.append(x.toArray().map(\.bitPattern)) }
                XCTAssertEqual(rest, Array(all.dropFirst(skip)), "workers \(workers), skip \(skip)")
            }
        }
    }

    func testVersion2CheckpointsStillLoadAsEpochBoundaries() throws {
        let url = dir.appendingPathComponent("v2.ckpt")
        try Checkpoint(modelState: [("w", Tensor([1, 2]))], epoch: 2, globalStep: 12).save(to: url)
        var (tensors, metadata) = try Safetensors.load(from: url)
        XCTAssertEqual(metadata["version"], "3")
        XCTAssertFalse(metadata["checkpoint"]?.contains("\"batch\"") ?? true, "no batch key between epochs")
        metadata["version"] = "2"
        try Safetensors.save(tensors, metadata: metadata, to: url)
        tensors = []
        let ck = try Checkpoint.load(from: url)
        XCTAssertEqual(ck.epoch, 2)
        XCTAssertEqual(ck.batch, 0)
        XCTAssertNil(ck.meterState)
    }
}
