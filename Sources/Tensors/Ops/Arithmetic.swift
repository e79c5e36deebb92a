/// Arithmetic with PyTorch broadcasting.
///
/// `add`, `sub`, `mul`, `div` are all primitives (each with its own backward)
/// rather than `sub = add(neg)`: they sit on every training step's hot path
/// and one kernel beats two.
extension Tensor {
    /// self + alpha · other with broadcasting, like `torch.add`.
    public func add(_ other: Tensor, alpha: Float = 1) -> Tensor {
        let out = alpha == 1 ? zipKernel(other, op: "add", Kernels.Add())
                             : zipKernel(other, op: "add", Kernels.AddScaled(alpha: alpha))
        let sa = shape, sb = other.shape
        return out.recording("AddBackward0", [self, other]) { g in
            [g.sumTo(sa), (alpha == 1 ? g : g * alpha).sumTo(sb)]
        }
    }

    /// self − alpha · other with broadcasting, like `torch.sub`.
    public func sub(_ other: Tensor, alpha: Float = 1) -> Tensor {
        let out = alpha == 1 ? zipKernel(other, op: "sub", Kernels.Sub())
                             : zipKernel(other, op: "sub", Kernels.AddScaled(alpha: -alpha))
        let sa = shape, sb = other.shape
        return out.recording("SubBackward0", [self, other]) { g in
            [g.sumTo(sa), (g * -alpha).sumTo(sb)]
        }
    }

    /// Elementwise product with broadcasting.
    public func mul(_ other: Tensor) -> Tensor {
        let out = zipKernel(other, op: "mul", Kernels.Mul())
        let a = detach(), b = other.detach()
        let needA = _requiresGrad, needB = other._requiresGrad
        return out.recording("MulBackward0", [self, other]) { g in
            [needA ? (g * b).sumTo(a.shape) : nil,
             needB ? (g * a).sumTo(b.shape) : nil]
        }
    }

    /// Elementwise true division with broadcasting.
    public func div(_ other: Tensor) -> Tensor {
        let out = zipKernel(other, op: "div", Kernels.Div())
        let a = detach(), b = other.detach()
        let needA = _requiresGrad, needB = other._requiresGrad
        return out.recording("DivBackward0", [self, other]) { g in
            [needA ? (g / b).sumTo(a.shape) : nil,
             needB ? (-(g * a) / (b * b)).sumTo(b.shape) : nil]
        }
    }

    /// −self.
    public func neg() -> Tensor {
        mapKernel(Kernels.Neg()).recording("NegBackward0", [self]) { g in [-g] }
    }

    /// self + scalar.
    public func add(_ scalar: Float) -> Tensor {
        mapKernel(Kernels.AddScalar(s: scalar)).recording("AddBackward0", [self]) { g in [g] }
    }

    /// self − scalar.
    public func sub(_ scalar: Float) -> Tensor {
        mapKernel(Kernels.SubScalar(s: scalar)).recording("SubBackward0", [self]) { g in [g] }
    }

    /// scalar − self (PyTorch's `rsub`).
    public func rsub(_ scalar: Float) -> Tensor {
        mapKernel(Kernels.RSubScalar(s: scalar)).recording("RsubBackward1", [self]) { g in [-g] }
    }

    /// self · scalar.
    public func mul(_ scalar: Float) -> Tensor {
        mapKernel(Kernels.MulScalar(s: scalar)).recording("MulBackward0", [self]) { g in [g * scalar] }
    }

    /// self / scalar (a true division, not a multiplication by 1/scalar, so
    /// results match PyTorch to the last bit).
    public func div(_ scalar: Float) -> Tensor {
        mapKernel(Kernels.DivScalar(s: scalar)).recording("DivBackward0", [self]) { g in [g / scalar] }
    }

    /// scalar / self.
    public func reciprocal(times scalar: Float = 1) -> Tensor {
        let out = mapElements { scalar / $0 }
        let x = detach()
        return out.recording(scalar == 1 ? "ReciprocalBackward0" : "MulBackward0", [self]) { g in
            [g.zipElements(x, op: "reciprocal") { gv, xv in -scalar * gv / (xv * xv) }]
        }
    }

    // MARK: In place (PyTorch's trailing-underscore ops)

    /// self += alpha · other, like `add_`. Not recorded by autograd.
    @discardableResult
    public func addInPlace(_ other: Tensor, alpha: Float = 1) -> Tensor {
        checkInPlace("add_")
        if alpha == 1 { updateKernel(with: other, op: "add_", Kernels.Add()) }
        else { updateKernel(with: other, op: "add_", Kernels.AddScaled(alpha: alpha)) }
        return self
    }

    /// self −= other, like `sub_`.
    @discardableResult
    public func subInPlace(_ other: Tensor) -> Tensor {
        checkInPlace("sub_")
        updateKernel(with: other, op: "sub_", Kernels.Sub())
        return self
    }

    /// self *= other (broadcast), like `mul_`.
    @discardableResult
    public func mulInPlace(_ other: Tensor) -> Tensor {
        checkInPlace("mul_")
        updateKernel(with: other, op: "mul_", Kernels.Mul())
        return self
    }

    /// self *= scalar, like `mul_`.
    @discardableResult
    public func mulInPlace(_ scalar: Float) -> Tensor {
        checkInPlace("mul_")
        updateKernel(Kernels.MulScalar(s: scalar))
        return self
    }

    /// self += scalar, like `add_`.
    @discardableResult
    public func addInPlace(_ scalar: Float) -> Tensor {
        checkInPlace("add_")
        updateKernel(Kernels.AddScalar(s: scalar))
        return self
    }

    /// Fills with `value`, like `fill_`.
    @discardableResult
    public func fill(_ value: Float) -> Tensor {
        checkInPlace("fill_")
        updateKernel(Kernels.Fill(s: value))
        return self
    }

    /// Fills with zeros, like `zero_`.
    @discardableResult
    public func zero() -> Tensor { fill(0) }

    /// Copies `source` (broadcast to self's shape) into self, like `copy_`.
    @discardableResult
    public func copy(from source: Tensor) -> Tensor {
        checkInPlace("copy_")
        updateKernel(with: source, op: "copy_", Kernels.Second())
        return self
    }
}

// MARK: - Operators

/// Elementwise negation, like `-x`.
public prefix func - (x: Tensor) -> Tensor { x.neg() }
/// Elementwise sum with broadcasting, like `torch.add`.
public func + (a: Tensor, b: Tensor) -> Tensor { a.add(b) }
/// Elementwise difference with broadcasting, like `torch.sub`.
public func - (a: Tensor, b: Tensor) -> Tensor { a.sub(b) }
/// Elementwise product with broadcasting, like `torch.mul`.
public func * (a: Tensor, b: Tensor) -> Tensor { a.mul(b) }
/// Elementwise quotient with broadcasting, like `torch.div`.
public func / (a: Tensor, b: Tensor) -> Tensor { a.div(b) }
/// Adds a scalar to every element.
public func + (a: Tensor, b: Float) -> Tensor { a.add(b) }
/// Adds a scalar to every element.
public func + (a: Float, b: Tensor) -> Tensor { b.add(a) }
/// Subtracts a scalar from every element.
public func - (a: Tensor, b: Float) -> Tensor { a.sub(b) }
/// A scalar minus every element, like `torch.rsub`.
public func - (a: Float, b: Tensor) -> Tensor { b.rsub(a) }
/// Multiplies every element by a scalar.
public func * (a: Tensor, b: Float) -> Tensor { a.mul(b) }
/// Multiplies every element by a scalar.
public func * (a: Float, b: Tensor) -> Tensor { b.mul(a) }
/// Divides every element by a scalar.
public func / (a: Tensor, b: Float) -> Tensor { a.div(b) }
/// A scalar divided by every element.
public func / (a: Float, b: Tensor) -> Tensor { b.reciprocal(times: a) }
/// In-place sum, like `a += b` on a torch tensor (`add_`).
public func += (a: Tensor, b: Tensor) { a.addInPlace(b) }
/// In-place difference (`sub_`).
public func -= (a: Tensor, b: Tensor) { a.subInPlace(b) }
/// In-place product (`mul_`).
public func *= (a: Tensor, b: Tensor) { a.mulInPlace(b) }
/// In-place scaling (`mul_`).
public func *= (a: Tensor, b: Float) { a.mulInPlace(b) }
