import Tensors
import XCTest
@testable import WorkbenchCore

/// The colour-pair cache behind the screen, at the 63 pairs of an 8-colour terminal.
final class ColorPairTableTests: XCTestCase {
    func ansi8Table(capacity: Int = 63) -> ColorPairTable {
        ColorPairTable(capacity: capacity) { $0 < 0 ? nil : Palette.ansi8Reference[Int($0) % 8] }
    }

    func testAllocatesCachesAndKeepsDefaultAsPairZero() {
        var t = ansi8Table()
        XCTAssertEqual(t.pair(fg: -1, bg: -1), .cached(0))
        XCTAssertEqual(t.pair(fg: 1, bg: 0), .new(1))
        XCTAssertEqual(t.pair(fg: 2, bg: -1), .new(2))
        XCTAssertEqual(t.pair(fg: 1, bg: 0), .cached(1))
        XCTAssertEqual(t.count, 2)
        t.reset()
        XCTAssertEqual(t.count, 0)
        XCTAssertEqual(t.pair(fg: 2, bg: -1), .new(1))
    }

    /// 8 foregrounds × 8 backgrounds plus the defaults are 81 pairs; the 18 that do not
    /// fit get the nearest of the 63 cached ones, never the default colours.
    func testFullTableSubstitutesTheNearestCachedPair() {
        var t = ansi8Table()
        var defined: [ColorPairTable.Key: Int32] = [:]
        var substitutes: [(ColorPairTable.Key, Int32)] = []
        for bg in Int32(-1)...7 {
            for fg in Int32(-1)...7 where !(fg == -1 && bg == -1) {
                let k = ColorPairTable.Key(fg: fg, bg: bg)
                switch t.pair(fg: fg, bg: bg) {
                case .new(let p): defined[k] = p
                case .cached: XCTFail("\(k) cached before it was defined")
                case .substitute(let p): substitutes.append((k, p))
                }
            }
        }
        XCTAssertEqual(defined.count, 63)
        XCTAssertTrue(t.isFull)
        XCTAssertEqual(substitutes.count, 80 - 63)
        let byPair = Dictionary(uniqueKeysWithValues: defined.map { ($1, $0) })
        for (k, p) in substitutes {
            guard let used = byPair[p] else { return XCTFail("\(k) got pair \(p), which is not defined") }
            XCTAssertNotEqual(p, 0, "\(k) fell back to the default colours")
            // No defined pair is closer.
            let best = defined.keys.map { t.distance(k, $0) }.min() ?? 0
            XCTAssertEqual(t.distance(k, used), best, "\(k) → \(used)")
        }
        // Substitutes are remembered.
        if let (k, p) = substitutes.first { XCTAssertEqual(t.pair(fg: k.fg, bg: k.bg), .substitute(p)) }
    }

    func testNearestPrefersMatchingColoursOverTheDefault() {
        var t = ansi8Table(capacity: 2)
        XCTAssertEqual(t.pair(fg: 1, bg: 4), .new(1))   // red on blue
        XCTAssertEqual(t.pair(fg: -1, bg: -1), .cached(0))
        XCTAssertEqual(t.pair(fg: 7, bg: 0), .new(2))   // white on black
        XCTAssertEqual(t.pair(fg: 5, bg: 4), .substitute(1), "magenta on blue ≈ red on blue")
        XCTAssertEqual(t.pair(fg: 7, bg: 1), .substitute(2), "white on red ≈ white on black")
        XCTAssertEqual(t.pair(fg: 7, bg: -1), .substitute(0), "white on default ≈ the default colours (light on dark)")
    }

    func testEmptyTableSubstitutesTheDefaultPair() {
        var t = ansi8Table(capacity: 0)
        XCTAssertEqual(t.pair(fg: 1, bg: 2), .substitute(0))
    }
}
