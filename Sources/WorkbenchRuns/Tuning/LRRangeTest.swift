import Foundation
import Tensors

/// The learning-rate range test (Smith 2015, fastai's `lr_find`): train from a tiny
/// learning rate, multiplying it by a constant factor after every step up to `maxLR`,
/// and record the loss. The suggested rate is where the smoothed loss falls fastest
/// (the steepest negative slope against log lr); the test stops early when the loss
/// diverges (smoothed loss above `divergence` × its best).
public struct LRRangeTest: Equatable, Sendable {
    /// One step of the sweep.
    public struct Point: Equatable, Sendable {
        public var step: Int
        public var lr: Double
        public var loss: Double
        /// Debiased EMA of the loss (TensorBoard's smoothing).
        public var smoothed: Double
    }

    /// What the sweep found.
    public struct Result: Equatable, Sendable {
        public var points: [Point]
        /// The learning rate at the steepest descent, nil when the curve never falls.
        public var suggested: Double?
        /// Whether the loss diverged before `maxLR`.
        public var diverged: Bool
    }

    public var minLR: Double
    public var maxLR: Double
    public var steps: Int
    /// EMA weight of the previous value (0.98 as fastai).
    public var smoothing: Double
    public var divergence: Double

    /// A sweep from `minLR` to `maxLR` over `steps` steps; the error names the bad value.
    public init(minLR: Double = 1e-7, maxLR: Double = 10, steps: Int = 100, smoothing: Double = 0.98,
                divergence: Double = 4) throws {
        guard minLR.isFinite, minLR > 0 else { throw TrainingSetupError("--min-lr must be a positive number, got \(minLR)") }
        guard maxLR.isFinite, maxLR > minLR else { throw TrainingSetupError("--max-lr must be above --min-lr (\(minLR)), got \(maxLR)") }
        guard steps >= 5 else { throw TrainingSetupError("--steps must be at least 5, got \(steps)") }
        guard smoothing >= 0, smoothing < 1 else { throw TrainingSetupError("smoothing must be in [0, 1), got \(smoothing)") }
        self.minLR = minLR
        self.maxLR = maxLR
        self.steps = steps
        self.smoothing = smoothing
        self.divergence = divergence
    }

    /// The learning rate of step `i` (0-based): `minLR · (maxLR/minLR)^(i/(steps-1))`.
    public func lr(at i: Int) -> Double { minLR * pow(maxLR / minLR, Double(i) / Double(steps - 1)) }

    /// Runs the sweep on `engine` (built with `lr(at: 0)`), observing it; blocks until done.
    public func run(on engine: TrainingEngine) -> Result {
        let lock = NSLock()
        var points: [Point] = []
        var avg = 0.0, weight = 0.0, best = Double.infinity
        var diverged = false
        let token = engine.observe { event in
            switch event {
            case .step(let s):
                lock.lock()
                defer { lock.unlock() }
                guard points.count < self.steps else { return }
                if s.loss.isFinite {
                    avg = self.smoothing * avg + (1 - self.smoothing) * s.loss
                    weight = self.smoothing * weight + (1 - self.smoothing)
                }
                let sm = weight > 0 ? avg / weight : s.loss
                points.append(Point(step: points.count + 1, lr: s.lr, loss: s.loss, smoothed: sm))
                best = min(best, sm)
                if !s.loss.isFinite || (points.count > 5 && sm > self.divergence * best) {
                    diverged = true
                    engine.send(.stop)
                } else if points.count >= self.steps {
                    engine.send(.stop)
                } else {
                    engine.send(.set(.learningRate(self.lr(at: points.count))))
                }
            case .stateChanged(.paused(_?)):
                lock.lock(); diverged = true; lock.unlock()
                engine.send(.stop)
            default:
                break
            }
        }
        engine.start()
        engine.waitUntilDone()
        engine.removeObserver(token)
        lock.lock(); defer { lock.unlock() }
        return Result(points: points, suggested: Self.suggest(points), diverged: diverged)
    }

    /// The lr at the steepest descent of the smoothed loss against log10(lr), ignoring the
    /// first tenth of the sweep (the EMA warms up) and the points after the minimum.
    ///
    /// The slope is taken across a window of ±1/20 of the sweep (at least one point each
    /// side), not between neighbours, so step-to-step noise in a flat stretch cannot win; and
    /// there is no suggestion unless the smoothed loss falls by at least `minimumDrop` (1 %) of
    /// its value where the search starts — on a sweep too short to show a real descent (e.g.
    /// 100 steps of LeNet5 on CIFAR-10 at batch 16) the flat part is only noise.
    public static func suggest(_ points: [Point], minimumDrop: Double = 0.01) -> Double? {
        guard points.count >= 5 else { return nil }
        let finite = points.filter { $0.smoothed.isFinite && $0.lr > 0 }
        guard let minIndex = finite.indices.min(by: { finite[$0].smoothed < finite[$1].smoothed }) else { return nil }
        let start = max(1, finite.count / 10)
        guard minIndex > start else { return nil }
        let reference = finite[start].smoothed
        guard reference - finite[minIndex].smoothed >= minimumDrop * abs(reference) else { return nil }
        let w = max(1, finite.count / 20)
        var bestSlope = 0.0, bestLR: Double?
        for i in start...minIndex {
            let lo = max(start - 1, i - w), hi = min(minIndex, i + w)
            let dx = log10(finite[hi].lr) - log10(finite[lo].lr)
            guard dx > 0 else { continue }
            let slope = (finite[hi].smoothed - finite[lo].smoothed) / dx
            if slope < bestSlope { bestSlope = slope; bestLR = finite[i].lr }
        }
        return bestLR
    }
}
