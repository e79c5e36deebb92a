import XCTest
@testable import Tensors

final class PoolingTests: XCTestCase {
    private func size(_ v: Any?, default d: Size2) -> Size2 {
        if let i = v as? Int { return Size2(i) }
        if let p = v as? [Int] { return Size2(p[0], p[1]) }
        return d
    }

    func testMaxPoolMatchesTorch() {
        for name in ["maxpool_2x2", "maxpool_odd", "maxpool_k3s2p1", "maxpool_dil_ceil"] {
            let c = nnCase("layers", name)
            let a = c["args"] as? [String: Any] ?? [:]
            let k = size(a["kernel_size"], default: 1)
            let x = fixtureTensor(c, "x").requiringGrad()
            let y = maxPool2d(x, kernelSize: k, stride: a["stride"] == nil ? nil : size(a["stride"], default: k),
                              padding: size(a["padding"], default: 0), dilation: size(a["dilation"], default: 1),
                              ceilMode: a["ceil_mode"] as? Bool ?? false)
            assertClose(y, fixtureTensor(c, "out"), name)
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), "\(name) dx")
        }
    }

    /// 2×2 max-pool (the unrolled fast path) with NaN, ±infinity, ties and
    /// −0: NaN wins its window (the last NaN's index), ties keep the first
    /// maximum in row-major order, as PyTorch's max_pool2d; gradients go to
    /// those indices.
    func testMaxPool2x2NaNInfinityAndTiesFollowTorch() {
        let w = 18, h = 6
        var v = (0..<(2 * h * w)).map { Float(($0 * 37) % 11) - 5 }
        v[1] = .nan; v[w] = .nan                      // window (0,0): NaN wins (the later NaN's index, as torch's CPU kernel)
        v[2 * w + 4] = .infinity                       // window (1,2)
        v[3] = -.infinity
        v[4 * w + 6] = 7; v[4 * w + 7] = 7; v[5 * w + 6] = 7   // a tie: the first 7 wins
        v[h * w + 10] = -0.0; v[h * w + 11] = -0.0; v[h * w + w + 10] = -0.0; v[h * w + w + 11] = -0.0
        v[h * w + 3 * w + 15] = .nan                   // plane 1, the last columns (past eight windows)
        let x = Tensor(v, shape: [1, 2, h, w]).requiringGrad()
        let y = maxPool2d(x, 2)
        var expected: [Float] = [], argmax: [Int] = []
        for p in 0..<2 {
            for oy in 0..<(h / 2) {
                for ox in 0..<(w / 2) {
                    var best = Float.nan, at = -1
                    for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        let i = p * h * w + (2 * oy + dy) * w + 2 * ox + dx
                        if at < 0 || v[i] > best || v[i].isNaN { best = v[i]; at = i }   // torch's rule: a later NaN takes the index
                    }
                    expected.append(best)
                    argmax.append(at)
                }
            }
        }
        let got = y.toArray()
        for (i, (a, b)) in zip(got, expected).enumerated() {
            XCTAssertTrue(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN), "window \(i): \(a), expected \(b)")
        }
        XCTAssertTrue(got[0].isNaN)
        XCTAssertEqual(got[w / 2 + 2], .infinity)
        XCTAssertEqual(got[27 + 5].sign, .minus, "-0 stays -0")
        y.sum().backward()
        let gx = x.grad!.toArray()
        for (i, g) in gx.enumerated() { XCTAssertEqual(g, argmax.contains(i) ? 1 : 0, "grad at \(i)") }
    }

    func testAvgPoolMatchesTorch() {
        for name in ["avgpool_2x2", "avgpool_pad", "avgpool_pad_exclude_ceil", "avgpool_divisor"] {
            let c = nnCase("layers", name)
            let a = c["args"] as? [String: Any] ?? [:]
            let k = size(a["kernel_size"], default: 1)
            let x = fixtureTensor(c, "x").requiringGrad()
            let y = avgPool2d(x, kernelSize: k, stride: a["stride"] == nil ? nil : size(a["stride"], default: k),
                              padding: size(a["padding"], default: 0), ceilMode: a["ceil_mode"] as? Bool ?? false,
                              countIncludePad: a["count_include_pad"] as? Bool ?? true,
                              divisorOverride: a["divisor_override"] as? Int)
            assertClose(y, fixtureTensor(c, "out"), name)
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), "\(name) dx")
        }
    }

    func testAdaptiveAvgPoolMatchesTorch() {
        for name in ["adaptive_5x7_to_3x2", "adaptive_4x4_to_1", "adaptive_3x3_to_7x7"] {
            let c = nnCase("layers", name)
            let o = c["output_size"] as? [Int] ?? [1, 1]
            let x = fixtureTensor(c, "x").requiringGrad()
            let y = AdaptiveAvgPool2d(Size2(o[0], o[1]))(x)
            assertClose(y, fixtureTensor(c, "out"), name)
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), "\(name) dx")
        }
    }

    func testPoolingGradCheck() {
        let x = distinctValues([2, 2, 5, 6]).requiringGrad()
        nnGradCheck([x]) { t in maxPool2d(t[0], 2) }
        nnGradCheck([x]) { t in maxPool2d(t[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true) }
        nnGradCheck([x]) { t in avgPool2d(t[0], kernelSize: 3, stride: 2, padding: 1, countIncludePad: false) }
        nnGradCheck([x]) { t in adaptiveAvgPool2d(t[0], outputSize: [3, 4]) }
    }

    func testPoolingModulesPrintLikeTorch() {
        XCTAssertEqual(MaxPool2d(2).description, "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")
        XCTAssertEqual(MaxPool2d([2, 3], stride: 1, padding: 1, ceilMode: true).description,
                       "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=1, ceil_mode=True)")
        XCTAssertEqual(AvgPool2d(2).description, "AvgPool2d(kernel_size=2, stride=2, padding=0)")
        XCTAssertEqual(AvgPool2d([3, 3], stride: [2, 2], padding: 1).description,
                       "AvgPool2d(kernel_size=(3, 3), stride=(2, 2), padding=1)")
        XCTAssertEqual(AdaptiveAvgPool2d(1).description, "AdaptiveAvgPool2d(output_size=1)")
        XCTAssertEqual(AdaptiveAvgPool2d([7, 7]).description, "AdaptiveAvgPool2d(output_size=(7, 7))")
    }

    func testMaxPoolTiesPickFirstAndShapes() {
        let x = Tensor([1, 1, 1, 1], shape: [1, 1, 2, 2]).requiringGrad()
        let y = maxPool2d(x, 2)
        y.sum().backward()
        XCTAssertEqual(x.grad!.toArray(), [1, 0, 0, 0])
        XCTAssertEqual(maxPool2d(Tensor.meta([4, 6, 28, 28]), 2).shape, [4, 6, 14, 14])
        XCTAssertEqual(maxPool2d(Tensor.randn([3, 5, 5]), 2).shape, [3, 2, 2])
        XCTAssertThrowsError(try ShapeCheck.run { _ = maxPool2d(Tensor.meta([1, 1, 1, 1]), 2) }) { e in
            XCTAssertTrue("\(e)".contains("Output size is too small"), "\(e)")
        }
    }
}
