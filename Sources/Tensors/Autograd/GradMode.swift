import Foundation

/// Per-thread switch for gradient recording, like `torch.no_grad()`.
///
/// Each thread has its own mode: the UI thread may evaluate a model without
/// grad while the training thread records a graph.
public enum GradMode {
    final class State { var enabled = true }

    private static let local = ThreadLocal { State() }

    @inline(__always)
    static var state: State { local.value }

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
