import XCTest
@testable import Tensors

/// The conv → relu → 2×2 max-pool peephole (`ConvPeephole`): the fused nodes
/// against the unfused reference ops (`Tensor.relu()` does not fuse), and
/// against finite differences, on odd shapes.
final class ConvFusionTests: XCTestCase {
    /// (input shape, conv): LeNet's stride-1 unpadded case, padded, strided, dilated,
    /// grouped, channels not a multiple of 8 or 16, odd and 1×1-ish output sizes.
    func cases(_ g: Generator) -> [([Int], Conv2d)] {
        [
            ([3, 3, 12, 12], Conv2d(3, 6, kernelSize: 5, generator: g)),
            ([2, 2, 7, 6], Conv2d(2, 5, kernelSize: 3, padding: 1, generator: g)),
            ([2, 2, 9, 9], Conv2d(2, 3, kernelSize: 3, stride: 2, bias: false, generator: g)),
            ([1, 2, 8, 7], Conv2d(2, 2, kernelSize: 2, generator: g)),
            ([2, 4, 9, 9], Conv2d(4, 6, kernelSize: 3, padding: 2, dilation: 2, groups: 2, generator: g)),
            ([2, 17, 3, 3], Conv2d(17, 9, kernelSize: 1, generator: g)),
        ]
    }

    func testConvReLUMatchesUnfused() {
        let g = Generator(seed: 2)
        for (shape, conv) in cases(g) {
            let x = Tensor.randn(shape, generator: g).requiringGrad()
            let fused = relu(conv(x))
            XCTAssertEqual(fused.gradFnName, "ConvolutionReluBackward0", "\(shape): the peephole fused")
            let ref = conv(x).relu()
            XCTAssertEqual(ref.gradFnName, "ReluBackward0")
            assertClose(fused, ref, "\(shape) forward")
            let gy = Tensor.randn(ref.shape, generator: g)
            (fused * gy).sum().backward()
            let dx = x.grad!, dw = conv.weight.grad!, db = conv.bias?.grad
            x.grad = nil
            conv.zeroGrad()
            (ref * gy).sum().backward()
            assertClose(dx, x.grad!, "\(shape) dx")
            assertClose(dw, conv.weight.grad!, "\(shape) dw")
            if let db { assertClose(db, conv.bias!.grad!, "\(shape) db") }
        }
    }

    func testConvReLUMaxPoolMatchesUnfused() {
        let g = Generator(seed: 5)
        for (shape, conv) in cases(g) {
            let x = Tensor.randn(shape, generator: g).requiringGrad()
            let probe = noGrad { conv(x) }
            guard probe.shape[2] >= 2 && probe.shape[3] >= 2 else { continue }
            let fused = maxPool2d(relu(conv(x)), 2)
            XCTAssertEqual(fused.gradFnName, "ConvolutionReluMaxPoolBackward0", "\(shape): the peephole fused")
            let ref = maxPool2d(conv(x).relu(), 2)
            XCTAssertEqual(ref.gradFnName, "MaxPool2DWithIndicesBackward0")
            assertClose(fused, ref, "\(shape) forward")
            let gy = Tensor.randn(ref.shape, generator: g)
            (fused * gy).sum().backward()
            let dx = x.grad!, dw = conv.weight.grad!, db = conv.bias?.grad
            x.grad = nil
            conv.zeroGrad()
            (ref * gy).sum().backward()
            assertClose(dx, x.grad!, "\(shape) dx")
            assertClose(dw, conv.weight.grad!, "\(shape) dw")
            if let db { assertClose(db, conv.bias!.grad!, "\(shape) db") }
        }
    }

    func testFusedGradientsMatchFiniteDifferences() {
        let g = Generator(seed: 9)
        let x = Tensor.randn([2, 3, 7, 8], generator: g)
        let w = Tensor.randn([5, 3, 3, 3], generator: g)
        let b = Tensor.randn([5], generator: g)
        gradCheck([x, w, b], eps: 1e-3, atol: 2e-2, rtol: 2e-2) { t in
            maxPool2d(relu(conv2d(t[0], weight: t[1], bias: t[2], padding: 1)), 2)
        }
        gradCheck([x, w, b], eps: 1e-3, atol: 2e-2, rtol: 2e-2) { t in
            relu(conv2d(t[0], weight: t[1], bias: t[2], stride: 2))
        }
    }

    /// An intermediate used twice still gets both gradient paths.
    func testIntermediateUsedElsewhereKeepsItsGradient() {
        let g = Generator(seed: 11)
        let x = Tensor.randn([2, 2, 6, 6], generator: g).requiringGrad()
        let w = Tensor.randn([3, 2, 3, 3], generator: g).requiringGrad()
        let c = conv2d(x, weight: w)
        let r = relu(c)
        let y = (maxPool2d(r, 2).sum() + (r * c).sum() + c.sum())
        y.backward()
        let dx = x.grad!, dw = w.grad!
        x.grad = nil
        w.grad = nil
        let c2 = conv2d(x, weight: w) * 1
        let r2 = c2.relu()
        (maxPool2d(r2, 2).sum() + (r2 * c2).sum() + c2.sum()).backward()
        assertClose(dx, x.grad!, "dx")
        assertClose(dw, w.grad!, "dw")
    }

    /// A convolution output written in place after the conv is not fused with the old note.
    func testInPlaceWriteDisablesFusion() {
        let g = Generator(seed: 12)
        let x = Tensor.randn([1, 2, 6, 6], generator: g)
        let w = Tensor.randn([3, 2, 3, 3], generator: g).requiringGrad()
        let c = conv2d(x, weight: w)
        c.withUnsafeMutableBufferPointer { $0[0] = -5 }
        let r = relu(c)
        XCTAssertEqual(r.gradFnName, "ReluBackward0")
        XCTAssertEqual(r.toArray()[0], 0)
    }

    /// Inference (no grad) goes through the same kernels and gives the same values.
    func testNoGradValuesMatch() {
        let g = Generator(seed: 13)
        let x = Tensor.randn([4, 3, 32, 32], generator: g)
        let net = LeNet5(generator: g)
        let a = noGrad { net(x) }
        let c1 = noGrad { maxPool2d(net.conv1(x).relu(), 2) }
        let c2 = noGrad { maxPool2d(net.conv2(c1).relu(), 2) }
        let ref = noGrad { net.fc3(net.fc2(net.fc1(c2.flatten(startDim: 1)).relu()).relu()) }
        assertClose(a, ref)
        // Shape validation sees each layer.
        let layers = try? net.validate(inputShapes: [[2, 3, 32, 32]])
        XCTAssertEqual(layers?.first { $0.path == "conv1" }?.outputShape, [2, 6, 28, 28])
    }
}
