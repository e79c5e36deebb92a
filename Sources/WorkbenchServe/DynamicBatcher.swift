import Foundation
import Tensors

/// Runs inference requests in batches: requests that arrive within
/// `maxDelay` of the first waiting one are stacked into one forward pass of
/// up to `maxBatch` samples (a larger request runs on its own).
///
/// `workers` threads each take a batch and run it, so with several workers
/// batches run in parallel. A request still queued after its deadline fails
/// with a timeout instead of running. `close()` lets queued requests finish
/// and then stops the threads (graceful shutdown).
public final class DynamicBatcher: @unchecked Sendable {
    /// Why a request did not run.
    public enum Failure: Error, Sendable {
        /// It waited longer than the timeout.
        case timedOut
        /// The batcher was closed before it ran.
        case closed
        /// The model rejected the input.
        case model(String)
        /// The queue already held `maxQueue` requests.
        case overloaded(Int)
    }

    struct Pending {
        var input: Tensor
        var deadline: Date
        var done: @Sendable (Result<Tensor, Failure>) -> Void
    }

    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var closed = false
    private var running = 0
    private var predictor: Predictor
    private let maxBatch: Int
    private let maxDelay: TimeInterval
    private let maxQueue: Int
    private var threads: [Thread] = []
    private let idleRelease: IdleRelease
    private var releases = 0
    /// How many times a worker gave memory back after a batch (see `IdleRelease`).
    public var memoryReleases: Int {
        condition.lock()
        defer { condition.unlock() }
        return releases
    }
    /// Called with each batch's sample count (metrics).
    public var onBatch: (@Sendable (Int, TimeInterval) -> Void)?

    /// A batcher over `predictor`; starts `workers` threads. At most `maxQueue`
    /// requests wait at once: a further one fails with `.overloaded` at once.
    public init(predictor: Predictor, maxBatch: Int, maxDelayMs: Double, workers: Int, maxQueue: Int = .max,
                idleRelease: IdleRelease = IdleRelease()) {
        self.predictor = predictor
        self.idleRelease = idleRelease
        self.maxBatch = Swift.max(1, maxBatch)
        self.maxQueue = Swift.max(1, maxQueue)
        maxDelay = Swift.max(0, maxDelayMs) / 1000
        for i in 0..<Swift.max(1, workers) {
            let t = Thread { [weak self] in self?.loop() }
            t.name = "workbench-infer-\(i)"
            threads.append(t)
            t.start()
        }
    }

    /// The model currently served.
    public var current: Predictor {
        condition.lock()
        defer { condition.unlock() }
        return predictor
    }

    /// Swaps in a new model; queued and later requests use it, batches already running finish with the old one.
    public func replace(with newPredictor: Predictor) {
        condition.lock()
        predictor = newPredictor
        condition.unlock()
    }

    /// Runs `input` ([n, …inputShape]) in the next batch; returns its rows of the output.
    public func submit(_ input: Tensor, timeout: TimeInterval) async throws -> Tensor {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Tensor, Error>) in
            enqueue(input, timeout: timeout) { result in
                switch result {
                case .success(let t): c.resume(returning: t)
                case .failure(let f): c.resume(throwing: f)
                }
            }
        }
    }

    func enqueue(_ input: Tensor, timeout: TimeInterval, done: @escaping @Sendable (Result<Tensor, Failure>) -> Void) {
        condition.lock()
        if closed {
            condition.unlock()
            done(.failure(.closed))
            return
        }
        if queue.count >= maxQueue {
            condition.unlock()
            done(.failure(.overloaded(maxQueue)))
            return
        }
        queue.append(Pending(input: input, deadline: Date().addingTimeInterval(timeout), done: done))
        condition.broadcast()
        condition.unlock()
    }

    /// Stops taking requests, runs the queued ones, and waits for the worker threads to finish.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while !queue.isEmpty || running > 0 { condition.wait() }
        condition.unlock()
    }

    /// When a worker gives memory back: after a batch, once no request has come for `seconds`,
    /// it keeps at most `workspaceBytes` of free scratch workspace and trims the malloc heap
    /// (`MemoryTuning.releaseFreeMemory`). A batch of 64 through a VGG-sized model leaves
    /// hundreds of MB of freed activations and workspace behind; under steady load the queue
    /// is never idle that long, so the steady state pays nothing.
    public struct IdleRelease: Sendable {
        /// Idle time after a batch before memory is given back.
        public var seconds: TimeInterval
        /// Free workspace kept for the next batch.
        public var workspaceBytes: Int

        /// After `seconds` (0.5) idle, keep `workspaceBytes` (16 MiB).
        public init(seconds: TimeInterval = 0.5, workspaceBytes: Int = 16 << 20) {
            self.seconds = seconds
            self.workspaceBytes = workspaceBytes
        }
    }

    private func loop() {
        var ranSinceRelease = false
        while true {
            condition.lock()
            while queue.isEmpty && !closed {
                guard ranSinceRelease else { condition.wait(); continue }
                if !condition.wait(until: Date().addingTimeInterval(idleRelease.seconds)), queue.isEmpty, !closed {
                    ranSinceRelease = false
                    releases += 1
                    condition.unlock()
                    MemoryTuning.releaseFreeMemory(keepingWorkspaceBytes: idleRelease.workspaceBytes)
                    condition.lock()
                }
            }
            if queue.isEmpty && closed {
                condition.unlock()
                return
            }
            // Wait for more requests until the batch is full or the first one has waited maxDelay.
            let firstArrival = Date()
            while !closed, rows(queue) < maxBatch {
                let until = firstArrival.addingTimeInterval(maxDelay)
                if Date() >= until || !condition.wait(until: until) { break }
            }
            var batch: [Pending] = []
            var count = 0
            while let next = queue.first, batch.isEmpty || count + next.input.shape[0] <= maxBatch {
                batch.append(queue.removeFirst())
                count += next.input.shape[0]
            }
            let model = predictor
            running += 1
            condition.unlock()

            run(batch, model)
            ranSinceRelease = true

            condition.lock()
            running -= 1
            condition.broadcast()
            condition.unlock()
        }
    }

    private func rows(_ q: [Pending]) -> Int { q.reduce(0) { $0 + $1.input.shape[0] } }

    private func run(_ batch: [Pending], _ model: Predictor) {
        let now = Date()
        let shape = model.inputShape
        let live = batch.filter { p in
            if p.deadline < now { p.done(.failure(.timedOut)); return false }
            // A reload may change the input shape; mixed shapes must not reach `cat`.
            if Array(p.input.shape.dropFirst()) != shape {
                p.done(.failure(.model("input of shape \(p.input.shape): expected [N, \(shape.map(String.init).joined(separator: ", "))]")))
                return false
            }
            return true
        }
        guard !live.isEmpty else { return }
        let start = Date()
        do {
            let input = live.count == 1 ? live[0].input : Tensor.cat(live.map(\.input), dim: 0)
            let out = try model.run(input)
            var row = 0
            for p in live {
                let n = p.input.shape[0]
                p.done(.success(out.narrow(0, start: row, length: n).contiguous()))
                row += n
            }
            onBatch?(input.shape[0], Date().timeIntervalSince(start))
        } catch {
            for p in live { p.done(.failure(.model("\(error)"))) }
        }
    }
}
