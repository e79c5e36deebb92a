import Tensors
import XCTest
@testable import WorkbenchCore

final class CanvasTests: XCTestCase {
    func testPutWritesAndTruncatesWithEllipsis() {
        var c = Canvas(width: 10, height: 2)
        let used = c.put("hello", x: 1, y: 0, .plain)
        XCTAssertEqual(used, 5)
        XCTAssertEqual(c.row(0), " hello    ")
        c.put("abcdefghijk", x: 0, y: 1, .plain, maxWidth: 6)
        XCTAssertEqual(c.row(1), "abcde…    ")
    }

    func testClipDropsWritesOutside() {
        var c = Canvas(width: 6, height: 3)
        c.clipped(to: Rect(x: 1, y: 1, width: 3, height: 1)) { cv in
            cv.fill(cv.bounds, "#", .plain)
            cv.put("xyz", x: 0, y: 0, .plain)
        }
        XCTAssertEqual(c.text, "      \n ###  \n      ")
    }

    func testWideCharactersTakeTwoCells() {
        var c = Canvas(width: 6, height: 1)
        XCTAssertEqual(TextWidth.of("猫a"), 3)
        c.put("猫a", x: 0, y: 0, .plain)
        XCTAssertTrue(c[1, 0].isContinuation)
        XCTAssertEqual(c.row(0), "猫a   ")
        XCTAssertEqual(TextWidth.of("⚡"), 2)
        XCTAssertEqual(TextWidth.of("▀⣿─"), 3)
    }

    func testFindLocatesText() {
        var c = Canvas(width: 8, height: 3)
        c.put("step 12", x: 1, y: 2, .plain)
        XCTAssertEqual(c.find("12")?.x, 6)
        XCTAssertEqual(c.find("12")?.y, 2)
        XCTAssertNil(c.find("13"))
    }

    func testRectSplits() {
        let r = Rect(x: 0, y: 0, width: 80, height: 22)
        let (top, rest) = r.splitTop(11)
        XCTAssertEqual(top, Rect(x: 0, y: 0, width: 80, height: 11))
        XCTAssertEqual(rest, Rect(x: 0, y: 11, width: 80, height: 11))
        XCTAssertEqual(r.inset(1), Rect(x: 1, y: 1, width: 78, height: 20))
        XCTAssertEqual(r.centered(width: 20, height: 4), Rect(x: 30, y: 9, width: 20, height: 4))
        XCTAssertTrue(r.intersection(Rect(x: 90, y: 0, width: 5, height: 5)).isEmpty)
    }
}

final class ColorTests: XCTestCase {
    func testHexParsing() {
        XCTAssertEqual(RGB(hex: "#ff8000"), RGB(255, 128, 0))
        XCTAssertEqual(RGB(hex: "0a0b0c"), RGB(10, 11, 12))
        XCTAssertNil(RGB(hex: "#ff80"))
        XCTAssertNil(RGB(hex: "#gg0000"))
        XCTAssertEqual(RGB(1, 2, 255).hex, "#0102ff")
    }

    func testPalette256UsesCubeAndGreyRamp() {
        // Pure colours land on cube corners: 16 + 36r + 6g + b.
        XCTAssertEqual(Palette.index256(RGB(255, 0, 0)), 196)
        XCTAssertEqual(Palette.index256(RGB(0, 255, 0)), 46)
        XCTAssertEqual(Palette.index256(RGB(0, 0, 255)), 21)
        XCTAssertEqual(Palette.index256(RGB(95, 135, 175)), 16 + 36 * 1 + 6 * 2 + 3)
        // Mid greys use the 24-step ramp (232…255), which is finer than the cube.
        XCTAssertEqual(Palette.index256(RGB(128, 128, 128)), 244)
        XCTAssertEqual(Palette.rgb256(244), RGB(128, 128, 128))
        XCTAssertEqual(Palette.rgb256(196), RGB(255, 0, 0))
        // Round trip of every cube entry is exact.
        for i in 16..<232 { XCTAssertEqual(Palette.index256(Palette.rgb256(i)), i, "entry \(i)") }
    }

    func testPalette8PicksNearestAnsi() {
        XCTAssertEqual(Palette.index8(RGB(250, 10, 10)), 1)
        XCTAssertEqual(Palette.index8(RGB(10, 10, 10)), 0)
        XCTAssertEqual(Palette.index8(RGB(240, 240, 240)), 7)
        XCTAssertEqual(Palette.index8(RGB(30, 100, 220)), 4)
    }

    func testColorModeDetection() {
        XCTAssertEqual(ColorMode.detect(environment: ["COLORTERM": "truecolor"], terminalColors: 1 << 24, directColor: true), .truecolor)
        // COLORTERM alone is not enough when the terminal cannot show direct colour.
        XCTAssertEqual(ColorMode.detect(environment: ["COLORTERM": "truecolor"], terminalColors: 256, directColor: false), .palette256)
        XCTAssertEqual(ColorMode.detect(environment: [:], terminalColors: 1 << 24, directColor: true), .palette256)
        XCTAssertEqual(ColorMode.detect(environment: [:], terminalColors: 8, directColor: false), .ansi8)
        XCTAssertEqual(ColorMode.detect(environment: [:], terminalColors: 2, directColor: false), .monochrome)
        XCTAssertEqual(ColorMode.detect(environment: ["NO_COLOR": "1", "COLORTERM": "truecolor"], terminalColors: 256, directColor: true), .monochrome)
        // An empty NO_COLOR does not count (no-color.org).
        XCTAssertEqual(ColorMode.detect(environment: ["NO_COLOR": ""], terminalColors: 256, directColor: false), .palette256)
    }
}
