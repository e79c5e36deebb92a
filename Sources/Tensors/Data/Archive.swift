import CZlib
import Foundation

// Streaming readers for the archives datasets ship in: plain files, gzip
// (inflated in-process with zlib) and tar (parsed in-process). Nothing is
// extracted to disk: a dataset reads an archive member straight into memory.

/// A forward-only stream of bytes.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer` and returns how many were
    /// read; returns 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
    /// Reads until `buffer` is full or the stream ends; returns the number of bytes read.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads the rest of the stream into an array.
    public func readAll() throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}

/// The bytes of a file, read with POSIX `read(2)`.
public final class FileSource: ByteSource {
    /// The path the file was opened with.
    public let path: String
    /// The file's size in bytes when it was opened.
    public let size: Int
    private let fd: Int32

    /// Opens `path` for reading.
    /// - Throws: `DataError` (`.notFound` or `.io`) naming the path.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let err = errno
            if err == ENOENT { throw DataError(.notFound, "\(path): no such file") }
            throw DataError(.io, "\(path): cannot open (\(String(cString: strerror(err))))")
        }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let err = errno
            close(fd)
            throw DataError(.io, "\(path): cannot stat (\(String(cString: strerror(err))))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw DataError(.badFormat, "\(path): is a directory, expected a file")
        }
        self.fd = fd
        size = Int(st.st_size)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Foundation.read(fd, base, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw DataError(.io, "\(path): read failed (\(String(cString: strerror(errno))))")
        }
    }

    deinit { close(fd) }
}

/// Bytes from an in-memory array.
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    /// Reads from a copy of `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = Swift.min(buffer.count, bytes.count - position)
        if n <= 0 { return 0 }
        bytes.withUnsafeBytes { src in
            guard let d = buffer.baseAddress, let s = src.baseAddress else { return }
            d.copyMemory(from: s + position, byteCount: n)
        }
        position += n
        return n
    }
}

/// The decompressed bytes of a gzip (or zlib) stream, inflated with zlib as
/// they are read. Concatenated gzip members are read as one stream. The
/// gzip trailer's CRC-32 and length are checked by zlib at the end.
public final class GzipSource: ByteSource {
    private let source: ByteSource
    private let name: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 1 << 20
    private var inputEOF = false
    private var finished = false
    /// Compressed bytes consumed so far (for progress reporting).
    public private(set) var compressedBytesRead = 0

    /// Wraps `source`; `name` (a file name) is used in error messages.
    public init(_ source: ByteSource, name: String) throws {
        self.source = source
        self.name = name
        // zlib keeps a pointer back to the z_stream: it must never move.
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = UnsafeMutablePointer<UInt8>.allocate(capacity: inputCapacity)
        // 15 + 32: maximum window, detect a gzip or zlib header automatically.
        let rc = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if rc != Z_OK {
            stream.deallocate()
            input.deallocate()
            throw DataError(.io, "\(name): zlib could not start (inflateInit2 returned \(rc))")
        }
    }

    private func refill() throws {
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: input, count: inputCapacity))
        if n == 0 { inputEOF = true }
        compressedBytesRead += n
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(n)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        let want = Swift.min(buffer.count, Int(UInt32.max))
        stream.pointee.next_out = base.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(want)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && !inputEOF { try refill() }
            if stream.pointee.avail_in == 0 && inputEOF {
                throw DataError(.badFormat, "\(name): truncated gzip stream (the file ends before the compressed data does)")
            }
            let rc = inflate(stream, Z_NO_FLUSH)
            if rc == Z_STREAM_END {
                // Another gzip member may follow (concatenated .gz files).
                if stream.pointee.avail_in == 0 && !inputEOF { try refill() }
                if stream.pointee.avail_in == 0 {
                    finished = true
                    break
                }
                if stream.pointee.next_in.pointee != 0x1f {
                    // Trailing garbage (often zero padding) after the last member: stop here.
                    finished = true
                    break
                }
                inflateReset(stream)
                continue
            }
            if rc == Z_OK { continue }
            if rc == Z_BUF_ERROR {
                if stream.pointee.avail_in == 0 && !inputEOF { continue }
                throw DataError(.badFormat, "\(name): truncated gzip stream (the file ends before the compressed data does)")
            }
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
            throw DataError(.badFormat, "\(name): corrupt gzip data (\(detail))")
        }
        return want - Int(stream.pointee.avail_out)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }
}

/// Whether `path` starts with the gzip magic bytes 1f 8b.
func fileIsGzip(_ path: String) -> Bool {
    guard let f = try? FileSource(path: path) else { return false }
    var magic: [UInt8] = [0, 0]
    let n = (try? magic.withUnsafeMutableBytes { try f.readFully(into: $0) }) ?? 0
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
}

/// Opens a file as a byte stream, inflating it if it is gzip-compressed.
public func openMaybeGzip(path: String) throws -> ByteSource {
    let file = try FileSource(path: path)
    if fileIsGzip(path) { return try GzipSource(file, name: (path as NSString).lastPathComponent) }
    return file
}

/// One member of a tar archive.
public struct TarEntry: Sendable, Equatable {
    /// The member's type (from the tar type flag).
    public enum Kind: Sendable, Equatable {
        case file, directory, symlink, other
    }

    /// The member's path inside the archive (`cifar-10-batches-bin/data_batch_1.bin`).
    public var name: String
    /// The content size in bytes.
    public var size: Int
    /// What kind of failure (or member) this is.
    public var kind: Kind
}

/// Reads a tar archive (ustar, GNU long names, pax path/size records) from a
/// byte stream, one member at a time, without touching the disk.
///
/// ```swift
/// let tar = TarReader(try GzipSource(FileSource(path: p), name: "a.tar.gz"), archiveName: "a.tar.gz")
/// while let entry = try tar.next() {
///     if entry.name.hasSuffix(".txt") { print(String(decoding: try tar.readEntry(), as: UTF8.self)) }
/// }
/// ```
public final class TarReader {
    private let source: ByteSource
    /// The archive's name, used in error messages.
    public let archiveName: String
    /// The current member.
    public private(set) var current: TarEntry?
    private var remaining = 0
    private var padding = 0
    private var ended = false
    /// True once the end-of-archive marker (a zero block) was seen.
    public private(set) var sawEndMarker = false

    /// Reads the archive from `source`; `archiveName` is used in error messages.
    public init(_ source: ByteSource, archiveName: String) {
        self.source = source
        self.archiveName = archiveName
    }

    private func skip(_ count: Int) throws -> Int {
        var left = count
        var scratch = [UInt8](repeating: 0, count: Swift.min(count, 1 << 16))
        while left > 0 {
            let n = try scratch.withUnsafeMutableBytes { buf in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[0..<Swift.min(left, buf.count)]))
            }
            if n == 0 { break }
            left -= n
        }
        return count - left
    }

    private func readBlock(_ block: inout [UInt8]) throws -> Int {
        try block.withUnsafeMutableBytes { try source.readFully(into: $0) }
    }

    /// Advances to the next member (skipping what is left of the current one);
    /// nil at the end of the archive.
    public func next() throws -> TarEntry? {
        if ended { return nil }
        if let cur = current {
            let want = remaining + padding
            if want > 0, try skip(want) < want {
                throw DataError(.badFormat, "\(archiveName): archive is truncated inside '\(cur.name)' (expected \(cur.size) bytes)")
            }
            current = nil
            remaining = 0
            padding = 0
        }
        var longName: String?
        var paxPath: String?
        var paxSize: Int?
        var block = [UInt8](repeating: 0, count: 512)
        while true {
            let n = try readBlock(&block)
            if n == 0 {
                ended = true
                return nil
            }
            if n < 512 {
                throw DataError(.badFormat, "\(archiveName): archive is truncated (a 512-byte tar header block is cut short)")
            }
            if block.allSatisfy({ $0 == 0 }) {
                ended = true
                sawEndMarker = true
                return nil
            }
            try verifyChecksum(block)
            let type = block[156]
            var size = try parseNumber(block, 124, 12, field: "size")
            if let s = paxSize { size = s }
            let contentPadding = (512 - size % 512) % 512
            var name = field(block, 0, 100)
            if block[257..<262].elementsEqual("ustar".utf8) {
                let prefix = field(block, 345, 155)
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"), UInt8(ascii: "g"):
                // Metadata members: read their content, then continue with the real header.
                guard size <= 1 << 20 else {
                    throw DataError(.badFormat, "\(archiveName): tar metadata record of \(size) bytes is implausibly large")
                }
                var content = [UInt8](repeating: 0, count: size)
                let got = try content.withUnsafeMutableBytes { try source.readFully(into: $0) }
                let skipped = try skip(contentPadding)
                if got < size || skipped < contentPadding {
                    throw DataError(.badFormat, "\(archiveName): archive is truncated inside a tar metadata record")
                }
                if type == UInt8(ascii: "L") {
                    longName = String(decoding: content.prefix { $0 != 0 }, as: UTF8.self)
                } else if type == UInt8(ascii: "x") {
                    for (key, value) in parsePax(content) {
                        if key == "path" { paxPath = value }
                        if key == "size", let s = Int(value) { paxSize = s }
                    }
                }
                continue
            default:
                break
            }
            if let l = longName { name = l }
            if let p = paxPath { name = p }
            let kind: TarEntry.Kind
            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "2"): kind = .symlink
            default: kind = .other
            }
            let entrySize = (kind == .file || kind == .other) ? size : 0
            let entry = TarEntry(name: name, size: entrySize, kind: kind)
            current = entry
            remaining = entrySize
            padding = entrySize == 0 ? 0 : (512 - entrySize % 512) % 512
            return entry
        }
    }

    /// Reads content of the current member; returns 0 at its end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let cur = current, remaining > 0 else { return 0 }
        let want = Swift.min(remaining, buffer.count)
        let n = try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        if n < want {
            throw DataError(.badFormat, "\(archiveName): archive is truncated inside '\(cur.name)' (expected \(cur.size) bytes, got \(cur.size - remaining + n))")
        }
        remaining -= n
        return n
    }

    /// Reads the whole content of the current member.
    public func readEntry() throws -> [UInt8] {
        guard current != nil else { return [] }
        var out = [UInt8](repeating: 0, count: remaining)
        let source = entrySource()
        _ = try out.withUnsafeMutableBytes { try source.readFully(into: $0) }
        return out
    }

    /// The current member's content as a `ByteSource`.
    public func entrySource() -> ByteSource { TarEntrySource(self) }

    private func field(_ b: [UInt8], _ start: Int, _ len: Int) -> String {
        let slice = b[start..<(start + len)]
        let end = slice.firstIndex(of: 0) ?? slice.endIndex
        return String(decoding: b[start..<end], as: UTF8.self)
    }

    private func parseNumber(_ b: [UInt8], _ start: Int, _ len: Int, field name: String) throws -> Int {
        if b[start] & 0x80 != 0 {
            // GNU base-256 encoding for large values.
            var v = Int(b[start] & 0x7f)
            for i in (start + 1)..<(start + len) { v = (v << 8) | Int(b[i]) }
            return v
        }
        var v = 0
        var seenDigit = false
        for i in start..<(start + len) {
            let c = b[i]
            if c == 0 || (c == 0x20 && seenDigit) { break }
            if c == 0x20 { continue }
            guard c >= 0x30 && c <= 0x37 else {
                throw DataError(.badFormat, "\(archiveName): not a tar archive (header field '\(name)' is not an octal number)")
            }
            v = v * 8 + Int(c - 0x30)
            seenDigit = true
        }
        return v
    }

    private func verifyChecksum(_ b: [UInt8]) throws {
        let stored = try parseNumber(b, 148, 8, field: "chksum")
        var unsigned = 0
        var signed = 0
        for i in 0..<512 {
            let c = (i >= 148 && i < 156) ? UInt8(0x20) : b[i]
            unsigned += Int(c)
            signed += Int(Int8(bitPattern: c))
        }
        if stored != unsigned && stored != signed {
            throw DataError(.badFormat, "\(archiveName): not a tar archive or corrupt (header checksum \(stored) does not match the computed \(unsigned))")
        }
    }

    private func parsePax(_ content: [UInt8]) -> [(String, String)] {
        var out: [(String, String)] = []
        var i = 0
        while i < content.count {
            guard let sp = content[i...].firstIndex(of: 0x20),
                  let len = Int(String(decoding: content[i..<sp], as: UTF8.self)), len > 0,
                  i + len <= content.count else { break }
            let record = content[(sp + 1)..<(i + len - 1)]
            if let eq = record.firstIndex(of: UInt8(ascii: "=")) {
                out.append((String(decoding: record[record.startIndex..<eq], as: UTF8.self),
                            String(decoding: record[(eq + 1)...], as: UTF8.self)))
            }
            i += len
        }
        return out
    }
}

/// The content of the current member of a `TarReader`.
final class TarEntrySource: ByteSource {
    let tar: TarReader
    init(_ tar: TarReader) { self.tar = tar }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try tar.read(into: buffer) }
}
