import Foundation

/// Small helpers shared by the optimizers and schedulers.
enum OptimKernels {
    /// A contiguous copy with its own storage, outside autograd.
    static func copy(_ t: Tensor) -> Tensor {
        Tensor(shape: t.shape) { dst in
            t.withUnsafeBufferPointer { src in
                if let d = dst.baseAddress, let s = src.baseAddress, src.count > 0 { d.update(from: s, count: src.count) }
            }
        }
    }

    /// torch's `lerp` for floats: `a + w * (b - a)`, computed from the nearer end
    /// (`lowWeight` is `abs(w) < 0.5`, decided once per loop).
    @inline(__always)
    static func lerp(_ a: Float, _ b: Float, _ w: Float, lowWeight: Bool) -> Float {
        lowWeight ? a + w * (b - a) : b - (b - a) * (1 - w)
    }

    /// Square root that vectorises.
    ///
    /// `x.squareRoot()` compiles to `sqrtss` plus a call to libm's `sqrtf` (to
    /// set errno) for negative inputs, which keeps LLVM from vectorising the
    /// loop around it (5x slower Adam). The root of `abs(x)` cannot be
    /// negative-input, so it becomes a plain vector sqrt; the select restores
    /// NaN for negative `x`.
    @inline(__always)
    static func sqrt(_ x: Float) -> Float {
        let r = Swift.abs(x).squareRoot()
        return x < 0 ? .nan : r
    }

    // Loops with branches on loop-invariant flags do not vectorise (LLVM does not
    // unswitch them at -O), so each optimizer's kernel is written once with Bool
    // parameters and instantiated per flag combination through these helpers:
    // after inlining, each copy has constant flags and a branch-free loop.

    @inline(__always)
    static func specialize(_ a: Bool, _ body: (Bool) -> Void) {
        if a { body(true) } else { body(false) }
    }

    @inline(__always)
    static func specialize(_ a: Bool, _ b: Bool, _ body: (Bool, Bool) -> Void) {
        specialize(a) { a in specialize(b) { b in body(a, b) } }
    }

    @inline(__always)
    static func specialize(_ a: Bool, _ b: Bool, _ c: Bool, _ d: Bool, _ body: (Bool, Bool, Bool, Bool) -> Void) {
        specialize(a, b) { a, b in specialize(c, d) { c, d in body(a, b, c, d) } }
    }
}
