import Crypto
import DataTestKit
import Foundation
import XCTest
@testable import Tensors

final class DataDownloadTests: XCTestCase {
    func md5(_ bytes: [UInt8]) -> String {
        Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    func serve(_ body: [UInt8], _ behaviour: LocalHTTPServer.Behaviour = .full) throws -> LocalHTTPServer {
        let server = try LocalHTTPServer(body: body, behaviour: behaviour)
        addTeardownBlock { server.stop() }
        return server
    }

    func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    func testOfficialResourceConstants() {
        XCTAssertEqual(CIFAR10.resource.url, "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")
        XCTAssertEqual(CIFAR10.resource.md5, "c32a1d4ab5d03f1284b67883e8d87530")
        XCTAssertEqual(CIFAR10.resource.size, 170_052_171)
    }

    func testRightChecksumDownloadsAtomicallyWithProgress() throws {
        let body = gzipBytes(makeTar(cifar10Members(perBatch: 10)))
        let server = try serve(body)
        let dir = try makeDataTempDir(self) + "/new/sub"
        var reports: [(Int64, Int64?)] = []
        let resource = DownloadResource(url: server.url, filename: "cifar-10-binary.tar.gz", md5: md5(body), size: body.count)
        let path = try Download.fetch(resource, into: dir) { reports.append(($0, $1)) }
        XCTAssertEqual(path, dir + "/cifar-10-binary.tar.gz")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(body))
        XCTAssertEqual(entries(dir), ["cifar-10-binary.tar.gz"], "no temporary file left")
        XCTAssertEqual(reports.last?.0, Int64(body.count))
        XCTAssertEqual(reports.last?.1, Int64(body.count))
        XCTAssertTrue(zip(reports, reports.dropFirst()).allSatisfy { $0.0 <= $1.0 }, "progress only grows")
        // A verified file is not fetched again.
        _ = try Download.fetch(resource, into: dir)
        XCTAssertEqual(server.requests, 1)
        // CIFAR10(download:) fetches into root and reads the archive in place.
        let root = try makeDataTempDir(self)
        let train = try CIFAR10(root: root, train: true, download: true, resource: resource, progress: { _, _ in })
        XCTAssertEqual(train.count, 50)
        XCTAssertEqual(entries(root), ["cifar-10-binary.tar.gz"])
        XCTAssertEqual(try CIFAR10(root: root, train: false, download: true, resource: resource).count, 10)
        XCTAssertEqual(server.requests, 2)
    }

    func testWrongChecksumLeavesNothingBehind() throws {
        let body = seededBytes(200_000, seed: 1)
        let server = try serve(body)
        let dir = try makeDataTempDir(self)
        let resource = DownloadResource(url: server.url, filename: "cifar-10-binary.tar.gz", md5: String(repeating: "0", count: 32))
        assertDataError(try Download.fetch(resource, into: dir), "MD5 mismatch", md5(body), kind: .download)
        XCTAssertEqual(entries(dir), [])
        assertDataError(try CIFAR10(root: dir, download: true, resource: resource, progress: { _, _ in }), "MD5 mismatch")
        XCTAssertEqual(entries(dir), [])
        // A size mismatch is caught too.
        // Announced by the server: refused before the transfer.
        let sized = DownloadResource(url: server.url, filename: "x.bin", md5: md5(body), size: body.count + 1)
        assertDataError(try Download.fetch(sized, into: dir), "announces \(body.count) bytes, expected \(body.count + 1)", kind: .download)
        XCTAssertEqual(entries(dir), [])
        // Not announced: found at the end.
        let quiet = try serve(body, .unannounced)
        let sizedQuiet = DownloadResource(url: quiet.url, filename: "x.bin", md5: md5(body), size: body.count + 1)
        assertDataError(try Download.fetch(sizedQuiet, into: dir), "received \(body.count) bytes, expected \(body.count + 1)",
                        "discarded", kind: .download)
        XCTAssertEqual(entries(dir), [])
    }

    func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    func testInterruptedTransferKeepsOnlyThePartialFile() throws {
        let body = seededBytes(300_000, seed: 2)
        let server = try serve(body, .cutAfter(100_000))
        let dir = try makeDataTempDir(self)
        let resource = DownloadResource(url: server.url, filename: "cifar-10-binary.tar.gz", md5: md5(body))
        assertDataError(try Download.fetch(resource, into: dir), server.url, "100000 of 300000 bytes", "kept", kind: .download)
        XCTAssertEqual(entries(dir), [".cifar-10-binary.tar.gz.part"], "only the partial file, never the destination")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/.cifar-10-binary.tar.gz.part")), Data(body[0..<100_000]))
    }

    func testInterruptedDownloadResumesWithARangeRequest() throws {
        let body = seededBytes(400_000, seed: 3)
        let server = try serve(body, .resumable(cutAfter: 150_000))
        let dir = try makeDataTempDir(self)
        let resource = DownloadResource(url: server.url, filename: "f.bin", md5: md5(body), sha256: sha256(body))
        assertDataError(try Download.fetch(resource, into: dir), "150000 of 400000 bytes", kind: .download)
        var reports: [(Int64, Int64?)] = []
        let path = try Download.fetch(resource, into: dir) { reports.append(($0, $1)) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(body))
        XCTAssertEqual(server.ranges, [nil, "bytes=150000-"], "the second request asks only for the rest")
        XCTAssertEqual(entries(dir), ["f.bin"], "the partial file became the destination")
        XCTAssertGreaterThan(reports.first?.0 ?? 0, 150_000, "progress counts the kept bytes")
        XCTAssertEqual(reports.last?.1, 400_000)
    }

    func testAServerIgnoringRangeRestartsTheFile() throws {
        let body = seededBytes(250_000, seed: 4)
        let server = try serve(body, .ignoresRange(cutAfter: 90_000))
        let dir = try makeDataTempDir(self)
        let resource = DownloadResource(url: server.url, filename: "f.bin", md5: "", sha256: sha256(body))
        assertDataError(try Download.fetch(resource, into: dir), "90000 of 250000 bytes", kind: .download)
        let path = try Download.fetch(resource, into: dir)
        XCTAssertEqual(server.ranges, [nil, "bytes=90000-"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(body), "a 200 answer replaced the kept bytes, not appended")
        XCTAssertEqual(entries(dir), ["f.bin"])
    }

    func testAResumedFileWithTheWrongDigestIsDiscarded() throws {
        let body = seededBytes(200_000, seed: 5)
        let server = try serve(body, .resumable(cutAfter: 50_000))
        let dir = try makeDataTempDir(self)
        let resource = DownloadResource(url: server.url, filename: "f.bin", md5: "", sha256: String(repeating: "a", count: 64))
        assertDataError(try Download.fetch(resource, into: dir), "50000 of 200000 bytes", kind: .download)
        assertDataError(try Download.fetch(resource, into: dir), "SHA-256 mismatch", sha256(body), "discarded", kind: .download)
        XCTAssertEqual(entries(dir), [])
    }

    func testDownloadsOverTheLimitAreRefused() throws {
        let body = seededBytes(120_000, seed: 6)
        let dir = try makeDataTempDir(self)
        // Announced by Content-Length: refused before any byte is kept.
        let announced = try serve(body)
        let capped = DownloadResource(url: announced.url, filename: "f.bin", md5: md5(body), maxBytes: 100_000)
        assertDataError(try Download.fetch(capped, into: dir), announced.url, "announces 120000 bytes", "limit of 100000 bytes",
                        kind: .download)
        XCTAssertEqual(entries(dir), [])
        // Not announced: stopped once the bytes received pass the limit.
        let streamed = try serve(body, .unannounced)
        let cappedStream = DownloadResource(url: streamed.url, filename: "f.bin", md5: md5(body), maxBytes: 100_000)
        assertDataError(try Download.fetch(cappedStream, into: dir), streamed.url, "more than the limit of 100000 bytes", kind: .download)
        XCTAssertEqual(entries(dir), [])
        // The known size is the default limit.
        let sized = DownloadResource(url: announced.url, filename: "f.bin", md5: md5(body), size: 1000)
        assertDataError(try Download.fetch(sized, into: dir), "limit of 1000 bytes", kind: .download)
        XCTAssertEqual(entries(dir), [])
        // Within the limit, and without a Content-Length, it downloads.
        let fine = DownloadResource(url: streamed.url, filename: "f.bin", md5: md5(body), maxBytes: 120_000)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: try Download.fetch(fine, into: dir))), Data(body))
    }

    func testHTTPErrorAndBadURL() throws {
        let server = try serve([], .status(404))
        let dir = try makeDataTempDir(self)
        let resource = DownloadResource(url: server.url, filename: "f.bin", md5: md5([]))
        assertDataError(try Download.fetch(resource, into: dir), "HTTP status 404", kind: .download)
        XCTAssertEqual(entries(dir), [])
        assertDataError(try Download.fetch(DownloadResource(url: "ftp://x/y", filename: "f", md5: ""), into: dir), "not an http(s) URL")
        XCTAssertEqual(entries(dir), [])
    }
}
