/// VGG networks with torchvision's structure and state-dict keys
/// (`features.N`, `avgpool`, `classifier.N`), so converted torchvision
/// weights load by key. Prints as `VGG(…)`, like torchvision.
///
/// ```swift
/// let vgg = VGG.vgg16()                     // 138,357,544 parameters, input [N, 3, 224, 224]
/// let shapes = withMetaInit { VGG.vgg16() } // structure only, no memory
/// ```
public final class VGG: Module, UnaryLayer {
    /// The convolution/ReLU/max-pool stack (`features.N` keys).
    public let features: Sequential
    /// Adaptive average pooling to 7×7, so any input of at least 32×32 fits the classifier.
    public let avgpool: AdaptiveAvgPool2d
    /// Linear 25088→4096, ReLU, Dropout, Linear 4096→4096, ReLU, Dropout, Linear 4096→`numClasses`.
    public let classifier: Sequential

    /// A layer of a VGG configuration: a 3×3 convolution to `n` channels, or a 2×2 max-pool.
    public enum Layer: Equatable, Sendable { case conv(Int), pool }

    /// torchvision's configuration "D" (VGG16).
    public static let config16: [Layer] = [.conv(64), .conv(64), .pool, .conv(128), .conv(128), .pool,
                                           .conv(256), .conv(256), .conv(256), .pool,
                                           .conv(512), .conv(512), .conv(512), .pool,
                                           .conv(512), .conv(512), .conv(512), .pool]

    /// Builds `features` from `config` and the torchvision classifier; initialises like
    /// torchvision (conv: kaiming-normal fan_out/ReLU, bias 0; linear: N(0, 0.01), bias 0).
    public init(config: [Layer], batchNorm: Bool = false, numClasses: Int = 1000, dropout: Double = 0.5,
                generator: Generator? = nil) {
        var layers: [any UnaryLayer] = []
        var inChannels = 3
        for layer in config {
            switch layer {
            case .pool:
                layers.append(MaxPool2d(2, stride: 2))
            case .conv(let v):
                layers.append(Conv2d(inChannels, v, kernelSize: 3, padding: 1, generator: generator))
                if batchNorm { layers.append(BatchNorm2d(v)) }
                layers.append(ReLU(inplace: true))
                inChannels = v
            }
        }
        features = Sequential(layers)
        avgpool = AdaptiveAvgPool2d([7, 7])
        classifier = Sequential(
            Linear(512 * 7 * 7, 4096, generator: generator), ReLU(inplace: true), Dropout(p: dropout),
            Linear(4096, 4096, generator: generator), ReLU(inplace: true), Dropout(p: dropout),
            Linear(4096, numClasses, generator: generator))
        super.init()
        for m in modules() {
            if let conv = m as? Conv2d {
                Init.kaimingNormal(conv.weight, mode: .fanOut, nonlinearity: .relu, generator: generator)
                if let b = conv.bias { Init.zeros(b) }
            } else if let fc = m as? Linear {
                Init.normal(fc.weight, mean: 0, std: 0.01, generator: generator)
                if let b = fc.bias { Init.zeros(b) }
            }
        }
    }

    /// VGG16 (configuration "D", no batch norm), like `torchvision.models.vgg16()`.
    public static func vgg16(numClasses: Int = 1000, dropout: Double = 0.5, generator: Generator? = nil) -> VGG {
        VGG(config: config16, numClasses: numClasses, dropout: dropout, generator: generator)
    }

    public func forward(_ input: Tensor) -> Tensor {
        var x = features(input)
        x = avgpool(x)
        x = x.flatten(startDim: 1)
        return classifier(x)
    }
}

/// A small VGG-style CIFAR net with batch norm, exactly `small_vgg()` of
/// `shared/bench/models.py`: conv3×3 64-64-pool-128-128-pool-256-pool (each
/// conv without bias, then BatchNorm2d and ReLU), flatten, Linear(4096, 10).
/// It is a `Sequential`, so it prints and keys (`0.weight`, `1.running_mean`) like the torch one.
public func smallVGG(numClasses: Int = 10, generator: Generator? = nil) -> Sequential {
    func cbr(_ i: Int, _ o: Int) -> [any UnaryLayer] {
        [Conv2d(i, o, kernelSize: 3, padding: 1, bias: false, generator: generator), BatchNorm2d(o), ReLU(inplace: true)]
    }
    var layers: [any UnaryLayer] = []
    layers += cbr(3, 64) + cbr(64, 64) + [MaxPool2d(2)]
    layers += cbr(64, 128) + cbr(128, 128) + [MaxPool2d(2)]
    layers += cbr(128, 256) + [MaxPool2d(2)]
    layers += [Flatten(), Linear(256 * 4 * 4, numClasses, generator: generator)]
    return Sequential(layers)
}
