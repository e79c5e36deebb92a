import Foundation

/// Correctly rounded decimal → `Float` conversion for JSON number literals,
/// without a C string per number.
///
/// A literal is read as a mantissa of at most 19 significant digits `w` and a
/// decimal exponent `q` (value `w × 10^q`). The fast path computes
/// `d = Double(w) × 10^q` in double precision (at most three roundings, so
/// `d` is within 4 double ulps of the true value) and rounds it to `Float`.
/// That is the correctly rounded float unless the true value and `d` could lie
/// on different sides of a float rounding boundary (the midpoint between two
/// adjacent floats): when `d` is within 8 double ulps of one, the literal goes
/// to `Float(String)` (the standard library's C-locale `strtof`). So every
/// result equals `Float(literal)`, and not `Float(Double(literal))`, which
/// rounds twice and is one float ulp off for rare literals such as
/// `1.0000000596046448`.
///
/// ```swift
/// DecimalFloat.value(mantissa: 15, exponent: -1, digits: 2, literal: { "1.5" })   // 1.5
/// ```
enum DecimalFloat {
    /// The most significant digits kept in the mantissa (19 always fit in a UInt64).
    static let maxDigits = 19
    /// Powers 10^k for k in `minPower...maxPower`, each the nearest Double.
    private static let minPower = -65, maxPower = 39
    private static let powers: [Double] = (minPower...maxPower).map { pow10($0) }

    /// 10^k as the nearest Double (the standard library's correctly rounded parse).
    private static func pow10(_ k: Int) -> Double { Double("1e\(k)") ?? .nan }

    /// The magnitude `w × 10^q` rounded to the nearest Float (ties to even), `.infinity` above
    /// Float's range; `literal` (the whole literal, sign included) is only read on the rare slow path,
    /// whose result carries the literal's sign.
    ///
    /// - Parameters:
    ///   - mantissa: the first `digits` significant digits (at most 19).
    ///   - exponent: the decimal exponent of the mantissa's last digit.
    ///   - digits: how many significant digits `mantissa` holds (0 for a zero).
    static func value(mantissa w: UInt64, exponent q: Int, digits: Int, literal: () -> String) -> (value: Float, signed: Bool) {
        if w == 0 { return (0, false) }
        // The value is at least 10^(digits - 1 + q) and below 10^(digits + q).
        if digits + q > maxPower { return (.infinity, false) }
        if digits + q < -45 { return (0, false) }  // below 10^-46, under half the least subnormal (7e-46)
        let d = Double(w) * powers[q - minPower]
        let f = Float(d)
        if f.isFinite {
            let fd = Double(f)
            let below = (fd + Double(f.nextDown)) / 2
            let above = f == .greatestFiniteMagnitude ? fd + Double(f.ulp) / 2 : (fd + Double(f.nextUp)) / 2
            let margin = 8 * d.ulp
            if d - below > margin, above - d > margin { return (f, false) }
        }
        return (Float(literal()) ?? .nan, true)
    }
}
