import Foundation

/// An error thrown by the Tensors library, whose message is its `description`.
///
/// Every error type of the library conforms (`DataError`, `OptimizerError`,
/// `SafetensorsError`, `ShapeError`, …), so `"\(error)"` and
/// `error.localizedDescription` print the same one-line message naming the
/// thing and what was expected, and a caller can catch any of them at once:
///
/// ```swift
/// do { try model.loadStateDict(Safetensors.load(from: url)) }
/// catch let e as TensorsError { print("error: \(e)") }
/// ```
public protocol TensorsError: Error, CustomStringConvertible, LocalizedError {}

extension TensorsError {
    /// The message, for `localizedDescription`.
    public var errorDescription: String? { description }
}
