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
    BatchSource(count: batches, images: batches * batchSize) { epoch in
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
        let engine = TrainingEngine(model: model, optimizer: opt, loss: { crossEntropy($0, $1) },
                                    train: train ?? source(batches: 20, seed: seed), val: source(batches: 5, seed: 99),
                                    test: source(batches: 5, seed: 123), epochs: epochs, inputShape: [4], numClasses: 3)
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
        XCTAssertEqual(log.epochs.map(\.epoch), [0, 1, 2])
        let first = try XCTUnwrap(log.epochs.first), last = try XCTUnwrap(log.epochs.last)
        XCTAssertLessThan(last.trainLoss, first.trainLoss)
        XCTAssertNotNil(last.valLoss)
        XCTAssertGreaterThan(try XCTUnwrap(last.valAccuracy), 0.8)
        XCTAssertGreaterThan(try XCTUnwrap(engine.history.testAccuracy), 0.8)
        XCTAssertTrue(log.events.contains { if case .tested = $0 { return true } else { return false } })
        XCTAssertTrue(log.events.contains { if case .finished = $0 { return true } else { return false } })
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
                engine.send(.setLearningRate(0.01))
                engine.send(.setMomentum(0.5))
            }
        }
        engine.start()
        engine.waitUntilDone()
        let steps = log.steps
        XCTAssertEqual(steps[4].lr, 0.1, accuracy: 1e-12)
        XCTAssertEqual(steps[5].lr, 0.01, accuracy: 1e-12)
        XCTAssertEqual(engine.optimizer.paramGroups[0].momentum, 0.5)
        let changes = log.events.compactMap { e -> (String, Int)? in
            if case .hyperparameterChanged(let n, _, let g) = e { return (n, g) } else { return nil }
        }
        XCTAssertEqual(changes.map(\.0), ["lr", "momentum"])
        XCTAssertEqual(changes.map(\.1), [6, 6])
    }

    func testPauseResumeAndStop() throws {
        let (engine, log, _) = try makeEngine(epochs: 50)
        let paused = expectation(description: "paused")
        engine.observe { e in
            if case .step(let s) = e, s.globalStep == 3 { engine.send(.pause) }
            if case .paused = e { paused.fulfill() }
        }
        engine.start()
        wait(for: [paused], timeout: 30)
        XCTAssertEqual(engine.state, .paused)
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
        XCTAssertTrue(log.events.contains { if case .resumed = $0 { return true } else { return false } })
        XCTAssertTrue(log.events.contains { if case .stopped = $0 { return true } else { return false } })
    }

    func testNaNLossPausesWithoutApplyingTheStep() throws {
        // The 4th batch holds a NaN input: its loss is NaN.
        let base = source(batches: 10, seed: 3)
        let poisoned = BatchSource(count: 10, images: 80) { epoch in
            let next = base.makeIterator(epoch)
            var i = 0
            return {
                guard let (x, y) = try next() else { return nil }
                i += 1
                if i == 4 { return (x * Float.nan, y) }
                return (x, y)
            }
        }
        let (engine, log, model) = try makeEngine(epochs: 1, train: poisoned)
        var weightsBefore: [Float] = []
        let paused = expectation(description: "paused")
        engine.observe { e in
            if case .step(let s) = e, s.globalStep == 3 { weightsBefore = model.fc.weight.toArray() }
            if case .paused(let reason) = e {
                XCTAssertTrue(reason?.contains("loss is nan") ?? false, reason ?? "no reason")
                paused.fulfill()
            }
        }
        engine.start()
        wait(for: [paused], timeout: 30)
        XCTAssertEqual(engine.state, .paused)
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
        let engine = TrainingEngine(model: model, optimizer: opt, loss: { crossEntropy($0, $1) },
                                    train: source(batches: 2, seed: 1), epochs: 1, inputShape: [5], numClasses: 3)
        let log = EventLog()
        engine.observe { log.add($0) }
        engine.start()
        engine.waitUntilDone()
        XCTAssertEqual(engine.state, .failed)
        let message = log.events.compactMap { if case .failed(let m) = $0 { return m } else { return nil } }.first
        XCTAssertTrue(message?.contains("fc") ?? false, message ?? "no failure message")
        XCTAssertTrue(log.steps.isEmpty)
    }

    func testDataErrorFailsTheRunInsteadOfCrashing() throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "batch 2 is corrupt" } }
        let broken = BatchSource(count: 3, images: 24) { _ in
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
        XCTAssertEqual(engine.state, .failed)
        let message = log.events.compactMap { if case .failed(let m) = $0 { return m } else { return nil } }.first
        XCTAssertEqual(message, "reading training data: batch 2 is corrupt")
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
        let h = MetricHistory(epochs: [EpochSummary(epoch: 0, trainLoss: 2, trainAccuracy: 0.25, valLoss: nil, valAccuracy: nil,
                                                    imagesPerSecond: 100, seconds: 1, lr: 0.001)], testAccuracy: 0.5)
        XCTAssertEqual(h.csv(), "epoch,train_loss,train_acc,val_loss,val_acc,images_per_s,seconds,lr\n"
                       + "0,2.000000,0.250000,,,100.0,1.000,0.001\n# test_acc,0.500000\n")
    }
}
