import Crypto
import Foundation
import Tensors

/// Records one run into a `RunStore` from a `TrainingEngine`'s events: the single
/// writer of that run.
///
/// The engine calls observers on its training thread, so `record(_:)` only appends
/// to a buffer under a lock; a serial background queue writes the buffer in one
/// transaction every `batchSize` steps, every `flushInterval` seconds, and at each
/// epoch end, evaluation and state change. Training never waits for SQLite.
///
/// ```swift
/// let recorder = try RunRecorder(store: store, config: config, task: "classification", source: "cli")
/// recorder.attach(to: engine)
/// engine.start(); engine.waitUntilDone()
/// recorder.close()
/// ```
public final class RunRecorder: @unchecked Sendable {
    /// The run being written.
    public let run: RunSummary
    /// The store written to.
    public let store: RunStore
    /// Steps buffered before a write.
    public let batchSize: Int
    /// Seconds between writes while steps arrive.
    public let flushInterval: Double

    private let queue = DispatchQueue(label: "workbench.runs.writer", qos: .utility)
    private let lock = NSLock()
    private var pending: [RunRecord] = []
    private var pendingSteps = 0
    private var lastFlush = Date().timeIntervalSince1970
    private var globalStep = 0
    private var epoch = 0
    private var ended = false
    private var pauseReason: String?
    private var firstError: String?
    private var observerToken: (engine: TrainingEngine, token: Int)?

    /// Begins a run in `store` (status `running`, this process as its writer).
    public init(store: RunStore, config: TrainingConfig, task: String, source: String, name: String? = nil,
                classes: [String] = [], batchSize: Int = 256, flushInterval: Double = 1.0) throws {
        self.store = store
        self.batchSize = max(1, batchSize)
        self.flushInterval = flushInterval
        run = try store.beginRun(config: config, task: task, source: source, name: name, classes: classes)
    }

    /// The run's id.
    public var runId: String { run.id }

    /// The first write error, if any (recording goes on; training is never stopped by it).
    public var error: String? { lock.lock(); defer { lock.unlock() }; return firstError }

    /// Observes `engine` until `close()`.
    public func attach(to engine: TrainingEngine) {
        let token = engine.observe { [weak self] event in self?.record(event) }
        lock.lock(); observerToken = (engine, token); lock.unlock()
    }

    /// Takes one engine event (called on the training thread).
    public func record(_ event: TrainingEvent) {
        let now = Date().timeIntervalSince1970
        var flush = false
        lock.lock()
        switch event {
        case .started(let plan):
            globalStep = plan.startStep
            epoch = plan.startEpoch
            if ended {
                ended = false
                pending.append(.reopen(runId: run.id))
                flush = true
            }
        case .step(let s):
            globalStep = s.globalStep
            epoch = s.epoch
            pending.append(.step(StepRecord(runId: run.id, step: s.globalStep, epoch: s.epoch, loss: s.loss, lr: s.lr,
                                            wallTime: now)))
            pendingSteps += 1
            flush = pendingSteps >= batchSize || now - lastFlush >= flushInterval
        case .epochEnded(let e):
            epoch = e.epoch
            pending.append(.epoch(EpochRecord(runId: run.id, epoch: e.epoch, step: globalStep, train: Self.json(e.train),
                                              validation: e.validation.map(Self.json), lr: e.lr, seconds: e.seconds,
                                              samplesPerSecond: e.samplesPerSecond, wallTime: now)))
            flush = true
        case .hyperparameterChanged(let h, let step):
            pending.append(.change(HyperparameterChangeRecord(runId: run.id, step: step, name: h.optionName, value: h.value,
                                                              wallTime: now)))
            flush = true
        case .evaluated(let r):
            let metrics = Self.json(r.metrics)
            pending.append(.evaluation(EvaluationRecord(runId: run.id, step: globalStep, split: r.split, loss: r.loss,
                                                        metrics: metrics, samples: r.samples, wallTime: now,
                                                        confusion: r.confusion.flatMap { try? JSONEncoder().encode($0) }
                                                            .map { String(decoding: $0, as: UTF8.self) })))
            if r.split == "test" { pending.append(.test(runId: run.id, loss: r.loss, metrics: metrics)) }
            flush = true
        case .stateChanged(let state):
            let end: (RunStatus, String?)?
            switch state {
            case .finished: end = (.finished, nil)
            // A stop after a NaN/Inf pause is a failure, with the engine's reason.
            case .stopped: end = pauseReason.map { (.failed, $0) } ?? (.stopped, nil)
            case .failed(let m): end = (.failed, m)
            case .paused(let reason?): pauseReason = reason; end = nil
            case .running: pauseReason = nil; end = nil
            default: end = nil
            }
            if let (status, message) = end, !ended {
                ended = true
                pending.append(.end(runId: run.id, status: status, message: message, endedAt: now))
            }
            flush = true
        case .message:
            break
        }
        lock.unlock()
        if flush { scheduleFlush() }
    }

    /// Records a file the run wrote (checkpoint, weights) with its SHA-256, computed off the training thread.
    public func recordArtifact(kind: String, path: String) {
        lock.lock(); let step = globalStep; lock.unlock()
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let id = run.id
        queue.async { [self] in
            do {
                let data = try Data(contentsOf: url)
                let hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
                try store.write([.artifact(ArtifactRecord(runId: id, kind: kind, path: url.path, sha256: hash,
                                                          bytes: Int64(data.count), step: step,
                                                          wallTime: Date().timeIntervalSince1970))])
            } catch {
                noteError("artifact \(path): \(error)")
            }
        }
    }

    /// Marks the run ended with `status` unless an end was already recorded (a CLI failure before training).
    public func end(_ status: RunStatus, message: String? = nil) {
        lock.lock()
        if !ended {
            ended = true
            pending.append(.end(runId: run.id, status: status, message: message, endedAt: Date().timeIntervalSince1970))
        }
        lock.unlock()
        scheduleFlush()
    }

    /// Writes everything buffered and waits for it; stops observing the engine.
    public func close() {
        lock.lock()
        let obs = observerToken
        observerToken = nil
        lock.unlock()
        if let obs { obs.engine.removeObserver(obs.token) }
        scheduleFlush()
        queue.sync {}
    }

    /// Waits until everything recorded so far is written.
    public func flush() {
        scheduleFlush()
        queue.sync {}
    }

    private func scheduleFlush() {
        lock.lock()
        let batch = pending
        pending = []
        pendingSteps = 0
        lastFlush = Date().timeIntervalSince1970
        lock.unlock()
        guard !batch.isEmpty else { return }
        queue.async { [self] in
            do { try store.write(batch) } catch { noteError("\(error)") }
        }
    }

    private func noteError(_ message: String) {
        lock.lock()
        if firstError == nil { firstError = message }
        lock.unlock()
    }

    static func json(_ d: [String: Double]) -> String {
        let finite = d.mapValues { $0.isFinite ? $0 : 0 }.filter { d[$0.key]?.isFinite == true }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return (try? enc.encode(finite)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
