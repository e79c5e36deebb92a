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

    // MARK: Deferred convolution outputs (`DeferredFill`)

    /// conv → relu → pool never writes the intermediates; reading them later gives
    /// the values an eager convolution gives, to the bit.
    func testFusedIntermediatesStayDeferredAndReadExactlyLater() {
        let g = Generator(seed: 21)
        let x = Tensor.randn([3, 3, 12, 12], generator: g)
        let w = Tensor.randn([6, 3, 5, 5], generator: g), b = Tensor.randn([6], generator: g)
        let c = conv2d(x, weight: w, bias: b)
        let r = relu(c)
        let p = maxPool2d(r, 2)
        XCTAssertTrue(c.isDeferred, "the convolution output was not written")
        XCTAssertTrue(r.isDeferred, "the ReLU output was not written")
        XCTAssertFalse(p.isDeferred)
        let eager = conv2d(x, weight: w, bias: b)
        let eagerValues = eager.toArray()
        XCTAssertEqual(c.toArray(), eagerValues)
        XCTAssertEqual(r.toArray(), eager.relu().toArray())
        XCTAssertEqual(p.toArray(), maxPool2d(eager.relu(), 2).toArray())
    }

    /// The pool fused from the GEMM output and the pool over a ReLU output that was
    /// already read give the same values and gradients.
    func testPoolOverReadReLUOutputMatchesFusedPool() {
        let g = Generator(seed: 22)
        let x = Tensor.randn([2, 4, 9, 10], generator: g).requiringGrad()
        let conv = Conv2d(4, 5, kernelSize: 3, padding: 1, generator: g)
        let fused = maxPool2d(relu(conv(x)), 2)
        let r = relu(conv(x))
        _ = r.toArray()
        let fromValues = maxPool2d(r, 2)
        XCTAssertEqual(fromValues.gradFnName, "ConvolutionReluMaxPoolBackward0")
        XCTAssertEqual(fused.toArray(), fromValues.toArray())
        let gy = Tensor.randn(fused.shape, generator: g)
        (fused * gy).sum().backward()
        let dx = x.grad!, dw = conv.weight.grad!
        x.grad = nil
        conv.zeroGrad()
        (fromValues * gy).sum().backward()
        XCTAssertEqual(dx.toArray(), x.grad!.toArray())
        XCTAssertEqual(dw.toArray(), conv.weight.grad!.toArray())
    }

    /// An in-place write to a convolution's input or weight (an optimizer step)
    /// after the call does not change the output read later.
    func testInPlaceWriteToInputsAfterTheCallDoesNotChangeADeferredOutput() {
        let g = Generator(seed: 23)
        let x = Tensor.randn([2, 3, 8, 8], generator: g)
        let conv = Conv2d(3, 4, kernelSize: 3, generator: g)
        let expected = noGrad { conv(x).toArray() }
        let y = conv(x)
        let r = relu(y)
        XCTAssertTrue(y.isDeferred)
        x.addInPlace(Tensor.ones(x.shape))
        XCTAssertEqual(y.toArray(), expected)
        XCTAssertEqual(r.toArray(), expected.map { $0 > 0 ? $0 : 0 })

        let zExpected = noGrad { conv(x).toArray() }
        let z = conv(x)
        conv(x).sum().backward()
        XCTAssertTrue(z.isDeferred)
        let opt = try! SGD(conv.parameters(), lr: 0.5)
        opt.step()
        XCTAssertEqual(z.toArray(), zExpected, "the step ran after the convolution")
        XCTAssertNotEqual(noGrad { conv(x).toArray() }, zExpected, "the step changed the weights")
    }

    /// A deferred output read from several threads at once is computed once, correctly.
    func testDeferredOutputReadConcurrently() {
        let g = Generator(seed: 24)
        let x = Tensor.randn([4, 3, 10, 10], generator: g)
        let w = Tensor.randn([8, 3, 3, 3], generator: g)
        let expected = conv2d(x, weight: w).toArray()
        for _ in 0..<20 {
            let y = conv2d(x, weight: w)
            let sums = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
            defer { sums.deallocate() }
            DispatchQueue.concurrentPerform(iterations: 4) { i in sums[i] = y.toArray().reduce(0, +) }
            let want = expected.reduce(0, +)
            for i in 0..<4 { XCTAssertEqual(sums[i], want) }
        }
    }

    /// A `Sequential` of Conv2d, ReLU, MaxPool2d fuses like the functional ops and matches the unfused ops.
    func testSequentialConvReLUPoolFuses() {
        let g = Generator(seed: 25)
        let conv = Conv2d(3, 4, kernelSize: 3, padding: 1, generator: g)
        let net = Sequential(conv, ReLU(), MaxPool2d(2))
        let x = Tensor.randn([2, 3, 8, 8], generator: g).requiringGrad()
        let y = net(x)
        XCTAssertEqual(y.gradFnName, "ConvolutionReluMaxPoolBackward0")
        let ref = maxPool2d(conv(x).relu(), 2)
        XCTAssertEqual(y.toArray(), ref.toArray())
        y.sum().backward()
        let dx = x.grad!
        x.grad = nil
        ref.sum().backward()
        assertClose(dx, x.grad!, "dx")
    }
}
