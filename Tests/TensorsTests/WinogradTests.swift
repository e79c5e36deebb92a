import XCTest
@testable import Tensors

/// Winograd F(4×4, 3×3) (`WinogradKernels`) against the im2col path on odd
/// shapes: forward (plain, ReLU and ReLU + 2×2 max-pool epilogues) and the
/// gradients of input, weight and bias; plus finite differences on a tiny case.
final class WinogradTests: XCTestCase {
    /// Runs `body` with the Winograd path forced on every 3×3 stride-1 layer (`on`) or off.
    func with<T>(winograd on: Bool, _ body: () -> T) -> T {
        let saved = (WinogradKernels.enabled, WinogradKernels.minChannels, WinogradKernels.minGain, WinogradKernels.minTiles)
        WinogradKernels.enabled = on
        WinogradKernels.minChannels = 1
        WinogradKernels.minGain = 0
        WinogradKernels.minTiles = 0
        defer { (WinogradKernels.enabled, WinogradKernels.minChannels, WinogradKernels.minGain, WinogradKernels.minTiles) = saved }
        return body()
    }

    enum Head: CaseIterable { case plain, relu, reluPool }

    /// Output and the gradients (dx, dw, db) of sum(head(conv(x)) · gy).
    func evaluate(_ x: Tensor, _ w: Tensor, _ b: Tensor?, padding: Size2, head: Head, gy seed: UInt64) -> [Tensor?] {
        let xl = Tensor(x.toArray(), shape: x.shape).requiringGrad()
        let wl = Tensor(w.toArray(), shape: w.shape).requiringGrad()
        let bl = b.map { Tensor($0.toArray(), shape: $0.shape).requiringGrad() }
        let conv = conv2d(xl, weight: wl, bias: bl, padding: .size(padding))
        let y: Tensor
        switch head {
        case .plain: y = conv
        case .relu: y = relu(conv)
        case .reluPool: y = maxPool2d(relu(conv), 2)
        }
        let gy = Tensor.randn(y.shape, generator: Generator(seed: seed))
        (y * gy).sum().backward()
        return [y.detach(), xl.grad, wl.grad, bl?.grad]
    }

    func testMatchesIm2colOnOddShapes() {
        let g = Generator(seed: 9)
        var compared = 0
        for (h, w) in [(1, 1), (2, 2), (5, 7)] {
            for (c, m) in [(1, 3), (3, 17), (17, 1), (17, 17)] {
                for n in [1, 3] {
                    for pad in [Size2(0), Size2(1), Size2(2), Size2(0, 2)] where h + 2 * pad.h >= 3 && w + 2 * pad.w >= 3 {
                        for hasBias in [false, true] {
                            let x = Tensor.randn([n, c, h, w], generator: g)
                            let wt = Tensor.randn([m, c, 3, 3], generator: g)
                            let b = hasBias ? Tensor.randn([m], generator: g) : nil
                            let oh = h + 2 * pad.h - 2, ow = w + 2 * pad.w - 2
                            for head in Head.allCases where head != .reluPool || (oh >= 2 && ow >= 2) {
                                let before = WinogradKernels.calls
                                let fast = with(winograd: true) { evaluate(x, wt, b, padding: pad, head: head, gy: 5) }
                                // Forward and the dX of backward.
                                XCTAssertGreaterThanOrEqual(WinogradKernels.calls - before, 2, "Winograd path taken")
                                let ref = with(winograd: false) { evaluate(x, wt, b, padding: pad, head: head, gy: 5) }
                                // Each output sums 9·C products of N(0, 1) values: about 3·√C in size.
                                // A wrong transform is off by O(1); F(4×4, 3×3) rounding is ~1e-6 of that.
                                let atol = 1e-4 * Float(3 * c).squareRoot() * Float(m).squareRoot()
                                let what = "\(n)×\(c)×\(h)×\(w) → \(m), pad \(pad), bias \(hasBias), \(head)"
                                for (i, name) in ["y", "dx", "dw", "db"].enumerated() {
                                    guard let r = ref[i] else { XCTAssertNil(fast[i], "\(what) \(name)"); continue }
                                    assertClose(fast[i], r, atol: atol, rtol: 1e-4, "\(what) \(name)")
                                }
                                compared += 1
                            }
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(compared, 200)
    }

    /// The error of F(4×4, 3×3) on a ResNet-sized layer, relative to the output scale.
    func testErrorOnALayerSizedCase() {
        let g = Generator(seed: 3)
        let x = Tensor.randn([2, 64, 16, 16], generator: g), w = Tensor.randn([64, 64, 3, 3], generator: g)
        let fast = with(winograd: true) { noGrad { conv2d(x, weight: w, padding: 1) } }.toArray()
        let ref = with(winograd: false) { noGrad { conv2d(x, weight: w, padding: 1) } }.toArray()
        var worst: Float = 0, scale: Float = 0
        for (a, b) in zip(fast, ref) { worst = max(worst, abs(a - b)); scale = max(scale, abs(b)) }
        // Observed about 3e-6 of the largest output; im2col vs itself in another order is ~1e-7.
        XCTAssertLessThan(worst / scale, 5e-5, "max error \(worst) at scale \(scale)")
        XCTAssertGreaterThan(scale, 10)
    }

    func testGradientsMatchFiniteDifferences() {
        let g = Generator(seed: 4)
        let x = Tensor.randn([1, 2, 5, 6], generator: g)
        let w = Tensor.randn([3, 2, 3, 3], generator: g), b = Tensor.randn([3], generator: g)
        with(winograd: true) {
            gradCheck([x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1) }
        }
    }

    func testPlannerTakesOnlyLayersWhereItPays() {
        func geometry(n: Int = 4, c: Int, m: Int, k: Int, stride: Int = 1, pad: Int, size: Int) -> ConvGeometry {
            let o = (size + 2 * pad - k) / stride + 1
            return ConvGeometry(n: n, c: c, h: size, w: size, m: m, kh: k, kw: k, sh: stride, sw: stride,
                                padT: pad, padL: pad, padB: pad, padR: pad, dh: 1, dw: 1, groups: 1, oh: o, ow: o)
        }
        let saved = WinogradKernels.enabled
        defer { WinogradKernels.enabled = saved }
        WinogradKernels.enabled = true
        XCTAssertTrue(WinogradKernels.applies(geometry(c: 64, m: 64, k: 3, pad: 1, size: 32)), "ResNet-18 layer1")
        XCTAssertFalse(WinogradKernels.applies(geometry(n: 16, c: 512, m: 512, k: 3, pad: 1, size: 4)),
                       "ResNet-18 layer4 at batch 16: 16 tiles do not pay for the filter transform")
        XCTAssertTrue(WinogradKernels.applies(geometry(n: 256, c: 512, m: 512, k: 3, pad: 1, size: 4)), "layer4 at batch 256")
        XCTAssertTrue(WinogradKernels.applies(geometry(n: 16, c: 128, m: 128, k: 3, pad: 1, size: 16)), "layer2 at batch 16")
        XCTAssertFalse(WinogradKernels.applies(geometry(c: 256, m: 256, k: 3, pad: 1, size: 2)), "2×2 output: no gain")
        XCTAssertFalse(WinogradKernels.applies(geometry(c: 3, m: 64, k: 3, pad: 1, size: 32)), "3 input channels")
        XCTAssertFalse(WinogradKernels.applies(geometry(c: 64, m: 128, k: 3, stride: 2, pad: 1, size: 32)), "stride 2")
        XCTAssertFalse(WinogradKernels.applies(geometry(c: 6, m: 16, k: 5, pad: 0, size: 14)), "LeNet5's 5×5")
        WinogradKernels.enabled = false
        XCTAssertFalse(WinogradKernels.applies(geometry(c: 64, m: 64, k: 3, pad: 1, size: 32)), "switched off")
    }
}
