import Foundation

/// An error from the data pipeline: a missing or malformed file, a bad
/// argument, a failed download, a loader timeout.
///
/// The message names the thing (a file, an argument, a transform) and what
/// was expected, e.g. `data_batch_3.bin: 30729999 bytes is not a whole number
/// of 3073-byte records (1 label byte + 3072 pixel bytes)`.
public struct DataError: TensorsError, Equatable, Sendable {
    /// What kind of failure this is, for callers that branch on it.
    public enum Kind: String, Sendable {
        /// A constructor or call argument is out of range or inconsistent.
        case invalidArgument
        /// A file or archive member is absent.
        case notFound
        /// A file exists but its content is not what was expected.
        case badFormat
        /// Reading or writing failed at the operating-system level.
        case io
        /// A download failed or its checksum did not match.
        case download
        /// A dataset index is outside `0..<count`.
        case indexOutOfRange
        /// A DataLoader worker did not deliver a batch in time.
        case timeout
        /// A transform got an input it cannot handle.
        case transform
    }

    /// What kind of failure (or member) this is.
    public var kind: Kind
    /// The full message, naming the thing and what was expected.
    public var message: String

    /// An error of `kind` with a message naming the thing and what was expected.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
