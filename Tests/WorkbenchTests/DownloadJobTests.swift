import Foundation
import Tensors
import XCTest
@testable import WorkbenchCore

/// What the download overlay says from the progress reports: bytes of the set or of the
/// file, the rate over the last seconds, the time left, the file and the phase.
final class DownloadJobTests: XCTestCase {
    func progress(_ phase: DatasetDownloadProgress.Phase = .transferring, file: Int = 0, of count: Int = 4,
                  fileReceived: Int64, fileTotal: Int64?, received: Int64, total: Int64?) -> DatasetDownloadProgress {
        DatasetDownloadProgress(kind: .mnist, phase: phase, fileIndex: file, fileCount: count, filename: "train-images-idx3-ubyte.gz",
                                fileReceived: fileReceived, fileTotal: fileTotal, received: received, total: total)
    }

    func testTheSetsBytesRateAndTimeLeftWhenEverySizeIsKnown() {
        let job = DownloadJob(files: .official(.mnist), root: "data")
        XCTAssertEqual(job.lines, ["connecting…"])
        job.record(progress(fileReceived: 1 << 20, fileTotal: 9_912_422, received: 1 << 20, total: 11_594_722), at: 100)
        XCTAssertNil(job.bytesPerSecond, "one report: no rate yet")
        job.record(progress(fileReceived: 3 << 20, fileTotal: 9_912_422, received: 3 << 20, total: 11_594_722), at: 102)
        XCTAssertEqual(job.bytesPerSecond ?? 0, Double(1 << 20), accuracy: 1e-6)
        XCTAssertEqual(job.secondsLeft ?? 0, Double(11_594_722 - (3 << 20)) / Double(1 << 20), accuracy: 1e-6)
        XCTAssertEqual(job.lines, ["3 MB of 11.06 MB  1 MB/s  ETA 00:08", "file 1 of 4: train-images-idx3-ubyte.gz",
                                   "downloading (MD5 checked as it arrives)"])
        XCTAssertEqual(job.fraction, Double(3 << 20) / 11_594_722, accuracy: 1e-9)
        XCTAssertEqual(job.title, "Download MNIST into data")
        // The rate forgets reports older than its window.
        job.record(progress(fileReceived: 3 << 20, fileTotal: 9_912_422, received: 3 << 20, total: 11_594_722), at: 110)
        XCTAssertEqual(job.bytesPerSecond ?? -1, 0, accuracy: 1e-9, "a stalled transfer shows 0 B/s")
        XCTAssertNil(job.secondsLeft)
        job.record(progress(.verifying, fileReceived: 3 << 20, fileTotal: 9_912_422, received: 3 << 20, total: 11_594_722), at: 111)
        XCTAssertEqual(job.lines.last, "verifying MD5…")
        job.cancel()
        XCTAssertEqual(job.lines.last, "cancelling…")
        XCTAssertTrue(job.cancellation.isCancelled)
    }

    func testTheFilesBytesWhenTheSetsSizeIsUnknown() {
        let job = DownloadJob(files: .official(.mnist), root: "data")
        job.record(progress(file: 2, fileReceived: 0, fileTotal: 2000, received: 5000, total: nil), at: 0)
        job.record(progress(file: 2, fileReceived: 500, fileTotal: 2000, received: 5500, total: nil), at: 1)
        XCTAssertEqual(job.lines.first, "500 B of 2 KB (25% of this file)  500 B/s  ETA 00:03 for it")
        XCTAssertEqual(job.fraction, (2 + 0.25) / 4, accuracy: 1e-9, "the bar counts files")
        XCTAssertEqual(job.statusLine, "downloading MNIST 56% (file 3 of 4) — m D shows it")
    }
}
