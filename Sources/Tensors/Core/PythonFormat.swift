import Foundation

// Python's printed forms of numbers, booleans and tuples, shared by every
// `description` / `extraRepr` / error message that mirrors PyTorch's text.

/// Formats a Double like Python's `repr(float)`: `1.0`, `0.001`, `1e-08`, `1e+16`, `inf`, `nan`.
///
/// Swift's shortest round-trip description already matches `repr` (same
/// digits, same switch to exponent form below 1e-4 and from 1e16); only the
/// spellings of the non-finite values differ.
func pythonFloat(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    return "\(v)"
}

/// Formats a Float the way a user typed it in Python: `0.5`, `1.0`, `0.2023`.
///
/// The digits are the Float's shortest round-trip form (`0.1`, not the
/// Double `0.10000000149011612`); whole numbers below 1e16 keep Python's
/// positional `.0` form, which Swift's Float description gives up at 2^24.
func pythonFloat(_ v: Float) -> String {
    if v.isFinite, v == v.rounded(), abs(v) < 1e16 { return String(format: "%.1f", Double(v)) }
    if v.isNaN || v.isInfinite { return pythonFloat(Double(v)) }
    return "\(v)"
}

/// Python's `True` / `False`.
func pythonBool(_ b: Bool) -> String { b ? "True" : "False" }

/// Formats values like a Python tuple: `(0.5, 0.5)`, `(4,)`, `()`.
func pythonTuple<T>(_ values: [T]) -> String {
    if values.count == 1 { return "(\(values[0]),)" }
    return "(" + values.map { "\($0)" }.joined(separator: ", ") + ")"
}
