import XCTest
@testable import Tensors

/// The 2×2 max-pool kernel takes a plain loop on planes without NaN and the
/// exact loop otherwise; both must give torch's answer (ties: first in
/// row-major order; NaN wins, the last of several as torch's CPU kernel has it;
/// ReLU lets NaN through; −0 stays −0).
final class MaxPool2x2KernelTests: XCTestCase {
    /// torch's rule, one window at a time.
    private func reference(_ src: [Float], rowStride: Int, rowLength: Int, ph: Int, pw: Int, bias: Float, relu: Bool)
        -> (out: [Float], indices: [Int32]) {
        var out: [Float] = [], indices: [Int32] = []
        for py in 0..<ph {
            for px in 0..<pw {
                var best: Float = 0, bi = -1
                for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let v = src[(2 * py + dy) * rowStride + 2 * px + dx]
                    if bi < 0 || v > best || v.isNaN { best = v; bi = (2 * py + dy) * rowLength + 2 * px + dx }
                }
                let v = bias == 0 ? best : best + bias
                let live = !relu || v > 0 || v.isNaN
                out.append(live ? v : 0)
                indices.append(live ? Int32(bi) : -1)
            }
        }
        return (out, indices)
    }

    private func run(_ src: [Float], rowStride: Int, rowLength: Int, ph: Int, pw: Int, bias: Float, relu: Bool,
                     path: (UnsafePointer<Float>, Int, Int, Int, Int, Float, Bool,
                            UnsafeMutablePointer<Float>, UnsafeMutablePointer<Int32>) -> Void)
        -> (out: [Float], indices: [Int32]) {
        var out = [Float](repeating: 7, count: ph * pw), indices = [Int32](repeating: 7, count: ph * pw)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                indices.withUnsafeMutableBufferPointer { i in
                    path(s.baseAddress!, rowStride, rowLength, ph, pw, bias, relu, o.baseAddress!, i.baseAddress!)
                }
            }
        }
        return (out, indices)
    }

    private func assertSame(_ a: (out: [Float], indices: [Int32]), _ b: (out: [Float], indices: [Int32]),
                            _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.indices, b.indices, what, file: file, line: line)
        XCTAssertEqual(a.out.map(\.bitPattern), b.out.map(\.bitPattern), what, file: file, line: line)
    }

    /// Small integer values make ties common; widths cover the 8-window vector
    /// path and the scalar tail; rows may be padded (`rowStride` > used width).
    func testEveryPathMatchesTorchsRuleWithAndWithoutNaN() {
        let rng = Generator(seed: 11)
        for (ph, pw, pad) in [(1, 1, 0), (3, 8, 0), (2, 9, 3), (4, 17, 1), (5, 24, 0)] {
            let rowLength = 2 * pw + pad, rowStride = rowLength + (pad > 0 ? 2 : 0)
            let count = 2 * ph * rowStride
            for nanCount in [0, 1, 3] {
                var src = (0..<count).map { _ in Float(rng.nextInt(below: 7)) - 3 }
                for i in src.indices where src[i] == 0 && rng.nextInt(below: 2) == 0 { src[i] = -0.0 }
                for _ in 0..<nanCount { src[rng.nextInt(below: count)] = .nan }
                if rng.nextInt(below: 2) == 0 { src[rng.nextInt(below: count)] = .infinity }
                for relu in [false, true] {
                    for bias: Float in relu ? [0, 0.5, -1.5] : [0] {
                        let what = "ph \(ph) pw \(pw) pad \(pad) NaNs \(nanCount) relu \(relu) bias \(bias)"
                        let expected = reference(src, rowStride: rowStride, rowLength: rowLength, ph: ph, pw: pw,
                                                 bias: bias, relu: relu)
                        assertSame(run(src, rowStride: rowStride, rowLength: rowLength, ph: ph, pw: pw, bias: bias,
                                       relu: relu, path: PoolKernels.max2x2RowsExact), expected, "exact, " + what)
                        assertSame(run(src, rowStride: rowStride, rowLength: rowLength, ph: ph, pw: pw, bias: bias,
                                       relu: relu, path: PoolKernels.max2x2Rows), expected, "dispatch, " + what)
                        var suspect = false
                        let plain = run(src, rowStride: rowStride, rowLength: rowLength, ph: ph, pw: pw, bias: bias,
                                        relu: relu) { suspect = PoolKernels.max2x2RowsPlain($0, rowStride: $1,
                                            rowLength: $2, ph: $3, pw: $4, bias: $5, relu: $6, out: $7, indices: $8) }
                        // Windows read only columns < 2·pw of rows < 2·ph: NaNs elsewhere do not count.
                        let seen = (0..<(2 * ph)).contains { y in (0..<(2 * pw)).contains { src[y * rowStride + $0].isNaN } }
                        XCTAssertEqual(suspect, seen, "plain reports NaN, " + what)
                        if !seen { assertSame(plain, expected, "plain, " + what) }
                    }
                }
            }
        }
    }

    /// A NaN bias makes every output NaN, as `relu(pool(x) + nan)` does.
    func testNonFiniteBiasTakesTheExactPath() {
        let src: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        let r = run(src, rowStride: 4, rowLength: 4, ph: 1, pw: 2, bias: .nan, relu: true, path: PoolKernels.max2x2Rows)
        XCTAssertTrue(r.out.allSatisfy(\.isNaN))
        XCTAssertEqual(r.indices, [5, 7])
    }
}
