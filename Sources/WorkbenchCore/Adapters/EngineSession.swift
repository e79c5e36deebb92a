import Foundation
import Tensors
import WorkbenchRuns

/// Sessions on the real training engine (`Tensors/Training`).
public final class EngineBackend: TrainingBackend {
    /// Train and test on only the first `limit` samples (`workbench train --limit`); nil: all.
    public var limit: Int?
    /// Makes the run-store writer of each run the sessions start (nil: runs are not recorded).
    public var recorder: RunRecorderFactory?

    public init(limit: Int? = nil, recorder: RunRecorderFactory? = nil) {
        self.limit = limit
        self.recorder = recorder
    }

    public func makeSession(model: String, dataset: DatasetSource, seed: UInt64) throws -> TrainingSession {
        guard ModelZoo.entry(named: model) != nil else { throw ModelZooError(name: model) }
        let s = EngineSession(modelName: model, dataPath: dataset.location, target: dataset.target,
                              task: dataset.task, seed: seed, limit: limit)
        s.recorderFactory = recorder
        return s
    }
}

/// One model on one dataset, trained by `TrainingEngine` through `TrainingSetup` (the same
/// setup as `workbench train`).
///
/// This type only carries threading: commands run on the session's serial queue (while a
/// run is active, anything touching the model goes to the engine as a `.perform` command
/// so it runs between steps) and the engine's events are queued, unchanged, for the UI
/// thread to drain. The model is built lazily (selecting VGG16 in the chooser costs
/// nothing until it is used).
public final class EngineSession: TrainingSession, @unchecked Sendable {
    private let queue = DispatchQueue(label: "workbench.session", qos: .userInitiated)
    private let outbox = MessageQueue<SessionEvent>()

    // Touched only on `queue` (or on the engine thread inside `.perform`, while the queue waits).
    private let modelName: String
    private let dataPath: String?
    private let target: String?
    private let task: TaskKind
    private let limit: Int?
    private var seed: UInt64
    private var model: Module?
    private var setup: TrainingSetup?
    private var engine: TrainingEngine?
    private var lastSettings = TrainingConfig.editorDefaults
    private var pendingCheckpoint: Checkpoint?
    /// Records each run into the run store (set by `EngineBackend`).
    var recorderFactory: RunRecorderFactory?
    private var recorder: RunRecorder?

    init(modelName: String, dataPath: String?, target: String? = nil, task: TaskKind = .classification,
         seed: UInt64, limit: Int? = nil) {
        self.modelName = modelName
        self.dataPath = dataPath
        self.target = target
        self.task = task
        self.seed = seed
        self.limit = limit
    }

    public func send(_ command: SessionCommand) { queue.async { self.apply(command) } }

    public func drainEvents() -> [SessionEvent] { outbox.drain() }

    public func close(timeout: TimeInterval) {
        let done = DispatchSemaphore(value: 0)
        queue.async {
            guard let e = self.engine else { done.signal(); return }
            let recorder = self.recorder
            e.send(.stop)
            DispatchQueue.global().async {
                e.waitUntilDone()
                recorder?.close()
                done.signal()
            }
        }
        _ = done.wait(timeout: .now() + timeout)
    }

    // MARK: Queue

    private func emit(_ e: SessionEvent) { outbox.push(e) }

    private var active: Bool { engine?.state.isActive ?? false }

    private func ensureModel() throws -> Module {
        if let m = model { return m }
        // Built by the setup so its shape follows the data (class count, CSV features).
        let s = try TrainingSetup(config: config(lastSettings))
        model = s.model
        setup = s
        return s.model
    }

    /// The settings of a run with the editor's values `h` on this session's model and data:
    /// what `workbench train` with the same options would use (benchmarks compare the two).
    func config(_ h: TrainingConfig) -> TrainingConfig {
        var c = EngineSession.trainingConfig(model: modelName, dataPath: dataPath, limit: limit, settings: h)
        c.target = target
        c.task = task
        return c
    }

    /// `settings` with the session's model, data and limit.
    public static func trainingConfig(model: String, dataPath: String?, limit: Int?, settings: TrainingConfig) -> TrainingConfig {
        var c = settings
        c.model = model
        c.dataPath = dataPath
        c.limit = limit
        c.seed = settings.seed
        return c
    }

    private func apply(_ c: SessionCommand) {
        switch c {
        case .start(let h): start(h)
        case .pause: engine?.send(.pause)
        case .resume: engine?.send(.resume)
        case .stop: if active { engine?.send(.stop) }
        case .reset(let s):
            guard !active else { return }
            seed = s
            lastSettings.seed = s
            model = nil
            setup = nil
            engine = nil
            pendingCheckpoint = nil
            emit(.training(.stateChanged(.idle)))
        case .set(let live):
            switch live {
            case .learningRate(let v): lastSettings.lr = v
            case .momentum(let v): lastSettings.momentum = v
            case .weightDecay(let v): lastSettings.weightDecay = v
            }
            if active { engine?.send(.set(live)) }
        case .file(let op, let path): file(op, path)
        case .evaluate: evaluate()
        }
    }

    private func start(_ h: TrainingConfig) {
        if let e = engine, case .paused = e.state { e.send(.resume); return }
        guard !active else { return }
        lastSettings = h
        do {
            let m = try ensureModel()
            let s = try TrainingSetup(config: config(h), model: m)
            let ck = pendingCheckpoint
            if let ck { try s.restore(from: ck) }
            let e = ck.map { s.makeEngine(resuming: $0) } ?? s.makeEngine(history: MetricHistory(metrics: s.task.metrics))
            pendingCheckpoint = nil
            setup = s
            engine = e
            recorder?.close()
            recorder = recorderFactory?(s.config, s.task.kind.rawValue, s.classes, e)
            e.observe { [weak self] event in self?.emit(.training(event)) }
            e.start()
        } catch {
            emit(.training(.stateChanged(.failed("cannot start: \(error)"))))
        }
    }

    /// Runs `body` where the model is quiescent: between steps of an active run, or here.
    private func withQuiescentModel(_ body: @escaping () -> Void) {
        if active, let e = engine {
            e.send(.perform { _ in body() })
        } else {
            body()
        }
    }

    private func file(_ op: FileOperation, _ path: String) {
        let model: Module
        do { model = try ensureModel() } catch {
            emit(.fileFinished(op, path: path, error: "\(error)"))
            return
        }
        let setup = self.setup, engine = self.engine, cfg = config(lastSettings)
        withQuiescentModel { [self] in
            do {
                try ModelFiles.perform(op, path: path, model: model, modelName: modelName, config: cfg,
                                       checkpoint: { setup.flatMap { s in engine.map { s.checkpoint(engine: $0) } } },
                                       restored: { ck in
                                           queue.async { self.pendingCheckpoint = ck }
                                           emit(.historyRestored(ck.history, plan: ModelFiles.plan(of: ck)))
                                       })
                emit(.fileFinished(op, path: path, error: nil))
            } catch {
                emit(.fileFinished(op, path: path, error: "\(error)"))
            }
        }
    }

    private func evaluate() {
        do {
            let m = try ensureModel()
            if setup == nil { setup = try TrainingSetup(config: config(lastSettings), model: m) }
            guard let s = setup, let test = s.test ?? s.val else {
                emit(.training(.message("this dataset has no test or validation split to evaluate on")))
                return
            }
            let split = s.test == nil ? "validation" : "test"
            withQuiescentModel { [self] in
                do {
                    let r = try TrainingEngine.evaluate(model: m, task: s.task, source: test, split: split)
                    emit(.training(.evaluated(r)))
                } catch {
                    emit(.training(.message("evaluation failed: \(error)")))
                }
            }
        } catch {
            emit(.training(.message("evaluation failed: \(error)")))
        }
    }
}
