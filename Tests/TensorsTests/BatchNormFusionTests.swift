import XCTest
@testable import Tensors

/// Inference-mode `batchNorm` (and a following `relu`) folded into the
/// convolution's output pass (`ConvPeephole.batchNorm`), against the unfused
/// ops; training mode and gradient-recording eval mode stay unfused.
final class BatchNormFusionTests: XCTestCase {
    /// A batch norm with non-trivial running statistics and affine parameters.
    func makeBatchNorm(_ c: Int, _ g: Generator) -> BatchNorm2d {
        let bn = BatchNorm2d(c)
        noGrad {
            bn.runningMean = Tensor.randn([c], generator: g)
            bn.runningVar = Tensor.rand([c], generator: g) + 0.5
            bn.weight = Tensor.randn([c], generator: g).requiringGrad()
            bn.bias = Tensor.randn([c], generator: g).requiringGrad()
        }
        bn.eval()
        return bn
    }

    /// (input shape, conv): per-image path (P ≥ 64 wide and strided), multi-image path (small P),
    /// pointwise, grouped, no bias.
    func cases(_ g: Generator) -> [([Int], Conv2d)] {
        [
            ([3, 3, 12, 12], Conv2d(3, 6, kernelSize: 3, padding: 1, generator: g)),
            ([2, 5, 11, 9], Conv2d(5, 7, kernelSize: 3, stride: 2, bias: false, generator: g)),
            ([5, 17, 4, 4], Conv2d(17, 9, kernelSize: 3, padding: 1, generator: g)),
            ([3, 17, 2, 2], Conv2d(17, 9, kernelSize: 1, generator: g)),
            ([2, 4, 9, 9], Conv2d(4, 6, kernelSize: 3, padding: 1, groups: 2, generator: g)),
        ]
    }

    /// The unfused reference: the convolution output is read before the batch norm sees it.
    func reference(_ conv: Conv2d, _ bn: BatchNorm2d, _ x: Tensor, relu withReLU: Bool) -> Tensor {
        noGrad {
            let c = conv(x)
            _ = c.toArray()
            let y = bn(c)
            XCTAssertFalse(y.isDeferred)
            return withReLU ? y.relu() : y
        }
    }

    func testEvalBatchNormReLUMatchesUnfused() {
        let g = Generator(seed: 23)
        for (shape, conv) in cases(g) {
            let bn = makeBatchNorm(conv.weight.shape[0], g)
            let x = Tensor.randn(shape, generator: g)
            for withReLU in [false, true] {
                let fused = noGrad { () -> Tensor in
                    let y = bn(conv(x))
                    XCTAssertTrue(y.isDeferred, "\(shape): the batch norm was folded into the convolution")
                    return withReLU ? relu(y) : y
                }
                if withReLU { XCTAssertTrue(fused.isDeferred, "\(shape): the ReLU joined it") }
                let ref = reference(conv, bn, x, relu: withReLU)
                assertClose(fused, ref, atol: 0, rtol: 1e-6, "\(shape) relu \(withReLU)")
            }
            // A 2×2 max-pool after the fused ReLU pools the batch-normalised values, not the raw ones.
            let pooled = noGrad { maxPool2d(relu(bn(conv(x))), 2) }
            let refPooled = noGrad { maxPool2d(reference(conv, bn, x, relu: true), 2) }
            assertClose(pooled, refPooled, atol: 0, rtol: 1e-6, "\(shape) pooled")
        }
    }

    /// Training mode normalises with the batch's statistics (per-channel mean 0, variance 1
    /// before the affine step) and updates the running statistics; nothing is folded.
    func testTrainingModeUsesBatchStatistics() {
        let g = Generator(seed: 29)
        let conv = Conv2d(3, 4, kernelSize: 3, padding: 1, generator: g)
        let bn = BatchNorm2d(4)
        bn.train()
        let x = Tensor.randn([5, 3, 4, 4], generator: g) * 3 + 2
        let before = bn.runningMean!.toArray()
        let y = noGrad { bn(conv(x)) }
        XCTAssertFalse(y.isDeferred)
        let v = y.toArray()
        for ch in 0..<4 {
            var vals: [Float] = []
            for img in 0..<5 { vals += v[((img * 4 + ch) * 16)..<((img * 4 + ch + 1) * 16)] }
            let mean = vals.reduce(0, +) / Float(vals.count)
            let variance = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(vals.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-4, "channel \(ch) mean")
            XCTAssertEqual(variance, 1, accuracy: 1e-3, "channel \(ch) variance")
        }
        XCTAssertNotEqual(bn.runningMean!.toArray(), before, "running statistics updated")
    }

    /// In eval mode with gradients recorded the batch norm is not folded, and its gradient flows.
    func testEvalWithGradientsStaysUnfused() {
        let g = Generator(seed: 31)
        let conv = Conv2d(3, 4, kernelSize: 3, padding: 1, generator: g)
        let bn = makeBatchNorm(4, g)
        let x = Tensor.randn([3, 3, 4, 4], generator: g).requiringGrad()
        let y = relu(bn(conv(x)))
        XCTAssertEqual(y.gradFnName, "ReluBackward0")
        y.sum().backward()
        XCTAssertNotNil(x.grad)
        assertClose(y.detach(), reference(conv, bn, x.detach(), relu: true), atol: 0, rtol: 1e-6, "values")
    }
}
