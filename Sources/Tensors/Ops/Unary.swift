import Foundation

/// Unary math. Primitives carry their own backward; the output's values are
/// reused through `detach()` (never the output itself: that would be a cycle).
extension Tensor {
    /// e^x elementwise.
    public func exp() -> Tensor {
        let out = mapElements { Foundation.exp($0) }
        let y = out.detach()
        return out.recording("ExpBackward0", [self]) { g in [g * y] }
    }

    /// Natural logarithm elementwise.
    public func log() -> Tensor {
        let x = detach()
        return mapElements { Foundation.log($0) }.recording("LogBackward0", [self]) { g in [g / x] }
    }

    /// Square root elementwise.
    public func sqrt() -> Tensor {
        let out = mapElements { $0.squareRoot() }
        let y = out.detach()
        return out.recording("SqrtBackward0", [self]) { g in [g.zipKernel(y, op: "sqrt", Kernels.SqrtGrad())] }
    }

    /// 1/sqrt(x) elementwise.
    public func rsqrt() -> Tensor {
        let out = mapElements { 1 / $0.squareRoot() }
        let y = out.detach()
        return out.recording("RsqrtBackward0", [self]) { g in [g.zipElements(y, op: "rsqrt") { $0 * -0.5 * $1 * $1 * $1 }] }
    }

    /// self ** exponent.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 {
            let x = detach()
            return mapKernel(Kernels.Square()).recording("PowBackward0", [self]) { g in [g.zipKernel(x, op: "pow", Kernels.SquareGrad())] }
        }
        let x = detach()
        return mapElements { Foundation.pow($0, exponent) }.recording("PowBackward0", [self]) { g in
            [g.zipElements(x, op: "pow") { gv, xv in gv * exponent * Foundation.pow(xv, exponent - 1) }]
        }
    }

    /// |x| elementwise (gradient sign(x), 0 at 0 like PyTorch).
    public func abs() -> Tensor {
        let x = detach()
        return mapElements { Swift.abs($0) }.recording("AbsBackward0", [self]) { g in [g * x.sign()] }
    }

    /// -1, 0 or 1 (0 gradient).
    public func sign() -> Tensor {
        mapElements { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }.recording("SignBackward0", [self]) { g in [Tensor.zeros(g.shape)] }
    }

    /// Sine elementwise.
    public func sin() -> Tensor {
        let x = detach()
        return mapElements { Foundation.sin($0) }.recording("SinBackward0", [self]) { g in [g * x.cos()] }
    }

    /// Cosine elementwise.
    public func cos() -> Tensor {
        let x = detach()
        return mapElements { Foundation.cos($0) }.recording("CosBackward0", [self]) { g in [-(g * x.sin())] }
    }

    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor {
        let out = mapElements { Foundation.tanh($0) }
        let y = out.detach()
        return out.recording("TanhBackward0", [self]) { g in [g.zipKernel(y, op: "tanh", Kernels.TanhGrad())] }
    }

    /// 1 / (1 + e^−x) elementwise.
    public func sigmoid() -> Tensor {
        let out = mapElements { 1 / (1 + Foundation.exp(-$0)) }
        let y = out.detach()
        return out.recording("SigmoidBackward0", [self]) { g in [g.zipKernel(y, op: "sigmoid", Kernels.SigmoidGrad())] }
    }

    /// max(x, 0). The gradient at 0 is 0, as in PyTorch.
    public func relu() -> Tensor {
        let out = mapKernel(Kernels.Relu())
        let y = out.detach()
        return out.recording("ReluBackward0", [self]) { g in [g.zipKernel(y, op: "relu", Kernels.ReluMask())] }
    }

    /// Limits values to [min, max]; the gradient is 1 inside, 0 outside.
    public func clamp(min lo: Float? = nil, max hi: Float? = nil) -> Tensor {
        let l = lo ?? -.infinity, h = hi ?? .infinity
        let x = detach()
        return mapElements { Swift.min(Swift.max($0, l), h) }.recording("ClampBackward1", [self]) { g in
            [g.zipElements(x, op: "clamp") { ($1 >= l && $1 <= h) ? $0 : 0 }]
        }
    }
}
