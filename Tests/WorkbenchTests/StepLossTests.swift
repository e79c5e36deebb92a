import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// Per-step loss history in checkpoints: the bounded recorder, the optional field in
/// `MetricHistory`, and a resume through the real engine session.
final class StepLossTests: XCTestCase {
    func testRecorderKeepsEveryStepUntilFullThenMergesPairs() throws {
        let r = StepLossRecorder(capacity: 4)
        XCTAssertNil(r.series)
        for s in 1...3 { r.append(step: s, loss: Double(s), lr: 0.1) }
        XCTAssertEqual(r.series?.steps, [1, 2, 3])
        r.append(step: 4, loss: 4, lr: 0.2)
        // Full at 4 points: merged into 2 of 2 steps each (mean loss, last lr).
        let s = try XCTUnwrap(r.series)
        XCTAssertEqual(s.steps, [2, 4])
        XCTAssertEqual(s.losses, [1.5, 3.5])
        XCTAssertEqual(s.learningRates, [0.1, 0.2])
        // The open bucket shows as its own point until complete.
        r.append(step: 5, loss: 10, lr: 0.2)
        XCTAssertEqual(r.series?.steps, [2, 4, 5])
        XCTAssertEqual(r.series?.losses, [1.5, 3.5, 10])
        r.append(step: 6, loss: 20, lr: 0.2)
        XCTAssertEqual(r.series?.steps, [2, 4, 6])
        XCTAssertEqual(r.series?.losses, [1.5, 3.5, 15])
    }

    func testRecorderStaysBoundedAndPreservesTheMean() throws {
        let r = StepLossRecorder(capacity: 100)
        let g = Generator(seed: 3)
        var sum = 0.0
        let n = 10_000
        for s in 1...n {
            let l = g.nextDouble() * 2
            sum += l
            r.append(step: s, loss: l, lr: 0.01)
        }
        let series = try XCTUnwrap(r.series)
        XCTAssertLessThanOrEqual(series.steps.count, 100)
        XCTAssertEqual(series.steps.last, n)
        // Points are means of their buckets: weighted by bucket length they give the overall mean.
        var prev = 0, weighted = 0.0
        for (st, l) in zip(series.steps, series.losses) {
            weighted += l * Double(st - prev)
            prev = st
        }
        XCTAssertEqual(weighted / Double(n), sum / Double(n), accuracy: 1e-9)
    }

    func testRecorderResumesFromASavedSeriesCutAtTheLastWholeEpoch() {
        let saved = StepLossSeries(steps: [2, 4, 6, 8], losses: [1, 2, 3, 4], learningRates: [0.1, 0.1, 0.1, 0.1], stepsPerEpoch: 3)
        let r = StepLossRecorder(capacity: 10)
        r.reset(from: saved, upTo: 6, stepsPerEpoch: 3)
        r.append(step: 7, loss: 9, lr: 0.1)
        r.append(step: 8, loss: 11, lr: 0.1)
        // Buckets of 2 steps carry on after the saved points.
        XCTAssertEqual(r.series?.steps, [2, 4, 6, 8])
        XCTAssertEqual(r.series?.losses, [1, 2, 3, 10])
        XCTAssertEqual(StepLossRecorder.steps(r.series).map(\.epoch), [1, 2, 2, 3])
    }

    func testHistoryDecodesWithoutStepLossesAndRoundTripsWithThem() throws {
        let old = #"{"epochs":[{"epoch":0,"trainLoss":1.5,"trainAccuracy":0.5,"imagesPerSecond":100,"seconds":2,"lr":0.01}]}"#
        let h = try JSONDecoder().decode(MetricHistory.self, from: Data(old.utf8))
        XCTAssertNil(h.stepLosses)
        XCTAssertEqual(h.epochs.count, 1)
        // Version-1 epochs were 0-based with classification fields.
        XCTAssertEqual(h.epochs.first?.epoch, 1)
        XCTAssertEqual(h.epochs.first?.trainLoss, 1.5)
        XCTAssertEqual(h.epochs.first?.trainAccuracy, 0.5)
        var withSteps = h
        withSteps.stepLosses = StepLossSeries(steps: [1, 2], losses: [2.5, 2.25], learningRates: [0.01, 0.01], stepsPerEpoch: 2)
        let back = try JSONDecoder().decode(MetricHistory.self, from: JSONEncoder().encode(withSteps))
        XCTAssertEqual(back, withSteps)
    }

    /// Train, save a checkpoint mid-run, stop; load it in a fresh session: the loss curve
    /// comes back, and the resumed run continues the step numbers after the last whole epoch.
    func testEngineCheckpointBringsBackTheLossCurveAndResumeContinuesSteps() throws {
        let dir = NSTemporaryDirectory() + "wb-steploss-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.safetensors"
        let ds = SyntheticShapesDataset(trainCount: 100, testCount: 20)
        func collect(_ s: TrainingSession, until: ([SessionEvent]) -> Bool) -> [SessionEvent] {
            var events: [SessionEvent] = []
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                events += s.drainEvents()
                if until(events) { break }
                Thread.sleep(forTimeInterval: 0.005)
            }
            return events
        }
        var h = TrainingConfig.editorDefaults
        h.epochs = 200
        h.batchSize = 16
        h.valFraction = 0.25
        h.lr = 0.01

        let first = try EngineBackend(limit: 64).makeSession(model: "lenet5", dataset: ds, seed: 0)
        first.send(.start(h))
        var ev = collect(first) { e in epochSummaries(e).contains { $0.epoch >= 2 } }
        first.send(.pause)
        ev += collect(first) { $0.contains(.training(.stateChanged(.paused(reason: nil)))) }
        first.send(.file(.saveCheckpoint, path: path))
        ev += collect(first) { e in e.contains { if case .fileFinished = $0 { return true } else { return false } } }
        XCTAssertTrue(ev.contains(.fileFinished(.saveCheckpoint, path: path, error: nil)))
        let trained = stepInfos(ev)
        first.close(timeout: 10)

        let ck = try Checkpoint.load(from: URL(fileURLWithPath: path))
        let series = try XCTUnwrap(ck.history.stepLosses)
        XCTAssertEqual(series.stepsPerEpoch, 3)
        XCTAssertEqual(series.steps, trained.map(\.globalStep), "short runs keep every step")
        XCTAssertEqual(series.losses, trained.map(\.loss))

        let second = try EngineBackend(limit: 64).makeSession(model: "lenet5", dataset: ds, seed: 0)
        defer { second.close(timeout: 10) }
        second.send(.file(.loadCheckpoint, path: path))
        ev = collect(second) { e in e.contains { if case .fileFinished = $0 { return true } else { return false } } }
        guard case .historyRestored(let history, let plan)? = ev.first(where: { if case .historyRestored = $0 { return true } else { return false } }) else {
            return XCTFail("no history restored: \(ev)")
        }
        let steps = StepLossRecorder.steps(history.stepLosses)
        XCTAssertEqual(steps.map(\.globalStep), trained.map(\.globalStep))
        XCTAssertEqual(steps.map(\.loss), trained.map(\.loss))
        XCTAssertEqual(steps.map(\.epoch), trained.map(\.epoch))
        XCTAssertEqual(steps.map(\.step), trained.map(\.step))
        XCTAssertEqual(history.epochs.count, ck.epoch)
        XCTAssertEqual(plan?.startEpoch, ck.epoch)
        second.send(.start(h))
        ev = collect(second) { e in stepInfos(e).count >= 2 }
        second.send(.stop)
        guard case .started(let p)? = trainingEvents(ev).first(where: { if case .started = $0 { return true } else { return false } }) else {
            return XCTFail("no run started: \(ev)")
        }
        XCTAssertEqual(p.startEpoch, ck.epoch)
        XCTAssertEqual(p.startStep, ck.epoch * 3 + ck.batch)
        XCTAssertEqual(p.startStep, ck.globalStep)
        // The engine continues with the batch after the one the checkpoint was saved at (mid-epoch too).
        let resumed = stepInfos(ev)
        XCTAssertEqual(resumed.first?.globalStep, ck.globalStep + 1)
        XCTAssertEqual(resumed.first?.step, ck.globalStep % 3 + 1)
        XCTAssertEqual(resumed.first?.epoch, ck.globalStep / 3 + 1)
    }
}
