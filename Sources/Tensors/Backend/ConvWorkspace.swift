import Foundation

/// A reusable float buffer from `Workspace`, returned to the pool when released.
///
/// Convolutions need large temporaries (im2col matrices, transposed
/// gradients). Allocating them per call costs page faults on every training
/// step; the pool hands the same memory back instead. A `ScratchBuffer` saved
/// by a backward closure stays checked out until the graph is freed.
final class ScratchBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let capacity: Int

    fileprivate init(pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        self.pointer = pointer
        self.capacity = capacity
    }

    deinit { Workspace.recycle(pointer: pointer, capacity: capacity) }
}

/// The pool of scratch memory behind `ScratchBuffer` (thread-safe).
enum Workspace {
    private static let lock = NSLock()
    /// Free blocks: (pointer, capacity).
    nonisolated(unsafe) private static var free: [(UnsafeMutablePointer<Float>, Int)] = []
    nonisolated(unsafe) private static var freeFloats = 0
    /// Free memory kept for reuse, in floats (256 MiB).
    static let retainLimit = 64 << 20
    /// Fresh allocations so far (no free block fitted): after warm-up a training or
    /// inference loop should add none (`WorkspaceAuditTests`).
    nonisolated(unsafe) private static var misses = 0

    /// Fresh allocations so far.
    static var missCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return misses
    }

    /// A buffer of at least `count` floats (contents undefined).
    static func acquire(_ count: Int) -> ScratchBuffer {
        lock.lock()
        // Smallest free block that fits and is not wastefully large.
        var best = -1
        for (i, b) in free.enumerated() where b.1 >= count && b.1 <= Swift.max(2 * count, count + 4096) {
            if best < 0 || b.1 < free[best].1 { best = i }
        }
        if best >= 0 {
            let (p, cap) = free.remove(at: best)
            freeFloats -= cap
            lock.unlock()
            return ScratchBuffer(pointer: p, capacity: cap)
        }
        misses += 1
        lock.unlock()
        return ScratchBuffer(pointer: .allocate(capacity: Swift.max(count, 1)), capacity: count)
    }

    fileprivate static func recycle(pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        lock.lock()
        defer { lock.unlock() }
        if capacity > retainLimit {
            pointer.deallocate()
            return
        }
        free.append((pointer, capacity))
        freeFloats += capacity
        dropOldest(keeping: retainLimit)
    }

    /// Bytes held in free blocks for reuse.
    static var retainedBytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return freeFloats * MemoryLayout<Float>.stride
    }

    /// Frees the oldest free blocks until at most `bytes` remain (buffers in use are not touched).
    static func trim(toBytes bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        dropOldest(keeping: Swift.max(0, bytes) / MemoryLayout<Float>.stride)
    }

    /// Drops the oldest free blocks beyond `floats` (the lock is held).
    private static func dropOldest(keeping floats: Int) {
        while freeFloats > floats, !free.isEmpty {
            let (p, c) = free.removeFirst()
            freeFloats -= c
            p.deallocate()
        }
    }
}

/// Process-wide allocator tuning: for training loops, and for servers between bursts.
public enum MemoryTuning {
    /// Bytes of free convolution and linear-layer scratch memory kept for reuse (at most 256 MiB).
    public static var retainedWorkspaceBytes: Int { Workspace.retainedBytes }

    /// Gives memory back to the system after a burst of large work, such as a served batch
    /// of 64 images: the scratch workspace keeps at most `keepingWorkspaceBytes` of free
    /// blocks, and glibc's `malloc_trim(0)` returns the free pages of every malloc arena
    /// (where batch-sized activations were freed). Costs a few milliseconds; call it when
    /// idle, not per request. Returns the retained workspace bytes afterwards.
    @discardableResult
    public static func releaseFreeMemory(keepingWorkspaceBytes: Int = 16 << 20) -> Int {
        Workspace.trim(toBytes: keepingWorkspaceBytes)
        typealias MallocTrimFn = @convention(c) (Int) -> Int32
        if let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, "malloc_trim") {
            _ = unsafeBitCast(sym, to: MallocTrimFn.self)(0)
        }
        return Workspace.retainedBytes
    }

    /// Keeps freed memory in the malloc heap instead of returning it to the
    /// system: glibc's `M_MMAP_THRESHOLD` = 32 MiB (tensors below that come
    /// from the heap, not a fresh `mmap`) and a 1 GiB `M_TRIM_THRESHOLD`.
    ///
    /// A training step frees and reallocates the same activation sizes every
    /// step; with glibc's defaults each one over 128 KiB is a new mapping whose
    /// pages fault in again (LeNet5 at batch 16: about a third of the step).
    /// The cost is that the process keeps its peak heap. Returns false where
    /// `mallopt` is unavailable (not glibc). Safe to call more than once.
    @discardableResult
    public static func retainFreedMemory() -> Bool {
        typealias MalloptFn = @convention(c) (Int32, Int32) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, "mallopt") else { return false }
        let mallopt = unsafeBitCast(sym, to: MalloptFn.self)
        let mTrimThreshold: Int32 = -1, mMmapThreshold: Int32 = -3  // glibc's <malloc.h> values
        let a = mallopt(mMmapThreshold, 32 << 20)
        let b = mallopt(mTrimThreshold, 1 << 30)
        return a == 1 && b == 1
    }
}
