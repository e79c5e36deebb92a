import XCTest
@testable import Tensors

/// Printed forms of layers built with non-default arguments (tuples, None
/// sizes, padding modes, flags, int and float values) against PyTorch's
/// `repr` (Tests/Fixtures/nn/reprs/make_reprs.py builds the same layers).
final class LayerReprTests: XCTestCase {
    static let layers: [String: () -> Module] = [
        "Linear": { Linear(3, 5, bias: false) },
        "Bilinear": { Bilinear(2, 3, 4, bias: false) },
        "Conv1d": { Conv1d(3, 6, kernelSize: 3, stride: 2, padding: 1, dilation: 2, groups: 3, bias: false, paddingMode: .reflect) },
        "Conv2d": { Conv2d(2, 4, kernelSize: [3, 5], stride: [2, 1], padding: [1, 2], groups: 2, paddingMode: .circular) },
        "Conv2d_same": { Conv2d(2, 4, kernelSize: 3, padding: .same, bias: false) },
        "Conv2d_valid": { Conv2d(2, 4, kernelSize: 3, padding: .valid, dilation: 2) },
        "Conv3d": { Conv3d(2, 4, kernelSize: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1], paddingMode: .replicate) },
        "ConvTranspose1d": { ConvTranspose1d(2, 4, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1) },
        "ConvTranspose2d": { ConvTranspose2d(4, 2, kernelSize: [3, 4], stride: 2, padding: [1, 0], outputPadding: 1, groups: 2, bias: false) },
        "ConvTranspose3d": { ConvTranspose3d(2, 2, kernelSize: [3], stride: [2], dilation: [2]) },
        "Unfold": { Unfold(kernelSize: [2, 3], dilation: 2, padding: 1, stride: 2) },
        "Fold": { Fold(outputSize: [5, 6], kernelSize: 2, stride: 1) },
        "MaxPool1d": { MaxPool1d(3, stride: 2, padding: 1, dilation: 2, returnIndices: true, ceilMode: true) },
        "MaxPool2d": { MaxPool2d([3, 2], stride: [2, 1], padding: 1, ceilMode: true) },
        "MaxPool3d": { MaxPool3d([2], stride: [1]) },
        "MaxUnpool2d": { MaxUnpool2d([2], stride: [2], padding: [1]) },
        "AvgPool1d": { AvgPool1d(3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false) },
        "AvgPool2d": { AvgPool2d(3, stride: 2, padding: 1, divisorOverride: 2) },
        "AvgPool3d": { AvgPool3d([1, 2, 2], stride: [1, 2, 2], countIncludePad: false) },
        "FractionalMaxPool2d": { FractionalMaxPool2d(3, outputSize: [4, 5], returnIndices: true) },
        "LPPool1d": { LPPool1d(3, 2, stride: 1, ceilMode: true) },
        "LPPool2d": { LPPool2d(1.5, [2, 3]) },
        "AdaptiveMaxPool1d": { AdaptiveMaxPool1d(3, returnIndices: true) },
        "AdaptiveMaxPool2d": { AdaptiveMaxPool2d([nil, 3]) },
        "AdaptiveAvgPool2d": { AdaptiveAvgPool2d(sizes: [4, nil]) },
        "AdaptiveAvgPool3d": { AdaptiveAvgPool3d([2, nil, 3]) },
        "ReflectionPad2d": { ReflectionPad2d([1, 2, 0, 1]) },
        "ReplicationPad1d": { ReplicationPad1d([2, 1]) },
        "ZeroPad2d": { ZeroPad2d([1, 0, 2, 3]) },
        "ConstantPad2d": { ConstantPad2d([1, 2, 3, 4], value: 3.5) },
        "ConstantPad1d": { ConstantPad1d(2, value: -1) },
        "BatchNorm1d": { BatchNorm1d(6, eps: 1e-3, momentum: nil, affine: false, trackRunningStats: false) },
        "BatchNorm2d": { BatchNorm2d(3, momentum: 0.01) },
        "SyncBatchNorm": { SyncBatchNorm(3, eps: 1e-4) },
        "InstanceNorm2d": { InstanceNorm2d(3, affine: true, trackRunningStats: true) },
        "GroupNorm": { GroupNorm(numGroups: 3, numChannels: 6, eps: 1e-6, affine: false) },
        "LayerNorm": { LayerNorm([4, 5], eps: 1e-6, elementwiseAffine: false) },
        "LayerNorm_nobias": { LayerNorm([4], bias: false) },
        "LocalResponseNorm": { LocalResponseNorm(size: 3, alpha: 0.001, beta: 0.5, k: 2) },
        "Dropout": { Dropout(p: 0.25, inplace: true) },
        "Dropout2d": { Dropout2d(p: 0.1) },
        "AlphaDropout": { AlphaDropout(p: 0.2) },
        "PixelShuffle": { PixelShuffle(upscaleFactor: 3) },
        "Upsample_size": { Upsample(size: [4, 6], mode: .bilinear, alignCorners: true) },
        "Upsample_scales": { Upsample(scaleFactor: [2, 1.5], mode: .bicubic) },
        "Upsample_linear": { Upsample(size: [5], mode: .linear) },
        "UpsamplingBilinear2d": { UpsamplingBilinear2d(size: [3, 4]) },
        "ELU": { ELU(alpha: 0.5, inplace: true) },
        "CELU": { CELU(alpha: 2) },
        "Hardshrink": { Hardshrink(lambd: 0.25) },
        "Softshrink": { Softshrink(lambd: 1) },
        "Hardtanh": { Hardtanh(minVal: -2, maxVal: 3.5) },
        "RReLU": { RReLU(lower: 0.1, upper: 0.3) },
        "LeakyReLU": { LeakyReLU(negativeSlope: 0.2, inplace: true) },
        "PReLU": { PReLU(numParameters: 3, init: 0.1) },
        "Softplus": { Softplus(beta: 2, threshold: 10) },
        "Threshold": { Threshold(0.5, -1, inplace: true) },
        "GELU": { GELU(approximate: .tanh) },
        "Softmin": { Softmin(dim: 0) },
        "Softmax": { Softmax() },
        "LogSoftmax": { LogSoftmax(dim: 2) },
        "GLU": { GLU(dim: 1) },
        "ReLU": { ReLU(inplace: true) },
        "ReLU6": { ReLU6(inplace: true) },
        "SELU": { SELU(inplace: true) },
        "SiLU": { SiLU(inplace: true) },
        "Mish": { Mish(inplace: true) },
        "Hardswish": { Hardswish(inplace: true) },
        "Hardsigmoid": { Hardsigmoid(inplace: true) },
        "Flatten": { Flatten(startDim: 0, endDim: 2) },
        "Unflatten": { Unflatten(dim: -1, unflattenedSize: [2, 3, 1]) },
        "Embedding": { Embedding(10, 3, paddingIdx: 0, maxNorm: 1, normType: 1, scaleGradByFreq: true, sparse: true) },
        "EmbeddingBag": { EmbeddingBag(10, 3, mode: .sum, paddingIdx: 1) },
        "CosineSimilarity": { CosineSimilarity(dim: 0, eps: 1e-6) },
        "PairwiseDistance": { PairwiseDistance(p: 1, keepdim: true) },
        "LSTM": { LSTM(4, 8, numLayers: 2, dropout: 0.25, bidirectional: true) },
        "GRU": { GRU(3, 5, bias: false, batchFirst: true) },
        "RNN": { RNN(3, 4, nonlinearity: .relu) },
        "MultiheadAttention": { MultiheadAttention(embedDim: 8, numHeads: 2, dropout: 0.1, bias: false, kdim: 4, vdim: 6) },
    ]

    func testPrintedFormsMatchTorch() throws {
        let fixture = nnFixture("reprs/reprs")
        let reprs = try XCTUnwrap(fixture["reprs"] as? [String: String])
        XCTAssertEqual(Set(reprs.keys), Set(Self.layers.keys), "the fixture and the test build the same layers")
        for (name, make) in Self.layers.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(make().description, reprs[name], name)
        }
    }
}
