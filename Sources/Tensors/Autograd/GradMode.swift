import Foundation

/// Per-thread switch for gradient recording, like `torch.no_grad()`.
///
/// Each thread has its own mode: the UI thread may evaluate a model without
/// grad while the training thread records a graph.
public enum GradMode {
    final class State { var enabled = true }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { ptr in if let ptr { Unmanaged<State>.fromOpaque(ptr).release() } }
        return k
    }()

    @inline(__always)
    static var state: State {
        if let p = pthread_getspecific(key) { return Unmanaged<State>.fromOpaque(p).takeUnretainedValue() }
        let s = State()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// Whether ops on this thread record autograd nodes.
    public static var isEnabled: Bool {
        get { state.enabled }
        set { state.enabled = newValue }
    }
}

/// Runs `body` without recording gradients on this thread, like `with torch.no_grad():`.
@discardableResult
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    try withGradMode(false, body)
}

/// Runs `body` with gradient recording on or off, like `torch.set_grad_enabled`.
@discardableResult
public func withGradMode<T>(_ enabled: Bool, _ body: () throws -> T) rethrows -> T {
    let s = GradMode.state
    let old = s.enabled
    s.enabled = enabled
    defer { s.enabled = old }
    return try body()
}
