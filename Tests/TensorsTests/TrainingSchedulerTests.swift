import Foundation
import XCTest
@testable import Tensors

/// Learning-rate schedulers in runs: chosen by name with text arguments,
/// stepped by the engine (per epoch or per batch), saved in checkpoints and
/// restored on resume so a resumed run follows the uninterrupted one's lr sequence.
final class TrainingSchedulerTests: XCTestCase {
    private func config(_ scheduler: SchedulerChoice?, epochs: Int = 4) -> TrainingConfig {
        var c = TrainingConfig()
        c.model = "lenet5"
        c.epochs = epochs
        c.limit = 40
        c.batchSize = 8
        c.numWorkers = 0
        c.lr = 0.01
        c.seed = 3
        c.augment = false
        c.scheduler = scheduler
        return c
    }

    /// Runs `setup` and returns the lr of each step by global step; `stopAfter` stops it
    /// after that epoch, with a checkpoint saved to `checkpoint` at each epoch end.
    private func run(_ setup: TrainingSetup, history: MetricHistory = MetricHistory(), stopAfter: Int? = nil,
                     checkpoint: URL? = nil) -> [Int: Double] {
        let engine = setup.makeEngine(history: history)
        var lrs: [Int: Double] = [:]
        engine.observe { e in
            switch e {
            case .step(let s): lrs[s.globalStep] = s.lr
            case .epochEnded(let summary):
                if let checkpoint {
                    do { try setup.checkpoint(engine: engine).save(to: checkpoint) } catch { XCTFail("checkpoint: \(error)") }
                }
                if summary.epoch == stopAfter { engine.send(.stop) }
            default: break
            }
        }
        engine.start()
        engine.waitUntilDone()
        return lrs
    }

    func testArgumentsParseWithCommasOrSpaces() throws {
        XCTAssertEqual(try SchedulerKind.parseArguments("step_size=5,gamma=0.5"), ["step_size": "5", "gamma": "0.5"])
        XCTAssertEqual(try SchedulerKind.parseArguments("step_size=5 gamma=0.5"), ["step_size": "5", "gamma": "0.5"])
        XCTAssertEqual(try SchedulerKind.parseArguments("milestones=30,60,gamma=0.5"), ["milestones": "30,60", "gamma": "0.5"])
        XCTAssertThrowsError(try SchedulerKind.parseArguments("gamma")) {
            XCTAssertEqual("\($0)", "scheduler argument 'gamma' is not of the form name=value")
        }
        XCTAssertThrowsError(try SchedulerKind.parseArguments("gamma=1,gamma=2")) {
            XCTAssertEqual("\($0)", "scheduler argument 'gamma' given twice")
        }
        let c = try SchedulerChoice(name: "StepLR", arguments: "gamma=0.5,step_size=2")
        XCTAssertEqual(c.description, "StepLR(step_size=2, gamma=0.5)")
        XCTAssertEqual(c.argumentText, "gamma=0.5 step_size=2")
        XCTAssertThrowsError(try SchedulerChoice(name: "StepLR", arguments: "gamma=0.5")) {
            XCTAssertEqual("\($0)", "StepLR needs the argument step_size")
        }
        XCTAssertThrowsError(try SchedulerChoice(name: "steplr", arguments: "step_size=2,gama=0.5")) {
            XCTAssertEqual("\($0)", "StepLR has no argument 'gama'; it takes: step_size, gamma")
        }
        XCTAssertThrowsError(try SchedulerChoice(name: "nope")) { XCTAssertTrue("\($0)".hasPrefix("unknown scheduler 'nope'")) }
    }

    func testPreviewCurveFollowsTheRunsSteps() throws {
        let step = try SchedulerChoice(name: "steplr", arguments: "step_size=2,gamma=0.5")
        let lrs = try step.learningRates(lr: 0.1, epochs: 5, stepsPerEpoch: 2)
        let expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025]
        XCTAssertEqual(lrs.count, expected.count)
        for (a, b) in zip(lrs, expected) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        // OneCycleLR takes its length from the run: starts at max_lr/25, peaks at 30 %, ends near 0.
        let one = try SchedulerChoice(name: "OneCycleLR", arguments: "max_lr=0.1")
        let curve = try one.learningRates(lr: 0.01, epochs: 2, stepsPerEpoch: 10)
        XCTAssertEqual(curve.count, 20)
        XCTAssertEqual(curve[0], 0.004, accuracy: 1e-12)
        XCTAssertEqual(curve.firstIndex(of: curve.max() ?? 0), 5)   // the first phase ends at 0.3 × 20 - 1
        XCTAssertLessThan(curve[19], 1e-5)
    }

    func testSchedulerStepsInTheRunAndResumesExactly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-sched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let choices = [try SchedulerChoice(name: "steplr", arguments: "step_size=1,gamma=0.5"),
                       try SchedulerChoice(name: "onecyclelr", arguments: "max_lr=0.05"),
                       try SchedulerChoice(name: "reducelronplateau", arguments: "patience=0,factor=0.5,threshold=10")]
        for choice in choices {
            let straight = run(try TrainingSetup(config: config(choice)))
            XCTAssertEqual(straight.count, 16, choice.description)   // 4 epochs × 4 steps
            XCTAssertGreaterThan(Set(straight.values).count, 1, "\(choice): the lr never changed")

            let ck = dir.appendingPathComponent("\(choice.kind.rawValue).ckpt")
            let first = run(try TrainingSetup(config: config(choice)), stopAfter: 2, checkpoint: ck)
            XCTAssertEqual(first.count, 8, choice.description)
            let saved = try Checkpoint.load(from: ck)
            XCTAssertEqual(saved.schedulerState?.scheduler, choice.kind.displayName)
            XCTAssertEqual(saved.config["scheduler"], choice.kind.rawValue)
            let resumed = try TrainingSetup(config: config(choice))
            try resumed.restore(from: saved)
            let second = run(resumed, history: saved.history)
            XCTAssertEqual(Array(second.keys).sorted(), Array(9...16), choice.description)
            let joined = first.merging(second) { a, _ in a }
            for step in 1...16 { XCTAssertEqual(joined[step], straight[step], "\(choice) step \(step)") }
        }
    }

    func testSchedulerMismatchOnResumeIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-sched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ck = dir.appendingPathComponent("run.ckpt")
        let step = try SchedulerChoice(name: "steplr", arguments: "step_size=1")
        _ = run(try TrainingSetup(config: config(step, epochs: 1)), checkpoint: ck)
        let saved = try Checkpoint.load(from: ck)
        let plain = try TrainingSetup(config: config(nil, epochs: 2))
        let before = plain.model.stateDict().map { $0.1.toArray() }
        XCTAssertThrowsError(try plain.restore(from: saved)) {
            XCTAssertEqual("\($0)", "the checkpoint's run used the scheduler StepLR; resume it with --scheduler steplr")
        }
        XCTAssertEqual(plain.model.stateDict().map { $0.1.toArray() }, before)
        let other = try TrainingSetup(config: config(try SchedulerChoice(name: "exponentiallr", arguments: "gamma=0.9"), epochs: 2))
        XCTAssertThrowsError(try other.restore(from: saved)) {
            XCTAssertEqual("\($0)", "the checkpoint's run used the scheduler StepLR but this one has ExponentialLR")
        }
        var bad = config(nil)
        bad.scheduler = SchedulerChoice(kind: .steplr, arguments: ["gamma": "x", "step_size": "1"])
        XCTAssertThrowsError(try TrainingSetup(config: bad)) {
            XCTAssertEqual("\($0)", "scheduler: StepLR: gamma must be a number, got 'x'")
        }
    }
}
