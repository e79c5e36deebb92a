/// LeNet-5 for 32×32 RGB images, exactly the reference chapter's model
/// (PyTorch Pocket Reference, ch. 3; `shared/bench/models.py`):
/// conv 3→6 5×5, ReLU, max-pool 2; conv 6→16 5×5, ReLU, max-pool 2;
/// 400→120→84→10 fully connected with ReLU. Input [N, 3, 32, 32], output logits [N, 10].
///
/// ```swift
/// let model = LeNet5()
/// print(model)
/// // LeNet5(
/// //   (conv1): Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))
/// //   …
/// ```
public final class LeNet5: Module, UnaryLayer {
    /// First convolution, 3→6 channels, 5×5.
    public let conv1: Conv2d
    /// Second convolution, 6→16 channels, 5×5.
    public let conv2: Conv2d
    /// 400→120.
    public let fc1: Linear
    /// 120→84.
    public let fc2: Linear
    /// 84→`numClasses` (the logits).
    public let fc3: Linear

    /// Parameters drawn in PyTorch's order (conv1, conv2, fc1, fc2, fc3) from `generator`.
    public init(numClasses: Int = 10, generator: Generator? = nil) {
        conv1 = Conv2d(3, 6, kernelSize: 5, generator: generator)
        conv2 = Conv2d(6, 16, kernelSize: 5, generator: generator)
        fc1 = Linear(16 * 5 * 5, 120, generator: generator)
        fc2 = Linear(120, 84, generator: generator)
        fc3 = Linear(84, numClasses, generator: generator)
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        // One path for values, gradients and shape validation; conv → relu → pool
        // runs as one fused kernel chosen by the functional ops (`ConvPeephole`).
        var x = maxPool2d(relu(conv1(input)), 2)
        x = maxPool2d(relu(conv2(x)), 2)
        x = x.flatten(startDim: 1)
        x = relu(fc1(x))
        x = relu(fc2(x))
        return fc3(x)
    }
}

/// The reference chapter's fully connected network, adapted to CIFAR-10:
/// the input is flattened, then fc1 3072→256, ReLU, fc2 256→64, ReLU, fc3 64→10.
///
/// The book's version reads 2048 features and ends in 2 classes with a
/// softmax (`SimpleNet(inFeatures: 2048, numClasses: 2, softmaxOutput: true)`);
/// the defaults here output logits for `CrossEntropyLoss`.
public final class SimpleNet: Module, UnaryLayer {
    /// Features each flattened input holds (3·32·32 by default).
    public let inFeatures: Int
    /// Whether `forward` ends with a softmax (the book's version) instead of logits.
    public let softmaxOutput: Bool
    /// `inFeatures`→256.
    public let fc1: Linear
    /// 256→64.
    public let fc2: Linear
    /// 64→`numClasses`.
    public let fc3: Linear

    /// Parameters drawn in PyTorch's order (fc1, fc2, fc3) from `generator`.
    public init(inFeatures: Int = 3 * 32 * 32, numClasses: Int = 10, softmaxOutput: Bool = false,
                generator: Generator? = nil) {
        self.inFeatures = inFeatures
        self.softmaxOutput = softmaxOutput
        fc1 = Linear(inFeatures, 256, generator: generator)
        fc2 = Linear(256, 64, generator: generator)
        fc3 = Linear(64, numClasses, generator: generator)
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        var x = input.reshape([-1, inFeatures])
        x = relu(fc1(x))
        x = relu(fc2(x))
        x = fc3(x)
        return softmaxOutput ? x.softmax(dim: 1) : x
    }
}
