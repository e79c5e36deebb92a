import Foundation
import XCTest
@testable import Tensors

/// `predict`'s inputs: "folders and globs batch automatically" (issue 12), also
/// when the user quotes the glob so the shell does not expand it.
final class PredictionInputsGlobTests: XCTestCase {
    func testQuotedGlobsExpandAndAPatternWithoutMatchesIsKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-glob-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["b.png", "a.png", "c.jpg", ".hidden.png"] { try Data([1]).write(to: dir.appendingPathComponent(name)) }
        let p = dir.path
        XCTAssertEqual(PredictionInputs.expand(["\(p)/*.png"]).map(\.lastPathComponent), ["a.png", "b.png"])
        XCTAssertEqual(PredictionInputs.expand(["\(p)/[ac].*"]).map(\.lastPathComponent), ["a.png", "c.jpg"])
        XCTAssertEqual(PredictionInputs.expand(["\(p)/*.gif"]).map(\.path), ["\(p)/*.gif"])
        // Folders and plain files as before.
        XCTAssertEqual(PredictionInputs.expand([p]).map(\.lastPathComponent), ["a.png", "b.png", "c.jpg"])
        XCTAssertEqual(PredictionInputs.expand(["\(p)/b.png"]).map(\.lastPathComponent), ["b.png"])
    }
}
