import Foundation

/// An error from the data pipeline: a missing or malformed file, a bad
/// argument, a failed download, a loader timeout.
///
/// The message names the thing (a file, an argument, a transform) and what
/// was expected, e.g. `data_batch_3.bin: 30729999 bytes is not a whole number
/// of 3073-byte records (1 label byte + 3072 pixel bytes)`.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
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

    public var description: String { message }
}

extension DataError: LocalizedError {
    public var errorDescription: String? { message }
}

/// Formats a Swift array of numbers like a Python tuple: `(0.5, 0.5)`, `(4,)`.
func pythonTuple<T>(_ values: [T]) -> String {
    if values.count == 1 { return "(\(values[0]),)" }
    return "(" + values.map { "\($0)" }.joined(separator: ", ") + ")"
}

/// Formats a Float like Python's `repr` of a float (`0.5`, `1.0`, `0.2023`).
func pythonFloat(_ v: Float) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), abs(v) < 1e16 { return String(format: "%.1f", Double(v)) }
    return "\(v)"
}

/// Formats a Double like Python's `repr` of a float.
func pythonFloat(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), abs(v) < 1e16 { return String(format: "%.1f", v) }
    return "\(v)"
}
