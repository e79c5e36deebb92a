/// y = x1ᵀ·A·x2 + b, like `F.bilinear`: x1 [*, in1], x2 [*, in2], weight
/// [out, in1, in2], bias [out] → [*, out]. Derived from matmul, mul and sum.
public func bilinear(_ x1: Tensor, _ x2: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    let op = "bilinear"
    guard check(weight.rank == 3, op, "bilinear(): weight must be 3-dimensional, got \(weight.shape)"),
          check(x1.rank >= 1 && x2.rank >= 1 && Array(x1.shape.dropLast()) == Array(x2.shape.dropLast()), op,
                "bilinear(): input batch dimensions do not match: got \(Array(x1.shape.dropLast())) and \(Array(x2.shape.dropLast()))")
    else { return .meta(x1.shape) }
    let out = weight.shape[0], in1 = weight.shape[1], in2 = weight.shape[2]
    guard check(x1.shape[x1.rank - 1] == in1, op, "bilinear(): input1 size does not match weight size: got \(x1.shape[x1.rank - 1]) but expected \(in1)"),
          check(x2.shape[x2.rank - 1] == in2, op, "bilinear(): input2 size does not match weight size: got \(x2.shape[x2.rank - 1]) but expected \(in2)"),
          check(bias == nil || bias?.shape == [out], op, "bilinear(): bias size does not match weight size: got \(bias?.shape ?? []) but expected [\(out)]")
    else { return .meta(x1.shape) }
    let lead = Array(x1.shape.dropLast())
    if x1.isMeta || x2.isMeta { return .meta(lead + [out]) }
    let a = x1.reshape([-1, in1]), b = x2.reshape([-1, in2])
    // [N, in1] · [in1, out·in2] → [N, out, in2], then ⊙ x2 summed over in2.
    let w = weight.permute([1, 0, 2]).reshape([in1, out * in2])
    var y = (a.matmul(w).reshape([-1, out, in2]) * b.unsqueeze(1)).sum(dim: 2)
    if let bias { y = y + bias }
    return y.reshape(lead + [out])
}

/// A bilinear map of two inputs, like `nn.Bilinear`: y = x1ᵀ·A·x2 + b.
///
/// Weight [out, in1, in2] and bias [out] start as PyTorch's: U(±1/√in1).
/// Two inputs, so it is not a `UnaryLayer`: call it with both tensors.
///
/// ```swift
/// let bl = Bilinear(5, 4, 3)   // Bilinear(in1_features=5, in2_features=4, out_features=3, bias=True)
/// let y = bl(x1, x2)           // [N, 3]
/// ```
public final class Bilinear: Module {
    /// Size of each first input sample.
    public let in1Features: Int
    /// Size of each second input sample.
    public let in2Features: Int
    /// Size of each output sample.
    public let outFeatures: Int
    /// Weight [out, in1, in2].
    @Parameter public var weight: Tensor
    /// Bias [out], or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A bilinear layer with PyTorch's default initialisation, drawn from `generator`.
    public init(_ in1Features: Int, _ in2Features: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator? = nil) {
        precondition(in1Features > 0 && in2Features > 0 && outFeatures >= 0,
                     "Bilinear: in1_features and in2_features must be positive, got \(in1Features) and \(in2Features)")
        self.in1Features = in1Features
        self.in2Features = in2Features
        self.outFeatures = outFeatures
        weight = Init.empty([outFeatures, in1Features, in2Features])
        self.bias = bias ? Init.empty([outFeatures]) : nil
        super.init()
        resetParameters(generator: generator)
    }

    /// Re-draws weight and bias from U(±1/√in1), like `reset_parameters()`.
    public func resetParameters(generator: Generator? = nil) {
        let bound = 1 / Float(in1Features).squareRoot()
        Init.uniform(weight, low: -bound, high: bound, generator: generator)
        if let b = bias { Init.uniform(b, low: -bound, high: bound, generator: generator) }
    }

    /// y = x1ᵀ·A·x2 + b for inputs [*, in1] and [*, in2].
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor) -> Tensor {
        call(inputs: [x1, x2], outputs: { [$0] }) { bilinear(x1, x2, weight: weight, bias: bias) }
    }

    /// Tools' erased call: `[x1, x2]` → `[y]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw ShapeError(op: typeName, "expected 2 input tensors, got \(inputs.count)") }
        return [self(inputs[0], inputs[1])]
    }

    public override func extraRepr() -> String {
        "in1_features=\(in1Features), in2_features=\(in2Features), out_features=\(outFeatures), bias=\(pythonBool(bias != nil))"
    }
}
