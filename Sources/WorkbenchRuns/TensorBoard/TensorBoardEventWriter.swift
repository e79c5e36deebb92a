import Foundation

/// Writes a TensorBoard event file of scalars: `events.out.tfevents.<time>.<host>` in a
/// folder, TFRecord-framed (`uint64 length`, masked CRC-32C of the length, the `Event`
/// bytes, masked CRC-32C of the bytes), starting with the `brain.Event:2` version event.
///
/// `Event` fields: `wall_time` 1 (double), `step` 2 (int64), `file_version` 3 (string),
/// `summary` 5; `Summary.value` 1 (repeated); `Summary.Value`: `tag` 1, `simple_value` 2
/// (float) — tensorflow/core/util/event.proto and framework/summary.proto.
public final class TensorBoardEventWriter {
    /// The event file.
    public let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    /// Creates `directory` if needed and a new event file in it, stamped `wallTime`.
    public init(directory: URL, wallTime: Double = Date().timeIntervalSince1970,
                host: String = ProcessInfo.processInfo.hostName) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var name = "events.out.tfevents.\(Int(wallTime)).\(host)"
        var n = 1
        while FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            n += 1
            name = "events.out.tfevents.\(Int(wallTime)).\(host).\(n)"
        }
        url = directory.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw RunStoreError("cannot create the TensorBoard event file \(url.path)")
        }
        handle = try FileHandle(forWritingTo: url)
        var e = ProtobufWriter()
        e.double(1, wallTime)
        e.string(3, "brain.Event:2")
        append(e.bytes)
        try flush()
    }

    deinit { try? handle.close() }

    /// Appends one scalar (`tag`, e.g. `train/loss`, at `step`).
    public func scalar(_ tag: String, _ value: Double, step: Int, wallTime: Double = Date().timeIntervalSince1970) {
        var v = ProtobufWriter()
        v.string(1, tag)
        v.float(2, Float(value))
        var summary = ProtobufWriter()
        summary.bytes(1, v.bytes)
        var e = ProtobufWriter()
        e.double(1, wallTime)
        e.int64(2, Int64(step))
        e.bytes(5, summary.bytes)
        append(e.bytes)
    }

    /// Writes buffered events to the file.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    public func close() throws {
        try flush()
        try handle.close()
    }

    private func append(_ record: [UInt8]) {
        let length = withUnsafeBytes(of: UInt64(record.count).littleEndian) { Array($0) }
        buffer += length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { buffer += $0 }
        buffer += record
        withUnsafeBytes(of: CRC32C.masked(record).littleEndian) { buffer += $0 }
    }
}
