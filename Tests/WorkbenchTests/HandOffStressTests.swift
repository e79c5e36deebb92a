import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// Stress on each hand-off between the UI thread (this test's thread, which drains the
/// session's events as the run loop does), the session queue, the training thread and its
/// data-loader workers (2), with the real engine (`EngineBackend`) on the embedded dataset.
/// Commands come from another thread, thousands of them, and every test asserts the
/// invariants of what comes back, not only that nothing crashed.
///
/// `WORKBENCH_STRESS_COUNT` scales the counts (default 1: a few seconds per test in
/// `make test`; `WORKBENCH_STRESS_COUNT=10` for a longer run by hand). The server's
/// hand-off (requests against a reloaded model) is `ServeReloadStressTests`.
final class HandOffStressTests: XCTestCase {
    static var scale: Int { ProcessInfo.processInfo.environment["WORKBENCH_STRESS_COUNT"].flatMap { Int($0) }.map { max(1, $0) } ?? 1 }

    static let provider = TensorsDatasetProvider(embeddedTrainCount: 100, embeddedTestCount: 20)

    /// A session on the real engine, and the events it sent, drained on this thread.
    final class Drained {
        let session: TrainingSession
        private(set) var events: [SessionEvent] = []

        init(model: String = "lenet5", seed: UInt64 = 1) throws {
            session = try EngineBackend(limit: 64).makeSession(model: model, dataset: HandOffStressTests.provider.embeddedDefault(),
                                                               seed: seed)
        }

        /// Drains until `cond` holds (true) or `timeout` passes (false); `each` sees every new event.
        @discardableResult
        func wait(timeout: TimeInterval = 60, each: (SessionEvent) -> Void = { _ in }, until cond: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                for e in session.drainEvents() {
                    events.append(e)
                    each(e)
                }
                if cond() { return true }
                if Date() > deadline { return false }
                Thread.sleep(forTimeInterval: 0.001)
            }
        }

        var steps: [StepInfo] { events.compactMap { if case .training(.step(let s)) = $0 { return s } else { return nil } } }
        var lastState: TrainingState? {
            events.reversed().lazy.compactMap { if case .training(.stateChanged(let s)) = $0 { return s } else { return nil } }.first
        }
    }

    static func config(epochs: Int) -> TrainingConfig {
        var c = TrainingConfig.editorDefaults
        c.epochs = epochs
        return c
    }

    // MARK: (a) live hyperparameters

    /// Thousands of live changes (learning rate, momentum, weight decay) sent from another
    /// thread while the engine trains: each is applied exactly once, in the order sent, at a
    /// step boundary, and every step ran with the learning rate of the changes before it.
    func testThousandsOfLiveHyperparameterChangesAreAppliedOnceInOrderAtStepBoundaries() throws {
        let n = 2_000 * Self.scale
        let d = try Drained()
        let cfg = Self.config(epochs: 1_000_000)
        d.session.send(.start(cfg))
        XCTAssertTrue(d.wait { !d.steps.isEmpty }, "no step")

        var sent: [LiveHyperparameter] = []
        for i in 0..<n {
            switch i % 3 {
            case 0: sent.append(.learningRate(0.001 + Double(i) * 1e-7))
            case 1: sent.append(.momentum(0.5 + Double(i % 400) * 1e-3))
            default: sent.append(.weightDecay(Double(i % 100) * 1e-5))
            }
        }
        let changes = sent, session = d.session
        let sender = Thread {
            for (i, c) in changes.enumerated() {
                session.send(.set(c))
                if i % 16 == 0 { usleep(200) }       // spread over many steps
            }
        }
        sender.start()
        var applied: [(LiveHyperparameter, Int)] = []
        let all = d.wait(each: { if case .training(.hyperparameterChanged(let h, let step)) = $0 { applied.append((h, step)) } },
                         until: { applied.count >= n })
        XCTAssertTrue(all, "\(applied.count) of \(n) changes applied")
        d.session.send(.stop)
        XCTAssertTrue(d.wait { d.lastState == .stopped }, "the run did not stop")
        d.wait(timeout: 0.2) { false }

        XCTAssertEqual(applied.count, n, "a change was lost or applied twice")
        XCTAssertEqual(applied.map(\.0), sent, "changes applied out of order")
        XCTAssertEqual(applied.map(\.1), applied.map(\.1).sorted(), "change steps go backwards")
        XCTAssertGreaterThan(Set(applied.map(\.1)).count, 3, "all changes landed at one boundary: not a stress of the hand-off")
        let errors = d.events.compactMap { if case .training(.message(let m)) = $0 { return m } else { return nil } }
        XCTAssertEqual(errors, [], "the optimizer refused a change")

        // Every step ran with the rate of the last lr change applied before it (a change made at
        // the boundary before step s is recorded with step s).
        let lrChanges = applied.compactMap { c -> (value: Double, step: Int)? in
            if case .learningRate(let v) = c.0 { return (v, c.1) } else { return nil }
        }
        var k = 0, lr = cfg.lr, checked = 0
        for s in d.steps {
            while k < lrChanges.count, lrChanges[k].step <= s.globalStep {
                lr = lrChanges[k].value
                k += 1
            }
            XCTAssertEqual(s.lr, lr, "lr of step \(s.globalStep)")
            checked += 1
            if s.lr != lr { break }
        }
        XCTAssertGreaterThan(checked, 3)
        XCTAssertEqual(d.steps.map(\.globalStep), Array(1...d.steps.count), "steps skipped or repeated")
    }

    // MARK: (b) pause/resume/stop/start storms

    /// Thousands of random start/pause/resume/stop commands from another thread. The events
    /// the UI sees follow the state machine (started → running ⇄ paused → stopped/finished),
    /// steps only while running and counted one by one from each run's start, none after a
    /// stop; afterwards a new run starts and trains.
    func testPauseResumeStopStartStormsKeepTheStateMachineConsistent() throws {
        let n = 2_000 * Self.scale
        let d = try Drained()
        let cfg = Self.config(epochs: 3)         // short runs: some finish on their own
        let session = d.session
        let storm = Thread {
            let g = Generator(seed: 7)
            session.send(.start(cfg))
            for _ in 0..<n {
                switch Int(g.nextUInt64() % 8) {
                case 0, 1: session.send(.start(cfg))
                case 2, 3: session.send(.pause)
                case 4, 5: session.send(.resume)
                default: session.send(.stop)
                }
                usleep(UInt32(g.nextUInt64() % 400))
            }
        }

        var state: TrainingState = .idle
        var lastStep: Int?
        var runs = 0, stepsSeen = 0, pauses = 0, stops = 0
        var violations: [String] = []
        func check(_ e: SessionEvent) {
            guard case .training(let t) = e else { return }
            switch t {
            case .started(let plan):
                if state.isActive { violations.append("a run started while the previous one was \(state)") }
                runs += 1
                lastStep = plan.startStep
                state = .idle
            case .stateChanged(let s):
                switch (state, s) {
                case (.idle, .running), (.running, .paused), (.paused, .running), (.running, .stopped),
                     (.paused, .stopped), (.running, .finished):
                    break
                case (_, .idle) where !state.isActive:
                    break
                default:
                    violations.append("\(state) → \(s)")
                }
                if case .paused = s { pauses += 1 }
                if s == .stopped { stops += 1 }
                state = s
            case .step(let st):
                stepsSeen += 1
                if state != .running { violations.append("step \(st.globalStep) while \(state)") }
                if let l = lastStep, st.globalStep != l + 1 { violations.append("step \(st.globalStep) after \(l)") }
                if lastStep == nil { violations.append("step \(st.globalStep) before any start") }
                lastStep = st.globalStep
            default:
                break
            }
        }
        storm.start()
        XCTAssertTrue(d.wait(timeout: 120, each: check) { storm.isFinished })
        // The session runs commands in order: the final stop has been handled once the save
        // queued after it has finished (storm commands may still be queued until then).
        let marker = NSTemporaryDirectory() + "wb-storm-marker-\(getpid())-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        d.session.send(.stop)
        d.session.send(.file(.saveModel, path: marker))
        var markerDone = false
        XCTAssertTrue(d.wait(each: { e in
            check(e)
            if case .fileFinished(_, let path, _) = e, path == marker { markerDone = true }
        }) { markerDone && !state.isActive }, "the run did not end: \(state)")
        // Quiet after the stop: no step, no state change.
        let after = d.events.count
        d.wait(timeout: 0.3, each: check) { false }
        XCTAssertEqual(d.events.count, after, "events after the final stop: \(d.events.dropFirst(after).prefix(3))")
        XCTAssertEqual(violations, [], "\(violations.count) violations")

        // A new run starts and trains.
        let before = stepsSeen
        d.session.send(.start(cfg))
        XCTAssertTrue(d.wait(each: check) { stepsSeen >= before + 3 }, "no new run after the storm")
        d.session.send(.stop)
        XCTAssertTrue(d.wait(each: check) { !state.isActive })
        XCTAssertEqual(violations, [])
        XCTAssertGreaterThan(runs, 2, "the storm started too few runs to test anything")
        XCTAssertGreaterThan(pauses, 2)
        XCTAssertGreaterThan(stops, 2)
        print("stress: storm of \(n) commands: \(runs) runs, \(pauses) pauses, \(stops) stops, \(stepsSeen) steps")
    }

    // MARK: (c) saves during training

    /// Model and checkpoint saves sent many times while the engine trains: each finishes
    /// without error and in order, each file loads (the model through `Predictor`, the
    /// checkpoint's tensors and position), each checkpoint holds the step that preceded its
    /// save in the event stream, training goes on, and a new session resumes from the last
    /// checkpoint at the next step.
    func testSavesDuringTrainingAllLoadAndHoldTheirStep() throws {
        let n = 30 * Self.scale
        let dir = NSTemporaryDirectory() + "wb-stress-save-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = try Drained()
        d.session.send(.start(Self.config(epochs: 1_000_000)))
        XCTAssertTrue(d.wait { !d.steps.isEmpty })

        var expected: [(FileOperation, String)] = []
        for i in 0..<n {
            expected.append((.saveModel, "\(dir)/m\(i).safetensors"))
            expected.append((.saveCheckpoint, "\(dir)/c\(i).safetensors"))
        }
        let session = d.session, ops = expected
        let saver = Thread {
            for (op, path) in ops {
                session.send(.file(op, path: path))
                usleep(1_000)
            }
        }
        saver.start()
        var finished: [(FileOperation, String, String?)] = []
        var stepBefore: [String: Int] = [:]
        var last = d.steps.last?.globalStep ?? 0
        var stepsPerEpoch = 0
        for case .training(.started(let plan)) in d.events { stepsPerEpoch = plan.stepsPerEpoch }
        XCTAssertGreaterThan(stepsPerEpoch, 1)
        XCTAssertTrue(d.wait(timeout: 120, each: { e in
            switch e {
            case .training(.step(let s)): last = s.globalStep
            case .fileFinished(let op, let path, let error):
                finished.append((op, path, error))
                stepBefore[path] = last
            default: break
            }
        }, until: { finished.count >= ops.count }), "\(finished.count) of \(ops.count) saves finished")
        let stepAtLastSave = last
        XCTAssertTrue(d.wait { (d.steps.last?.globalStep ?? 0) > stepAtLastSave + 3 }, "training did not continue after the saves")
        d.session.send(.stop)
        XCTAssertTrue(d.wait { d.lastState == .stopped })

        XCTAssertEqual(finished.map(\.1), expected.map(\.1), "saves finished out of order or lost")
        XCTAssertEqual(finished.compactMap(\.2), [], "a save failed")
        var previous = -1
        var lastCheckpoint: Checkpoint?
        for (op, path) in expected {
            if op == .saveModel {
                let p = try Predictor(weights: URL(fileURLWithPath: path))
                let out = try p.run(Tensor.randn([2] + p.inputShape, generator: Generator(seed: 3)))
                XCTAssertTrue(out.toArray().allSatisfy(\.isFinite), path)
            } else {
                let ck = try Checkpoint.load(from: URL(fileURLWithPath: path))
                XCTAssertFalse(ck.modelState.isEmpty)
                XCTAssertTrue(ck.modelState.allSatisfy { $0.1.toArray().allSatisfy(\.isFinite) }, path)
                XCTAssertEqual(ck.globalStep, stepBefore[path], "\(path): the checkpoint's step is not the step before its save")
                XCTAssertGreaterThanOrEqual(ck.globalStep, previous, "checkpoints go backwards")
                XCTAssertEqual(ck.epoch * stepsPerEpoch + ck.batch, ck.globalStep, "\(path): position epoch \(ck.epoch) batch \(ck.batch)")
                previous = ck.globalStep
                lastCheckpoint = ck
            }
        }

        // A new session (as after a relaunch) resumes from the last checkpoint at the next step.
        guard let ck = lastCheckpoint, let path = expected.last?.1 else { return XCTFail("no checkpoint") }
        let r = try Drained()
        r.session.send(.file(.loadCheckpoint, path: path))
        XCTAssertTrue(r.wait { r.events.contains { if case .fileFinished(.loadCheckpoint, _, nil) = $0 { return true } else { return false } } },
                      "the checkpoint did not load: \(r.events)")
        r.session.send(.start(Self.config(epochs: 1_000_000)))
        XCTAssertTrue(r.wait { !r.steps.isEmpty })
        XCTAssertEqual(r.steps.first?.globalStep, ck.globalStep + 1, "the resumed run did not continue at the checkpoint's step")
        r.session.close(timeout: 10)
    }

    // MARK: (d) model and dataset switch during evaluation

    /// The model (and now and then the dataset) is switched while the old session evaluates
    /// between training steps: no crash, nothing of the old session (steps, evaluation,
    /// state) ever shows in the app for the new model, and the new model trains.
    func testSwitchingModelDuringEvaluationNeverShowsTheOldRunsResults() throws {
        let rounds = 8 * Self.scale
        let services = AppServices(datasets: Self.provider, catalog: ZooModelCatalog(), backend: EngineBackend(limit: 64),
                                   themes: ThemeLibrary(directories: [repoThemes]))
        let app = App(services: services)
        defer { app.finish() }
        let models = ["lenet5", "simplenet"]
        func tick(for seconds: TimeInterval, until cond: () -> Bool = { false }) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                app.tick()
                if cond() { return true }
                Thread.sleep(forTimeInterval: 0.002)
            }
            return false
        }
        for round in 0..<rounds {
            let model = models[round % 2]
            guard let session = app.session else { return XCTFail("round \(round): no session for \(app.modelName)") }
            session.send(.start(Self.config(epochs: 1_000_000)))
            XCTAssertTrue(tick(for: 60) { app.steps.count >= 2 && app.runState == .running }, "round \(round): \(app.modelName) does not train")
            session.send(.evaluate)
            session.send(.evaluate)
            if round % 3 == 2 {
                app.switchDataset(Self.provider.embeddedDefault())
                if app.modelName != model { app.switchModel(model) }
            } else {
                app.switchModel(models[(round + 1) % 2])
            }
            XCTAssertFalse(app.session === session, "round \(round): the session was not replaced")
            // Nothing arrives from the old session: no steps, no evaluation, no state change.
            _ = tick(for: 0.15)
            XCTAssertEqual(app.steps.count, 0, "round \(round): steps of the old run shown for the new model")
            XCTAssertNil(app.evaluation, "round \(round): the old run's evaluation shown for the new model")
            XCTAssertEqual(app.runState, .idle, "round \(round)")
            XCTAssertNil(app.plan, "round \(round)")
        }
        // The last model trains and evaluates on its own.
        app.session?.send(.start(Self.config(epochs: 1_000_000)))
        XCTAssertTrue(tick(for: 60) { app.steps.count >= 2 })
        app.session?.send(.evaluate)
        XCTAssertTrue(tick(for: 60) { app.evaluation != nil }, "the new model's evaluation did not arrive")
        app.session?.send(.stop)
        XCTAssertTrue(tick(for: 30) { app.runState == .stopped })
    }
}
