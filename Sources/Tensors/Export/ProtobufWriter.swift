import Foundation

/// A write-only Protocol Buffers encoder: just enough of the wire format for
/// the ONNX messages we export (varints, 32-bit floats, length-delimited
/// strings, bytes and sub-messages).
///
/// Why not swift-protobuf: ONNX export writes six message types and never
/// reads one; a 100-line encoder needs no generated code (onnx.proto's is
/// about 5,000 lines), no protoc at build time and no new dependency.
/// Repeated scalars are written unpacked, which every protobuf parser accepts
/// (onnx.proto is proto2, where unpacked is the default).
///
/// ```swift
/// var w = ProtobufWriter()
/// w.int(1, 8)                 // field 1, varint 8
/// w.string(2, "workbench")    // field 2, length-delimited
/// w.message(7) { $0.int(1, 17) }
/// let bytes = w.bytes
/// ```
public struct ProtobufWriter {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty message.
    public init() {}

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wireType: UInt64) {
        varint(UInt64(field) << 3 | wireType)
    }

    /// An integer field (int32/int64/enum; negative values as 10-byte varints, as protobuf does).
    public mutating func int(_ field: Int, _ value: Int) {
        tag(field, 0)
        varint(UInt64(bitPattern: Int64(value)))
    }

    /// A `float` field (fixed 32-bit, little-endian).
    public mutating func float(_ field: Int, _ value: Float) {
        tag(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A length-delimited `bytes` field.
    public mutating func data(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) {
        data(field, Array(value.utf8))
    }

    /// A sub-message field, written by `body`.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) throws -> Void) rethrows {
        var inner = ProtobufWriter()
        try body(&inner)
        data(field, inner.bytes)
    }
}
