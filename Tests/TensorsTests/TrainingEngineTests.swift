import Foundation
import XCTest
@testable import Tensors

/// A tiny linear classifier on separable synthetic data, for engine tests.
private final class TinyNet: Module, UnaryLayer {
    let fc: Linear
    init(generator: Tensors.Generator) {
        fc = Linear(4, 3, generator: generator)
        super.init()
    }
    func forward(_ input: Tensor) -> Tensor { fc(input.flatten(startDim: 1)) }
}

/// Batches of 4-feature points whose class is the index of the largest of the first 3 features.
private func source(batches: Int, batchSize: Int = 8, seed: UInt64) -> BatchSource {
    BatchSource.classification(count: batches, samples: batches * batchSize) { epoch in
        let g = Tensors.Generator(seed: seed &+ UInt64(epoch))
        var i = 0
        return {
            guard i < batches else { return nil }
            i += 1
            let x = Tensor.randn([batchSize, 4], generator: g)
            let v = x.toArray()
            let y = (0..<batchSize).map { r in (0..<3).max { v[r * 4 + $0] < v[r * 4 + $1] } ?? 0 }
            return (x, IntTensor(y))
        }
    }
}

private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [TrainingEvent] = []
    func add(_ e: TrainingEvent) { lock.lock(); items.append(e); lock.unlock() }
    var events: [TrainingEvent] { lock.lock(); defer { lock.unlock() }; return items }
    var steps: [StepInfo] { events.compactMap { if case .step(let s) = $0 { return s } else { return nil } } }
    var epochs: [EpochSummary] { events.compactMap { if case .epochEnded(let e) = $0 { return e } else { return nil } } }
}

final class TrainingEngineTests: XCTestCase {
    private func makeEngine(seed: UInt64 = 1, epochs: Int = 3, lr: Double = 0.1,
                            train: BatchSource? = nil) throws -> (TrainingEngine, EventLog, TinyNet) {
        let model = TinyNet(generator: Tensors.Generator(seed: seed))
        let opt = try SGD(model.parameters(), lr: lr, momentum: 0.9)
        let engine = TrainingEngine(model: model, task: ClassificationTask(numClasses: 3, inputShape: [4]), optimizer: opt,
                                    train: train ?? source(batches: 20, seed: seed), val: source(batches: 5, seed: 99),
                                    test: source(batches: 5, seed: 123), epochs: epochs)
        let log = EventLog()
        engine.observe { log.add($0) }
        return (engine, log, model)
    }

    func testRunsTheReferenceLoopAndLearns() throws {
        let (engine, log, _) = try makeEngine()
        engine.start()
        engine.waitUntilDone()
        XCTAssertEqual(engine.state, .finished)
        XCTAssertEqual(log.steps.count, 60)
        XCTAssertEqual(log.steps.last?.globalStep, 60)
        XCTAssertEqual(log.steps.first?.stepsPerEpoch, 20)
        XCTAssertEqual(log.epochs.map(\.epoch), [1, 2, 3])
        XCTAssertEqual(log.steps.map(\.epoch).first, 1)
        let first = try XCTUnwrap(log.epochs.first), last = try XCTUnwrap(log.epochs.last)
        XCTAssertLessThan(last.trainLoss, first.trainLoss)
        XCTAssertNotNil(last.valLoss)
        XCTAssertGreaterThan(try XCTUnwrap(last.valAccuracy), 0.8)
        XCTAssertGreaterThan(try XCTUnwrap(engine.history.testAccuracy), 0.8)
        XCTAssertTrue(log.events.contains { if case .evaluated(let r) = $0 { return r.split == "test" } else { return false } })
        XCTAssertTrue(log.events.contains { $0 == .stateChanged(.finished) })
        // Validation runs in eval mode and leaves the model as it was.
        XCTAssertTrue(engine.model.isTraining)
    }

    func testSameSeedGivesIdenticalRuns() throws {
        let (a, logA, modelA) = try makeEngine(seed: 7)
        let (b, logB, modelB) = try makeEngine(seed: 7)
        a.start(); a.waitUntilDone()
        b.start(); b.waitUntilDone()
        XCTAssertEqual(logA.steps.map(\.loss), logB.steps.map(\.loss))
        XCTAssertEqual(modelA.fc.weight.toArray(), modelB.fc.weight.toArray())
    }

    func testLearningRateChangeAppliesAtTheNextStep() throws {
        let (engine, log, _) = try makeEngine(epochs: 2)
        var sent = false
        engine.observe { e in
            if case .step(let s) = e, s.globalStep == 5, !sent {
                sent = true
                engine.send(.set(.learningRate(0.01)))
                engine.send(.set(.momentum(0.5)))
            }
        }
        engine.start()
        engine.waitUntilDone()
        let steps = log.steps
        XCTAssertEqual(steps[4].lr, 0.1, accuracy: 1e-12)
        XCTAssertEqual(steps[5].lr, 0.01, accuracy: 1e-12)
        XCTAssertEqual(engine.optimizer.paramGroups[0].momentum, 0.5)
        let changes = log.events.compactMap { e -> (String, Int)? in
            if case .hyperparameterChanged(let c, let g) = e { return (c.optionName, g) } else { return nil }
        }
        XCTAssertEqual(engine.history.changes, [HyperparameterChange(step: 6, change: .learningRate(0.01)),
                                                HyperparameterChange(step: 6, change: .momentum(0.5))])
        XCTAssertEqual(changes.map(\.0), ["lr", "momentum"])
        XCTAssertEqual(changes.map(\.1), [6, 6])
    }

    func testPauseResumeAndStop() throws {
        let (engine, log, _) = try makeEngine(epochs: 50)
        let paused = expectation(description: "paused")
        engine.observe { e in
            if case .step(let s) = e, s.globalStep == 3 { engine.send(.pause) }
            if case .stateChanged(.paused) = e { paused.fulfill() }
        }
        engine.start()
        wait(for: [paused], timeout: 30)
        XCTAssertEqual(engine.state, .paused(reason: nil))
        let stepsWhilePaused = log.steps.count
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(log.steps.count, stepsWhilePaused, "no step runs while paused")
        engine.send(.resume)
        let deadline = Date().addingTimeInterval(30)
        while log.steps.count < stepsWhilePaused + 5 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        engine.send(.stop)
        engine.waitUntilDone()
        XCTAssertEqual(engine.state, .stopped)
        XCTAssertGreaterThan(log.steps.count, stepsWhilePaused)
        XCTAssertLessThan(log.steps.count, 50 * 20)
        XCTAssertEqual(log.events.filter { $0 == .stateChanged(.running) }.count, 2, "started and resumed")
        XCTAssertTrue(log.events.contains { $0 == .stateChanged(.stopped) })
    }

    /// Commands behind a `.stop` in the same boundary's batch, and commands that reach the
    /// inbox after the last boundary, run once the run has ended; none is dropped (a save
    /// sent right after a stop used to be lost: `HandOffStressTests`' storm found it).
    func testCommandsSentBehindAStopStillRunAfterTheRunEnds() throws {
        let (engine, _, _) = try makeEngine(epochs: 50)
        let ran = NSLock()
        var performed: [Int] = []
        let stoppedAtStep3 = expectation(description: "stopped")
        engine.observe { e in
            if case .step(let s) = e, s.globalStep == 3 {
                // Inside the step's observer: all three land in the inbox of one boundary.
                engine.send(.stop)
                engine.send(.perform { _ in ran.lock(); performed.append(1); ran.unlock() })
                engine.send(.perform { _ in ran.lock(); performed.append(2); ran.unlock() })
            }
            if case .stateChanged(.stopped) = e { stoppedAtStep3.fulfill() }
        }
        engine.start()
        wait(for: [stoppedAtStep3], timeout: 30)
        engine.waitUntilDone()
        engine.send(.perform { _ in ran.lock(); performed.append(3); ran.unlock() })
        engine.queue.sync {}
        ran.lock()
        XCTAssertEqual(performed, [1, 2, 3], "in order, none dropped")
        ran.unlock()
    }

    func testNaNLossPausesWithoutApplyingTheStep() throws {
        // The 4th batch holds a NaN input: its loss is NaN.
        let base = source(batches: 10, seed: 3)
        let poisoned = BatchSource(count: 10, samples: 80) { epoch in
            let next = base.makeIterator(epoch)
            var i = 0
            return {
                guard var b = try next() else { return nil }
                i += 1
                if i == 4, let x = b.inputs[0].tensor { b.inputs = [.tensor(x * Float.nan)] }
                return b
            }
        }
        let (engine, log, model) = try makeEngine(epochs: 1, train: poisoned)
        var weightsBefore: [Float] = []
        let paused = expectation(description: "paused")
        engine.observe { e in
            if case .step(let s) = e, s.globalStep == 3 { weightsBefore = model.fc.weight.toArray() }
            if case .stateChanged(.paused(let reason)) = e {
                XCTAssertTrue(reason?.contains("loss is nan") ?? false, reason ?? "no reason")
                paused.fulfill()
            }
        }
        engine.start()
        wait(for: [paused], timeout: 30)
        XCTAssertEqual(engine.state.isActive, true)
        XCTAssertEqual(model.fc.weight.toArray(), weightsBefore, "the NaN step was not applied")
        XCTAssertTrue(model.fc.weight.toArray().allSatisfy { $0.isFinite })
        engine.send(.resume)
        engine.waitUntilDone()
        XCTAssertEqual(engine.state, .finished)
        XCTAssertEqual(log.steps.count, 9)
    }

    func testModelThatDoesNotFitTheInputFailsBeforeStarting() throws {
        let model = TinyNet(generator: Tensors.Generator(seed: 1))
        let opt = try SGD(model.parameters(), lr: 0.1)
        let engine = TrainingEngine(model: model, task: ClassificationTask(numClasses: 3, inputShape: [5]), optimizer: opt,
                                    train: source(batches: 2, seed: 1), epochs: 1)
        let log = EventLog()
        engine.observe { log.add($0) }
        engine.start()
        engine.waitUntilDone()
        let message = log.events.compactMap { if case .stateChanged(.failed(let m)) = $0 { return m } else { return nil } }.first
        XCTAssertEqual(engine.state, .failed(message ?? ""))
        XCTAssertTrue(message?.contains("fc") ?? false, message ?? "no failure message")
        XCTAssertTrue(log.steps.isEmpty)
    }

    func testDataErrorFailsTheRunInsteadOfCrashing() throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "batch 2 is corrupt" } }
        let broken = BatchSource.classification(count: 3, samples: 24) { _ in
            var i = 0
            return {
                i += 1
                if i == 2 { throw Broken() }
                return (Tensor.randn([8, 4]), IntTensor([Int](repeating: 0, count: 8)))
            }
        }
        let (engine, log, _) = try makeEngine(epochs: 1, train: broken)
        engine.start()
        engine.waitUntilDone()
        XCTAssertEqual(engine.state, .failed("reading training data: batch 2 is corrupt"))
        XCTAssertTrue(log.events.contains { $0 == .stateChanged(.failed("reading training data: batch 2 is corrupt")) })
    }

    func testPerformRunsOnTheTrainingThreadBetweenSteps() throws {
        let (engine, _, _) = try makeEngine(epochs: 1)
        let done = expectation(description: "performed")
        var observedStep = -1
        engine.observe { e in
            if case .step(let s) = e, s.globalStep == 2 {
                engine.send(.perform { eng in observedStep = eng.globalStep; done.fulfill() })
            }
        }
        engine.start()
        wait(for: [done], timeout: 30)
        engine.waitUntilDone()
        XCTAssertEqual(observedStep, 2)
    }

    func testConfusionMatrixAndCSV() {
        var cm = ConfusionMatrix(classes: 3)
        let logits = Tensor([[3, 1, 0], [0, 2, 1], [0, 5, 1], [1, 0, 0]] as [[Float]])
        XCTAssertEqual(cm.add(logits: logits, targets: IntTensor([0, 1, 2, 2])), 2)
        XCTAssertEqual(cm[2, 1], 1)
        XCTAssertEqual(cm[2, 0], 1)
        XCTAssertEqual(cm.accuracy, 0.5)
        XCTAssertEqual(cm.perClassAccuracy, [1, 1, 0])
        let h = MetricHistory(epochs: [EpochSummary(epoch: 1, train: ["loss": 2, "accuracy": 0.25], validation: nil,
                                                    samplesPerSecond: 100, seconds: 1, lr: 0.001)],
                              test: Evaluation(split: "test", loss: 1.5, metrics: ["accuracy": 0.5]))
        XCTAssertEqual(h.csv(), "epoch,train_loss,train_acc,val_loss,val_acc,samples_per_s,seconds,lr\n"
                       + "1,2.000000,0.250000,,,100.0,1.000,0.001\n# test_loss,1.500000\n# test_acc,0.500000\n")
        let r = MetricHistory(metrics: [.mae, .rmse, .r2],
                              epochs: [EpochSummary(epoch: 1, train: ["loss": 4, "mae": 1.5, "rmse": 2, "r2": 0.25],
                                                    validation: ["loss": 9, "mae": 2.5, "rmse": 3, "r2": -0.5],
                                                    samplesPerSecond: 10, seconds: 2, lr: 0.01)])
        XCTAssertEqual(r.csv(), "epoch,train_loss,train_mae,train_rmse,train_r2,val_loss,val_mae,val_rmse,val_r2,samples_per_s,seconds,lr\n"
                       + "1,4.000000,1.500000,2.000000,0.250000,9.000000,2.500000,3.000000,-0.500000,10.0,2.000,0.01\n")
    }

    /// y = 2·x0 − x1 + 0.5 with a little noise, in batches of 8.
    private func regressionSource(batches: Int, seed: UInt64) -> BatchSource {
        BatchSource(count: batches, samples: batches * 8) { epoch in
            let g = Tensors.Generator(seed: seed &+ UInt64(epoch))
            var i = 0
            return {
                guard i < batches else { return nil }
                i += 1
                let x = Tensor.randn([8, 2], generator: g)
                let v = x.toArray()
                let y: [Float] = (0..<8).map { (r: Int) -> Float in
                    let a: Float = 2 * v[r * 2]
                    return a - v[r * 2 + 1] + 0.5
                }
                return Batch(x, targets: Tensor(y, shape: [8, 1]))
            }
        }
    }

    func testRegressionTaskLearnsALinearTargetAndReportsErrors() throws {
        let model = Linear(2, 1, generator: Tensors.Generator(seed: 4))
        let opt = try SGD(model.parameters(), lr: 0.05)
        let engine = TrainingEngine(model: model, task: RegressionTask(inputShape: [2]), optimizer: opt,
                                    train: regressionSource(batches: 25, seed: 1), val: regressionSource(batches: 4, seed: 50),
                                    test: regressionSource(batches: 4, seed: 60), epochs: 4)
        let log = EventLog()
        engine.observe { log.add($0) }
        engine.start()
        engine.waitUntilDone()
        XCTAssertEqual(engine.state, .finished)
        let first = try XCTUnwrap(log.epochs.first), last = try XCTUnwrap(log.epochs.last)
        XCTAssertLessThan(last.trainLoss, first.trainLoss / 10)
        let val = try XCTUnwrap(last.validation)
        XCTAssertLessThan(try XCTUnwrap(val["mae"]), 0.05)
        XCTAssertEqual(try XCTUnwrap(val["rmse"]), try XCTUnwrap(val["loss"]).squareRoot(), accuracy: 1e-6)
        XCTAssertGreaterThan(try XCTUnwrap(val["r2"]), 0.99)
        XCTAssertNil(last.trainAccuracy)
        let test = try XCTUnwrap(engine.history.test)
        XCTAssertNil(test.confusion)
        XCTAssertEqual(engine.history.metrics.map(\.name), ["mae", "rmse", "r2"])
        // The learned weights are the generating ones.
        XCTAssertEqual(model.weight.toArray()[0], 2, accuracy: 0.05)
        XCTAssertEqual(model.weight.toArray()[1], -1, accuracy: 0.05)
    }

    func testRegressionMeterMatchesHandComputedFigures() {
        var m = RegressionMeter()
        let y = Tensor([1, 2, 3, 4] as [Float], shape: [4, 1])
        let p = Tensor([1.5, 2, 2, 4] as [Float], shape: [4, 1])
        m.add(output: p, batch: Batch(Tensor.zeros([4, 1]), targets: y), loss: 0.3125)
        let v = m.values()
        XCTAssertEqual(v["mae"] ?? .nan, 0.375, accuracy: 1e-12)            // (0.5 + 0 + 1 + 0) / 4
        XCTAssertEqual(v["rmse"] ?? .nan, (1.25 / 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(v["r2"] ?? .nan, 1 - 1.25 / 5, accuracy: 1e-12)      // SST = 5
        XCTAssertEqual(v["loss"] ?? .nan, 0.3125, accuracy: 1e-12)
    }

    func testTasksRejectModelsAndBatchesThatDoNotFit() throws {
        let tiny = TinyNet(generator: Tensors.Generator(seed: 1))   // 3 outputs
        XCTAssertThrowsError(try ClassificationTask(numClasses: 5, inputShape: [4]).validate(tiny)) { e in
            XCTAssertEqual("\(e)", "the model outputs 3 classes but the dataset has 5")
        }
        XCTAssertNoThrow(try ClassificationTask(numClasses: 2, inputShape: [4]).validate(tiny))
        XCTAssertThrowsError(try RegressionTask(inputShape: [4], outputs: 1).validate(tiny)) { e in
            XCTAssertTrue("\(e)".contains("outputs 3 values per sample but the dataset has 1 target"), "\(e)")
        }
        XCTAssertThrowsError(try RegressionTask().forward(tiny, Batch(Tensor.zeros([2, 4]), labels: IntTensor([0, 1])))) { e in
            XCTAssertTrue("\(e)".contains("regression expects a float input and float targets"), "\(e)")
        }
        final class TwoInputs: Module {}
        XCTAssertThrowsError(try ClassificationTask(numClasses: 2).validate(TwoInputs())) { e in
            XCTAssertTrue("\(e)".contains("does not take one input tensor"), "\(e)")
        }
    }

    func testResumedRunContinuesItsStepCountAndHistory() throws {
        let (first, logA, model) = try makeEngine(seed: 2, epochs: 2)
        first.start(); first.waitUntilDone()
        let h = first.history
        XCTAssertEqual(h.stepLosses?.steps.last, 40)
        // A second engine with the history resumes after epoch 2: steps 41…60, epoch 3.
        let opt = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        let resumed = TrainingEngine(model: model, task: ClassificationTask(numClasses: 3, inputShape: [4]), optimizer: opt,
                                     train: source(batches: 20, seed: 2), epochs: 3, history: h)
        let logB = EventLog()
        resumed.observe { logB.add($0) }
        resumed.start(); resumed.waitUntilDone()
        XCTAssertEqual(logB.steps.first?.globalStep, 41)
        XCTAssertEqual(logB.steps.first?.epoch, 3)
        XCTAssertEqual(logB.epochs.map(\.epoch), [3])
        XCTAssertEqual(resumed.history.epochs.map(\.epoch), [1, 2, 3])
        XCTAssertEqual(resumed.history.stepLosses?.steps.last, 60)
        XCTAssertEqual(resumed.history.stepLosses?.losses.prefix(40).map { $0 }, h.stepLosses?.losses.map { $0 })
        let started = logB.events.compactMap { if case .started(let p) = $0 { return p } else { return nil } }.first
        XCTAssertEqual(started?.startEpoch, 2)
        XCTAssertEqual(started?.startStep, 40)
        XCTAssertEqual(logA.steps.count, 40)
    }
}
