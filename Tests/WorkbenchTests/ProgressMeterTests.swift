import Foundation
import WorkbenchCore
import XCTest

/// Headless progress: the bar on a terminal (throttled, cleared at the end),
/// plain lines every N steps in a log, nothing when quiet; ETA and throughput.
final class ProgressMeterTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    func testModeFollowsTheStream() {
        XCTAssertEqual(ProgressMeter.mode(quiet: true, isTerminal: true, logEvery: 5), .quiet)
        XCTAssertEqual(ProgressMeter.mode(quiet: false, isTerminal: true, logEvery: 5, width: 100), .bar(width: 100))
        XCTAssertEqual(ProgressMeter.mode(quiet: false, isTerminal: false, logEvery: 5), .lines(every: 5))
        XCTAssertEqual(ProgressMeter.mode(quiet: false, isTerminal: false, logEvery: 0), .lines(every: 1))
    }

    func testLinesEveryNStepsWithETAAndThroughput() {
        var m = ProgressMeter(mode: .lines(every: 10), label: "epoch 1/2", total: 40, unit: "img")
        m.restart(label: "epoch 1/2", total: 40, now: t0)
        var out: [String] = []
        for step in 1...40 {
            // 16 images per step, 0.5 s per step: 32 img/s; at step 10, 5 s gone, 30 steps (15 s) left.
            if let s = m.update(done: step, items: step * 16, note: "loss 1.0000", now: t0 + Double(step) * 0.5) { out.append(s) }
        }
        XCTAssertEqual(out, [
            "epoch 1/2  10/40 (25%)  32 img/s  ETA 0:15  loss 1.0000\n",
            "epoch 1/2  20/40 (50%)  32 img/s  ETA 0:10  loss 1.0000\n",
            "epoch 1/2  30/40 (75%)  32 img/s  ETA 0:05  loss 1.0000\n",
            "epoch 1/2  40/40 (100%)  32 img/s  ETA -  loss 1.0000\n",
        ])
        XCTAssertNil(m.finish())
    }

    func testBarIsThrottledDrawnInPlaceAndCleared() throws {
        var m = ProgressMeter(mode: .bar(width: 72), label: "test", total: 100, unit: "img")
        m.restart(label: "test", total: 100, now: t0)
        let first = try XCTUnwrap(m.update(done: 50, items: 800, rate: 1234, now: t0 + 1))
        XCTAssertTrue(first.hasPrefix("\rtest ███████████████░░░░░░░░░░░░░░░  50/100 (50%)  1234 img/s  ETA 0:01"), first)
        XCTAssertTrue(first.hasSuffix("\u{1B}[K"))
        XCTAssertLessThanOrEqual(first.count - 4, 72)
        XCTAssertNil(m.update(done: 51, items: 816, now: t0 + 1.05), "redrawn at most every 0.1 s")
        XCTAssertNotNil(m.update(done: 100, items: 1600, now: t0 + 1.06), "the last step is always drawn")
        XCTAssertEqual(m.finish(), "\r\u{1B}[K")
        XCTAssertNil(m.finish())
        var quiet = ProgressMeter(mode: .quiet, label: "x", total: 3, unit: "img")
        XCTAssertNil(quiet.update(done: 3, items: 3, now: t0))
        XCTAssertNil(quiet.finish())
    }

    func testFormatting() {
        XCTAssertEqual(ProgressMeter.duration(7.4), "0:07")
        XCTAssertEqual(ProgressMeter.duration(3723), "1:02:03")
        XCTAssertEqual(ProgressMeter.duration(nil), "-")
        XCTAssertEqual(ProgressMeter.throughput(812.4, unit: "img"), "812 img/s")
        XCTAssertEqual(ProgressMeter.throughput(12_345, unit: "samples"), "12.3k samples/s")
        // Too narrow for a bar: the numbers alone, cut to the width.
        let narrow = ProgressMeter.bar(label: "epoch 10/10", done: 5, total: 10, rate: 10, unit: "img", eta: 5, note: "", width: 30)
        XCTAssertEqual(narrow, "epoch 10/10  5/10 (50%)  10 i")
    }
}
