import Foundation

/// Numbers read from `JSONSerialization` output, strictly: a JSON `true` or
/// `false` is not a number, though Foundation hands it over as an `NSNumber`
/// (a `__NSCFBoolean`, the class `CFBoolean` is bridged to) that `as? NSNumber`,
/// `floatValue` and even `is Bool` accept for `1` and `true` alike.
///
/// PyTorch refuses a bool where a float tensor is built from mixed values
/// (`torch.tensor([True, 1.5])` gives a float tensor, but a KServe FP32 input
/// holding `true` is a client bug), so the server answers 400 naming the
/// position: `inputs[0].data[0]: expected a number, got true`.
enum JSONNumbers {
    /// The runtime class JSONSerialization gives `true` and a number (the test of
    /// `CFGetTypeID(v) == CFBooleanGetTypeID()` on Darwin, which Linux lacks).
    private static let booleanClass: Any.Type = parsedType("true")
    private static let numberClass: Any.Type = parsedType("1.5")

    private static func parsedType(_ json: String) -> Any.Type {
        let first = (try? JSONSerialization.jsonObject(with: Data("[\(json)]".utf8)) as? [Any])?.first
        return type(of: first ?? NSNull())
    }

    /// True for a value JSONSerialization made from `true` or `false`.
    static func isBoolean(_ value: Any) -> Bool {
        booleanClass != numberClass && type(of: value) == booleanClass
    }

    /// How `value` reads in an error message: `true`, `"text"`, `null`, an array or an object.
    static func describe(_ value: Any) -> String {
        if isBoolean(value) { return (value as? NSNumber)?.boolValue == true ? "true" : "false" }
        switch value {
        case is NSNull: return "null"
        case let s as String: return "a string \"\(s.prefix(20))\(s.count > 20 ? "…" : "")\""
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "\(value)"
        }
    }

    /// How one JSON value, given as its text, reads in an error message (as `describe(_:)`).
    static func describe(literal text: Substring) -> String {
        let parsed = try? JSONSerialization.jsonObject(with: Data("[\(text)]".utf8)) as? [Any]
        return parsed?.first.map(describe) ?? String(text.prefix(20))
    }

    /// One JSON value, given as its text, as an Int; anything but a whole number is an error naming `position`.
    static func integer(literal text: Substring, at position: @autoclosure () -> String) throws -> Int {
        // A plain literal of up to 18 digits is an Int as it stands; the rest goes through JSONSerialization.
        let digits = text.utf8.drop { $0 == UInt8(ascii: "-") }
        if digits.count <= 18, !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
           let i = Int(text) {
            return i
        }
        guard let value = (try? JSONSerialization.jsonObject(with: Data("[\(text)]".utf8)) as? [Any])?.first else {
            throw InferenceJSON.BadInput("\(position()): expected an integer, got \(text.prefix(20))")
        }
        return try integer(value, at: position())
    }

    /// `value` as an Int; anything but a whole number is an error naming `position`.
    static func integer(_ value: Any, at position: @autoclosure () -> String) throws -> Int {
        guard !isBoolean(value), let n = value as? NSNumber else {
            throw InferenceJSON.BadInput("\(position()): expected an integer, got \(describe(value))")
        }
        guard let i = Int(exactly: n) else { throw InferenceJSON.BadInput("\(position()): expected an integer, got \(n)") }
        return i
    }
}
