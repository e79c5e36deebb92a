import Foundation

/// Records the per-step training loss for checkpoints, in bounded space: at most
/// `capacity` points; when full, neighbouring points merge (step-weighted mean) and each
/// point covers twice as many steps. Thread-safe (the training thread appends, the
/// session queue reads).
public final class StepLossRecorder: @unchecked Sendable {
    private struct Point {
        var step: Int
        var loss: Double
        var lr: Double
        var count: Int
    }

    /// Most points kept.
    public let capacity: Int
    private let lock = NSLock()
    private var points: [Point] = []
    /// Steps per full point.
    private var bucket = 1
    private var pending: Point?
    private var stepsPerEpoch = 0

    /// `capacity` is rounded up to an even number of at least 2.
    public init(capacity: Int = 2000) {
        self.capacity = max(2, capacity + capacity % 2)
    }

    /// Starts over, optionally from a saved series cut after step `upTo` (a resumed run
    /// repeats the steps after its last complete epoch).
    public func reset(from saved: StepLossSeries? = nil, upTo: Int = 0, stepsPerEpoch spe: Int) {
        lock.lock()
        defer { lock.unlock() }
        points = []
        pending = nil
        bucket = 1
        stepsPerEpoch = spe
        guard let s = saved else { return }
        var previous = 0
        for i in s.steps.indices where s.steps[i] <= upTo && i < s.losses.count && i < s.learningRates.count {
            let n = max(1, s.steps[i] - previous)
            points.append(Point(step: s.steps[i], loss: s.losses[i], lr: s.learningRates[i], count: n))
            bucket = max(bucket, n)
            previous = s.steps[i]
        }
        while points.count >= capacity { merge() }
    }

    /// Adds the loss of global step `step`.
    public func append(step: Int, loss: Double, lr: Double) {
        lock.lock()
        defer { lock.unlock() }
        var p = pending ?? Point(step: step, loss: 0, lr: lr, count: 0)
        p.loss = (p.loss * Double(p.count) + loss) / Double(p.count + 1)
        p.count += 1
        p.step = step
        p.lr = lr
        if p.count >= bucket {
            points.append(p)
            pending = nil
            if points.count >= capacity { merge() }
        } else {
            pending = p
        }
    }

    private func merge() {
        var merged: [Point] = []
        merged.reserveCapacity(points.count / 2 + 1)
        var i = 0
        while i + 1 < points.count {
            let a = points[i], b = points[i + 1]
            let n = a.count + b.count
            merged.append(Point(step: b.step, loss: (a.loss * Double(a.count) + b.loss * Double(b.count)) / Double(n), lr: b.lr, count: n))
            i += 2
        }
        if i < points.count { merged.append(points[i]) }
        points = merged
        bucket *= 2
    }

    /// The series so far (nil when nothing was recorded), the open bucket included.
    public var series: StepLossSeries? {
        lock.lock()
        defer { lock.unlock() }
        let all = points + (pending.map { [$0] } ?? [])
        guard !all.isEmpty else { return nil }
        return StepLossSeries(steps: all.map(\.step), losses: all.map(\.loss), learningRates: all.map(\.lr), stepsPerEpoch: stepsPerEpoch)
    }

    /// A saved series as step records (epochs from its steps per epoch; no throughput).
    public static func steps(_ s: StepLossSeries?) -> [StepInfo] {
        guard let s else { return [] }
        let n = min(s.steps.count, s.losses.count, s.learningRates.count)
        let spe = s.stepsPerEpoch
        return (0..<n).map { i in
            let g = s.steps[i]
            return StepInfo(epoch: spe > 0 ? (g - 1) / spe + 1 : 1, step: spe > 0 ? (g - 1) % spe + 1 : g,
                            stepsPerEpoch: spe, globalStep: g, loss: s.losses[i], lr: s.learningRates[i], samplesPerSecond: 0)
        }
    }
}
