import Foundation

/// A shape or argument error raised by a tensor op, naming the op and the shapes.
///
/// ## How errors reach a caller
/// Tensor ops do not throw: PyTorch-style code (`relu(conv(x)) + y`) stays
/// readable, and a wrong shape inside a training step is a programming error
/// that stops the process with this message (like an uncaught `RuntimeError`).
///
/// Code that must not crash — the TUI, the training engine, the CLI checking
/// a model against a dataset — validates first: `ShapeCheck.run { ... }`
/// executes a forward pass on *meta* tensors (shapes only, no data, no
/// compute). Inside that scope an op that meets a bad shape records the error
/// instead of trapping and returns a meta placeholder; the scope then throws
/// the first error, with the module path that was running
/// (`Module.validate(inputShape:)` builds on this). The same shape rules run
/// in both modes, so a model that validates cannot fail on shapes later.
public struct ShapeError: TensorsError, Equatable, Sendable {
    /// The op that failed (`matmul`).
    public var op: String
    /// What was wrong, naming the shapes.
    public var message: String
    /// The module path (`features.3`) that was running when the error happened, if any.
    public var modulePath: String?

    /// An error of `op` with `message`.
    public init(op: String, _ message: String, modulePath: String? = nil) {
        self.op = op
        self.message = message
        self.modulePath = modulePath
    }

    /// `path: op: message`.
    public var description: String {
        if let p = modulePath, !p.isEmpty { return "\(p): \(op): \(message)" }
        return "\(op): \(message)"
    }
}

/// Per-thread shape-validation scope. See `ShapeError`.
public enum ShapeCheck {
    final class State {
        var depth = 0
        var firstError: ShapeError?
        var modulePath: [String] = []
    }

    private static let local = ThreadLocal { State() }

    static var state: State { local.value }

    /// True inside `ShapeCheck.run` on this thread.
    public static var isActive: Bool { state.depth > 0 }

    /// Runs `body` in validation mode and throws the first shape error it met.
    public static func run<T>(_ body: () throws -> T) throws -> T {
        let s = state
        s.depth += 1
        if s.depth == 1 { s.firstError = nil }
        defer { s.depth -= 1 }
        let result = try body()
        if s.depth == 1, let e = s.firstError { s.firstError = nil; throw e }
        return result
    }

    /// Reports an error: records it inside a validation scope, traps otherwise.
    public static func fail(_ error: ShapeError) {
        let s = state
        if s.depth > 0 {
            if s.firstError == nil {
                var e = error
                if e.modulePath == nil, !s.modulePath.isEmpty { e.modulePath = s.modulePath.joined(separator: ".") }
                s.firstError = e
            }
            return
        }
        fatalError(error.description)
    }

    /// Pushes a module name for error messages while `body` runs.
    public static func withModule<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let s = state
        s.modulePath.append(name)
        defer { s.modulePath.removeLast() }
        return try body()
    }

    /// The module path pushed by `withModule` on this thread (`features.3`).
    public static var currentModulePath: String { state.modulePath.joined(separator: ".") }
}

/// Checks `condition`; on failure reports `op: message` (trap, or record inside
/// `ShapeCheck.run`) and returns false so the op can return a placeholder.
@inline(__always)
func check(_ condition: @autoclosure () -> Bool, _ op: String, _ message: @autoclosure () -> String) -> Bool {
    if condition() { return true }
    ShapeCheck.fail(ShapeError(op: op, message()))
    return false
}
