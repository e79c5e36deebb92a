import Foundation

/// Results computed on first read: the mechanism behind fusions that look
/// ahead (see `ConvPeephole`).
///
/// An op may return a tensor whose storage is allocated but not yet written,
/// with a closure that writes it (`Tensor(deferred:fill:)`). The next op can
/// then see the pending result and compute its own output from the deferred
/// op's inputs in one fused kernel (a convolution pooled straight from its GEMM
/// output) without the intermediate ever being written. Anything else that
/// reads the values goes through `Storage.pointer`, which runs the fill first,
/// so a deferred tensor behaves like an eager one for every reader.
///
/// Why it stays exact: the fill keeps its inputs alive, and every in-place
/// write (`Storage.version` bump: optimizer steps, `add_`, init, ...) first
/// runs all pending fills (`flushAll`), so a fill never sees an input modified
/// after the op was called. Fills run under one recursive lock, so a tensor
/// read from two threads is filled once; a fill reads only its own inputs,
/// whose pointers it takes on the filling thread before splitting work.
enum DeferredFill {
    /// Whether results are deferred at all (`WORKBENCH_DEFER=0` computes every
    /// result at once: the unfused conv → relu → pool path, for measurements).
    static let isEnabled = ProcessInfo.processInfo.environment["WORKBENCH_DEFER"] != "0"

    /// Held while a fill runs (recursive: a fill may read another deferred tensor).
    static let lock = NSRecursiveLock()
    /// Storages with a pending fill (weak: a deferred result nobody reads is freed unfilled).
    nonisolated(unsafe) private static var pending: [WeakStorage] = []

    private final class WeakStorage {
        weak var storage: Storage?
        init(_ s: Storage) { storage = s }
    }

    /// Registers `storage` (fresh, unread) as filled by `fill` on first access.
    static func register(_ storage: Storage, _ fill: @escaping (UnsafeMutablePointer<Float>) -> Void) {
        lock.lock(); defer { lock.unlock() }
        storage.deferFill(fill)
        if pending.count >= 16 { pending.removeAll { $0.storage?.isDeferred != true } }
        pending.append(WeakStorage(storage))
    }

    /// Runs `storage`'s pending fill (no-op when another thread already did).
    static func run(_ storage: Storage) {
        lock.lock(); defer { lock.unlock() }
        storage.runFill()
    }

    /// Runs every pending fill (before an in-place write).
    static func flushAll() {
        lock.lock(); defer { lock.unlock() }
        if pending.isEmpty { return }
        let live = pending.compactMap { $0.storage }
        pending.removeAll()
        for s in live { s.runFill() }
    }
}

extension Tensor {
    /// A contiguous tensor of `shape` whose values `fill` writes on first read.
    convenience init(deferred shape: [Int], fill: @escaping (UnsafeMutablePointer<Float>) -> Void) {
        self.init(uninitialized: shape)
        if DeferredFill.isEnabled {
            DeferredFill.register(storage, fill)
        } else {
            fill(storage.base)
        }
    }

    /// Whether the values are still to be computed (see `DeferredFill`).
    var isDeferred: Bool { storage.isDeferred }
}
