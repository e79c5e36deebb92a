/// Randomly zeroes elements with probability `p` in training mode, like `nn.Dropout`.
///
/// `inplace` is accepted and printed for fidelity with PyTorch models but the
/// result is always a new tensor.
public final class Dropout: Module, UnaryLayer {
    /// Probability of zeroing an element.
    public let p: Double
    /// Printed for fidelity; the result is always a new tensor.
    public let inplace: Bool
    /// The source of the masks (the global default when nil).
    public var generator: Generator?

    /// A dropout layer; `p` must be in 0…1.
    public init(p: Double = 0.5, inplace: Bool = false, generator: Generator? = nil) {
        precondition(p >= 0 && p <= 1, "Dropout: dropout probability has to be between 0 and 1, but got \(p)")
        self.p = p
        self.inplace = inplace
        self.generator = generator
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        dropout(input, p: Float(p), training: isTraining, generator: generator)
    }

    public override func extraRepr() -> String { "p=\(pythonFloat(p)), inplace=\(pythonBool(inplace))" }
}
