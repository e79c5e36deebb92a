import XCTest
@testable import Tensors

final class ConvTests: XCTestCase {
    /// Reads a fixture's conv arguments.
    private func args(_ c: [String: Any]) -> (stride: Size2, padding: ConvPadding, dilation: Size2, groups: Int) {
        let a = c["args"] as? [String: Any] ?? [:]
        func size(_ v: Any?) -> Size2 {
            if let i = v as? Int { return Size2(i) }
            if let p = v as? [Int] { return Size2(p[0], p[1]) }
            return Size2(1)
        }
        var padding: ConvPadding = 0
        if let p = a["padding"] as? String { padding = p == "same" ? .same : .valid }
        else if let p = a["padding"] as? Int { padding = .size(Size2(p)) }
        else if let p = a["padding"] as? [Int] { padding = .size(Size2(p[0], p[1])) }
        return (a["stride"] == nil ? 1 : size(a["stride"]), padding, a["dilation"] == nil ? 1 : size(a["dilation"]),
                a["groups"] as? Int ?? 1)
    }

    func testConv2dMatchesTorch() {
        for name in ["conv_basic", "conv_stride_pad", "conv_dilation", "conv_groups", "conv_same_even", "conv_same_dilated",
                     "conv_pointwise", "conv_pointwise_stride", "conv_lenet1"] {
            let c = nnCase("layers", name)
            let a = args(c)
            let x = fixtureTensor(c, "x").requiringGrad(), w = fixtureTensor(c, "w").requiringGrad()
            let b = c["b"] != nil ? fixtureTensor(c, "b").requiringGrad() : nil
            let y = conv2d(x, weight: w, bias: b, stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups)
            assertClose(y, fixtureTensor(c, "out"), atol: 1e-4, name)
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), atol: 1e-4, "\(name) dx")
            assertClose(w.grad, fixtureTensor(c, "dw"), atol: 1e-4, "\(name) dw")
            if let b { assertClose(b.grad, fixtureTensor(c, "db"), atol: 1e-4, "\(name) db") }
        }
    }

    func testConv2dGradCheck() {
        let g = Generator(seed: 11)
        let configs: [(Size2, ConvPadding, Size2, Int)] = [(1, 0, 1, 1), ([2, 1], [1, 0], 1, 1), (1, .same, 2, 1), (1, 1, 1, 2)]
        for (stride, padding, dilation, groups) in configs {
            let x = Tensor.randn([2, 4, 5, 5], generator: g).requiringGrad()
            let w = Tensor.randn([4, 4 / groups, 3, 2], generator: g).requiringGrad()
            let b = Tensor.randn([4], generator: g).requiringGrad()
            nnGradCheck([x, w, b]) { t in
                conv2d(t[0], weight: t[1], bias: t[2], stride: stride, padding: padding, dilation: dilation, groups: groups)
            }
        }
    }

    // The conv → relu → max-pool fusion is tested in ConvFusionTests.

    func testBandedColumnsMatchWholeImage() {
        let g = Generator(seed: 6)
        let x = Tensor.randn([2, 3, 9, 8], generator: g).requiringGrad()
        let w = Tensor.randn([4, 3, 3, 3], generator: g).requiringGrad()
        let b = Tensor.randn([4], generator: g).requiringGrad()
        func run() -> (Tensor, Tensor, Tensor, Tensor) {
            x.grad = nil; w.grad = nil; b.grad = nil
            let y = conv2d(x, weight: w, bias: b, padding: 1, dilation: [2, 1])
            (y * y).sum().backward()
            return (y.detach(), x.grad!, w.grad!, b.grad!)
        }
        let whole = run()
        let saved = ConvKernels.bandFloats
        ConvKernels.bandFloats = 3 * 9 * 10 * 2  // two output rows per band
        defer { ConvKernels.bandFloats = saved }
        let banded = run()
        assertClose(banded.0, whole.0, "y")
        assertClose(banded.1, whole.1, "dx")
        assertClose(banded.2, whole.2, "dw")
        assertClose(banded.3, whole.3, "db")
    }

    func testConv2dModule() {
        let conv = Conv2d(3, 6, kernelSize: 5)
        XCTAssertEqual(conv.description, "Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))")
        XCTAssertEqual(conv.weight.shape, [6, 3, 5, 5])
        let bound = 1 / Float(75).squareRoot()
        XCTAssertTrue(conv.weight.toArray().allSatisfy { abs($0) <= bound })
        XCTAssertTrue(conv.bias!.toArray().allSatisfy { abs($0) <= bound })
        XCTAssertEqual(Conv2d(3, 8, kernelSize: 3, padding: .same, dilation: 2, bias: false).description,
                       "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2), bias=False)")
        XCTAssertEqual(Conv2d(4, 8, kernelSize: [3, 1], stride: 2, padding: [1, 0], groups: 2).description,
                       "Conv2d(4, 8, kernel_size=(3, 1), stride=(2, 2), padding=(1, 0), groups=2)")
        XCTAssertEqual(Conv2d(4, 8, kernelSize: 3, padding: .valid).description,
                       "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=valid)")
        // Unbatched input.
        XCTAssertEqual(conv(Tensor.randn([3, 8, 8])).shape, [6, 4, 4])
        XCTAssertEqual(conv(Tensor.meta([16, 3, 32, 32])).shape, [16, 6, 28, 28])
    }

    func testConv2dShapeErrors() {
        let conv = Conv2d(3, 6, kernelSize: 5)
        XCTAssertThrowsError(try ShapeCheck.run { _ = conv(Tensor.meta([2, 1, 32, 32])) }) { e in
            XCTAssertEqual("\(e)", "conv2d: Given groups=1, weight of size [6, 3, 5, 5], expected input[2, 1, 32, 32] to have 3 channels, but got 1 channels instead")
        }
        XCTAssertThrowsError(try ShapeCheck.run { _ = conv(Tensor.meta([2, 3, 4, 4])) }) { e in
            XCTAssertTrue("\(e)".contains("Kernel size can't be greater than actual input size"), "\(e)")
        }
        XCTAssertThrowsError(try ShapeCheck.run { _ = conv(Tensor.meta([3, 32])) }) { e in
            XCTAssertTrue("\(e)".contains("Expected 3D (unbatched) or 4D (batched) input"), "\(e)")
        }
    }

    func testWorkspaceReusesBuffers() {
        let a = Workspace.acquire(1_234_567)
        let p = a.pointer
        _ = consume a
        let b = Workspace.acquire(1_234_500)
        XCTAssertEqual(b.pointer, p)
    }

    /// `MemoryTuning.releaseFreeMemory` keeps at most the given bytes of free workspace
    /// (oldest blocks go first) and never frees a buffer in use.
    func testReleasingFreeMemoryCapsTheRetainedWorkspace() {
        MemoryTuning.releaseFreeMemory(keepingWorkspaceBytes: 0)
        XCTAssertEqual(MemoryTuning.retainedWorkspaceBytes, 0)
        let inUse = Workspace.acquire(1 << 20)
        inUse.pointer[(1 << 20) - 1] = 7
        do {
            let blocks = (0..<4).map { _ in Workspace.acquire(2 << 20) }  // 4 × 8 MiB
            XCTAssertEqual(blocks.count, 4)
        }
        XCTAssertEqual(MemoryTuning.retainedWorkspaceBytes, 32 << 20)
        XCTAssertEqual(MemoryTuning.releaseFreeMemory(keepingWorkspaceBytes: 20 << 20), 16 << 20)
        XCTAssertEqual(MemoryTuning.releaseFreeMemory(keepingWorkspaceBytes: 0), 0)
        XCTAssertEqual(inUse.pointer[(1 << 20) - 1], 7)
        _ = consume inUse
        XCTAssertEqual(MemoryTuning.retainedWorkspaceBytes, 4 << 20)
    }
}
