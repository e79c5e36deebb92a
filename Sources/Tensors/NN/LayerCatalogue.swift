/// Every layer of `Tensors`' nn catalogue by family, as the reference's
/// tables list PyTorch's (Linear, Convolution, Pooling, Padding,
/// Normalization, Dropout, Vision, Utilities, Activations), each with an example
/// instance, so the CLI (`workbench nn list`) and the TUI can show what exists.
///
/// ```swift
/// for family in LayerCatalogue.families {
///     print(family.name + ": " + family.entries.map(\.name).joined(separator: ", "))
/// }
/// ```
public enum LayerCatalogue {
    /// One layer: its PyTorch name, an example instance with typical
    /// arguments and input shapes that example accepts.
    public struct Entry: Sendable {
        /// The name, as `torch.nn` spells it (`Conv2d`).
        public let name: String
        /// Shapes of the example's inputs (for `validate(inputShapes:)`).
        public let inputShapes: [[Int]]
        /// A new instance with example arguments.
        public let example: @Sendable () -> Module
    }

    /// A family of layers (one reference table).
    public struct Family: Sendable {
        /// The family's name (`Convolution`).
        public let name: String
        /// Its layers in the reference's order.
        public let entries: [Entry]
    }

    private static func e(_ name: String, _ shapes: [[Int]] = [[2, 4, 6, 6]], _ make: @escaping @Sendable () -> Module) -> Entry {
        Entry(name: name, inputShapes: shapes, example: make)
    }

    /// All families.
    public static let families: [Family] = [
        Family(name: "Linear", entries: [
            e("Identity") { Identity() }, e("Linear", [[3, 4]]) { Linear(4, 2) }, e("Bilinear", [[3, 4], [3, 3]]) { Bilinear(4, 3, 2) },
        ]),
        Family(name: "Convolution", entries: [
            e("Conv1d", [[2, 2, 9]]) { Conv1d(2, 4, kernelSize: 3) }, e("Conv2d", [[2, 2, 7, 7]]) { Conv2d(2, 4, kernelSize: 3) },
            e("Conv3d", [[1, 2, 5, 5, 5]]) { Conv3d(2, 4, kernelSize: [3]) }, e("ConvTranspose1d", [[2, 2, 5]]) { ConvTranspose1d(2, 4, kernelSize: 3) },
            e("ConvTranspose2d", [[2, 2, 4, 4]]) { ConvTranspose2d(2, 4, kernelSize: 3) }, e("ConvTranspose3d", [[1, 2, 3, 3, 3]]) { ConvTranspose3d(2, 4, kernelSize: [3]) },
            e("Unfold", [[2, 3, 4, 4]]) { Unfold(kernelSize: 2) }, e("Fold", [[2, 8, 9]]) { Fold(outputSize: [4, 4], kernelSize: 2) },
        ]),
        Family(name: "Pooling", entries: [
            e("MaxPool1d", [[2, 3, 8]]) { MaxPool1d(2) }, e("MaxPool2d") { MaxPool2d(2) }, e("MaxPool3d", [[1, 2, 4, 4, 4]]) { MaxPool3d([2]) },
            e("MaxUnpool1d", [[2, 3, 4], [2, 3, 4]]) { MaxUnpool1d(2) }, e("MaxUnpool2d", [[2, 3, 4, 4], [2, 3, 4, 4]]) { MaxUnpool2d([2]) }, e("MaxUnpool3d", [[1, 2, 2, 2, 2], [1, 2, 2, 2, 2]]) { MaxUnpool3d([2]) },
            e("AvgPool1d", [[2, 3, 8]]) { AvgPool1d(2) }, e("AvgPool2d") { AvgPool2d(2) }, e("AvgPool3d", [[1, 2, 4, 4, 4]]) { AvgPool3d([2]) },
            e("FractionalMaxPool2d") { FractionalMaxPool2d(2, outputRatio: (0.5, 0.5)) },
            e("LPPool1d", [[2, 3, 8]]) { LPPool1d(2, 2) }, e("LPPool2d") { LPPool2d(2, [2]) },
            e("AdaptiveMaxPool1d", [[2, 3, 7]]) { AdaptiveMaxPool1d(2) }, e("AdaptiveMaxPool2d") { AdaptiveMaxPool2d([2]) },
            e("AdaptiveMaxPool3d", [[1, 2, 5, 5, 5]]) { AdaptiveMaxPool3d([2]) }, e("AdaptiveAvgPool1d", [[2, 3, 7]]) { AdaptiveAvgPool1d(2) },
            e("AdaptiveAvgPool2d") { AdaptiveAvgPool2d(2) }, e("AdaptiveAvgPool3d", [[1, 2, 5, 5, 5]]) { AdaptiveAvgPool3d([2]) },
        ]),
        Family(name: "Padding", entries: [
            e("ReflectionPad1d", [[2, 3, 5]]) { ReflectionPad1d(1) }, e("ReflectionPad2d") { ReflectionPad2d(1) }, e("ReflectionPad3d", [[1, 2, 3, 3, 3]]) { ReflectionPad3d(1) },
            e("ReplicationPad1d", [[2, 3, 5]]) { ReplicationPad1d(1) }, e("ReplicationPad2d") { ReplicationPad2d(1) },
            e("ReplicationPad3d", [[1, 2, 3, 3, 3]]) { ReplicationPad3d(1) }, e("ZeroPad1d", [[2, 3, 5]]) { ZeroPad1d(1) }, e("ZeroPad2d") { ZeroPad2d(1) },
            e("ZeroPad3d", [[1, 2, 3, 3, 3]]) { ZeroPad3d(1) }, e("ConstantPad1d", [[2, 3, 5]]) { ConstantPad1d(1, value: 0.5) },
            e("ConstantPad2d") { ConstantPad2d(1, value: 0.5) }, e("ConstantPad3d", [[1, 2, 3, 3, 3]]) { ConstantPad3d(1, value: 0.5) },
        ]),
        Family(name: "Normalization", entries: [
            e("BatchNorm1d", [[3, 4, 5]]) { BatchNorm1d(4) }, e("BatchNorm2d") { BatchNorm2d(4) }, e("BatchNorm3d", [[2, 4, 2, 3, 3]]) { BatchNorm3d(4) },
            e("GroupNorm") { GroupNorm(numGroups: 2, numChannels: 4) }, e("SyncBatchNorm") { SyncBatchNorm(4) },
            e("InstanceNorm1d", [[3, 4, 5]]) { InstanceNorm1d(4) }, e("InstanceNorm2d") { InstanceNorm2d(4) }, e("InstanceNorm3d", [[2, 4, 2, 3, 3]]) { InstanceNorm3d(4) },
            e("LayerNorm", [[3, 5, 4]]) { LayerNorm(4) }, e("LocalResponseNorm") { LocalResponseNorm(size: 2) },
        ]),
        Family(name: "Dropout", entries: [
            e("Dropout") { Dropout() }, e("Dropout1d", [[2, 4, 5]]) { Dropout1d() }, e("Dropout2d") { Dropout2d() }, e("Dropout3d", [[2, 4, 2, 3, 3]]) { Dropout3d() },
            e("AlphaDropout") { AlphaDropout() },
        ]),
        Family(name: "Vision", entries: [
            e("PixelShuffle") { PixelShuffle(upscaleFactor: 2) }, e("PixelUnshuffle") { PixelUnshuffle(downscaleFactor: 2) },
            e("Upsample") { Upsample(scaleFactor: [2]) }, e("UpsamplingNearest2d") { UpsamplingNearest2d(scaleFactor: [2]) },
            e("UpsamplingBilinear2d") { UpsamplingBilinear2d(scaleFactor: [2]) },
        ]),
        Family(name: "Utilities", entries: [
            e("Flatten") { Flatten() }, e("Unflatten") { Unflatten(dim: 1, unflattenedSize: [2, 2]) },
        ]),
        Family(name: "Activations", entries: [
            e("ELU") { ELU() }, e("Hardshrink") { Hardshrink() }, e("Hardsigmoid") { Hardsigmoid() }, e("Hardtanh") { Hardtanh() },
            e("Hardswish") { Hardswish() }, e("LeakyReLU") { LeakyReLU() }, e("LogSigmoid") { LogSigmoid() }, e("PReLU") { PReLU() },
            e("ReLU") { ReLU() }, e("ReLU6") { ReLU6() }, e("RReLU") { RReLU() }, e("SELU") { SELU() }, e("CELU") { CELU() },
            e("GELU") { GELU() }, e("Sigmoid") { Sigmoid() }, e("SiLU") { SiLU() }, e("Mish") { Mish() }, e("Softplus") { Softplus() },
            e("Softshrink") { Softshrink() }, e("Softsign") { Softsign() }, e("Tanh") { Tanh() }, e("Tanhshrink") { Tanhshrink() },
            e("Threshold") { Threshold(0.1, 0) }, e("GLU") { GLU() }, e("Softmin") { Softmin(dim: 1) }, e("Softmax") { Softmax(dim: 1) },
            e("Softmax2d") { Softmax2d() }, e("LogSoftmax") { LogSoftmax(dim: 1) },
            e("AdaptiveLogSoftmaxWithLoss", [[5, 8], [5]]) { AdaptiveLogSoftmaxWithLoss(inFeatures: 8, nClasses: 10, cutoffs: [4]) },
        ]),
    ]
}
