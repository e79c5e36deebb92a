import Tensors
import XCTest
@testable import WorkbenchCore

final class LayoutTests: XCTestCase {
    func testGridAt80x24() {
        let l = Layout(width: 80, height: 24)
        XCTAssertFalse(l.tooSmall)
        XCTAssertEqual(l.panes[.dataset], Rect(x: 0, y: 0, width: 40, height: 11))
        XCTAssertEqual(l.panes[.charts], Rect(x: 40, y: 0, width: 40, height: 11))
        XCTAssertEqual(l.panes[.model], Rect(x: 0, y: 11, width: 40, height: 11))
        XCTAssertEqual(l.panes[.hyperparameters], Rect(x: 40, y: 11, width: 40, height: 11))
        XCTAssertEqual(l.statusBar, Rect(x: 0, y: 22, width: 80, height: 1))
        XCTAssertEqual(l.helpLine, Rect(x: 0, y: 23, width: 80, height: 1))
    }

    func testWideLayoutAt200x50GivesDatasetAFullColumn() {
        let l = Layout(width: 200, height: 50)
        XCTAssertEqual(l.panes[.dataset], Rect(x: 0, y: 0, width: 84, height: 48))
        XCTAssertEqual(l.panes[.charts], Rect(x: 84, y: 0, width: 116, height: 26))
        XCTAssertEqual(l.panes[.model]?.y, 26)
        XCTAssertEqual(l.panes[.hyperparameters]?.maxX, 200)
    }

    func testPanesTileTheBodyWithoutOverlap() {
        for (w, h) in [(60, 18), (80, 24), (120, 40), (149, 60), (200, 50), (300, 90)] {
            let l = Layout(width: w, height: h)
            var covered = [Int](repeating: 0, count: w * (h - 2))
            for r in l.panes.values {
                for y in r.y..<r.maxY { for x in r.x..<r.maxX { covered[y * w + x] += 1 } }
            }
            XCTAssertTrue(covered.allSatisfy { $0 == 1 }, "\(w)×\(h)")
        }
    }

    func testBelowMinimumIsTooSmall() {
        XCTAssertTrue(Layout(width: 59, height: 30).tooSmall)
        XCTAssertTrue(Layout(width: 100, height: 17).tooSmall)
        XCTAssertEqual(Layout(width: 59, height: 30).panes.count, 0)
    }

    func testZoomGivesFocusedPaneTheBody() {
        let l = Layout(width: 80, height: 24, zoomed: .charts)
        XCTAssertEqual(l.panes, [.charts: Rect(x: 0, y: 0, width: 80, height: 22)])
        XCTAssertEqual(l.pane(atX: 10, y: 10), .charts)
    }

    func testThumbnailSizeAdapts() {
        // 80×24: the dataset pane's inner area is 38×9 → 12×6 thumbnails, 3 across.
        let small = DatasetPane.grid(for: Rect(x: 1, y: 1, width: 38, height: 9))
        XCTAssertEqual([small.thumbWidth, small.thumbHeight, small.columns, small.rows], [12, 6, 3, 1])
        // 200×50: 82×46 → full-size 32×16 images don't reach 8, so 16×8, 4 across, 5 down.
        let big = DatasetPane.grid(for: Rect(x: 1, y: 1, width: 82, height: 46))
        XCTAssertEqual([big.thumbWidth, big.thumbHeight, big.columns, big.rows], [16, 8, 4, 5])
        // Very large panes show images at full size (32 columns × 16 rows each).
        let huge = DatasetPane.grid(for: Rect(x: 1, y: 1, width: 140, height: 60))
        XCTAssertEqual([huge.thumbWidth, huge.thumbHeight], [32, 16])
        XCTAssertGreaterThanOrEqual(huge.perPage, 8)
    }
}
