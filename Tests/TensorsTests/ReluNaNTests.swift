import XCTest
@testable import Tensors

/// `torch.relu` lets NaN through (and its backward passes the gradient where the
/// output is NaN: `threshold_backward` zeroes only outputs ≤ 0). Every ReLU path
/// follows it: the tensor op, the convolution's fused ReLU and the fused
/// conv → ReLU → 2×2 max-pool, which must equal the unfused composition.
final class ReluNaNTests: XCTestCase {
    func testTensorReluPassesNaNAndItsGradient() {
        let a = Tensor([.nan, -1, 0, 2, -.infinity, .infinity], shape: [6]).requiringGrad()
        let y = a.relu()
        let v = y.toArray()
        XCTAssertTrue(v[0].isNaN)
        XCTAssertEqual(Array(v[1...]), [0, 0, 2, 0, .infinity])
        y.sum().backward()
        XCTAssertEqual(a.grad!.toArray(), [1, 0, 0, 1, 0, 1])
    }

    /// A 1×1 convolution (3 from 2 channels) of a 6×20 image with NaN at three
    /// pixels: the NaN reaches every output channel at that pixel.
    func testFusedConvReluMaxPoolEqualsTheUnfusedCompositionWithNaN() {
        let c = 2, m = 3, h = 6, w = 20
        var xv = (0..<(c * h * w)).map { Float(($0 * 29) % 17) / 4 - 2 }
        for pixel in [1 * w + 3, 4 * w + 18, 2 * w + 9] { xv[pixel] = .nan }    // channel 0; the last one in the tail windows
        let wv: [Float] = [0.5, -1, -0.25, 0.75, 1, 1]
        let bv: [Float] = [0.1, -0.2, 0.3]
        // Reference: conv, then ReLU (NaN passes), then torch's 2×2 rule (a NaN wins).
        var conv = [Float](repeating: 0, count: m * h * w)
        for o in 0..<m {
            for p in 0..<(h * w) {
                var s = bv[o]
                for i in 0..<c { s += wv[o * c + i] * xv[i * h * w + p] }
                conv[o * h * w + p] = s > 0 || s.isNaN ? s : 0
            }
        }
        var expected: [Float] = []
        for o in 0..<m {
            for oy in 0..<(h / 2) {
                for ox in 0..<(w / 2) {
                    var best = Float.nan, first = true
                    for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        let v = conv[o * h * w + (2 * oy + dy) * w + 2 * ox + dx]
                        if first || v > best || v.isNaN { best = v; first = false }
                    }
                    expected.append(best)
                }
            }
        }
        XCTAssertEqual(expected.filter(\.isNaN).count, 3 * m)

        func run(fused: Bool) -> (out: [Float], dx: [Float]) {
            let x = Tensor(xv, shape: [1, c, h, w]).requiringGrad()
            let weight = Tensor(wv, shape: [m, c, 1, 1]).requiringGrad()
            let bias = Tensor(bv, shape: [m])
            let y = conv2d(x, weight: weight, bias: bias)
            let pooled = maxPool2d(fused ? relu(y) : y.relu(), 2)
            pooled.sum().backward()
            return (pooled.toArray(), x.grad!.toArray())
        }
        let fused = run(fused: true), plain = run(fused: false)
        for (name, got) in [("fused", fused.out), ("unfused", plain.out)] {
            XCTAssertEqual(got.count, expected.count)
            for (i, (a, b)) in zip(got, expected).enumerated() {
                if b.isNaN {
                    XCTAssertTrue(a.isNaN, "\(name) window \(i): \(a), expected NaN")
                } else {
                    XCTAssertEqual(a, b, accuracy: 1e-5, "\(name) window \(i)")
                }
            }
        }
        // The input gradient only involves the weights and the pooled positions: no NaN, the same both ways.
        XCTAssertFalse(fused.dx.contains { $0.isNaN })
        for (i, (a, b)) in zip(fused.dx, plain.dx).enumerated() { XCTAssertEqual(a, b, accuracy: 1e-6, "dx \(i)") }
    }

    func testConvWithFusedReluPassesNaN() {
        let x = Tensor([1, .nan, -3, 4], shape: [1, 1, 2, 2])
        let y = relu(conv2d(x, weight: Tensor([1], shape: [1, 1, 1, 1]), bias: Tensor([0.5], shape: [1]))).toArray()
        XCTAssertEqual(y[0], 1.5)
        XCTAssertTrue(y[1].isNaN)
        XCTAssertEqual(y[2], 0)
        XCTAssertEqual(y[3], 4.5)
    }
}
