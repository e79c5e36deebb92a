import Foundation

/// Data-parallel training of one model replica per process, like PyTorch's
/// `DistributedDataParallel`.
///
/// At creation every parameter and buffer is broadcast from rank 0, so all
/// replicas start equal. Each step, gradients are averaged over the ranks
/// with allreduce in **buckets**: parameters in reverse registration order
/// (roughly the order backward produces their gradients), a first bucket of
/// `firstBucketBytes` (1 MiB, as PyTorch) and then `bucketBytes` (25 MiB).
/// A post-accumulate-grad hook on each parameter copies its gradient into its
/// bucket; a full bucket starts its allreduce at once, on the process
/// group's communication thread, while backward continues with the layers
/// below. `finishGradientSync()` waits for the rest and writes the averages
/// back into `.grad`. Buckets start in index order on every rank (MPI
/// matches collectives by order).
///
/// The engine calls, per step: `beforeForward()` (broadcasts rank 0's
/// buffers, like `broadcast_buffers=True`), forward, `averageLoss(_:)`,
/// `prepareForBackward()`, `backward()`, `finishGradientSync()`, then the
/// optimizer step — the same on every rank, so replicas stay identical.
///
/// ```swift
/// let ddp = DistributedDataParallel(model, group: group)
/// ddp.prepareForBackward(); loss.backward(); ddp.finishGradientSync()
/// optimizer.step()
/// ```
public final class DistributedDataParallel {
    /// The replica on this process.
    public let module: Module
    /// The processes taking part.
    public let group: any ProcessGroup
    /// Capacity of every bucket after the first, in bytes.
    public let bucketBytes: Int
    /// Capacity of the first bucket (the last layers' gradients), in bytes.
    public let firstBucketBytes: Int
    /// Broadcast rank 0's buffers (running statistics) before every forward.
    public var broadcastBuffers = true
    /// The buckets, in launch order.
    let buckets: [GradientBucket]
    private let slots: [ObjectIdentifier: (bucket: Int, slot: Int)]
    private var nextLaunch = 0
    private var hookTokens: [(Tensor, Int)] = []
    /// Communication totals since creation (or `resetStatistics()`).
    public private(set) var statistics = CommunicationStatistics()

    /// Wraps `module`: broadcasts its state from rank 0 and installs the gradient hooks.
    public init(_ module: Module, group: any ProcessGroup, bucketBytes: Int = 25 << 20, firstBucketBytes: Int = 1 << 20) {
        precondition(bucketBytes > 0 && firstBucketBytes > 0, "DistributedDataParallel: bucket sizes must be positive")
        self.module = module
        self.group = group
        self.bucketBytes = bucketBytes
        self.firstBucketBytes = firstBucketBytes
        var buckets: [GradientBucket] = []
        var slots: [ObjectIdentifier: (bucket: Int, slot: Int)] = [:]
        var current: [Tensor] = []
        var bytes = 0
        for p in module.parameters().reversed() where p.requiresGrad {
            let cap = buckets.isEmpty ? firstBucketBytes : bucketBytes
            if !current.isEmpty && bytes + p.count * 4 > cap {
                buckets.append(GradientBucket(current))
                current = []
                bytes = 0
            }
            slots[ObjectIdentifier(p)] = (buckets.count, current.count)
            current.append(p)
            bytes += p.count * 4
        }
        if !current.isEmpty { buckets.append(GradientBucket(current)) }
        self.buckets = buckets
        self.slots = slots
        Self.broadcastState(of: module, group: group)
        guard group.isDistributed else { return }
        for bucket in buckets {
            for p in bucket.params {
                let token = p.registerPostAccumulateGradHook { [unowned self] p in self.gradientReady(p) }
                hookTokens.append((p, token))
            }
        }
    }

    deinit {
        for (p, token) in hookTokens { p.removePostAccumulateGradHook(token) }
    }

    /// Copies rank 0's parameters and buffers into `module` on every rank.
    public static func broadcastState(of module: Module, group: any ProcessGroup) {
        guard group.isDistributed else { return }
        for t in module.parameters() + module.buffers() { group.broadcast(t) }
    }

    /// Broadcasts rank 0's buffers when `broadcastBuffers` (call before each forward).
    public func beforeForward() {
        guard group.isDistributed, broadcastBuffers else { return }
        for b in module.buffers() { group.broadcast(b) }
    }

    /// The mean of every rank's `loss` (NaN on all ranks if any rank's is not finite).
    public func averageLoss(_ loss: Double) -> Double {
        guard group.isDistributed else { return loss }
        var v = [loss]
        group.allReduceSum(&v)
        return v[0] / Double(group.worldSize)
    }

    /// Readies the buckets for the gradients of the coming backward pass.
    public func prepareForBackward() {
        nextLaunch = 0
        for b in buckets { b.reset() }
    }

    /// A parameter's gradient is complete: copy it into its bucket, start full buckets in order.
    private func gradientReady(_ p: Tensor) {
        guard let (b, s) = slots[ObjectIdentifier(p)] else { return }
        if buckets[b].fill(slot: s) { launchReady() }
    }

    private func launchReady() {
        while nextLaunch < buckets.count && buckets[nextLaunch].isFull {
            buckets[nextLaunch].launch(group)
            nextLaunch += 1
        }
    }

    /// Waits for every bucket's allreduce and writes the averaged gradients into
    /// `.grad` (parameters that got no gradient this step count as zero).
    public func finishGradientSync() {
        guard group.isDistributed else { return }
        let t0 = DispatchTime.now().uptimeNanoseconds
        for b in buckets { b.fillMissing() }
        launchReady()
        var comm = 0.0
        for b in buckets { comm += b.finish(scale: 1 / Float(group.worldSize)) }
        let waited = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        statistics.add(allreduceSeconds: comm, exposedSeconds: waited,
                       bytes: buckets.reduce(0) { $0 + $1.count * 4 }, buckets: buckets.count)
    }

    /// Starts the communication totals afresh.
    public func resetStatistics() { statistics = CommunicationStatistics() }

    /// Parameter counts per bucket, in launch order.
    public var bucketSizes: [Int] { buckets.map(\.count) }
}

/// Time spent averaging gradients, for benchmarks: how long the allreduces
/// took and how much of it the training thread waited for after backward.
public struct CommunicationStatistics: Sendable {
    /// Steps synchronised.
    public var steps = 0
    /// Total seconds the bucket allreduces took on the communication thread.
    public var allreduceSeconds = 0.0
    /// Seconds the training thread waited after backward (the part not hidden by overlap).
    public var exposedSeconds = 0.0
    /// Gradient bytes reduced per step.
    public var bytesPerStep = 0
    /// Buckets per step.
    public var bucketsPerStep = 0

    mutating func add(allreduceSeconds a: Double, exposedSeconds e: Double, bytes: Int, buckets: Int) {
        steps += 1
        allreduceSeconds += a
        exposedSeconds += e
        bytesPerStep = bytes
        bucketsPerStep = buckets
    }

    /// Fraction of allreduce time hidden behind backward (0…1).
    public var overlap: Double {
        allreduceSeconds > 0 ? Swift.max(0, Swift.min(1, 1 - exposedSeconds / allreduceSeconds)) : 0
    }
}

/// Gradients of a run of parameters, flattened into one buffer that one allreduce sums.
final class GradientBucket {
    let params: [Tensor]
    let offsets: [Int]
    let count: Int
    let base: UnsafeMutablePointer<Float>
    private var filled: [Bool]
    private var pending: Int
    private var work: (any CollectiveWork)?

    init(_ params: [Tensor]) {
        self.params = params
        var offsets: [Int] = [], n = 0
        for p in params { offsets.append(n); n += p.count }
        self.offsets = offsets
        count = n
        base = .allocate(capacity: Swift.max(n, 1))
        base.initialize(repeating: 0, count: Swift.max(n, 1))
        filled = [Bool](repeating: false, count: params.count)
        pending = params.count
    }

    deinit { base.deallocate() }

    /// The flattened gradients.
    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    var isFull: Bool { pending == 0 }

    func reset() {
        for i in filled.indices { filled[i] = false }
        pending = params.count
        work = nil
    }

    /// Copies parameter `slot`'s gradient (zeros without one); returns whether the bucket is now full.
    @discardableResult
    func fill(slot: Int) -> Bool {
        guard !filled[slot] else { return isFull }
        let p = params[slot], dst = base + offsets[slot]
        if let g = p.grad {
            let c = g.isContiguous ? g : g.contiguousCopy()
            dst.update(from: c.dataPointer, count: p.count)
        } else {
            dst.update(repeating: 0, count: p.count)
        }
        filled[slot] = true
        pending -= 1
        return isFull
    }

    /// Fills the slots whose hooks did not run this step.
    func fillMissing() {
        for s in filled.indices where !filled[s] { fill(slot: s) }
    }

    func launch(_ group: any ProcessGroup) {
        work = group.startAllReduceSum(buffer)
    }

    /// Waits for the allreduce, writes `scale` × the sums into the gradients; returns its seconds.
    func finish(scale: Float) -> Double {
        work?.wait()
        let seconds = work?.seconds ?? 0
        for (p, off) in zip(params, offsets) {
            let src = base + off
            let g: Tensor
            if let existing = p.grad, existing.isContiguous, existing.shape == p.shape {
                g = existing
            } else {
                g = Tensor(uninitialized: p.shape)
                p.grad = g
            }
            let d = g.dataPointer
            for i in 0..<p.count { d[i] = src[i] * scale }
            g.storage.version += 1
        }
        return seconds
    }
}
