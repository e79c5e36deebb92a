import XCTest
@testable import Tensors

/// The pooling catalogue against PyTorch (Tests/Fixtures/nn/pooling) and finite differences.
final class PoolingNdTests: XCTestCase {
    let file = "pooling/pooling"

    func testMaxPoolsMatchTorch() {
        checkLayerCase(file, "maxpool1d", MaxPool1d(3, stride: 2, padding: 1))
        checkLayerCase(file, "maxpool1d_dil_ceil", MaxPool1d(2, stride: 2, dilation: 2, returnIndices: true, ceilMode: true))
        checkLayerCase(file, "maxpool3d", MaxPool3d([2, 2, 1], stride: [1, 2, 1], returnIndices: true))
        checkLayerCase(file, "maxpool3d_pad_ceil", MaxPool3d([3], stride: [2], padding: [1], ceilMode: true))
        checkLayerCase(file, "maxpool3d_stride_gt_kernel", MaxPool3d([1, 2, 2], stride: [2, 3, 3]))
        checkLayerCase(file, "avgpool1d_stride_gt_kernel", AvgPool1d(2, stride: 3))
        // Indices like PyTorch's (flat in-plane positions).
        for (name, layer) in [("maxpool1d_dil_ceil", MaxPool1d(2, stride: 2, dilation: 2, returnIndices: true, ceilMode: true) as MaxPoolNd),
                              ("maxpool3d", MaxPool3d([2, 2, 1], stride: [1, 2, 1], returnIndices: true))] {
            let c = nnCase(file, name)
            XCTAssertEqual(layer(withIndices: fixtureTensor(c, "x")).indices.values, c["indices"] as? [Int], name)
            XCTAssertEqual((try? layer.forward(tensors: [fixtureTensor(c, "x")]))?.count, 2)
        }
        let c = nnCase(file, "maxpool2d_indices")
        let pool2 = MaxPool2d(2, stride: [1, 2], padding: 1, returnIndices: true)
        XCTAssertEqual(pool2.description, c["repr"] as? String)
        XCTAssertEqual((try? pool2.validate(inputShapes: [[1, 2, 4, 5]]))?.first?.outputShape, [1, 2, 5, 3])
        XCTAssertEqual((try? pool2.forward(tensors: [fixtureTensor(c, "x")]))?.map(\.shape), [[1, 2, 5, 3], [1, 2, 5, 3]])
        let x = fixtureTensor(c, "x").requiringGrad()
        let (y, idx) = pool2(withIndices: x)
        assertClose(y, fixtureTensor(c, "out"), "maxpool2d out")
        XCTAssertEqual(idx.values, c["indices"] as? [Int])
        (y * fixtureTensor(c, "gy")).sum().backward()
        assertClose(x.grad, fixtureTensor(c, "dx"), "maxpool2d dx")
    }

    func testAvgAndLPPoolsMatchTorch() {
        checkLayerCase(file, "avgpool1d", AvgPool1d(3, stride: 2, padding: 1))
        checkLayerCase(file, "avgpool1d_ceil_nopad", AvgPool1d(2, stride: 2, padding: 1, ceilMode: true, countIncludePad: false))
        checkLayerCase(file, "avgpool3d", AvgPool3d([2], stride: [1, 2, 2], padding: [1, 0, 1]))
        checkLayerCase(file, "avgpool3d_divisor_ceil", AvgPool3d([2, 3, 2], stride: [2], ceilMode: true, divisorOverride: 5))
        checkLayerCase(file, "avgpool3d_nopad", AvgPool3d([3], stride: [2], padding: [1], countIncludePad: false))
        checkLayerCase(file, "lppool1d", LPPool1d(2, 3, stride: 2), atol: 1e-4)
        checkLayerCase(file, "lppool2d", LPPool2d(1.5, [2, 3], stride: [1, 2], ceilMode: true), atol: 1e-4)
    }

    func testAdaptivePoolsMatchTorch() {
        checkLayerCase(file, "adaptivemax1d", AdaptiveMaxPool1d(3, returnIndices: true))
        checkLayerCase(file, "adaptivemax2d", AdaptiveMaxPool2d([2, nil]))
        checkLayerCase(file, "adaptivemax3d", AdaptiveMaxPool3d([2, 3, 2], returnIndices: true))
        checkLayerCase(file, "adaptiveavg1d", AdaptiveAvgPool1d(4))
        checkLayerCase(file, "adaptiveavg3d", AdaptiveAvgPool3d([nil, 2, 3]))
        let c = nnCase(file, "adaptivemax3d")
        XCTAssertEqual(AdaptiveMaxPool3d([2, 3, 2])(withIndices: fixtureTensor(c, "x")).indices.values, c["indices"] as? [Int])
    }

    func testMaxUnpoolMatchesTorch() {
        let layers: [(String, MaxUnpoolNd, [Int]?)] = [("unpool1d", MaxUnpool1d(2), nil), ("unpool2d", MaxUnpool2d([2], stride: [2]), [4, 5]),
                                                      ("unpool3d", MaxUnpool3d([1, 2, 2]), nil)]
        for (name, layer, outputSize) in layers {
            let c = nnCase(file, name)
            XCTAssertEqual(layer.description, c["repr"] as? String)
            let x = fixtureTensor(c, "x").requiringGrad()
            let y = layer(x, indices: IntTensor(c["indices"] as? [Int] ?? [], shape: x.shape), outputSize: outputSize)
            assertClose(y, fixtureTensor(c, "out"), "\(name) out")
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), "\(name) dx")
        }
        // Round trip: pool then unpool keeps each maximum in place.
        let x = distinctValues([1, 1, 6])
        let (y, idx) = MaxPool1d(2, returnIndices: true)(withIndices: x)
        let back = MaxUnpool1d(2)(y, indices: idx).toArray()
        for (a, b) in zip(x.toArray(), back) { XCTAssertTrue(b == 0 || a == b) }
        XCTAssertEqual(back.filter { $0 != 0 }.count, 3)
    }

    func testGradientsMatchFiniteDifferences() {
        let x1 = distinctValues([2, 2, 7]), x3 = distinctValues([1, 2, 3, 4, 3])
        gradCheck(x1) { maxPool1d($0, kernelSize: 3, stride: 2, padding: 1) }
        gradCheck(x3) { maxPool3d($0, kernelSize: [2], stride: [1, 2, 1], padding: [1, 0, 0]) }
        gradCheck(x1) { avgPool1d($0, kernelSize: 2, stride: 2, padding: 1, ceilMode: true, countIncludePad: false) }
        gradCheck(x3) { avgPool3d($0, kernelSize: [2, 3, 2], stride: [1, 1, 2], padding: [1], divisorOverride: 3) }
        gradCheck(x3) { adaptiveMaxPool($0, dims: 3, outputSize: [2, nil, 2]).output }
        gradCheck(x3) { adaptiveAvgPool($0, dims: 3, outputSize: [2, 3, 2]) }
        gradCheck(x1.abs() + 0.5) { lpPool1d($0, normType: 3, kernelSize: 2) }
        let (y, idx) = maxPool1dWithIndices(x1, kernelSize: 2)
        gradCheck(y) { maxUnpool($0, indices: idx, dims: 1, kernelSize: [2]) }
    }

    func testShapesPrintsAndErrors() {
        XCTAssertEqual(MaxPool3d([2, 2, 1], stride: [1], returnIndices: true).description,
                       "MaxPool3d(kernel_size=(2, 2, 1), stride=1, padding=0, dilation=1, ceil_mode=False)")
        XCTAssertEqual(AvgPool3d([1, 2, 2], countIncludePad: false).description,
                       "AvgPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2), padding=0)")
        XCTAssertEqual(LPPool1d(2, 3).description, "LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)")
        XCTAssertEqual(AdaptiveAvgPool3d([nil, 2, 3]).description, "AdaptiveAvgPool3d(output_size=(None, 2, 3))")
        XCTAssertEqual(AdaptiveMaxPool3d([2]).description, "AdaptiveMaxPool3d(output_size=2)")
        // AdaptiveAvgPool2d with a kept dim (None), against the generic adaptive pool.
        let keep = AdaptiveAvgPool2d(sizes: [nil, 2])
        XCTAssertEqual(keep.description, "AdaptiveAvgPool2d(output_size=(None, 2))")
        let xa = sample([1, 2, 3, 5])
        assertClose(keep(xa), adaptiveAvgPool(xa, dims: 2, outputSize: [nil, 2]), "kept height")
        XCTAssertEqual(metaShape(keep, [[1, 2, 3, 5]]), [1, 2, 3, 2])
        XCTAssertEqual(metaShape(MaxPool3d([2]), [[1, 3, 8, 8, 8]]), [1, 3, 4, 4, 4])
        XCTAssertEqual(metaShape(AdaptiveAvgPool1d(1), [[2, 5, 9]]), [2, 5, 1])
        XCTAssertEqual(metaShape(AvgPool1d(2), [[3, 9]]), [3, 4])
        assertRejects(MaxPool1d(2), [1, 2, 3, 4], "Expected 2D or 3D input to max_pool1d, but got input of size: [1, 2, 3, 4]")
        assertRejects(MaxPool3d([3]), [1, 1, 2, 2, 2], "Output size is too small")
        let v = try? MaxUnpool1d(2).validate(inputShapes: [[1, 2, 3], [1, 2, 3]])
        XCTAssertEqual(v?.first?.outputShape, [1, 2, 6])
    }
}

/// FractionalMaxPool2d with PyTorch's `_random_samples` fixed.
final class FractionalMaxPoolTests: XCTestCase {
    func testFractionalMaxPoolMatchesTorch() {
        for (name, kernel, size, ratio) in [("fractional", Size2(2), Size2(3, 4) as Size2?, nil as (Double, Double)?),
                                            ("fractional_ratio", Size2(3, 2), nil, (0.5, 0.6))] {
            let c = nnCase("pooling/pooling", name)
            let x = fixtureTensor(c, "x").requiringGrad()
            let (y, idx) = fractionalMaxPool2d(x, kernelSize: kernel, outputSize: size, outputRatio: ratio,
                                               randomSamples: fixtureTensor(c, "samples"))
            assertClose(y, fixtureTensor(c, "out"), "\(name) out")
            XCTAssertEqual(idx.values, c["indices"] as? [Int], name)
            (y * fixtureTensor(c, "gy")).sum().backward()
            assertClose(x.grad, fixtureTensor(c, "dx"), "\(name) dx")
        }
    }

    func testFractionalMaxPoolLayerIsSeededAndShaped() {
        let x = distinctValues([2, 3, 9, 8])
        let a = FractionalMaxPool2d(2, outputRatio: (0.5, 0.5), generator: Generator(seed: 4))(x)
        let b = FractionalMaxPool2d(2, outputRatio: (0.5, 0.5), generator: Generator(seed: 4))(x)
        XCTAssertEqual(a.shape, [2, 3, 4, 4])
        XCTAssertEqual(a.toArray(), b.toArray())
        XCTAssertEqual(FractionalMaxPool2d(3, outputSize: [5, 4]).description, "FractionalMaxPool2d()")
        XCTAssertEqual(metaShape(FractionalMaxPool2d(3, outputSize: [5, 4]), [[1, 2, 9, 9]]), [1, 2, 5, 4])
        let samples = Tensor([0.3, 0.7, 0.1, 0.9], shape: [1, 2, 2])
        gradCheck(distinctValues([1, 2, 6, 5])) {
            fractionalMaxPool2d($0, kernelSize: 2, outputSize: [3, 3], randomSamples: samples).output
        }
    }
}
