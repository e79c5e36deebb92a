import XCTest
@testable import Tensors

/// Conv1d, Conv3d, ConvTranspose1d/2d/3d, padding_mode, Unfold and Fold
/// against PyTorch (Tests/Fixtures/nn/conv) and finite differences.
final class ConvNdTests: XCTestCase {
    let file = "conv/conv"

    func run(_ name: String, _ m: Module & UnaryLayer, line: UInt = #line) {
        let params = m.namedParameters()
        checkLayerCase(file, name, m, params: params.map { ($0.0, $0.1) }, atol: 1e-4, rtol: 1e-4, line: line)
    }

    func testConv1dMatchesTorch() {
        run("conv1d", Conv1d(3, 4, kernelSize: 3, padding: 1))
        run("conv1d_strided_groups", Conv1d(4, 6, kernelSize: 3, stride: 2, dilation: 2, groups: 2, bias: false))
        run("conv1d_same_reflect", Conv1d(2, 3, kernelSize: 4, padding: .same, paddingMode: .reflect))
        run("conv1d_circular", Conv1d(2, 2, kernelSize: 3, padding: 2, paddingMode: .circular))
        run("conv1d_unbatched", Conv1d(2, 3, kernelSize: 2))
    }

    func testConv3dMatchesTorch() {
        run("conv3d", Conv3d(2, 3, kernelSize: [2, 3, 2], stride: [1, 2, 1], padding: [1, 0, 1]))
        run("conv3d_groups_dilation", Conv3d(4, 4, kernelSize: [2], dilation: [1, 2, 1], groups: 2))
        run("conv3d_same_replicate", Conv3d(1, 2, kernelSize: [2, 3, 3], padding: .same, paddingMode: .replicate))
        run("conv3d_same_zeros", Conv3d(1, 2, kernelSize: [2, 2, 3], padding: .same))
        run("conv3d_stride_gt_kernel", Conv3d(2, 2, kernelSize: [1, 2, 2], stride: [2, 3, 3]))
        run("convt3d_stride_gt_kernel", ConvTranspose3d(2, 1, kernelSize: [1, 2, 2], stride: [2, 3, 3]))
    }

    func testConv2dPaddingModesMatchTorch() {
        run("conv2d_reflect", Conv2d(2, 3, kernelSize: 3, padding: [1, 2], paddingMode: .reflect))
        run("conv2d_circular", Conv2d(1, 2, kernelSize: [2, 3], padding: 1, paddingMode: .circular))
    }

    func testTransposedConvolutionsMatchTorch() {
        run("convt1d", ConvTranspose1d(3, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1))
        run("convt1d_groups", ConvTranspose1d(4, 6, kernelSize: 2, stride: 3, groups: 2, bias: false, dilation: 2))
        run("convt2d", ConvTranspose2d(2, 3, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0]))
        run("convt2d_outpad_groups", ConvTranspose2d(4, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2))
        run("convt2d_unbatched", ConvTranspose2d(2, 2, kernelSize: 2))
        run("convt3d", ConvTranspose3d(2, 2, kernelSize: [2, 2, 3], stride: [1, 2, 2], padding: [0, 1, 1], outputPadding: [0, 1, 0]))
    }

    func testUnfoldFoldMatchTorch() {
        run("unfold", Unfold(kernelSize: [2, 3], dilation: [1, 2], padding: 1, stride: [2, 1]))
        run("fold", Fold(outputSize: [4, 5], kernelSize: [2, 2], padding: [1, 0], stride: [1, 2]))
    }

    func testGradientsMatchFiniteDifferences() {
        let g = Generator(seed: 4)
        let x3 = Tensor.randn([1, 2, 3, 4, 3], generator: g), w3 = Tensor.randn([4, 1, 2, 2, 2], generator: g)
        let b3 = Tensor.randn([4], generator: g)
        gradCheck([x3, w3, b3]) { conv3d($0[0], weight: $0[1], bias: $0[2], stride: [1, 2, 1], padding: [1, 0, 1], groups: 2) }
        let xt = Tensor.randn([2, 2, 2, 3], generator: g), wt = Tensor.randn([2, 3, 3, 2], generator: g)
        gradCheck([xt, wt, Tensor.randn([3], generator: g)]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 1], padding: 1, outputPadding: [1, 0])
        }
        gradCheck([Tensor.randn([1, 2, 2, 2, 2], generator: g), Tensor.randn([2, 1, 2, 1, 2], generator: g)]) {
            convTranspose3d($0[0], weight: $0[1], stride: [2], groups: 2)
        }
        gradCheck(Tensor.randn([1, 2, 3, 4], generator: g)) { unfold($0, kernelSize: 2, padding: 1, stride: [1, 2]) }
        gradCheck(Tensor.randn([1, 4, 6], generator: g)) { fold($0, outputSize: [3, 4], kernelSize: 2, padding: [0, 1], stride: [1, 2]) }
        gradCheck([Tensor.randn([2, 2, 5], generator: g), Tensor.randn([2, 2, 3], generator: g)]) {
            conv1d($0[0], weight: $0[1], stride: 2, padding: 1)
        }
    }

    func testShapesAndErrors() {
        XCTAssertEqual(metaShape(Conv3d(2, 4, kernelSize: [3], stride: [2], padding: [1]), [[1, 2, 8, 8, 8]]), [1, 4, 4, 4, 4])
        XCTAssertEqual(metaShape(ConvTranspose2d(4, 2, kernelSize: 4, stride: 2, padding: 1), [[1, 4, 8, 8]]), [1, 2, 16, 16])
        XCTAssertEqual(metaShape(Conv1d(2, 3, kernelSize: 3, padding: .same), [[4, 2, 9]]), [4, 3, 9])
        XCTAssertEqual(metaShape(Unfold(kernelSize: 2, stride: 2), [[1, 3, 4, 4]]), [1, 12, 4])
        assertRejects(Conv3d(2, 4, kernelSize: [3]), [1, 3, 4, 4, 4], "expected input[1, 3, 4, 4, 4] to have 2 channels, but got 3 channels instead")
        assertRejects(Conv3d(2, 4, kernelSize: [3]), [1, 2, 2, 4, 4], "Kernel size can't be greater than actual input size")
        assertRejects(Conv1d(2, 4, kernelSize: 3), [1, 2, 3, 4], "Expected 2D (unbatched) or 3D (batched) input to conv1d")
        assertRejects(Fold(outputSize: [4, 5], kernelSize: 2), [1, 8, 9], "expected size of input's dimension 2 to match the calculated number of sliding blocks 3 * 4 = 12")
        XCTAssertEqual(Conv2d(2, 4, kernelSize: 3, padding: 1, paddingMode: .circular).description,
                       "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=circular)")
        XCTAssertEqual(Conv3d(2, 2, kernelSize: [3], padding: .valid).description,
                       "Conv3d(2, 2, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=valid)")
        XCTAssertEqual(ConvTranspose3d(2, 2, kernelSize: [2]).description, "ConvTranspose3d(2, 2, kernel_size=(2, 2, 2), stride=(1, 1, 1))")
        XCTAssertEqual(Unfold(kernelSize: 2).description, "Unfold(kernel_size=2, dilation=1, padding=0, stride=1)")
        // output_size picks the output padding, like forward(input, output_size=…).
        let up = ConvTranspose2d(2, 2, kernelSize: 3, stride: 2, padding: 1)
        let xin = sample([1, 2, 4, 4])
        XCTAssertEqual(up(xin, outputSize: [8, 7]).shape, [1, 2, 8, 7])
        assertClose(up(xin, outputSize: [8, 8]),
                    convTranspose2d(xin, weight: up.weight, bias: up.bias, stride: 2, padding: 1, outputPadding: 1), "output_size")
        XCTAssertNotNil(shapeError { _ = up(Tensor.meta([1, 2, 4, 4]), outputSize: [9, 8]) })
        // Initialisation bound 1/√fan_in, fan_in from weight dim 1 (out/groups for transposed).
        let t = ConvTranspose1d(3, 8, kernelSize: 2, generator: Generator(seed: 1))
        XCTAssertEqual(t.weight.shape, [3, 8, 2])
        XCTAssertTrue(t.bias?.toArray().allSatisfy { abs($0) <= 1 / Float(16).squareRoot() } ?? false)
        XCTAssertEqual(Conv3d(4, 6, kernelSize: [1, 2, 3], groups: 2).weight.shape, [6, 2, 1, 2, 3])
    }
}
