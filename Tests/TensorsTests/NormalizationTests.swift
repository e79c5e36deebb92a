import XCTest
@testable import Tensors

final class NormalizationTests: XCTestCase {
    func testBatchNormMatchesTorch() {
        for (name, make) in [("bn2d", { BatchNorm2d($0) as BatchNorm }), ("bn1d_2d", { BatchNorm1d($0) }), ("bn1d_3d", { BatchNorm1d($0) })] {
            for mode in ["train", "eval"] {
                let c = nnCase("layers", "\(name)_\(mode)")
                let x = fixtureTensor(c, "x").requiringGrad()
                let bn = make(x.shape[1])
                noGrad {
                    bn.weight!.copy(from: fixtureTensor(c, "w"))
                    bn.bias!.copy(from: fixtureTensor(c, "b"))
                    bn.runningMean!.copy(from: fixtureTensor(c, "rm"))
                    bn.runningVar!.copy(from: fixtureTensor(c, "rv"))
                }
                bn.train(mode == "train")
                let y = bn(x)
                assertClose(y, fixtureTensor(c, "out"), atol: 1e-4, "\(name) \(mode)")
                (y * fixtureTensor(c, "gy")).sum().backward()
                assertClose(x.grad, fixtureTensor(c, "dx"), atol: 1e-4, "\(name) \(mode) dx")
                assertClose(bn.weight!.grad, fixtureTensor(c, "dw"), atol: 1e-4, "\(name) \(mode) dw")
                assertClose(bn.bias!.grad, fixtureTensor(c, "db"), atol: 1e-4, "\(name) \(mode) db")
                if mode == "train" {
                    assertClose(bn.runningMean!, fixtureTensor(c, "rm_after"), "\(name) running_mean")
                    assertClose(bn.runningVar!, fixtureTensor(c, "rv_after"), "\(name) running_var (unbiased)")
                    XCTAssertEqual(bn.numBatchesTracked!.item(), 1)
                } else {
                    XCTAssertEqual(bn.numBatchesTracked!.item(), 0)
                    assertClose(bn.runningMean!, fixtureTensor(c, "rm"), "\(name) eval leaves running_mean")
                }
            }
        }
    }

    func testCumulativeMovingAverage() {
        let c = nnCase("layers", "bn2d_cumulative")
        let bn = BatchNorm2d(2, momentum: nil)
        guard let xs = c["xs"] as? [[String: Any]] else { return XCTFail("xs") }
        for x in xs { _ = bn(fixtureTensor(["x": x], "x")) }
        assertClose(bn.runningMean!, fixtureTensor(c, "rm_after"))
        assertClose(bn.runningVar!, fixtureTensor(c, "rv_after"))
        XCTAssertEqual(bn.numBatchesTracked!.item(), 3)
    }

    func testBatchNormGradCheck() {
        let g = Generator(seed: 4)
        let x = Tensor.randn([3, 2, 2, 2], generator: g).requiringGrad()
        let w = Tensor.randn([2], generator: g).requiringGrad(), b = Tensor.randn([2], generator: g).requiringGrad()
        nnGradCheck([x, w, b], eps: 1e-2, atol: 3e-2) { t in
            batchNorm(t[0], runningMean: nil, runningVar: nil, weight: t[1], bias: t[2], training: true)
        }
        let rm = Tensor([0.1, -0.2]), rv = Tensor([0.9, 1.3])
        nnGradCheck([x, w, b]) { t in
            batchNorm(t[0], runningMean: rm, runningVar: rv, weight: t[1], bias: t[2], training: false)
        }
        let x2 = Tensor.randn([4, 3], generator: g).requiringGrad()
        nnGradCheck([x2], atol: 3e-2) { t in BatchNorm1d(3, affine: false, trackRunningStats: false)(t[0]) }
    }

    func testBatchNormModuleStateAndPrint() {
        let bn = BatchNorm2d(4)
        XCTAssertEqual(bn.description, "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)")
        XCTAssertEqual(BatchNorm1d(3, momentum: nil, affine: false).description,
                       "BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)")
        XCTAssertEqual(BatchNorm2d(4, eps: 1e-3, momentum: 0.01).description,
                       "BatchNorm2d(4, eps=0.001, momentum=0.01, affine=True, bias=True, track_running_stats=True)")
        XCTAssertEqual(bn.namedParameters().map(\.0), ["weight", "bias"])
        XCTAssertEqual(bn.namedBuffers().map(\.0), ["running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(bn.stateDict().map(\.0), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(bn.stateDict().last?.1.shape, [])
        XCTAssertEqual(bn.runningVar!.toArray(), [1, 1, 1, 1])
        // Validation (meta input) does not touch the statistics.
        _ = try? bn.validate(inputShape: [2, 4, 3, 3])
        XCTAssertEqual(bn.numBatchesTracked!.item(), 0)
    }

    func testBatchNormErrors() {
        XCTAssertThrowsError(try ShapeCheck.run { _ = BatchNorm2d(3)(Tensor.meta([2, 3, 4])) }) { e in
            XCTAssertEqual("\(e)", "BatchNorm2d: expected 4D input (got 3D input)")
        }
        XCTAssertThrowsError(try ShapeCheck.run { _ = BatchNorm1d(3)(Tensor.meta([2, 4])) }) { e in
            XCTAssertTrue("\(e)".contains("should contain 4 elements"), "\(e)")
        }
        XCTAssertThrowsError(try ShapeCheck.run { _ = BatchNorm1d(3)(Tensor.zeros([1, 3])) }) { e in
            XCTAssertTrue("\(e)".contains("Expected more than 1 value per channel when training"), "\(e)")
        }
    }
}
