/// exp, sigmoid and tanh on eight floats at a time, for the fused gate loops.
///
/// Scalar `expf`/`tanhf` calls cost more than the rest of an LSTM step's gate
/// arithmetic together; these do the same work on a `SIMD8<Float>` with
/// polynomials (Cephes' `expf` and `tanhf`), so any x86-64 (SSE2 halves on the
/// baseline build, one AVX register where the compiler may use it) or ARM
/// target runs them without a per-element call. Accuracy against Foundation's
/// scalar functions: a few ulp over the whole float range (`VectorMathTests`).
///
/// Special values follow the scalar functions: `exp(-∞) = 0`, `exp(+∞) = +∞`,
/// overflow to `+∞` above ln(Float.greatestFiniteMagnitude), gradual underflow
/// to subnormals and 0, `sigmoid(±∞) = 1 / 0`, `tanh(±∞) = ±1`, `tanh(-0) = -0`,
/// and NaN in, NaN out.
///
/// ```swift
/// let y = VectorMath.sigmoid(SIMD8<Float>(repeating: 0))   // all 0.5
/// ```
enum VectorMath {
    typealias Vector = SIMD8<Float>

    /// eˣ lane by lane.
    ///
    /// x = n·ln 2 + r with |r| ≤ ln 2 / 2 (n by the 1.5·2²³ rounding trick, ln 2
    /// in two parts so n·ln2ₕᵢ is exact), eʳ by Cephes' degree-6 polynomial,
    /// then 2ⁿ as two factors 2^⌊n/2⌋ · 2^⌈n/2⌉ so that results near the
    /// overflow and underflow limits scale without an invalid exponent field.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        // Clamped by selects: `clamped`/`pointwiseMin` are not inlined and cost a call per vector.
        let xc = x.replacing(with: -104, where: x .< -104).replacing(with: 89, where: x .> 89)
        let magic = Vector(repeating: 12_582_912)  // 1.5 · 2²³: adding it rounds to an integer
        let t = xc * 1.442_695_040_888_963_4 + magic
        let n = t - magic
        let r = xc - n * 0.693_359_375 - n * -2.121_944_40e-4
        var p = Vector(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let n1 = ni &>> 1, n2 = ni &- n1
        let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: Vector.self)
        let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: Vector.self)
        return (p * s1 * s2).replacing(with: x, where: x .!= x)
    }

    /// 1 / (1 + e⁻ˣ) lane by lane.
    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    /// tanh lane by lane: Cephes' odd polynomial for |x| < 0.625 (where
    /// 1 − 2/(e²ˣ + 1) would lose the low bits to cancellation), that
    /// formula above, x itself below 2⁻¹².
    @inline(__always)
    static func tanh(_ x: Vector) -> Vector {
        let large = 1 - 2 / (exp(x + x) + 1)
        let z = x * x
        var p = Vector(repeating: -5.704_988_727_45e-3)
        p = p * z + 2.063_908_879_54e-2
        p = p * z - 5.373_971_555_31e-2
        p = p * z + 1.333_144_220_36e-1
        p = p * z - 3.333_328_194_22e-1
        let small = p * z * x + x
        let magnitude = unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: Vector.self)
        // Below 2⁻¹² tanh(x) rounds to x; returning x keeps the sign of -0 (the polynomial's sum gives +0).
        return small.replacing(with: large, where: magnitude .>= 0.625).replacing(with: x, where: magnitude .< 0x1p-12)
    }
}
