import DataTestKit
import Foundation
import XCTest
@testable import Tensors

final class DataArchiveTests: XCTestCase {
    func testGzipRoundTripInChunks() throws {
        let payload = seededBytes(300_000, seed: 1) + [UInt8](repeating: 7, count: 100_000)
        let gz = gzipBytes(payload)
        let src = try GzipSource(MemorySource(gz), name: "x.gz")
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4097)
        while true {
            let n = try buf.withUnsafeMutableBytes { try src.read(into: $0) }
            if n == 0 { break }
            out += buf[0..<n]
        }
        XCTAssertEqual(out, payload)
    }

    func testConcatenatedGzipMembersReadAsOneStream() throws {
        let a = seededBytes(1000, seed: 2), b = seededBytes(2000, seed: 3)
        let src = try GzipSource(MemorySource(gzipBytes(a) + gzipBytes(b)), name: "cat.gz")
        XCTAssertEqual(try src.readAll(), a + b)
    }

    func testTruncatedGzipIsAnError() throws {
        let gz = gzipBytes(seededBytes(100_000, seed: 4))
        let src = try GzipSource(MemorySource(Array(gz[0..<(gz.count / 2)])), name: "half.gz")
        assertDataError(try src.readAll(), "half.gz", "truncated", kind: .badFormat)
    }

    func testCorruptGzipIsAnError() throws {
        var gz = gzipBytes(seededBytes(50_000, seed: 5))
        for i in 100..<200 { gz[i] ^= 0x5a }
        let src = try GzipSource(MemorySource(gz), name: "bad.gz")
        assertDataError(try src.readAll(), "bad.gz", "corrupt", kind: .badFormat)
    }

    func testTarMembersNamesSizesAndContent() throws {
        let a = seededBytes(1000, seed: 6), b = seededBytes(512, seed: 7), c: [UInt8] = []
        let tar = TarReader(MemorySource(makeTar([("dir/a.bin", a), ("dir/b.bin", b), ("empty", c)])), archiveName: "t.tar")
        var seen: [(String, Int)] = []
        while let e = try tar.next() {
            seen.append((e.name, e.size))
            if e.name == "dir/b.bin" { XCTAssertEqual(try tar.readEntry(), b) }
        }
        XCTAssertEqual(seen.map { $0.0 }, ["dir/a.bin", "dir/b.bin", "empty"])
        XCTAssertEqual(seen.map { $0.1 }, [1000, 512, 0])
        XCTAssertTrue(tar.sawEndMarker)
    }

    func testTarGnuLongNameAndPaxPath() throws {
        let longName = String(repeating: "d/", count: 70) + "file.bin"
        let content = seededBytes(10, seed: 8)
        var bytes: [UInt8] = []
        let nameBytes = Array(longName.utf8) + [0]
        bytes += tarHeader(name: "././@LongLink", size: nameBytes.count, type: UInt8(ascii: "L"))
        bytes += nameBytes + [UInt8](repeating: 0, count: (512 - nameBytes.count % 512) % 512)
        bytes += tarHeader(name: "truncated-name", size: content.count)
        bytes += content + [UInt8](repeating: 0, count: 502)
        let record = " path=pax/named.bin\n"
        let paxLine = "\(record.utf8.count + 2)" + record
        let pax = Array(paxLine.utf8)
        bytes += tarHeader(name: "PaxHeader", size: pax.count, type: UInt8(ascii: "x"))
        bytes += pax + [UInt8](repeating: 0, count: (512 - pax.count % 512) % 512)
        bytes += tarHeader(name: "short", size: 3)
        bytes += [1, 2, 3] + [UInt8](repeating: 0, count: 509)
        bytes += [UInt8](repeating: 0, count: 1024)
        let tar = TarReader(MemorySource(bytes), archiveName: "t.tar")
        let first = try XCTUnwrap(try tar.next())
        XCTAssertEqual(first.name, longName)
        XCTAssertEqual(try tar.readEntry(), content)
        let second = try XCTUnwrap(try tar.next())
        XCTAssertEqual(second.name, "pax/named.bin")
        XCTAssertEqual(try tar.readEntry(), [1, 2, 3])
        XCTAssertNil(try tar.next())
    }

    func testTarBadChecksumAndTruncation() throws {
        var bytes = makeTar([("a.bin", seededBytes(600, seed: 9))])
        bytes[10] ^= 0xff
        assertDataError(try TarReader(MemorySource(bytes), archiveName: "bad.tar").next(), "bad.tar", "checksum")

        let good = makeTar([("a.bin", seededBytes(6000, seed: 9)), ("b.bin", seededBytes(10, seed: 1))])
        let cut = TarReader(MemorySource(Array(good[0..<3000])), archiveName: "cut.tar")
        _ = try cut.next()
        assertDataError(try cut.readEntry(), "cut.tar", "truncated", "a.bin")
        let cut2 = TarReader(MemorySource(Array(good[0..<3000])), archiveName: "cut.tar")
        _ = try cut2.next()
        assertDataError(try cut2.next(), "cut.tar", "truncated", "a.bin")
    }

    func testFileSourceErrorsNameThePath() {
        assertDataError(try FileSource(path: "/nonexistent/x.bin"), "/nonexistent/x.bin", kind: .notFound)
        assertDataError(try FileSource(path: NSTemporaryDirectory()), "directory")
    }
}
