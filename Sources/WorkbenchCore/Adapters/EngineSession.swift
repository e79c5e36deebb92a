import Foundation
import Tensors

/// Sessions on the real training engine (`Tensors/Training`).
public final class EngineBackend: TrainingBackend {
    /// Train and test on only the first `limit` images (`workbench train --limit`); nil: all.
    public var limit: Int?

    public init(limit: Int? = nil) { self.limit = limit }

    public func makeSession(model: String, dataset: DatasetSource, seed: UInt64) throws -> TrainingSession {
        guard ModelZoo.entry(named: model) != nil else { throw ModelZooError(name: model) }
        return EngineSession(modelName: model, dataPath: dataset.location, trainCount: dataset.count(.train),
                             seed: seed, limit: limit)
    }
}

/// One model on one dataset, trained by `TrainingEngine` through `TrainingSetup` (the same
/// setup as `workbench train`).
///
/// Commands run on the session's serial queue; while a run is active, anything touching
/// the model goes to the engine as a `.perform` command so it runs between steps. Engine
/// events are converted and queued for the UI thread to drain. The model is built lazily
/// (selecting VGG16 in the chooser costs nothing until it is used).
public final class EngineSession: TrainingSession, @unchecked Sendable {
    private let queue = DispatchQueue(label: "workbench.session", qos: .userInitiated)
    private let outbox = MessageQueue<SessionEvent>()

    // Touched only on `queue` (or on the engine thread inside `.perform`, while the queue waits).
    private let modelName: String
    private let dataPath: String?
    private let trainCount: Int
    private let limit: Int?
    private var seed: UInt64
    private var model: (any UnaryLayer)?
    private var setup: TrainingSetup?
    private var engine: TrainingEngine?
    private var lastSettings = Hyperparameters()
    private var pendingCheckpoint: Checkpoint?
    /// The run's per-step losses, saved in checkpoints (appended on the training thread).
    private let recorder = StepLossRecorder()

    init(modelName: String, dataPath: String?, trainCount: Int, seed: UInt64, limit: Int? = nil) {
        self.modelName = modelName
        self.dataPath = dataPath
        self.trainCount = trainCount
        self.seed = seed
        self.limit = limit
    }

    public func send(_ command: SessionCommand) { queue.async { self.apply(command) } }

    public func drainEvents() -> [SessionEvent] { outbox.drain() }

    public func close(timeout: TimeInterval) {
        let done = DispatchSemaphore(value: 0)
        queue.async {
            guard let e = self.engine else { done.signal(); return }
            e.send(.stop)
            DispatchQueue.global().async {
                e.waitUntilDone()
                done.signal()
            }
        }
        _ = done.wait(timeout: .now() + timeout)
    }

    // MARK: Queue

    private func emit(_ e: SessionEvent) { outbox.push(e) }

    private var active: Bool {
        guard let e = engine else { return false }
        return e.state == .running || e.state == .paused
    }

    private func ensureModel() throws -> any UnaryLayer {
        if let m = model { return m }
        let m = try ModelZoo.make(modelName, generator: Generator(seed: seed))
        model = m
        return m
    }

    func config(_ h: Hyperparameters) -> TrainingConfig {
        EngineSession.trainingConfig(model: modelName, dataPath: dataPath, trainCount: trainCount, limit: limit, settings: h)
    }

    /// The `TrainingConfig` a run with these settings gets: what `workbench train` with the
    /// same options would use (benchmarks compare the two).
    public static func trainingConfig(model: String, dataPath: String?, trainCount: Int, limit: Int?,
                                      settings h: Hyperparameters) -> TrainingConfig {
        var c = TrainingConfig()
        c.model = model
        c.dataPath = dataPath
        c.epochs = h.epochs
        c.batchSize = h.batchSize
        c.optimizer = h.optimizer.rawValue.lowercased()
        c.lr = h.learningRate
        c.momentum = h.momentum
        c.weightDecay = h.weightDecay
        c.valSize = Int(Double(min(trainCount, limit ?? trainCount)) * h.validationSplit)
        c.limit = limit
        c.augment = h.augmentation
        c.seed = h.seed
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
            model = nil
            setup = nil
            engine = nil
            pendingCheckpoint = nil
            emit(.stateChanged(.idle))
        case .set(let live):
            switch live {
            case .learningRate(let v): lastSettings.learningRate = v; if active { engine?.send(.setLearningRate(v)) }
            case .momentum(let v): lastSettings.momentum = v; if active { engine?.send(.setMomentum(v)) }
            case .weightDecay(let v): lastSettings.weightDecay = v; if active { engine?.send(.setWeightDecay(v)) }
            }
        case .save(let op, let path): file(op, path)
        case .evaluate: evaluate()
        }
    }

    private func start(_ h: Hyperparameters) {
        if let e = engine, e.state == .paused { e.send(.resume); return }
        guard !active else { return }
        lastSettings = h
        do {
            let m = try ensureModel()
            let s = try TrainingSetup(config: config(h), model: m)
            let ck = pendingCheckpoint
            if let ck { try s.restore(from: ck) }
            let e = s.makeEngine(history: ck?.history ?? MetricHistory())
            pendingCheckpoint = nil
            setup = s
            engine = e
            // A resumed run repeats any partial epoch: its steps continue after the last whole one.
            let offset = e.startEpoch * s.train.count
            recorder.reset(from: ck?.history.stepLosses, upTo: offset, stepsPerEpoch: s.train.count)
            let plan = RunPlan(epochs: h.epochs, stepsPerEpoch: s.train.count, trainExamples: s.train.images,
                               validationExamples: s.val?.images ?? 0, batchSize: h.batchSize, startEpoch: e.startEpoch)
            let recorder = self.recorder
            e.observe { [weak self, weak e] event in
                if case .step(let st) = event { recorder.append(step: st.globalStep + offset, loss: st.loss, lr: st.lr) }
                self?.forward(event, plan: plan, stepOffset: offset, engine: e)
            }
            e.start()
        } catch {
            emit(.stateChanged(.failed("cannot start: \(error)")))
        }
    }

    /// Converts an engine event (called on the training thread).
    private func forward(_ event: Tensors.TrainingEvent, plan: RunPlan, stepOffset: Int, engine: TrainingEngine?) {
        switch event {
        case .started:
            emit(.runStarted(plan))
            emit(.stateChanged(.running))
        case .step(let s):
            emit(.step(StepMetrics(step: s.globalStep + stepOffset, epoch: s.epoch + 1, loss: s.loss, imagesPerSecond: s.imagesPerSecond, learningRate: s.lr)))
        case .epochEnded(let e):
            emit(.epochEnded(EpochMetrics(epoch: e.epoch + 1, trainLoss: e.trainLoss, valLoss: e.valLoss, valAccuracy: e.valAccuracy,
                                          imagesPerSecond: e.imagesPerSecond, seconds: e.seconds)))
        case .hyperparameterChanged(let name, let value, let engineStep):
            let step = engineStep + stepOffset
            switch name {
            case "lr": emit(.hyperparameterApplied(.learningRate(value), step: step))
            case "momentum": emit(.hyperparameterApplied(.momentum(value), step: step))
            case "weight_decay": emit(.hyperparameterApplied(.weightDecay(value), step: step))
            default: emit(.message("\(name) = \(value) from step \(step)"))
            }
        case .paused(let reason):
            emit(.stateChanged(reason.map { .failed($0) } ?? .paused))
        case .resumed: emit(.stateChanged(.running))
        case .stopped: emit(.stateChanged(.stopped))
        case .tested(let accuracy, _, let confusion):
            emit(.evaluated(EvaluationResult(confusion: EngineSession.rows(confusion))))
            emit(.message(String(format: "test accuracy %.1f%%", accuracy * 100)))
        case .finished: emit(.stateChanged(.finished))
        case .failed(let m):
            if engine?.state == .failed { emit(.stateChanged(.failed(m))) } else { emit(.message(m)) }
        case .message(let m): emit(.message(m))
        }
    }

    static func rows(_ cm: ConfusionMatrix) -> [[Int]] {
        (0..<cm.classes).map { t in (0..<cm.classes).map { cm[t, $0] } }
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
        let url = URL(fileURLWithPath: path)
        let model: any UnaryLayer
        do { model = try ensureModel() } catch {
            emit(.fileFinished(op, path: path, error: "\(error)"))
            return
        }
        let setup = self.setup, engine = self.engine, cfg = config(lastSettings)
        withQuiescentModel { [self] in
            do {
                switch op {
                case .saveModel:
                    try Safetensors.save(model.stateDict(), metadata: ["format": "pt", "model": modelName], to: url)
                case .loadModel:
                    guard FileManager.default.fileExists(atPath: path) else { throw TrainingSetupError("\(path): no such file") }
                    let f = try Safetensors.load(from: url)
                    try model.loadStateDict(f.tensors)
                case .saveCheckpoint:
                    var ck: Checkpoint
                    if let setup, let engine { ck = setup.checkpoint(engine: engine) }
                    else { ck = Checkpoint(modelState: model.stateDict(), config: cfg.dictionary) }
                    ck.history.stepLosses = recorder.series
                    try ck.save(to: url)
                case .loadCheckpoint:
                    guard FileManager.default.fileExists(atPath: path) else { throw TrainingSetupError("\(path): no such file") }
                    let ck = try Checkpoint.load(from: url)
                    try model.loadStateDict(ck.modelState)
                    queue.async { self.pendingCheckpoint = ck }
                    let epochs = ck.history.epochs.map {
                        EpochMetrics(epoch: $0.epoch + 1, trainLoss: $0.trainLoss, valLoss: $0.valLoss, valAccuracy: $0.valAccuracy)
                    }
                    let spe = ck.history.stepLosses?.stepsPerEpoch ?? 0
                    let plan = spe > 0 ? RunPlan(epochs: max(ck.epoch, Int(ck.config["epochs"] ?? "") ?? 0), stepsPerEpoch: spe,
                                                 trainExamples: 0, validationExamples: 0,
                                                 batchSize: Int(ck.config["batch_size"] ?? "") ?? 0, startEpoch: ck.epoch) : nil
                    emit(.historyRestored(steps: StepLossRecorder.steps(ck.history.stepLosses), epochs: epochs, plan: plan))
                }
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
            guard let test = setup?.test, let classes = setup?.classes.count else { return }
            withQuiescentModel { [self] in
                do {
                    let r = try TrainingEngine.evaluate(model: m, loss: { crossEntropy($0, $1) }, source: test, numClasses: classes)
                    emit(.evaluated(EvaluationResult(confusion: EngineSession.rows(r.confusion))))
                    emit(.message(String(format: "test accuracy %.1f%%, loss %.4f", r.confusion.accuracy * 100, r.loss)))
                } catch {
                    emit(.message("evaluation failed: \(error)"))
                }
            }
        } catch {
            emit(.message("evaluation failed: \(error)"))
        }
    }
}
