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
        guard ModelZoo.entry(named: model) != nil || SequenceModelZoo.entry(named: model) != nil || ModelDefinition.isModelFile(model)
        else { throw ModelZooError(name: model) }
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
    /// The divergence guard's last good state: a copy of the model and optimizer taken on
    /// the training thread when the run starts and at each epoch end (`rollback` restores it).
    private let lastGood = LastGoodState()
    /// Records each run into the run store (set by `EngineBackend`).
    var recorderFactory: RunRecorderFactory?
    private var recorder: RunRecorder?
    /// A data-parallel run in other processes (settings with `processes` > 1).
    private var distributedRun: DistributedRun?
    /// The learning-rate range test's engine while it sweeps on its own thread.
    private var lrFinder: TrainingEngine?
    /// Whether the sweep was cancelled (Esc, stop).
    private var lrFinderCancelled = false
    /// The sampling request that may still report (a newer request or a cancel retires the others).
    private let currentGeneration = LatestRequest()

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
            self.lrFinder?.send(.stop)
            guard let e = self.engine ?? self.lrFinder else { done.signal(); return }
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

    private var active: Bool { engine?.state.isActive ?? false || distributedRun != nil }

    /// Refuses a command that needs the model while the range test sweeps (the queue stays free).
    private func refusedWhileFindingLR(_ what: String) -> Bool {
        guard lrFinder != nil else { return false }
        emit(.training(.message("the learning-rate range test is running: Esc cancels it, then \(what)")))
        return true
    }

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
        if let run = distributedRun {
            switch c {
            case .pause: return run.send(.pause)
            case .resume, .start: return run.send(.resume)
            case .set(let live):
                remember(live)
                return run.send(.set(live))
            default: break
            }
        }
        switch c {
        case .start where refusedWhileFindingLR("start the run"): return
        case .reset where refusedWhileFindingLR("reset the weights"): return
        case .evaluate where refusedWhileFindingLR("evaluate"): return
        case .rollback where lrFinder != nil: return
        case .file(let op, let path) where lrFinder != nil:
            emit(.fileFinished(op, path: path, error: "the learning-rate range test is running: Esc cancels it, then try again"))
        case .start(let h) where (h.processes ?? 1) > 1: startDistributed(h)
        case .start(let h): start(h)
        case .pause:
            if lrFinder != nil { emit(.training(.message("the range test cannot pause: Esc cancels it"))) }
            engine?.send(.pause)
        case .resume: engine?.send(.resume)
        case .stop, .cancelLRFind:
            if let f = lrFinder {
                lrFinderCancelled = true
                f.send(.stop)
            } else if c == .cancelLRFind {
                return
            } else if let run = distributedRun { run.stop() } else if active { engine?.send(.stop) }
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
            remember(live)
            if active { engine?.send(.set(live)) }
        case .file(let op, let path): file(op, path)
        case .evaluate: collectGallery(emitEvaluation: true)
        case .rollback(let lr): rollback(lr: lr)
        case .findLR(let h, let test): findLR(h, test)
        case .generate(let sampling, let id): generate(sampling, id: id)
        case .cancelGenerate: currentGeneration.retire()
        }
    }

    /// Samples text from the language model without touching the weights training writes:
    /// the state dict is copied where the model is quiescent (between steps through the
    /// engine's `.perform`, or here when no run is active) and sampled from a fresh model
    /// loaded with the copy on a thread of its own, so neither the run nor this queue waits.
    /// Progress is reported at most every 50 ms; a newer request retires this one.
    private func generate(_ sampling: TextSampling, id: Int) {
        func fail(_ why: String) { emit(.generated(.failed(id: id, why))) }
        if let p = sampling.problems.first { return fail("\(p.field.label) \(p.message)") }
        if lrFinder != nil { return fail("the learning-rate range test is running: Esc cancels it, then generate") }
        if distributedRun != nil { return fail("the weights are in the distributed run's processes until it ends") }
        let m: Module
        do { m = try ensureModel() } catch { return fail("\(error)") }
        guard let lm = m as? any LanguageModel, let tokenizer = setup?.tokenizer else {
            return fail("\(modelName) is not a language model: generate samples from char-lstm or gpt-mini trained on text")
        }
        let name = modelName, vocabulary = lm.vocabularySize, current = currentGeneration, outbox = self.outbox
        current.begin(id)
        withQuiescentModel {
            let snapshot = m.stateDict().map { ($0.0, $0.1.clone()) }
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    let copy = try SequenceModelZoo.makeLanguageModel(name, vocabularySize: vocabulary)
                    try copy.loadStateDict(snapshot)
                    var reported = Date.distantPast
                    var sampled = 0
                    let text = sampling.run(copy, tokenizer: tokenizer) { partial in
                        sampled += 1
                        guard current.isCurrent(id) else { return false }
                        if Date().timeIntervalSince(reported) > 0.05 {
                            reported = Date()
                            outbox.push(.generated(.progress(id: id, text: partial, tokens: sampled)))
                        }
                        return true
                    }
                    guard current.isCurrent(id) else { return }
                    outbox.push(.generated(.finished(id: id, text: text, tokens: sampled)))
                } catch {
                    outbox.push(.generated(.failed(id: id, "could not copy the weights for sampling: \(error)")))
                }
            }
        }
    }

    /// Keeps a live change in the settings the next run starts with.
    private func remember(_ live: LiveHyperparameter) {
        switch live {
        case .learningRate(let v): lastSettings.lr = v
        case .momentum(let v): lastSettings.momentum = v
        case .weightDecay(let v): lastSettings.weightDecay = v
        }
    }

    /// Runs the range test on the session's model with a fresh optimizer on a thread of its
    /// own (this queue keeps answering: stop and `cancelLRFind` end the sweep, commands that
    /// need the model are refused with a message), then puts the weights and buffers back.
    private func findLR(_ h: TrainingConfig, _ test: LRRangeTest) {
        guard !active else { return emit(.lrFind(.failed("a run is active; stop it (x) before the range test"))) }
        guard lrFinder == nil else { return emit(.training(.message("the learning-rate range test is already running"))) }
        do {
            let m = try ensureModel()
            let saved = m.stateDict().map { ($0.0, $0.1.clone()) }
            var c = config(h)
            c.lr = test.lr(at: 0)
            c.epochs = 1000           // the sweep stops itself after `test.steps` steps
            c.valSize = 0
            c.augment = false
            let s = try TrainingSetup(config: c, model: m)
            let e = s.makeEngine()
            e.observe { [weak self] event in
                if case .step(let st) = event {
                    self?.emit(.lrFind(.progress(step: Int(st.globalStep), of: test.steps, lr: st.lr, loss: st.loss)))
                }
            }
            lrFinder = e
            lrFinderCancelled = false
            DispatchQueue.global(qos: .userInitiated).async { [weak self] in
                let result = test.run(on: e)
                self?.queue.async {
                    guard let self else { return }
                    self.lrFinder = nil
                    do { try m.loadStateDict(saved) } catch {
                        return self.emit(.lrFind(.failed("could not put the weights back: \(error)")))
                    }
                    self.emit(.lrFind(self.lrFinderCancelled ? .cancelled(steps: result.points.count) : .finished(result)))
                }
            }
        } catch {
            emit(.lrFind(.failed("\(error)")))
        }
    }

    /// Restores the last good state between steps, then lowers the rate and resumes.
    private func rollback(lr: Double) {
        guard let e = engine, let s = setup, case .paused = e.state else { return }
        let good = lastGood
        e.send(.perform { _ in
            guard let ck = good.checkpoint else { return }
            do { try s.restore(from: ck) } catch {
                e.send(.stop)
            }
        })
        lastSettings.lr = lr
        e.send(.set(.learningRate(lr)))
        e.send(.resume)
        emit(.training(.message("rolled back to \(good.label) with lr \(formatHyperparameter(lr))")))
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
            let good = lastGood
            good.clear()
            e.observe { [weak self] event in
                switch event {
                case .started, .epochEnded: good.take(s, e)
                default: break
                }
                self?.emit(.training(event))
                // The end-of-run test pass feeds the misclassification gallery too (as E does).
                if case .stateChanged(.finished) = event, e.history.test != nil, s.task.kind == .classification {
                    self?.queue.async { self?.collectGallery(emitEvaluation: false) }
                }
            }
            e.start()
        } catch {
            emit(.training(.stateChanged(.failed("cannot start: \(error)"))))
        }
    }

    /// Starts `mpirun -np N workbench train --distributed` from the current weights;
    /// rank 0's events arrive as a local run's, and its trained weights are loaded at the end.
    private func startDistributed(_ h: TrainingConfig) {
        guard !active else { return }
        lastSettings = h
        do {
            let m = try ensureModel()
            let cfg = config(h)
            let s = try setup ?? TrainingSetup(config: cfg, model: m)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("workbench-ddp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let initial = dir.appendingPathComponent("initial.safetensors")
            try ModelFile.save(m, metadata: ModelMetadata(setup: s), to: initial)
            let n = s.train.samples + (s.val?.samples ?? 0)
            let valSize = cfg.valSize ?? cfg.valFraction.map { Int(Double(n) * $0) }
            let processes = h.processes ?? 1
            distributedRun = try DistributedRun(
                config: cfg, processes: processes, valSize: valSize, initialWeights: initial,
                onEvent: { [weak self] e in self?.emit(.training(e)) },
                onExit: { [weak self] status, tail in self?.queue.async { self?.distributedFinished(status, tail, dir) } })
            emit(.training(.message("distributed run: mpirun -np \(processes) workbench train --distributed (rank 0's events shown)")))
        } catch {
            emit(.training(.stateChanged(.failed("cannot start: \(error)"))))
        }
    }

    private func distributedFinished(_ status: Int32, _ tail: [String], _ dir: URL) {
        guard let run = distributedRun else { return }
        distributedRun = nil
        defer { try? FileManager.default.removeItem(at: dir) }
        if run.wasStopped { return emit(.training(.stateChanged(.stopped))) }
        guard status == 0 else {
            let why = tail.last { $0.contains("error") } ?? tail.last ?? "no output"
            return emit(.training(.stateChanged(.failed("distributed run exited with status \(status): \(why)"))))
        }
        do {
            if let m = model { _ = try ModelFile.load(into: m, from: run.weightsURL) }
            emit(.training(.message("loaded rank 0's trained weights")))
        } catch {
            emit(.training(.message("the distributed run finished but its weights could not be loaded: \(error)")))
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
        let setup = self.setup, engine = self.engine, cfg = config(lastSettings), recorder = self.recorder
        withQuiescentModel { [self] in
            do {
                try ModelFiles.perform(op, path: path, model: model, modelName: modelName,
                                       metadata: setup.map(ModelMetadata.init(setup:)), tokenizer: setup?.tokenizer, config: cfg,
                                       checkpoint: { setup.flatMap { s in engine.map { s.checkpoint(engine: $0) } } },
                                       restored: { ck in
                                           queue.async { self.pendingCheckpoint = ck }
                                           emit(.historyRestored(ck.history, plan: ModelFiles.plan(of: ck)))
                                       })
                // The run store keeps the run's checkpoints (path + SHA-256): the Runs view resumes from them.
                if op == .saveCheckpoint { recorder?.recordArtifact(kind: "checkpoint", path: path) }
                emit(.fileFinished(op, path: path, error: nil))
            } catch {
                emit(.fileFinished(op, path: path, error: "\(error)"))
            }
        }
    }

    /// Evaluates on the test split (`emitEvaluation`: reports it, as E does) and reports the
    /// misclassified test samples for the gallery (after a run's own test pass, only those).
    private func collectGallery(emitEvaluation: Bool) {
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
                    // The gallery indexes the test split in order (unshuffled, as the dataset browser shows it).
                    var wrong: [Misclassification] = []
                    var seen = 0
                    let gallery = s.test != nil && s.task.kind == .classification
                    let r = try TrainingEngine.evaluate(model: m, task: s.task, source: test, split: split) { out, batch in
                        guard gallery, let labels = batch.target.indices else { return }
                        wrong += Misclassification.collect(logits: out, labels: labels, offset: seen)
                        seen += batch.count
                    }
                    if emitEvaluation { emit(.training(.evaluated(r))) }
                    if gallery { emit(.misclassified(wrong)) }
                } catch {
                    emit(.training(.message("evaluation failed: \(error)")))
                }
            }
        } catch {
            emit(.training(.message("evaluation failed: \(error)")))
        }
    }
}

/// The one request of a kind still wanted, shared by the session queue and the threads
/// that answer requests (a newer request or a cancel retires the older ones).
final class LatestRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var id: Int?

    /// `id` is now the wanted request.
    func begin(_ id: Int) {
        lock.lock()
        self.id = id
        lock.unlock()
    }

    /// No request is wanted any more.
    func retire() {
        lock.lock()
        id = nil
        lock.unlock()
    }

    /// Whether `id` is still the wanted request.
    func isCurrent(_ id: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return self.id == id
    }
}
