import Foundation
import XCTest
@testable import Tensors

/// IDX headers are outside input: their dimensions are checked before anything is allocated.
final class IDXLimitsTests: XCTestCase {
    private func write(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wb-idx-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// The input libFuzzer found (2026-12-07): 18 bytes claiming 4,294,967,295 data bytes made
    /// the reader allocate them all up front. Now it reads what is there and reports the truncation.
    func testAHeaderClaimingGigabytesIsATruncationErrorWithoutTheAllocation() throws {
        let path = try write([0x00, 0x00, 0x08, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
                              0x00, 0x04, 0x00, 0x01, 0x02, 0x09])
        XCTAssertThrowsError(try readIDX(path)) { e in
            XCTAssertTrue("\(e)".contains("file is truncated"), "\(e)")
            XCTAssertTrue("\(e)".contains("got 10"), "\(e)")
        }
    }

    /// Dimensions whose product overflows Int are refused instead of trapping.
    func testDimensionsWhoseProductOverflowsAreRefused() throws {
        let path = try write([0x00, 0x00, 0x08, 0x03] + [UInt8](repeating: 0xff, count: 12))
        XCTAssertThrowsError(try readIDX(path)) { e in
            XCTAssertTrue("\(e)".contains("implausibly large"), "\(e)")
        }
    }

    func testAValidFileStillReads() throws {
        let path = try write([0x00, 0x00, 0x08, 0x02, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6])
        let (dims, data) = try readIDX(path)
        XCTAssertEqual(dims, [2, 3])
        XCTAssertEqual(data, [1, 2, 3, 4, 5, 6])
    }
}
