import Foundation

/// A safetensors file that cannot be read or written, naming the file and the problem.
public struct SafetensorsError: TensorsError, Equatable, Sendable {
    /// The file (path) concerned.
    public var file: String
    /// What is wrong with it.
    public var message: String
    /// An error about `file`.
    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }
    /// `file: message`.
    public var description: String { "\(file): \(message)" }
}

/// Reads and writes the safetensors format, the weights format PyTorch users
/// share (`safetensors.torch.save_file` / `load_file`).
///
/// ## Layout
/// - 8 bytes: `N`, the header size, an unsigned 64-bit little-endian integer;
/// - `N` bytes: a UTF-8 JSON object starting with `{`:
///   `{"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}`,
///   padded with spaces so the data starts 8-byte aligned. `__metadata__` is
///   optional and maps strings to strings;
/// - the data: each tensor's elements row-major, little-endian, at
///   `data_offsets` (begin, one past the end) relative to the data section.
///   Tensors tile the data exactly: no overlap, no gap, nothing after.
///
/// Workbench writes `F32` in the caller's order. It reads every real dtype
/// (`F32`, `F16`, `BF16`, `F64`, `F8_E4M3`, `F8_E5M2`, `I64`, `I32`, `I16`,
/// `I8`, `U64`, `U32`, `U16`, `U8`, `BOOL`) and converts it to `Float` — for
/// instance BatchNorm's `num_batches_tracked` (`I64`). Reading validates
/// everything before touching data; a bad file gives a `SafetensorsError`.
///
/// ```swift
/// try Safetensors.save(model.stateDict(), metadata: ["format": "pt"], to: url)
/// let (tensors, metadata) = try Safetensors.load(from: url)
/// ```
public enum Safetensors {
    /// Element types of the format.
    public enum DType: String, CaseIterable, Sendable {
        case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
        case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
        case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
            case .i16, .u16, .f16, .bf16: return 2
            case .i32, .u32, .f32: return 4
            case .f64, .i64, .u64: return 8
            }
        }
    }

    /// Dtypes the spec defines that have no real-number conversion here.
    static let unsupportedDTypes: Set<String> = ["C64", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2"]

    /// The largest header accepted, as in the reference implementation (against hostile files).
    public static let maxHeaderSize = 100_000_000

    /// One tensor's entry in the header.
    public struct TensorInfo: Equatable, Sendable {
        /// The tensor's key (`features.0.weight`).
        public var name: String
        /// Element type as stored in the file.
        public var dtype: DType
        /// The tensor's shape (`[]` for a scalar).
        public var shape: [Int]
        /// Byte range in the data section.
        public var dataOffsets: Range<Int>
        /// Number of elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// A parsed header: tensors in data order, metadata, and where the data starts in the file.
    public struct Header: Sendable {
        /// The tensors, in data-section order.
        public var tensors: [TensorInfo]
        /// The `__metadata__` string map (empty when absent).
        public var metadata: [String: String]
        /// File offset of the data section (8 + header size).
        public var dataStart: Int
        /// Size of the data section in bytes.
        public var dataSize: Int
    }

    // MARK: Writing

    /// Writes `tensors` (as F32, or I64 for integral buffers such as
    /// `num_batches_tracked`; in this order) and optional metadata to `url`, atomically.
    ///
    /// Names must be unique and not `__metadata__`; meta tensors (no data) cannot be saved.
    public static func save(_ tensors: [(String, Tensor)], metadata: [String: String]? = nil, to url: URL) throws {
        let header = try makeHeader(tensors, metadata: metadata, file: url.path)
        try AtomicFile.write(to: url) { out in
            try out.write(header)
            for (_, t) in tensors { try writeTensor(t, to: out) }
        }
    }

    /// The complete file contents for `tensors`, in memory.
    public static func serialize(_ tensors: [(String, Tensor)], metadata: [String: String]? = nil) throws -> Data {
        var data = try makeHeader(tensors, metadata: metadata, file: "<memory>")
        for (_, t) in tensors {
            if t.storage.isIntegral { data.append(int64Bytes(t)); continue }
            t.withUnsafeBufferPointer { buf in appendLittleEndian(buf, to: &data) }
        }
        return data
    }

    /// The 8-byte size prefix and the padded JSON header.
    static func makeHeader(_ tensors: [(String, Tensor)], metadata: [String: String]?, file: String) throws -> Data {
        var names = Set<String>()
        var json = "{"
        var first = true
        if let metadata {
            json += "\"__metadata__\":{"
            json += metadata.keys.sorted().map { HeaderJSON.quote($0) + ":" + HeaderJSON.quote(metadata[$0] ?? "") }
                .joined(separator: ",")
            json += "}"
            first = false
        }
        var offset = 0
        for (name, t) in tensors {
            if name == "__metadata__" {
                throw SafetensorsError(file: file, "'__metadata__' is reserved and cannot name a tensor")
            }
            guard names.insert(name).inserted else {
                throw SafetensorsError(file: file, "duplicate tensor name '\(name)'")
            }
            if t.isMeta { throw SafetensorsError(file: file, "tensor '\(name)' is a meta tensor and has no data to save") }
            let integral = t.storage.isIntegral
            let bytes = t.count * (integral ? 8 : 4)
            if !first { json += "," }
            first = false
            json += HeaderJSON.quote(name) + ":{\"dtype\":\"" + (integral ? "I64" : "F32") + "\",\"shape\":["
            json += t.shape.map(String.init).joined(separator: ",")
            json += "],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            offset += bytes
        }
        json += "}"
        var header = Data(json.utf8)
        let padded = (header.count + 7) / 8 * 8
        header.append(contentsOf: [UInt8](repeating: 0x20, count: padded - header.count))
        var out = Data(capacity: 8 + header.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(header)
        return out
    }

    /// The values of an integral tensor as little-endian Int64s.
    static func int64Bytes(_ t: Tensor) -> Data {
        var d = Data(capacity: t.count * 8)
        for v in t.toArray() { withUnsafeBytes(of: Int64(v.rounded()).littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    /// Writes `t` as F32, or as I64 when its storage is integral.
    static func writeTensor(_ t: Tensor, to out: AtomicFile.Writer) throws {
        if t.storage.isIntegral { try out.write(int64Bytes(t)) } else { try writeF32(t, to: out) }
    }

    static func writeF32(_ t: Tensor, to out: AtomicFile.Writer) throws {
        try t.withUnsafeBufferPointer { buf in
            if isLittleEndianHost {
                try out.write(UnsafeRawBufferPointer(buf))
            } else {
                var d = Data()
                appendLittleEndian(buf, to: &d)
                try out.write(d)
            }
        }
    }

    static let isLittleEndianHost = UInt16(1).littleEndian == 1

    static func appendLittleEndian(_ buf: UnsafeBufferPointer<Float>, to data: inout Data) {
        if isLittleEndianHost {
            data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buf.baseAddress)?.assumingMemoryBound(to: UInt8.self),
                                            count: buf.count * 4))
        } else {
            for v in buf { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
    }

    // MARK: Reading

    /// Loads all tensors (converted to Float, in data order) and the metadata (empty if none).
    public static func load(from url: URL) throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafetensorsError(file: url.path, "cannot read the file: \(error.localizedDescription)")
        }
        return try load(data: data, file: url.path)
    }

    /// Loads tensors and metadata from the bytes of a file; `file` names it in errors.
    public static func load(data: Data, file: String = "<memory>") throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        guard data.count >= 8 else {
            throw SafetensorsError(file: file, "file too short (\(data.count) bytes) to be a safetensors file: it needs at least the 8-byte header size")
        }
        let n = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let headerSize = try checkedHeaderSize(n, fileSize: data.count, file: file)
        let header = try parseHeader(Array(data[data.startIndex + 8 ..< data.startIndex + 8 + headerSize]),
                                     dataSize: data.count - 8 - headerSize, file: file)
        var tensors: [(String, Tensor)] = []
        tensors.reserveCapacity(header.tensors.count)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            let dataBase = base + header.dataStart
            for info in header.tensors {
                let t = Tensor(shape: info.shape) { dst in
                    convert(dataBase + info.dataOffsets.lowerBound, info.dtype, into: dst)
                }
                tensors.append((info.name, t))
            }
        }
        return (tensors, header.metadata)
    }

    /// Reads and validates only the header of the file at `url` (cheap for large files).
    public static func readHeader(from url: URL) throws -> Header {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw SafetensorsError(file: url.path, "cannot open the file: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        do {
            let fileSize = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let prefix = try handle.read(upToCount: 8) ?? Data()
            guard prefix.count == 8 else {
                throw SafetensorsError(file: url.path, "file too short (\(fileSize) bytes) to be a safetensors file: it needs at least the 8-byte header size")
            }
            let n = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let headerSize = try checkedHeaderSize(n, fileSize: fileSize, file: url.path)
            let bytes = try handle.read(upToCount: headerSize) ?? Data()
            guard bytes.count == headerSize else {
                throw SafetensorsError(file: url.path, "the file ended inside the header")
            }
            return try parseHeader(Array(bytes), dataSize: fileSize - 8 - headerSize, file: url.path)
        } catch let e as SafetensorsError {
            throw e
        } catch {
            throw SafetensorsError(file: url.path, "cannot read the file: \(error.localizedDescription)")
        }
    }

    static func checkedHeaderSize(_ n: UInt64, fileSize: Int, file: String) throws -> Int {
        if n > UInt64(maxHeaderSize) {
            throw SafetensorsError(file: file, "header size \(n) is larger than the limit of \(maxHeaderSize) bytes")
        }
        let size = Int(n)
        if size > fileSize - 8 {
            throw SafetensorsError(file: file, "header size \(size) runs past the end of the file (\(fileSize) bytes)")
        }
        if size < 2 { throw SafetensorsError(file: file, "header size \(size) is too small to hold a JSON object") }
        return size
    }

    /// Parses and validates a header: JSON, dtypes, shapes, offsets and their tiling of the data.
    static func parseHeader(_ bytes: [UInt8], dataSize: Int, file: String) throws -> Header {
        func fail(_ m: String) -> SafetensorsError { SafetensorsError(file: file, m) }
        guard bytes.first == UInt8(ascii: "{") else {
            throw fail("the header does not start with '{' (not a safetensors file?)")
        }
        let root: HeaderJSON.Value
        do {
            root = try HeaderJSON.parse(bytes)
        } catch let e as HeaderJSON.ParseError {
            throw fail("invalid JSON header at byte \(8 + e.offset): \(e.message)")
        }
        guard case .object(let members) = root else { throw fail("the header is not a JSON object") }

        var metadata: [String: String] = [:]
        var infos: [TensorInfo] = []
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else { throw fail("__metadata__ must be an object of strings, found \(value.typeName)") }
                for (k, v) in pairs {
                    guard case .string(let s) = v else {
                        throw fail("__metadata__ value for '\(k)' must be a string, found \(v.typeName)")
                    }
                    metadata[k] = s
                }
                continue
            }
            guard case .object(let fields) = value else { throw fail("entry '\(name)' must be an object, found \(value.typeName)") }
            func field(_ key: String) -> HeaderJSON.Value? { fields.first { $0.key == key }?.value }

            guard case .string(let dtypeName)? = field("dtype") else { throw fail("tensor '\(name)' has no dtype string") }
            guard let dtype = DType(rawValue: dtypeName) else {
                if unsupportedDTypes.contains(dtypeName) {
                    throw fail("tensor '\(name)' has dtype \(dtypeName), which cannot be converted to Float")
                }
                throw fail("tensor '\(name)' has unknown dtype '\(dtypeName)'")
            }
            guard case .array(let dims)? = field("shape") else { throw fail("tensor '\(name)' has no shape array") }
            var shape: [Int] = []
            for d in dims {
                guard case .int(let v) = d, v >= 0 else { throw fail("tensor '\(name)' has an invalid shape: dimensions must be non-negative integers") }
                shape.append(v)
            }
            guard case .array(let offs)? = field("data_offsets"), offs.count == 2,
                  case .int(let begin) = offs[0], case .int(let end) = offs[1], begin >= 0, end >= begin else {
                throw fail("tensor '\(name)' has invalid data_offsets: expected [begin, end] with 0 <= begin <= end")
            }
            var count = 1
            for d in shape {
                let (m, o) = count.multipliedReportingOverflow(by: d)
                guard !o else { throw fail("tensor '\(name)' has shape \(shape) whose size overflows") }
                count = m
            }
            let (bytesNeeded, o) = count.multipliedReportingOverflow(by: dtype.size)
            guard !o else { throw fail("tensor '\(name)' has shape \(shape) whose size overflows") }
            if end - begin != bytesNeeded {
                throw fail("tensor '\(name)' with shape \(shape) and dtype \(dtypeName) needs \(bytesNeeded) bytes, but data_offsets [\(begin), \(end)] span \(end - begin)")
            }
            if end > dataSize {
                throw fail("tensor '\(name)' has data_offsets [\(begin), \(end)] beyond the end of the data (\(dataSize) bytes)")
            }
            infos.append(TensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end))
        }

        // Tensors must tile the data section: sorted by offset, each starts where the previous ended.
        infos.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var expected = 0
        var previous: String?
        for info in infos {
            let b = info.dataOffsets.lowerBound
            if b < expected {
                throw fail("tensors '\(previous ?? "")' and '\(info.name)' overlap (data_offsets begin at \(b), before \(expected))")
            }
            if b > expected {
                throw fail("gap in the data before tensor '\(info.name)' (bytes \(expected)..<\(b) belong to no tensor)")
            }
            expected = info.dataOffsets.upperBound
            previous = info.name
        }
        if expected != dataSize {
            throw fail("the data section has \(dataSize) bytes but the tensors cover \(expected)")
        }
        return Header(tensors: infos, metadata: metadata, dataStart: 8 + bytes.count, dataSize: dataSize)
    }

    // MARK: Conversion

    /// Decodes `dst.count` little-endian elements of `dtype` at `src` (any alignment) into Floats.
    static func convert(_ src: UnsafeRawPointer, _ dtype: DType, into dst: UnsafeMutableBufferPointer<Float>) {
        let n = dst.count
        @inline(__always) func u16(_ i: Int) -> UInt16 { UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        @inline(__always) func u32(_ i: Int) -> UInt32 { UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        @inline(__always) func u64(_ i: Int) -> UInt64 { UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
        let bytes = src.assumingMemoryBound(to: UInt8.self)
        switch dtype {
        case .f32:
            if isLittleEndianHost, let d = dst.baseAddress {
                UnsafeMutableRawPointer(d).copyMemory(from: src, byteCount: n * 4)
            } else {
                for i in 0..<n { dst[i] = Float(bitPattern: u32(i)) }
            }
        case .f64: for i in 0..<n { dst[i] = Float(Double(bitPattern: u64(i))) }
        case .f16: for i in 0..<n { dst[i] = halfToFloat(u16(i)) }
        case .bf16: for i in 0..<n { dst[i] = Float(bitPattern: UInt32(u16(i)) << 16) }
        case .f8e5m2: for i in 0..<n { dst[i] = halfToFloat(UInt16(bytes[i]) << 8) }
        case .f8e4m3: for i in 0..<n { dst[i] = e4m3ToFloat(bytes[i]) }
        case .i64: for i in 0..<n { dst[i] = Float(Int64(bitPattern: u64(i))) }
        case .u64: for i in 0..<n { dst[i] = Float(u64(i)) }
        case .i32: for i in 0..<n { dst[i] = Float(Int32(bitPattern: u32(i))) }
        case .u32: for i in 0..<n { dst[i] = Float(u32(i)) }
        case .i16: for i in 0..<n { dst[i] = Float(Int16(bitPattern: u16(i))) }
        case .u16: for i in 0..<n { dst[i] = Float(u16(i)) }
        case .i8: for i in 0..<n { dst[i] = Float(Int8(bitPattern: bytes[i])) }
        case .u8: for i in 0..<n { dst[i] = Float(bytes[i]) }
        case .bool: for i in 0..<n { dst[i] = bytes[i] != 0 ? 1 : 0 }
        }
    }

    /// IEEE half (binary16) bits to Float, exactly (subnormals, infinities, NaN).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        if exp == 0 {
            let v = Float(mant) * 0x1p-24  // subnormal (or zero): mant * 2^-24
            return sign != 0 ? -v : v
        }
        return Float(bitPattern: sign | (UInt32(exp - 15 + 127) << 23) | (mant << 13))
    }

    /// float8 e4m3fn (bias 7, no infinities, S.1111.111 is NaN) to Float.
    static func e4m3ToFloat(_ b: UInt8) -> Float {
        let negative = b & 0x80 != 0
        let exp = Int((b >> 3) & 0x0F)
        let mant = Float(b & 0x07)
        let v: Float
        if exp == 0x0F && (b & 0x07) == 0x07 {
            v = .nan
        } else if exp == 0 {
            v = mant * 0x1p-9  // subnormal: mant/8 * 2^-6
        } else {
            v = (1 + mant / 8) * Float(sign: .plus, exponent: exp - 7, significand: 1)
        }
        return negative ? -v : v
    }
}
