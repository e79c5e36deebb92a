/// An invalid optimizer or scheduler argument, or a state dict that does not fit.
///
/// The message follows PyTorch's wording (`Invalid learning rate: -1.0`), so a
/// CLI or TUI can show it to the user as is.
public struct OptimizerError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
