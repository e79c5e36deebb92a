// Channel-wise and alpha dropout layers (torch/nn/modules/dropout.py). Each
// is active in training mode only; masks come from `generator` (the global
// default when nil), so a seed reproduces them. `inplace: true` writes into
// the input where autograd allows it (see `Tensor.inplaceResult`).

/// The shared base of the dropout layers with `p` and `inplace` (PyTorch's `_DropoutNd`).
open class DropoutLayer: Module, UnaryLayer {
    /// Probability of zeroing an element (or a channel).
    public let p: Double
    /// Whether the result is written into the input where autograd allows it.
    public let inplace: Bool
    /// The source of the masks (the global default when nil).
    public var generator: Generator?

    /// A dropout layer; `p` must be in 0…1.
    public init(p: Double = 0.5, inplace: Bool = false, generator: Generator? = nil) {
        precondition(p >= 0 && p <= 1, "\(String(describing: Self.self)): dropout probability has to be between 0 and 1, but got \(p)")
        self.p = p
        self.inplace = inplace
        self.generator = generator
        super.init()
    }

    /// The dropout itself; subclasses override it.
    open func drop(_ input: Tensor) -> Tensor { input }

    public func forward(_ input: Tensor) -> Tensor { input.inplaceResult(drop(input), inplace: inplace) }

    open override func extraRepr() -> String { "p=\(pythonFloat(p)), inplace=\(pythonBool(inplace))" }
}

/// Zeroes whole channels of [N, C, L] or [C, L] input, like `nn.Dropout1d`.
///
/// ```swift
/// let drop = Dropout1d(p: 0.2, generator: Generator(seed: 1))
/// ```
public final class Dropout1d: DropoutLayer {
    public override func drop(_ input: Tensor) -> Tensor {
        dropout1d(input, p: Float(p), training: isTraining, generator: generator)
    }
}

/// Zeroes whole channels of [N, C, H, W] input, like `nn.Dropout2d`.
public final class Dropout2d: DropoutLayer {
    public override func drop(_ input: Tensor) -> Tensor {
        dropout2d(input, p: Float(p), training: isTraining, generator: generator)
    }
}

/// Zeroes whole channels of [N, C, D, H, W] or [C, D, H, W] input, like `nn.Dropout3d`.
public final class Dropout3d: DropoutLayer {
    public override func drop(_ input: Tensor) -> Tensor {
        dropout3d(input, p: Float(p), training: isTraining, generator: generator)
    }
}

/// Dropout that preserves SELU's self-normalisation, like `nn.AlphaDropout`.
public final class AlphaDropout: DropoutLayer {
    public override func drop(_ input: Tensor) -> Tensor {
        alphaDropout(input, p: Float(p), training: isTraining, generator: generator)
    }
}
