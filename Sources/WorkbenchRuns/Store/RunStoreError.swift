import Foundation
import Tensors

/// A problem with the run store a user can cause: an unreadable file, an unknown or ambiguous id.
public struct RunStoreError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
