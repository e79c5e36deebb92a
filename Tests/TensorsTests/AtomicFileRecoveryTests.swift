import Foundation
import XCTest
@testable import Tensors

/// What a writer killed mid-write (SIGKILL, power cut) leaves behind is
/// cleaned up by the next write of the same file: temporary files of dead
/// processes go, those of running writers stay. `scripts/kill9.sh` does the
/// same with real kills.
final class AtomicFileRecoveryTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-recovery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() }

    /// A process id that is certainly not running: a child that has exited and been reaped.
    private func deadPid() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    func testTemporaryFilesOfDeadWritersAreRemovedByTheNextWrite() throws {
        let url = dir.appendingPathComponent("run.ckpt")
        let dead = try deadPid()
        let stale = ".run.ckpt.tmp-\(dead)-1a2b"
        let live = ".run.ckpt.tmp-\(getppid())-3c4d"   // the test runner's parent is running
        let other = ".other.ckpt.tmp-\(dead)-5e6f"     // another file's: not ours to touch
        for name in [stale, live, other] {
            FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data(repeating: 7, count: 99))
        }
        try AtomicFile.write(Data("new".utf8), to: url)
        XCTAssertEqual(try files(), [other, live, "run.ckpt"].sorted())
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "new")
    }

    func testUnnamedTemporaryFilesOfOlderBuildsGoOnlyWhenOld() throws {
        let url = dir.appendingPathComponent("w.safetensors")
        let old = dir.appendingPathComponent(".w.safetensors.tmp-deadbeef")
        let fresh = dir.appendingPathComponent(".w.safetensors.tmp-cafe")
        FileManager.default.createFile(atPath: old.path, contents: Data([1]))
        FileManager.default.createFile(atPath: fresh.path, contents: Data([2]))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old.path)
        try AtomicFile.write(Data([3]), to: url)
        XCTAssertEqual(try files(), [".w.safetensors.tmp-cafe", "w.safetensors"])
    }

    func testTemporaryNamesCarryTheWritersProcessId() throws {
        let url = dir.appendingPathComponent("m.csv")
        var seen: [String] = []
        try AtomicFile.write(to: url) { _ in seen = try files() }
        XCTAssertEqual(seen.count, 1)
        XCTAssertTrue(seen[0].hasPrefix(".m.csv.tmp-\(getpid())-"), seen[0])
        XCTAssertEqual(try files(), ["m.csv"])
    }
}
