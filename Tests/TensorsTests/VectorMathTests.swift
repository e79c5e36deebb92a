import Foundation
import XCTest
@testable import Tensors

/// `VectorMath` against Foundation's scalar functions (and the scalar sigmoid
/// 1 / (1 + exp(−x))), in ulps, over a sweep of the float bit patterns that
/// covers every binade of both signs, plus the special values.
final class VectorMathTests: XCTestCase {
    /// Distance in representable floats; NaN against NaN is 0, NaN against a number is `Int64.max`.
    private func ulps(_ a: Float, _ b: Float) -> Int64 {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
        if a == b { return 0 }
        func ordered(_ x: Float) -> Int64 {
            let i = Int64(Int32(bitPattern: x.bitPattern))
            return i < 0 ? Int64(Int32.min) - i : i
        }
        return abs(ordered(a) - ordered(b))
    }

    /// Every `stride`-th bit pattern (all signs, exponents, NaNs and infinities
    /// among them) and the special values, eight at a time.
    private func sweep(_ body: (SIMD8<Float>) -> Void) {
        let specials: [Float] = [0, -0, .infinity, -.infinity, .nan, -.nan, .greatestFiniteMagnitude,
                                 -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                 .leastNormalMagnitude, 88.72283, 88.72284, -87.33655, -103.97208, -104, 89, 0.625,
                                 -0.625, 0.6249999, 1e-20, -1e-20, 9, -9, 20, -20, 100, -100, 1e6, -1e6]
        var lanes = specials
        while lanes.count % 8 != 0 { lanes.append(0.5) }
        for i in stride(from: 0, to: lanes.count, by: 8) { body(SIMD8(lanes[i..<(i + 8)])) }
        var bits: UInt64 = 0
        let stride: UInt64 = 1_009 * 8
        var v = SIMD8<Float>()
        while bits < (1 << 32) {
            for l in 0..<8 { v[l] = Float(bitPattern: UInt32(truncatingIfNeeded: bits + UInt64(l) * 1_009)) }
            body(v)
            bits += stride
        }
    }

    private func check(_ name: String, maxUlps: Int64, _ vector: (SIMD8<Float>) -> SIMD8<Float>,
                       _ scalar: (Float) -> Float) {
        var worst: Int64 = 0, worstAt: Float = 0
        sweep { x in
            let y = vector(x)
            for l in 0..<8 {
                let d = ulps(y[l], scalar(x[l]))
                if d > worst { worst = d; worstAt = x[l] }
            }
        }
        XCTAssertLessThanOrEqual(worst, maxUlps, "\(name): \(worst) ulps at x = \(worstAt)")
    }

    func testExpIsWithinTwoUlpsOfFoundation() {
        check("exp", maxUlps: 2, VectorMath.exp) { Foundation.exp($0) }
    }

    func testSigmoidIsWithinSixUlpsOfTheScalarFormula() {
        check("sigmoid", maxUlps: 6, VectorMath.sigmoid) { 1 / (1 + Foundation.exp(-$0)) }
    }

    func testTanhIsWithinFourUlpsOfFoundation() {
        check("tanh", maxUlps: 4, VectorMath.tanh) { Foundation.tanh($0) }
    }

    func testSpecialValues() {
        let x = SIMD8<Float>(-.infinity, .infinity, .nan, -0.0, 0, 200, -200, 1)
        let e = VectorMath.exp(x), s = VectorMath.sigmoid(x), t = VectorMath.tanh(x)
        XCTAssertEqual([e[0], e[1], e[3], e[4], e[5], e[6]], [0, .infinity, 1, 1, .infinity, 0])
        XCTAssertEqual([s[0], s[1], s[3], s[5], s[6]], [0, 1, 0.5, 1, 0])
        XCTAssertEqual([t[0], t[1], t[5], t[6]], [-1, 1, 1, -1])
        XCTAssertEqual(t[3].sign, .minus, "tanh(-0) is -0")
        XCTAssertTrue(e[2].isNaN && s[2].isNaN && t[2].isNaN, "NaN propagates")
    }
}
