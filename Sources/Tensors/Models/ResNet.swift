/// ResNet with torchvision's structure and state-dict keys (`conv1`, `bn1`,
/// `layer1.0.conv1`, `layer2.0.downsample.0`, …, `fc`). Prints as `ResNet(…)`.
///
/// `ResNet.resnet18(cifarStem: true)` is the usual CIFAR variant: a 3×3
/// stride-1 stem convolution and no max-pool (`maxpool` is an `Identity`), so
/// 32×32 inputs keep their resolution into `layer1`. The keys are unchanged
/// (the stem weight is then [64, 3, 3, 3]).
public final class ResNet: Module, UnaryLayer {
    /// Stem convolution: 7×7 stride 2 (3×3 stride 1 with the CIFAR stem).
    public let conv1: Conv2d
    /// Batch norm after the stem.
    public let bn1: BatchNorm2d
    /// ReLU after the stem.
    public let relu: ReLU
    /// 3×3 stride-2 max-pool (`Identity` with the CIFAR stem).
    public let maxpool: any UnaryLayer
    /// Stage 1: 64 channels.
    public let layer1: Sequential
    /// Stage 2: 128 channels, stride 2.
    public let layer2: Sequential
    /// Stage 3: 256 channels, stride 2.
    public let layer3: Sequential
    /// Stage 4: 512 channels, stride 2.
    public let layer4: Sequential
    /// Global average pooling to 1×1.
    public let avgpool: AdaptiveAvgPool2d
    /// 512→`numClasses` classifier.
    public let fc: Linear

    /// Builds a ResNet of `BasicBlock`s with `blocks` per stage (ResNet-18: [2, 2, 2, 2]),
    /// initialised like torchvision (conv: kaiming-normal fan_out/ReLU; BN: 1, 0).
    public init(blocks: [Int], numClasses: Int = 1000, cifarStem: Bool = false, generator: Generator? = nil) {
        precondition(blocks.count == 4, "ResNet: expected 4 stages, got \(blocks.count)")
        if cifarStem {
            conv1 = Conv2d(3, 64, kernelSize: 3, stride: 1, padding: 1, bias: false, generator: generator)
            maxpool = Identity()
        } else {
            conv1 = Conv2d(3, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, generator: generator)
            maxpool = MaxPool2d(3, stride: 2, padding: 1)
        }
        bn1 = BatchNorm2d(64)
        relu = ReLU(inplace: true)
        var inplanes = 64
        func makeLayer(_ planes: Int, _ count: Int, stride: Int) -> Sequential {
            var downsample: Sequential?
            if stride != 1 || inplanes != planes {
                downsample = Sequential(Conv2d(inplanes, planes, kernelSize: 1, stride: Size2(stride), bias: false, generator: generator),
                                        BatchNorm2d(planes))
            }
            var layers: [any UnaryLayer] = [BasicBlock(inplanes, planes, stride: stride, downsample: downsample, generator: generator)]
            inplanes = planes
            for _ in 1..<Swift.max(count, 1) { layers.append(BasicBlock(inplanes, planes, generator: generator)) }
            return Sequential(layers)
        }
        layer1 = makeLayer(64, blocks[0], stride: 1)
        layer2 = makeLayer(128, blocks[1], stride: 2)
        layer3 = makeLayer(256, blocks[2], stride: 2)
        layer4 = makeLayer(512, blocks[3], stride: 2)
        avgpool = AdaptiveAvgPool2d([1, 1])
        fc = Linear(512, numClasses, generator: generator)
        super.init()
        for m in modules() {
            if let conv = m as? Conv2d {
                Init.kaimingNormal(conv.weight, mode: .fanOut, nonlinearity: .relu, generator: generator)
            }
        }
    }

    /// ResNet-18, like `torchvision.models.resnet18()`; `cifarStem` for 32×32 inputs.
    public static func resnet18(numClasses: Int = 1000, cifarStem: Bool = false, generator: Generator? = nil) -> ResNet {
        ResNet(blocks: [2, 2, 2, 2], numClasses: numClasses, cifarStem: cifarStem, generator: generator)
    }

    public func forward(_ input: Tensor) -> Tensor {
        var x = relu(bn1(conv1(input)))
        x = maxpool(x)
        x = layer1(x)
        x = layer2(x)
        x = layer3(x)
        x = layer4(x)
        x = avgpool(x)
        x = x.flatten(startDim: 1)
        return fc(x)
    }
}

/// The two-convolution residual block of ResNet-18/34, like torchvision's `BasicBlock`.
public final class BasicBlock: Module, UnaryLayer {
    /// 3×3 convolution, with the block's stride.
    public let conv1: Conv2d
    /// Batch norm after `conv1`.
    public let bn1: BatchNorm2d
    /// Shared ReLU (after `bn1` and after the sum).
    public let relu: ReLU
    /// 3×3 convolution, stride 1.
    public let conv2: Conv2d
    /// Batch norm after `conv2`.
    public let bn2: BatchNorm2d
    /// 1×1 convolution + batch norm matching the shortcut to the output, when shapes differ.
    public let downsample: Sequential?
    /// Stride of `conv1` (2 in the first block of stages 2–4).
    public let stride: Int

    /// A block from `inplanes` to `planes` channels.
    public init(_ inplanes: Int, _ planes: Int, stride: Int = 1, downsample: Sequential? = nil, generator: Generator? = nil) {
        conv1 = Conv2d(inplanes, planes, kernelSize: 3, stride: Size2(stride), padding: 1, bias: false, generator: generator)
        bn1 = BatchNorm2d(planes)
        relu = ReLU(inplace: true)
        conv2 = Conv2d(planes, planes, kernelSize: 3, stride: 1, padding: 1, bias: false, generator: generator)
        bn2 = BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        var out = relu(bn1(conv1(input)))
        out = bn2(conv2(out))
        let identity = downsample.map { $0(input) } ?? input
        return relu(out + identity)
    }
}
