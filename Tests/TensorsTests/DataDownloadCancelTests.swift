import Crypto
import DataTestKit
import Foundation
import XCTest
@testable import Tensors

/// Cancelling `Download.fetch`: the transfer stops soon (while bytes flow and while the
/// server is silent), the partial file keeps what arrived, `DownloadCancelled` says so,
/// and the next fetch resumes with a Range request.
final class DataDownloadCancelTests: XCTestCase {
    func md5(_ bytes: [UInt8]) -> String {
        Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    func serve(_ body: [UInt8], _ behaviour: LocalHTTPServer.Behaviour) throws -> LocalHTTPServer {
        let server = try LocalHTTPServer(body: body, behaviour: behaviour)
        addTeardownBlock { server.stop() }
        return server
    }

    /// Runs `fetch` on a thread, cancels once `cancelAt` bytes arrived, and returns what it
    /// threw and how long after the cancel it returned.
    func fetchAndCancel(_ resource: DownloadResource, into dir: String, cancelAt: Int64) -> (Error?, TimeInterval) {
        let cancellation = DownloadCancellation()
        let reached = DispatchSemaphore(value: 0)
        let ended = DispatchSemaphore(value: 0)
        let box = ErrorBox()
        Thread.detachNewThread {
            var signalled = false
            do {
                _ = try Download.fetch(resource, into: dir, progress: { received, _ in
                    if received >= cancelAt && !signalled {
                        signalled = true
                        reached.signal()
                    }
                }, cancellation: cancellation)
            } catch {
                box.error = error
            }
            ended.signal()
        }
        guard reached.wait(timeout: .now() + 20) == .success else {
            XCTFail("the transfer never reached \(cancelAt) bytes")
            return (box.error, 0)
        }
        let asked = Date()
        cancellation.cancel()
        guard ended.wait(timeout: .now() + 20) == .success else {
            XCTFail("the fetch did not return within 20 s of the cancel")
            return (nil, 20)
        }
        return (box.error, Date().timeIntervalSince(asked))
    }

    func partSize(_ dir: String, _ name: String) -> Int {
        (try? Data(contentsOf: URL(fileURLWithPath: Download.partialPath(of: name, in: dir))).count) ?? -1
    }

    func testCancelWhileBytesArriveKeepsThePartAndTheNextFetchResumes() throws {
        let body = seededBytes(600_000, seed: 11)
        // 10 kB every 20 ms: about 1.2 s for the whole body.
        let server = try serve(body, .trickle(chunk: 10_000, every: 0.02))
        let dir = try makeDataTempDir(self)
        let resource = DownloadResource(url: server.url, filename: "f.bin", md5: md5(body))
        let (error, _) = fetchAndCancel(resource, into: dir, cancelAt: 100_000)
        guard let cancelled = error as? DownloadCancelled else { return XCTFail("expected DownloadCancelled, got \(String(describing: error))") }
        XCTAssertFalse(error is DataError, "a cancel is not a download failure")
        XCTAssertEqual(cancelled.url, server.url)
        XCTAssertGreaterThanOrEqual(cancelled.keptBytes, 100_000)
        XCTAssertLessThan(cancelled.keptBytes, Int64(body.count), "the transfer stopped before the end")
        XCTAssertEqual(cancelled.partialFile, Download.partialPath(of: "f.bin", in: dir))
        let kept = try Data(contentsOf: URL(fileURLWithPath: Download.partialPath(of: "f.bin", in: dir)))
        XCTAssertEqual(Int64(kept.count), cancelled.keptBytes)
        XCTAssertEqual(kept, Data(body[0..<kept.count]), "the part holds the body's first bytes")
        XCTAssertTrue("\(cancelled)".contains("the next download resumes"), "\(cancelled)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/f.bin"), "no destination file")

        // The next attempt asks for the rest and completes the verified file.
        let path = try Download.fetch(resource, into: dir)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(body))
        XCTAssertEqual(server.ranges, [nil, "bytes=\(kept.count)-"])
        XCTAssertEqual(partSize(dir, "f.bin"), -1, "the part became the file")
    }

    func testCancelWhileTheServerIsSilentStopsToo() throws {
        let body = seededBytes(300_000, seed: 12)
        // 50 kB, then nothing: only the wait loop can notice the cancel.
        let server = try serve(body, .stallAfter(50_000))
        let dir = try makeDataTempDir(self)
        let resource = DownloadResource(url: server.url, filename: "g.bin", md5: md5(body))
        let (error, after) = fetchAndCancel(resource, into: dir, cancelAt: 50_000)
        guard let cancelled = error as? DownloadCancelled else { return XCTFail("expected DownloadCancelled, got \(String(describing: error))") }
        XCTAssertEqual(cancelled.keptBytes, 50_000)
        XCTAssertEqual(partSize(dir, "g.bin"), 50_000)
        // The server holds the connection for 10 s; the fetch must not wait for that (nor for
        // the 60 s request timeout). Generous for a loaded machine.
        XCTAssertLessThan(after, 5, "the cancel was noticed only when the connection ended")
        let path = try Download.fetch(resource, into: dir)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(body))
        XCTAssertEqual(server.ranges.last, "bytes=50000-")
    }

    func testARefusalAtTheResponseEndsTheTransferAtOnce() throws {
        let body = seededBytes(200_000, seed: 14)
        // 2 kB every 50 ms: 5 s for the whole body, which a refusal must not wait for.
        let server = try serve(body, .trickle(chunk: 2000, every: 0.05))
        let dir = try makeDataTempDir(self)
        for (resource, message) in [
            (DownloadResource(url: server.url, filename: "s.bin", md5: md5(body), size: body.count + 1), "expected \(body.count + 1)"),
            (DownloadResource(url: server.url, filename: "l.bin", md5: md5(body), maxBytes: 1000), "over the limit of 1000 bytes"),
        ] {
            let started = Date()
            assertDataError(try Download.fetch(resource, into: dir), "announces \(body.count) bytes", message, kind: .download)
            XCTAssertLessThan(Date().timeIntervalSince(started), 3, "the refused transfer ran on: \(message)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }

    func testAnAlreadyCancelledFetchSendsNothing() throws {
        let body = seededBytes(1000, seed: 13)
        let server = try serve(body, .full)
        let dir = try makeDataTempDir(self)
        let cancellation = DownloadCancellation()
        cancellation.cancel()
        XCTAssertThrowsError(try Download.fetch(DownloadResource(url: server.url, filename: "h.bin", md5: md5(body)), into: dir,
                                                cancellation: cancellation)) { e in
            XCTAssertEqual(e as? DownloadCancelled, DownloadCancelled(url: server.url, partialFile: nil, keptBytes: 0))
        }
        XCTAssertEqual(server.requests, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }
}

/// The error a helper thread caught.
private final class ErrorBox: @unchecked Sendable {
    var error: Error?
}
