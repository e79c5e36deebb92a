import Foundation

/// One `Value` object per thread, made on first use on that thread and
/// released when the thread exits.
///
/// Backs the per-thread modes of the library (grad mode, shape checking,
/// meta construction, the running-module stack), so a training thread and the
/// UI thread never see each other's state. Hold one in a `static let`.
final class ThreadLocal<Value: AnyObject>: @unchecked Sendable {
    private var key = pthread_key_t()
    private let make: () -> Value

    /// A slot whose per-thread value starts as `make()`.
    init(_ make: @escaping () -> Value) {
        self.make = make
        pthread_key_create(&key) { ptr in
            if let ptr { Unmanaged<AnyObject>.fromOpaque(ptr).release() }
        }
    }

    /// This thread's value.
    @inline(__always)
    var value: Value {
        if let p = pthread_getspecific(key) { return Unmanaged<Value>.fromOpaque(p).takeUnretainedValue() }
        let v = make()
        pthread_setspecific(key, Unmanaged.passRetained(v).toOpaque())
        return v
    }
}
