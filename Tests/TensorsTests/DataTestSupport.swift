import CZlib
import Foundation
import XCTest
@testable import Tensors

// Helpers for the data tests: temporary folders, hand-built tar archives,
// gzip via zlib, generated CIFAR/IDX files. Independent of the library's
// readers, so a bug cannot cancel itself out.

/// A fresh temporary folder, removed when the test case ends.
func makeDataTempDir(_ test: XCTestCase, _ name: String = "data") throws -> String {
    let dir = NSTemporaryDirectory() + "workbench-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

func writeTestFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// A ustar header block for a regular file (or another type flag).
func tarHeader(name: String, size: Int, type: UInt8 = UInt8(ascii: "0")) -> [UInt8] {
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
func makeTar(_ members: [(String, [UInt8])], endMarker: Bool = true) -> [UInt8] {
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
func gzipBytes(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
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

/// Deterministic pseudo-random bytes.
func seededBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    let g = Generator(seed: seed)
    return (0..<n).map { _ in UInt8(truncatingIfNeeded: g.nextUInt64()) }
}

/// A CIFAR-10 batch file of `records` records: labels `(offset + i) % 10`,
/// pixel planes with a recognisable pattern per record.
func cifarBatch(records: Int, offset: Int, labelBytes: [(Int) -> UInt8]? = nil) -> [UInt8] {
    var out: [UInt8] = []
    for i in 0..<records {
        let r = offset + i
        if let lb = labelBytes {
            for f in lb { out.append(f(r)) }
        } else {
            out.append(UInt8(r % 10))
        }
        for c in 0..<3 {
            for p in 0..<1024 { out.append(cifarPixel(record: r, channel: c, position: p)) }
        }
    }
    return out
}

/// The pixel value the generated CIFAR files hold (for checking the layout).
func cifarPixel(record: Int, channel: Int, position: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: record &* 7 &+ channel &* 101 &+ position &* 3 &+ (position >> 5))
}

/// A small CIFAR-10 release: 5 train batches of `perBatch` records and a test batch.
func cifar10Members(perBatch: Int, folder: String = "cifar-10-batches-bin") -> [(String, [UInt8])] {
    var members: [(String, [UInt8])] = [("\(folder)/batches.meta.txt", Array("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n".utf8))]
    for b in 1...5 {
        members.append(("\(folder)/data_batch_\(b).bin", cifarBatch(records: perBatch, offset: (b - 1) * perBatch)))
    }
    members.append(("\(folder)/test_batch.bin", cifarBatch(records: perBatch, offset: 1000)))
    return members
}

/// Writes a small CIFAR-10 .tar.gz into `dir` and returns its path.
@discardableResult
func writeCIFAR10Archive(_ dir: String, perBatch: Int = 20, name: String = "cifar-10-binary.tar.gz") throws -> String {
    let path = dir + "/" + name
    try writeTestFile(path, gzipBytes(makeTar(cifar10Members(perBatch: perBatch))))
    return path
}

/// An unsigned-byte IDX file.
func idxFile(dims: [Int], data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
    for d in dims { out += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
    return out + data
}

/// The fixtures generated by Tests/Fixtures/*.py.
func fixtureURL(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name)
}

/// Asserts two float arrays are equal within `tol`.
func assertFloatsClose(_ a: [Float], _ b: [Float], tol: Float = 1e-5, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count \(message)", file: file, line: line)
    guard a.count == b.count else { return }
    var worst: Float = 0
    var at = 0
    for i in a.indices where abs(a[i] - b[i]) > worst {
        worst = abs(a[i] - b[i])
        at = i
    }
    XCTAssertLessThanOrEqual(worst, tol, "\(message): max difference \(worst) at \(at) (\(a[at]) vs \(b[at]))", file: file, line: line)
}

/// Asserts `body` throws a `DataError` whose message contains every fragment.
func assertDataError<T>(_ body: @autoclosure () throws -> T, _ fragments: String..., kind: DataError.Kind? = nil,
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DataError containing \(fragments)", file: file, line: line)
    } catch let e as DataError {
        for f in fragments {
            XCTAssertTrue(e.message.contains(f), "'\(e.message)' does not contain '\(f)'", file: file, line: line)
        }
        if let k = kind { XCTAssertEqual(e.kind, k, "kind of '\(e.message)'", file: file, line: line) }
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
    }
}
