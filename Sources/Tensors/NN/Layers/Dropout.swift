/// Randomly zeroes elements with probability `p` in training mode, like `nn.Dropout`.
///
/// `inplace: true` writes the result into the input where autograd allows it
/// (see `Tensor.inplaceResult`).
public final class Dropout: Module, UnaryLayer {
    /// Probability of zeroing an element.
    public let p: Double
    /// Whether the result is written into the input where autograd allows it.
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
        input.inplaceResult(dropout(input, p: Float(p), training: isTraining, generator: generator), inplace: inplace)
    }

    public override func extraRepr() -> String { "p=\(pythonFloat(p)), inplace=\(pythonBool(inplace))" }
}
