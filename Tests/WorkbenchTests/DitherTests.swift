import Foundation
import XCTest
@testable import WorkbenchCore

/// A thumbnail's rendering against its source pixels in each colour mode:
/// the mean colour error per cell (over 2×2-cell neighbourhoods, what the eye
/// averages) with error diffusion against plain nearest-colour mapping.
final class DitherTests: XCTestCase {
    /// A 32×32 low-saturation "photo": smooth muted gradients (the case that turned grey in 256 colours).
    func photo() -> RGBImage {
        var px: [UInt8] = []
        for y in 0..<32 {
            for x in 0..<32 {
                let fx = Double(x) / 31, fy = Double(y) / 31
                px += [UInt8(110 + 50 * fx), UInt8(100 + 30 * sin(fy * 3)), UInt8(90 + 40 * fy * (1 - fx))]
            }
        }
        return RGBImage(width: 32, height: 32, pixels: px)
    }

    /// Pixels the terminal shows for a 32×16-cell drawing: each cell's fg (upper) and bg (lower) as the screen maps them.
    func shown(_ image: RGBImage, mode: ColorMode) -> [RGB] {
        var canvas = Canvas(width: 32, height: 16, colorMode: mode)
        ImageView.draw(&canvas, image, x: 0, y: 0, columns: 32, rows: 16)
        var out = [RGB](repeating: RGB(0, 0, 0), count: 32 * 32)
        for r in 0..<16 {
            for c in 0..<32 {
                let cell = canvas[c, r]
                out[2 * r * 32 + c] = Dither.displayed(cell.style.fg.rgbValue ?? RGB(0, 0, 0), mode: mode)
                out[(2 * r + 1) * 32 + c] = Dither.displayed(cell.style.bg.rgbValue ?? RGB(0, 0, 0), mode: mode)
            }
        }
        return out
    }

    /// Mean Euclidean RGB distance between 2×2-cell (2 × 4 pixel) block averages of `a` and `b` (32×32 pixels).
    func blockError(_ a: [RGB], _ b: [RGB]) -> Double {
        var total = 0.0, blocks = 0
        for by in stride(from: 0, to: 32, by: 4) {
            for bx in stride(from: 0, to: 32, by: 2) {
                var sa = SIMD3<Double>(), sb = SIMD3<Double>()
                for y in by..<(by + 4) {
                    for x in bx..<(bx + 2) {
                        let p = a[y * 32 + x], q = b[y * 32 + x]
                        sa += SIMD3(Double(p.r), Double(p.g), Double(p.b))
                        sb += SIMD3(Double(q.r), Double(q.g), Double(q.b))
                    }
                }
                let d = (sa - sb) / 8
                total += (d * d).sum().squareRoot()
                blocks += 1
            }
        }
        return total / Double(blocks)
    }

    func testThumbnailKeepsItsColoursInEveryMode() {
        let image = photo()
        let source = (0..<(32 * 32)).map { image.pixel($0 % 32, $0 / 32) }
        var report: [String] = []
        for mode in [ColorMode.truecolor, .palette256, .ansi8] {
            let dithered = blockError(shown(image, mode: mode), source)
            let nearest = blockError(source.map { Dither.displayed($0, mode: mode) }, source)
            report.append("\(mode.rawValue): dithered \(String(format: "%.1f", dithered)), nearest \(String(format: "%.1f", nearest))")
            switch mode {
            case .truecolor:
                XCTAssertEqual(dithered, 0, "truecolor shows the source pixels")
            case .palette256:
                XCTAssertLessThan(dithered, nearest * 0.6, report.joined(separator: "; "))
                XCTAssertLessThan(dithered, 6, report.joined(separator: "; "))
            default:
                XCTAssertLessThan(dithered, nearest * 0.6, report.joined(separator: "; "))
                XCTAssertLessThan(dithered, 40, report.joined(separator: "; "))
            }
        }
        print("mean colour error per 2x2 cells — " + report.joined(separator: "; "))
    }

    func testDitheredPixelsArePaletteColoursAndOtherModesPassThrough() {
        let px = [RGB(120, 110, 100), RGB(10, 200, 30), RGB(250, 250, 250), RGB(128, 128, 140)]
        for mode in [ColorMode.palette256, .ansi8] {
            for c in Dither.floydSteinberg(px, width: 2, height: 2, mode: mode) {
                XCTAssertEqual(Dither.displayed(c, mode: mode), c, "\(mode) \(c)")
            }
        }
        XCTAssertEqual(Dither.floydSteinberg(px, width: 2, height: 2, mode: .truecolor), px)
        XCTAssertEqual(Dither.floydSteinberg(px, width: 2, height: 2, mode: .monochrome), px)
        XCTAssertEqual(Dither.floydSteinberg(px, width: 3, height: 2, mode: .ansi8), px, "a size mismatch leaves the pixels")
    }
}
