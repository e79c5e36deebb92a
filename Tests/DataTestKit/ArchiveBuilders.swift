import CZlib
import Foundation

// Builders of the files dataset tests download or read: tar archives, gzip
// (zlib with a gzip wrapper), IDX files. Independent of the library's
// readers, so a bug cannot cancel itself out.

/// A ustar header block for a regular file (or another type flag).
public func tarHeader(name: String, size: Int, type: UInt8 = UInt8(ascii: "0")) -> [UInt8] {
    var h = [UInt8](repeating: 0, count: 512)
    func put(_ s: String, _ at: Int, _ len: Int) {
        for (i, b) in s.utf8.prefix(len).enumerated() { h[at + i] = b }
    }
    func octal(_ v: Int, _ at: Int, _ len: Int) {
        let s = String(v, radix: 8)
        put(String(repeating: "0", count: len - 1 - s.count) + s, at, len - 1)
    }
    put(name, 0, 100)
    octal(0o644, 100, 8)
    octal(0, 108, 8)
    octal(0, 116, 8)
    octal(size, 124, 12)
    octal(0, 136, 12)
    h[156] = type
    put("ustar", 257, 6)
    put("00", 263, 2)
    for i in 148..<156 { h[i] = 0x20 }
    let sum = h.reduce(0) { $0 + Int($1) }
    let s = String(sum, radix: 8)
    put(String(repeating: "0", count: 6 - s.count) + s, 148, 6)
    h[154] = 0
    h[155] = 0x20
    return h
}

/// A tar archive of (name, content) members, with the end-of-archive blocks.
public func makeTar(_ members: [(String, [UInt8])], endMarker: Bool = true) -> [UInt8] {
    var out: [UInt8] = []
    for (name, content) in members {
        out += tarHeader(name: name, size: content.count)
        out += content
        out += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
    }
    if endMarker { out += [UInt8](repeating: 0, count: 1024) }
    return out
}

/// Gzip-compresses bytes with zlib (deflateInit2 with a gzip wrapper).
public func gzipBytes(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
    var stream = z_stream()
    let rc = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(rc == Z_OK)
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
    var inputCopy = input
    let produced: Int = inputCopy.withUnsafeMutableBufferPointer { inp in
        out.withUnsafeMutableBufferPointer { o in
            stream.next_in = inp.baseAddress
            stream.avail_in = UInt32(inp.count)
            stream.next_out = o.baseAddress
            stream.avail_out = UInt32(o.count)
            let r = deflate(&stream, Z_FINISH)
            precondition(r == Z_STREAM_END)
            return o.count - Int(stream.avail_out)
        }
    }
    deflateEnd(&stream)
    return Array(out[0..<produced])
}

/// An unsigned-byte IDX file.
public func idxFile(dims: [Int], data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
    for d in dims { out += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
    return out + data
}
