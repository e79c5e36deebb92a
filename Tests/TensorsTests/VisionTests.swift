import XCTest
@testable import Tensors

/// PixelShuffle/Unshuffle, Upsample (every mode) and Bilinear against
/// PyTorch (Tests/Fixtures/nn/vision) and finite differences.
final class VisionTests: XCTestCase {
    let file = "vision/vision"

    func testPixelShuffleMatchesTorch() {
        checkLayerCase(file, "pixelshuffle", PixelShuffle(upscaleFactor: 2))
        checkLayerCase(file, "pixelshuffle_3d", PixelShuffle(upscaleFactor: 3))
        checkLayerCase(file, "pixelunshuffle", PixelUnshuffle(downscaleFactor: 2))
        let x = sample([2, 3, 4, 6])
        XCTAssertEqual(pixelShuffle(pixelUnshuffle(x, downscaleFactor: 2), upscaleFactor: 2).toArray(), x.toArray())
        assertRejects(PixelShuffle(upscaleFactor: 2), [1, 6, 2, 2], "is not divisible by 4")
    }

    func testUpsampleMatchesTorch() {
        checkLayerCase(file, "nearest1d", Upsample(scaleFactor: [2.5]))
        checkLayerCase(file, "nearest2d_size", Upsample(size: [5, 3]))
        checkLayerCase(file, "nearest3d", Upsample(scaleFactor: [1, 2, 1.5]))
        checkLayerCase(file, "linear", Upsample(scaleFactor: [1.7], mode: .linear))
        checkLayerCase(file, "linear_align", Upsample(size: [7], mode: .linear, alignCorners: true))
        checkLayerCase(file, "bilinear", Upsample(size: [5, 7], mode: .bilinear))
        checkLayerCase(file, "bilinear_down", Upsample(scaleFactor: [0.6], mode: .bilinear))
        checkLayerCase(file, "bicubic", Upsample(scaleFactor: [2], mode: .bicubic), atol: 1e-4)
        checkLayerCase(file, "bicubic_align", Upsample(size: [4, 6], mode: .bicubic, alignCorners: true), atol: 1e-4)
        checkLayerCase(file, "trilinear", Upsample(scaleFactor: [2, 1.5, 2], mode: .trilinear))
        checkLayerCase(file, "upsampling_nearest2d", UpsamplingNearest2d(scaleFactor: [3]))
        checkLayerCase(file, "upsampling_bilinear2d", UpsamplingBilinear2d(size: [4, 5]))
    }

    func testUpsampleErrorsAndShapes() {
        assertRejects(Upsample(scaleFactor: [2], mode: .bilinear), [1, 2, 5], "Got 3D input, but bilinear mode needs 4D input")
        assertRejects(Upsample(scaleFactor: [2], mode: .trilinear), [1, 2, 5, 5], "Got 4D input, but trilinear mode needs 5D input")
        XCTAssertEqual(metaShape(Upsample(scaleFactor: [2], mode: .bicubic), [[1, 3, 5, 7]]), [1, 3, 10, 14])
        XCTAssertEqual(metaShape(Upsample(size: [4]), [[2, 2, 3, 5, 6]]), [2, 2, 4, 4, 4])
    }

    func testBilinearMatchesTorch() {
        let c = nnCase(file, "bilinear_layer")
        let bl = Bilinear(4, 3, 2)
        XCTAssertEqual(bl.description, c["repr"] as? String)
        noGrad {
            bl.weight.copy(from: fixtureTensor(c, "weight"))
            bl.bias?.copy(from: fixtureTensor(c, "bias"))
        }
        let x1 = fixtureTensor(c, "x1").requiringGrad(), x2 = fixtureTensor(c, "x2").requiringGrad()
        let y = bl(x1, x2)
        assertClose(y, fixtureTensor(c, "out"), "out")
        (y * fixtureTensor(c, "gy")).sum().backward()
        assertClose(x1.grad, fixtureTensor(c, "dx1"), "dx1")
        assertClose(x2.grad, fixtureTensor(c, "dx2"), "dx2")
        assertClose(bl.weight.grad, fixtureTensor(c, "dweight"), "dweight")
        assertClose(bl.bias?.grad, fixtureTensor(c, "dbias"), "dbias")
        let shapes = try? bl.validate(inputShapes: [[7, 2, 4], [7, 2, 3]])
        XCTAssertEqual(shapes?.first?.outputShape, [7, 2, 2])
        XCTAssertThrowsError(try bl.validate(inputShapes: [[7, 4], [6, 3]]))
        XCTAssertEqual(Bilinear(2, 2, 1, bias: false).description, "Bilinear(in1_features=2, in2_features=2, out_features=1, bias=False)")
        XCTAssertTrue(Bilinear(16, 3, 4, generator: Generator(seed: 2)).weight.toArray().allSatisfy { abs($0) <= 0.25 })
    }

    func testGradientsMatchFiniteDifferences() {
        let x = sample([1, 2, 3, 4], seed: 12)
        gradCheck(x) { interpolate($0, scaleFactor: [1.5], mode: .bilinear) }
        gradCheck(x) { interpolate($0, size: [5, 6], mode: .bicubic, alignCorners: true) }
        gradCheck(x) { interpolate($0, size: [4, 7], mode: .nearest) }
        gradCheck(sample([1, 1, 2, 2, 3], seed: 2)) { interpolate($0, scaleFactor: [2], mode: .trilinear) }
        gradCheck(sample([2, 8, 2, 2], seed: 3)) { pixelShuffle($0, upscaleFactor: 2) }
        gradCheck([sample([3, 4], seed: 4), sample([3, 2], seed: 5), sample([2, 4, 2], seed: 6), sample([2], seed: 7)]) {
            bilinear($0[0], $0[1], weight: $0[2], bias: $0[3])
        }
    }
}
