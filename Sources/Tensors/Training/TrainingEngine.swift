import Dispatch
import Foundation

/// The UI-free training loop, the same for every task: train mode, zero
/// grads, forward + loss (the `TrainingTask`'s), backward, step; validation in
/// eval mode without grad after each epoch; a test pass at the end. It runs
/// on a background serial `DispatchQueue`.
///
/// Commands go into a thread-safe inbox and are applied at step boundaries;
/// events go to observers. A NaN/Inf loss pauses the run (the bad step is not
/// applied); a model that does not fit the task fails before starting. The
/// engine keeps the run's `MetricHistory` (epochs, per-step losses, live
/// changes, test) and its global step, which continues across a resume.
///
/// ```swift
/// let engine = TrainingEngine(model: model, task: ClassificationTask(numClasses: 10, inputShape: [3, 32, 32]),
///                             optimizer: opt, train: train, val: val, epochs: 10)
/// engine.observe { event in print(event) }
/// engine.start()
/// engine.waitUntilDone()
/// ```
public final class TrainingEngine: @unchecked Sendable {
    /// The model being trained.
    public let model: Module
    /// How a batch becomes a loss and which metrics a pass reports.
    public let task: any TrainingTask
    /// The optimizer stepping the model's parameters.
    public let optimizer: Optimizer
    /// Training batches.
    public let train: BatchSource
    /// Validation batches, evaluated after each epoch.
    public let val: BatchSource?
    /// Test batches, evaluated after the last epoch.
    public let test: BatchSource?
    /// Total epochs of the run (including those done before a resume).
    public let epochs: Int
    /// Samples per training batch, for the run plan (0 when unknown).
    public let batchSize: Int
    /// Data-parallel training over several processes (nil: this process alone).
    /// Each rank runs its own engine on its shard; losses, gradients and
    /// metrics are averaged over the ranks, so every rank sees the same numbers.
    public let distributed: DistributedDataParallel?
    /// The learning-rate scheduler, stepped after every batch when
    /// `schedulerStepsPerBatch`, else after each epoch's validation (with the
    /// validation loss, or the training loss without validation, for `ReduceLROnPlateau`).
    public let scheduler: (any LearningRateScheduler)?
    /// Whether `scheduler` steps after every optimisation step (`OneCycleLR`, `CyclicLR`).
    public let schedulerStepsPerBatch: Bool

    /// First epoch to run (0-based; the number of epochs in the history given).
    public let startEpoch: Int
    /// Batches of the first epoch already applied before a mid-epoch resume (0 otherwise).
    public let startBatch: Int
    /// History so far (guarded by the engine lock; read it from observers or after the run).
    public var history: MetricHistory {
        lock.lock(); defer { lock.unlock() }
        var h = _history
        h.stepLosses = recorder.series ?? h.stepLosses
        return h
    }
    /// Distributed runs: when true (set before `start()` on every rank), rank
    /// 0's commands are shared with every rank at each step boundary, so a
    /// pause, stop or hyperparameter change applies to all ranks before the
    /// same step (one small broadcast per step); other ranks' own commands
    /// other than `.perform` are ignored. Off by default: commands then stay
    /// in their process.
    public var sharesCommandsAcrossRanks = false
    /// The run's current state.
    public var state: TrainingState { lock.lock(); defer { lock.unlock() }; return _state }
    /// Optimisation steps taken over the whole run, resumed epochs included.
    public var globalStep: Int { lock.lock(); defer { lock.unlock() }; return _globalStep }

    let queue = DispatchQueue(label: "workbench.training", qos: .userInitiated)
    private let lock = NSCondition()
    private var inbox: [TrainingCommand] = []
    /// Rank 0's commands not yet broadcast (`sharesCommandsAcrossRanks`; training thread).
    private var unsharedCommands: [RemoteCommand] = []
    private var _state: TrainingState = .idle
    private var _history: MetricHistory
    private var _globalStep: Int
    private let recorder = StepLossRecorder()
    // The epoch in progress (training thread; the flags under the lock).
    private var inEpoch = false
    private var batchInEpoch = 0
    private var epochStartRandomState: [UInt64]?
    private var meter: any MetricMeter
    private let resumeMeterState: String?
    private var observers: [Int: (TrainingEvent) -> Void] = [:]
    private var nextObserver = 0
    private let done = DispatchGroup()

    /// An idle engine; `epochs` must be non-negative. A non-empty `history`
    /// resumes: training starts after its last epoch, and its per-step losses
    /// and changes are kept up to there. A `position` inside that epoch (a
    /// checkpoint taken mid-epoch) continues with its next batch and its
    /// metric sums; the training source's generator must already hold the
    /// epoch's start state (`TrainingSetup.restore(from:)` sets it). Call `start()` to run.
    public init(model: Module, task: any TrainingTask, optimizer: Optimizer, train: BatchSource,
                val: BatchSource? = nil, test: BatchSource? = nil, epochs: Int, batchSize: Int = 0,
                scheduler: (any LearningRateScheduler)? = nil, schedulerStepsPerBatch: Bool = false,
                history: MetricHistory = MetricHistory(), position: TrainingPosition? = nil,
                distributed: DistributedDataParallel? = nil) {
        precondition(epochs >= 0, "TrainingEngine: epochs must be non-negative, got \(epochs)")
        self.distributed = distributed
        self.model = model
        self.task = task
        self.optimizer = optimizer
        self.train = train
        self.val = val
        self.test = test
        self.epochs = epochs
        self.batchSize = batchSize
        self.scheduler = scheduler
        self.schedulerStepsPerBatch = schedulerStepsPerBatch
        startEpoch = history.epochs.count
        // A position inside the next epoch continues it; any other partial epoch is repeated.
        if let p = position, p.epoch == startEpoch, p.batch > 0, startEpoch < epochs {
            startBatch = Swift.min(p.batch, train.count)
            resumeMeterState = p.meterState
        } else {
            startBatch = 0
            resumeMeterState = nil
        }
        meter = task.makeMeter()
        let done = startEpoch * train.count + startBatch
        _globalStep = done
        var h = history
        h.metrics = task.metrics
        h.changes.removeAll { $0.step > done }
        h.test = nil
        _history = h
        recorder.reset(from: history.stepLosses, upTo: done, stepsPerEpoch: train.count)
    }

    /// Adds an observer; returns a token for `removeObserver`.
    @discardableResult
    public func observe(_ body: @escaping (TrainingEvent) -> Void) -> Int {
        lock.lock(); defer { lock.unlock() }
        nextObserver += 1
        observers[nextObserver] = body
        return nextObserver
    }

    /// Removes the observer added with `token`.
    public func removeObserver(_ token: Int) {
        lock.lock(); defer { lock.unlock() }
        observers[token] = nil
    }

    private func emit(_ e: TrainingEvent) {
        lock.lock()
        let obs = observers.sorted { $0.key < $1.key }.map(\.value)
        lock.unlock()
        for o in obs { o(e) }
    }

    /// Queues a command; a running engine applies it at the next step boundary,
    /// an idle or finished one applies it right away on its queue.
    public func send(_ command: TrainingCommand) {
        lock.lock()
        let active = _state.isActive
        if active { inbox.append(command); lock.broadcast() }
        lock.unlock()
        if !active {
            queue.async { _ = self.apply(command) }
        }
    }

    /// Starts the run on the background queue. Validates the model first.
    public func start() {
        lock.lock()
        guard _state == .idle else { lock.unlock(); return }
        _state = .running
        lock.unlock()
        done.enter()
        queue.async {
            self.run()
            self.applyLeftoverCommands()
            self.done.leave()
        }
    }

    /// Applies what reached the inbox after the run's last boundary, or behind the `.stop`
    /// that ended it (a save sent right after a stop): the run is over, so the model is
    /// quiescent, and no command a caller sent is dropped. Later commands go straight to
    /// the queue (`send` sees an inactive engine), behind this.
    private func applyLeftoverCommands() {
        lock.lock()
        let rest = inbox
        inbox.removeAll()
        lock.unlock()
        for c in rest { _ = apply(c) }
    }

    /// Blocks until the run ends (finished, stopped or failed).
    public func waitUntilDone() { done.wait() }

    /// Where the run stands, for a checkpoint. Call it on the training
    /// thread (an observer, or a `.perform` command) while a run is active,
    /// or when it is idle or done.
    public var position: TrainingPosition {
        lock.lock(); defer { lock.unlock() }
        guard inEpoch else {
            return TrainingPosition(epoch: _history.epochs.count, epochStartRandomState: train.generator?.state)
        }
        return TrainingPosition(epoch: _history.epochs.count, batch: batchInEpoch,
                                epochStartRandomState: epochStartRandomState,
                                meterState: batchInEpoch > 0 ? meter.checkpointState() : nil)
    }

    // MARK: - The loop

    private func setState(_ s: TrainingState) {
        lock.lock(); _state = s; lock.broadcast(); lock.unlock()
        emit(.stateChanged(s))
    }

    /// Applies one command on the training thread. Returns false if the run must stop.
    private func apply(_ c: TrainingCommand) -> Bool {
        switch c {
        case .set(let change):
            do {
                if case .learningRate(let v) = change { optimizer.lr = v } else {
                    try optimizer.setOption(change.optionName, .number(change.value))
                }
                lock.lock()
                let step = _globalStep + 1
                _history.changes.append(HyperparameterChange(step: step, change: change))
                lock.unlock()
                emit(.hyperparameterChanged(change, step: step))
            } catch {
                emit(.message("\(change.optionName): \(error)"))
            }
        case .pause:
            if state == .running { setState(.paused(reason: nil)) }
        case .resume:
            if case .paused = state { setState(.running) }
        case .stop:
            return false
        case .perform(let body):
            body(self)
        }
        return true
    }

    /// Drains the inbox; while paused, waits for commands. Returns false to stop.
    private func boundary() -> Bool {
        if sharesCommandsAcrossRanks, let group = distributed?.group, group.isDistributed {
            return sharedBoundary(group)
        }
        while true {
            lock.lock()
            while inbox.isEmpty, case .paused = _state { lock.wait() }
            let cmds = inbox
            inbox.removeAll()
            lock.unlock()
            for (i, c) in cmds.enumerated() where !apply(c) {
                // Stopping: what came after the stop is applied once the run has ended.
                lock.lock()
                inbox.insert(contentsOf: cmds[(i + 1)...], at: 0)
                lock.unlock()
                return false
            }
            if case .paused = state { continue }
            return true
        }
    }

    /// `boundary()` of a distributed run whose commands come from rank 0: each
    /// pass broadcasts rank 0's pending commands and every rank applies them;
    /// while paused the ranks meet every 100 ms until rank 0 resumes or stops.
    private func sharedBoundary(_ group: any ProcessGroup) -> Bool {
        // Every rank takes the same path: the loop ends on the shared state alone.
        while true {
            lock.lock()
            if case .paused = _state, inbox.isEmpty, unsharedCommands.isEmpty {
                _ = lock.wait(until: Date(timeIntervalSinceNow: 0.1))
            }
            let cmds = inbox
            inbox.removeAll()
            lock.unlock()
            for c in cmds {
                if case .perform = c { _ = apply(c) } else if group.rank == 0, let r = RemoteCommand(c) { unsharedCommands.append(r) }
            }
            let (shared, sent) = CommandBroadcast.exchange(unsharedCommands, over: group)
            unsharedCommands.removeFirst(min(sent, unsharedCommands.count))
            for c in shared where !apply(c.command) { return false }
            if case .paused = state { continue }
            return true
        }
    }

    private func run() {
        do { try task.validate(model) } catch {
            return setState(.failed("\(error)"))
        }
        emit(.started(RunPlan(epochs: epochs, stepsPerEpoch: train.count, trainSamples: train.samples,
                              validationSamples: val?.samples ?? 0, batchSize: batchSize,
                              startEpoch: startEpoch, startStep: globalStep)))
        emit(.stateChanged(.running))
        for epoch in startEpoch..<max(startEpoch, epochs) {
            let epochStart = DispatchTime.now().uptimeNanoseconds
            model.train()
            let first = epoch == startEpoch ? startBatch : 0
            var restored = task.makeMeter()
            if first > 0, let saved = resumeMeterState {
                do { try restored.restore(checkpointState: saved) } catch {
                    emit(.message("epoch \(epoch + 1) resumed at step \(first + 1): its training metrics count from here (\(error))"))
                }
            }
            var windowStart = epochStart, windowSamples = 0
            var rate = 0.0
            var step = first, seen = 0
            lock.lock()
            meter = restored
            epochStartRandomState = train.generator?.state
            batchInEpoch = first
            inEpoch = true
            lock.unlock()
            let next = train.makeIterator(epoch, from: first)
            while true {
                let batch: Batch?
                do { batch = try next() } catch { return fail("reading training data: \(error)") }
                guard let batch else { break }
                if !boundary() { return setState(.stopped) }
                step += 1
                optimizer.zeroGrad()
                distributed?.beforeForward()
                let out: (output: Tensor, loss: Tensor)
                do { out = try task.forward(model, batch) } catch { return fail("\(error)") }
                let local = Double(out.loss.item())
                // Distributed: the mean over the ranks (NaN on every rank if any rank's is), so all agree.
                let lv = distributed?.averageLoss(local) ?? local
                if !lv.isFinite {
                    setState(.paused(reason: "loss is \(lv) at epoch \(epoch + 1) step \(step); the step was not applied — lower the learning rate and resume, or stop"))
                    lock.lock(); batchInEpoch = step; lock.unlock()
                    if !boundary() { return setState(.stopped) }
                    continue
                }
                distributed?.prepareForBackward()
                out.loss.backward()
                distributed?.finishGradientSync()
                let stepLR = optimizer.lr
                optimizer.step()
                if schedulerStepsPerBatch { scheduler?.step(metric: nil) }
                lock.lock()
                _globalStep += 1
                let g = _globalStep
                meter.add(output: out.output, batch: batch, loss: local)
                batchInEpoch = step
                lock.unlock()
                windowSamples += batch.count
                seen += batch.count
                let now = DispatchTime.now().uptimeNanoseconds
                if now - windowStart > 500_000_000 || rate == 0 {
                    rate = Double(windowSamples * worldSize) / (Double(now - windowStart) / 1e9)
                    windowStart = now
                    windowSamples = 0
                }
                recorder.append(step: g, loss: lv, lr: stepLR)
                emit(.step(StepInfo(epoch: epoch + 1, step: step, stepsPerEpoch: train.count, globalStep: g,
                                    loss: lv, lr: stepLR, samplesPerSecond: rate)))
            }
            let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
            lock.lock(); let local = meter.values(); lock.unlock()
            let trained = distributed?.group.reduceMeans(local, samples: seen) ?? local
            seen *= worldSize
            var validation: [String: Double]?
            if let val {
                if !boundary() { return setState(.stopped) }
                do { validation = try evaluate(val, split: "validation", epoch: epoch).values } catch {
                    return fail("reading validation data: \(error)")
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
            let summary = EpochSummary(epoch: epoch + 1, train: trained, validation: validation,
                                       samplesPerSecond: Double(seen) / Swift.max(trainSeconds, 1e-9),
                                       seconds: seconds, lr: optimizer.lr)
            // After validation, before `.epochEnded`: a checkpoint saved there holds the stepped scheduler.
            if !schedulerStepsPerBatch { scheduler?.step(metric: validation?["loss"] ?? trained["loss"]) }
            lock.lock()
            _history.epochs.append(summary)
            inEpoch = false
            batchInEpoch = 0
            lock.unlock()
            emit(.epochEnded(summary))
        }
        if let test {
            if !boundary() { return setState(.stopped) }
            let r: Evaluation
            do { r = try evaluate(test, split: "test", epoch: epochs) } catch {
                return fail("reading test data: \(error)")
            }
            lock.lock(); _history.test = r; lock.unlock()
            emit(.evaluated(r))
        }
        setState(.finished)
    }

    /// The task's loss and metrics over `source`, in eval mode without grad
    /// (the model's mode is restored afterwards). Call it on the training
    /// thread (`.perform`) while a run is active.
    public func evaluate(_ source: BatchSource, split: String, epoch: Int = 0) throws -> Evaluation {
        try Self.evaluate(model: model, task: task, source: source, split: split, epoch: epoch, group: distributed?.group)
    }

    /// Ranks taking part (1 without `distributed`).
    private var worldSize: Int { distributed?.group.worldSize ?? 1 }

    /// Fails the run; a distributed run cannot continue without this rank, so the job ends.
    private func fail(_ message: String) {
        if let group = distributed?.group { group.abort(message) }
        setState(.failed(message))
    }

    /// `model`'s loss and metrics over `source` for `task`, in eval mode without grad.
    /// With a `group`, `source` is this rank's shard and the result is reduced over the ranks.
    /// `onBatch` sees each batch with the model's output (per-sample views such as the
    /// TUI's misclassification gallery, a progress bar), in the source's order.
    public static func evaluate(model: Module, task: any TrainingTask, source: BatchSource, split: String,
                                epoch: Int = 0, group: (any ProcessGroup)? = nil,
                                onBatch: ((_ output: Tensor, _ batch: Batch) -> Void)? = nil) throws -> Evaluation {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        var meter = task.makeMeter()
        var samples = 0
        try noGrad {
            let next = source.makeIterator(epoch)
            while let batch = try next() {
                let out = try task.forward(model, batch)
                meter.add(output: out.output, batch: batch, loss: Double(out.loss.item()))
                onBatch?(out.output, batch)
                samples += batch.count
            }
        }
        var values = meter.values()
        let loss = values.removeValue(forKey: "loss") ?? .nan
        let e = Evaluation(split: split, loss: loss, metrics: values, confusion: meter.confusion, samples: samples)
        return group?.reduce(e) ?? e
    }
}

extension Evaluation {
    /// The metrics with `loss` included, as `EpochSummary` stores them.
    var values: [String: Double] { metrics.merging(["loss": loss]) { a, _ in a } }
}
