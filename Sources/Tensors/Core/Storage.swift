import Foundation
import Synchronization

/// A flat, owned buffer of `Float` shared by a tensor and all of its views.
///
/// A storage with `isMeta == true` holds no memory: tensors on it carry only a
/// shape. Meta tensors let a model check the shapes of a forward pass without
/// computing anything (see `ShapeCheck`).
public final class Storage: @unchecked Sendable {
    /// First element of the buffer. Reading it first runs a deferred fill,
    /// so every reader sees the values (see `DeferredFill`).
    public var pointer: UnsafeMutablePointer<Float> {
        if isDeferred { DeferredFill.run(self) }
        return base
    }
    /// The buffer's address without running a deferred fill (for the fill itself).
    let base: UnsafeMutablePointer<Float>
    /// Whether the values are still to be computed by `fill`. Read without the lock on
    /// every access, so atomic: a reader on another thread that sees `false` (acquiring)
    /// also sees the values the fill wrote (ThreadSanitizer flagged the plain Bool).
    var isDeferred: Bool { deferred.load(ordering: .acquiring) }
    private let deferred = Atomic<Bool>(false)
    /// Writes the values into `base` (set while `isDeferred`).
    private var fill: ((UnsafeMutablePointer<Float>) -> Void)?
    /// Number of floats in the buffer.
    public let count: Int
    /// True for the shared placeholder of meta tensors (no data).
    public let isMeta: Bool
    /// Bumped by every in-place write; autograd uses it to detect a saved
    /// tensor that was modified after it was saved.
    /// Pending deferred fills run before any in-place write, so a deferred
    /// result never sees its inputs modified after the op that produced it.
    public internal(set) var version: Int = 0 {
        willSet { DeferredFill.flushAll() }
    }
    /// Whether the values are integer counts kept as Float (PyTorch int64
    /// buffers such as BatchNorm's `num_batches_tracked`); safetensors
    /// files store such tensors as `I64`.
    public internal(set) var isIntegral = false

    /// An uninitialised buffer of `count` floats.
    public init(count: Int) {
        self.count = count
        isMeta = false
        base = StoragePool.take(count) ?? UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
    }

    /// A storage filled with zeros.
    public convenience init(zeros count: Int) {
        self.init(count: count)
        pointer.initialize(repeating: 0, count: count)
    }

    private init(meta: Void) {
        count = 0
        isMeta = true
        base = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    }

    static let meta = Storage(meta: ())

    /// The whole buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    deinit {
        if isMeta || !StoragePool.give(base, count) { base.deallocate() }
    }

    /// Makes the values the result of `fill`, run on first access (a fresh storage only).
    func deferFill(_ fill: @escaping (UnsafeMutablePointer<Float>) -> Void) {
        self.fill = fill
        deferred.store(true, ordering: .releasing)
    }

    /// Runs the pending fill; the caller holds `DeferredFill.lock`.
    func runFill() {
        guard isDeferred, let fill else { return }
        self.fill = nil
        fill(base)
        deferred.store(false, ordering: .releasing)
    }
}

/// Keeps large freed buffers for reuse by the next storage of the same size.
///
/// Why: glibc serves allocations above 32 MiB with a fresh `mmap`, so every
/// new large tensor pays a page fault per 4 KiB page on first touch (a 16M
/// element add spent ~85% of its time zeroing pages in the kernel). Training
/// loops allocate the same shapes every step, so exact-size reuse removes
/// that cost. Only buffers of at least `minimumCount` floats are kept, at most
/// `capacityBytes` in total (when full, buffers of other sizes are freed
/// first); `releaseCached()` returns them all to the system (like
/// `torch.cuda.empty_cache()`). Thread-safe.
public enum StoragePool {
    /// Buffers smaller than this many floats (1 MiB) go straight back to malloc.
    public static let minimumCount = 1 << 18
    /// Upper bound on pooled memory: 1/8 of physical memory, at most 2 GiB.
    public static let capacityBytes = Swift.min(Int(ProcessInfo.processInfo.physicalMemory / 8), 2 << 30)

    private static let lock = NSLock()
    nonisolated(unsafe) private static var buffers: [Int: [UnsafeMutablePointer<Float>]] = [:]
    nonisolated(unsafe) private static var pooledBytes = 0

    /// Bytes currently held for reuse.
    public static var cachedBytes: Int {
        lock.lock(); defer { lock.unlock() }
        return pooledBytes
    }

    static func take(_ count: Int) -> UnsafeMutablePointer<Float>? {
        guard count >= minimumCount else { return nil }
        lock.lock(); defer { lock.unlock() }
        guard let p = buffers[count]?.popLast() else { return nil }
        pooledBytes -= count * MemoryLayout<Float>.stride
        return p
    }

    static func give(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) -> Bool {
        guard count >= minimumCount else { return false }
        let bytes = count * MemoryLayout<Float>.stride
        guard bytes <= capacityBytes else { return false }
        lock.lock(); defer { lock.unlock() }
        // When full, drop buffers of other sizes first: the pool follows the
        // shapes the program uses now, not those of an earlier phase.
        while pooledBytes + bytes > capacityBytes,
              let other = buffers.first(where: { $0.key != count && !$0.value.isEmpty })?.key,
              let victim = buffers[other]?.popLast() {
            victim.deallocate()
            pooledBytes -= other * MemoryLayout<Float>.stride
            if buffers[other]?.isEmpty == true { buffers[other] = nil }
        }
        guard pooledBytes + bytes <= capacityBytes else { return false }
        buffers[count, default: []].append(pointer)
        pooledBytes += bytes
        return true
    }

    /// Frees every cached buffer.
    public static func releaseCached() {
        lock.lock(); defer { lock.unlock() }
        for list in buffers.values { for p in list { p.deallocate() } }
        buffers = [:]
        pooledBytes = 0
    }
}
