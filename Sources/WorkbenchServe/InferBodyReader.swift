import Foundation

/// One pass over the bytes of a KServe v2 infer body
/// (`{"id"?, "inputs": [{"name", "shape", "datatype", "data"}], …}`): the whole
/// document is checked as JSON (RFC 8259, UTF-8; a trailing comma in an array or
/// object is let through, as Foundation's JSONSerialization on Linux did), the fields `InferenceJSON`
/// needs are kept, and `data`'s numbers are converted to `Float` as they are
/// read (`DecimalFloat`), with no intermediate Foundation objects.
///
/// `data` may be flat or nested (KServe v2 allows both); its nesting gives a
/// shape, and it must be rectangular. Problems with the values (a boolean, a
/// string, null, an object, ragged nesting, a magnitude beyond FP32) are kept
/// as the first one met, named by position, and reported by `InferenceJSON`
/// in the same order of checks as before; a JSON syntax error anywhere throws
/// `SyntaxError`. Other keys (`name`, `parameters`, `outputs` …) are checked
/// and skipped; a repeated key keeps its last value, as JSONSerialization did.
struct InferBodyReader {
    /// The body is not valid JSON (or is nested deeper than `maxDepth`).
    struct SyntaxError: Error {}

    /// The `data` array of the input tensor.
    struct DataArray {
        /// Its numbers, row-major.
        var values: [Float] = []
        /// The lengths of its nesting levels (`[count]` when flat).
        var nesting: [Int] = []
        /// The first problem with its values, naming the position.
        var problem: String?
    }

    /// The fields of `inputs[0]`.
    struct TensorFields {
        /// `datatype` when it is a string.
        var datatype: String?
        /// `shape`'s elements as their JSON text, when it is an array.
        var shape: [Substring]?
        /// `data`, when it is an array.
        var data: DataArray?
    }

    /// What the body holds.
    struct Document {
        /// Whether the body is a JSON object.
        var isObject = false
        /// `id` when it is a string.
        var id: String?
        /// The number of elements of `inputs`, when it is an array.
        var inputCount: Int?
        /// Whether every element of `inputs` is an object.
        var inputsAreObjects = true
        /// The first input's fields.
        var tensor = TensorFields()
    }

    /// Deepest nesting of arrays and objects accepted (JSONSerialization's limit).
    static let maxDepth = 512

    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    /// Reads `body`; throws `SyntaxError` unless it is one JSON value.
    static func read(_ body: Data) throws -> Document {
        try body.withUnsafeBytes { raw in
            var reader = InferBodyReader(raw.bindMemory(to: UInt8.self))
            return try reader.document()
        }
    }

    // MARK: the document

    private mutating func document() throws -> Document {
        var doc = Document()
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }  // a UTF-8 byte order mark
        skipSpace()
        if peek() == UInt8(ascii: "{") {
            doc.isObject = true
            try object(depth: 1) { reader, key in
                switch key {
                case "id": doc.id = try reader.stringOrSkip()
                case "inputs": try reader.inputs(into: &doc)
                default: try reader.skipValue(depth: 1)
                }
            }
        } else {
            try skipValue(depth: 0)
        }
        skipSpace()
        guard i == b.count else { throw SyntaxError() }
        return doc
    }

    private mutating func inputs(into doc: inout Document) throws {
        guard peek() == UInt8(ascii: "[") else {
            doc.inputCount = nil
            try skipValue(depth: 1)
            return
        }
        var count = 0
        var allObjects = true
        var tensor = TensorFields()
        try array(depth: 2) { reader in
            if reader.peek() != UInt8(ascii: "{") { allObjects = false }
            if count == 0, reader.peek() == UInt8(ascii: "{") {
                try reader.object(depth: 3) { reader, key in
                    switch key {
                    case "datatype": tensor.datatype = try reader.stringOrSkip(depth: 3)
                    case "shape": tensor.shape = try reader.rawElements(depth: 3)
                    case "data": tensor.data = try reader.dataArray(depth: 3)
                    default: try reader.skipValue(depth: 3)
                    }
                }
            } else {
                try reader.skipValue(depth: 2)
            }
            count += 1
        }
        doc.inputCount = count
        doc.inputsAreObjects = allObjects
        doc.tensor = tensor
    }

    /// An array's elements as their JSON text (nil, and skipped, if the value is not an array).
    private mutating func rawElements(depth: Int) throws -> [Substring]? {
        guard peek() == UInt8(ascii: "[") else {
            try skipValue(depth: depth)
            return nil
        }
        var out: [Substring] = []
        try array(depth: depth + 1) { reader in
            let start = reader.i
            try reader.skipValue(depth: depth + 1)
            out.append(Substring(decoding: UnsafeBufferPointer(rebasing: reader.b[start..<reader.i]), as: UTF8.self))
        }
        return out
    }

    // MARK: data

    /// The tensor's `data` (nil, and skipped, if it is not an array).
    private mutating func dataArray(depth: Int) throws -> DataArray? {
        guard peek() == UInt8(ascii: "[") else {
            try skipValue(depth: depth)
            return nil
        }
        var data = DataArray()
        data.values.reserveCapacity(b.count / 8)
        var state = NestingState()
        var path: [Int] = []
        try dataLevel(0, depth: depth + 1, path: &path, state: &state, into: &data)
        data.nesting = state.lengths
        return data
    }

    /// Lengths seen so far at each nesting level (-1: none closed yet), and the level holding the numbers.
    private struct NestingState {
        var lengths: [Int] = []
        var leafLevel: Int?
    }

    private static func position(_ path: [Int]) -> String {
        "inputs[0].data" + path.map { "[\($0)]" }.joined()
    }

    private mutating func dataLevel(_ level: Int, depth: Int, path: inout [Int], state: inout NestingState,
                                    into data: inout DataArray) throws {
        var n = 0
        try array(depth: depth) { reader in
            path.append(n)
            defer { path.removeLast(); n += 1 }
            let c = reader.peek()
            if c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
                let number = try reader.number()
                guard data.problem == nil else { return }
                if state.leafLevel == nil { state.leafLevel = level }
                guard state.leafLevel == level else {
                    data.problem = "\(Self.position(path)): expected an array like the elements before it, got a number (\"data\" must be rectangular)"
                    return
                }
                let v = reader.value(of: number)
                guard v.isFinite else {
                    data.problem = "\(Self.position(path)): \(reader.text(of: number).prefix(40)) is outside the FP32 range (±3.4028235e38)"
                    return
                }
                data.values.append(v)
            } else if c == UInt8(ascii: "["), data.problem != nil || state.leafLevel.map({ $0 > level }) ?? true {
                try reader.dataLevel(level + 1, depth: depth + 1, path: &path, state: &state, into: &data)
            } else {
                let start = reader.i
                try reader.skipValue(depth: depth)
                guard data.problem == nil else { return }
                let text = Substring(decoding: UnsafeBufferPointer(rebasing: reader.b[start..<reader.i]), as: UTF8.self)
                data.problem = "\(Self.position(path)): expected a number, got \(JSONNumbers.describe(literal: text))"
            }
        }
        guard data.problem == nil else { return }
        // Inner arrays close first: a level's length is known once its first array closes (-1 before).
        while state.lengths.count <= level { state.lengths.append(-1) }
        if state.lengths[level] < 0 { state.lengths[level] = n }
        if state.lengths[level] != n {
            data.problem = "\(Self.position(path)): \(n) elements where the arrays before it have \(state.lengths[level]) (\"data\" must be rectangular)"
        }
    }

    /// A number literal's place and decimal value (`mantissa × 10^exponent`).
    private struct Number {
        var start: Int, end: Int
        var negative = false
        var mantissa: UInt64 = 0
        var exponent = 0
        var digits = 0
        /// No fraction and no exponent.
        var isInteger = true

        /// Adds one digit: kept in the mantissa while it has fewer than 19 significant digits,
        /// else dropped (an integer digit still scales the value by 10).
        mutating func add(_ digit: UInt8, fraction: Bool) {
            if digits < DecimalFloat.maxDigits {
                mantissa = mantissa * 10 + UInt64(digit)
                if mantissa != 0 { digits += 1 }
                if fraction { exponent -= 1 }
            } else if !fraction {
                exponent += 1
            }
        }
    }

    private func value(of n: Number) -> Float {
        // `-0` is the integer 0 (JSONSerialization gave +0.0); `-0.0` and `-0e0` keep their sign.
        if n.mantissa == 0, n.isInteger { return 0 }
        let (v, signed) = DecimalFloat.value(mantissa: n.mantissa, exponent: n.exponent, digits: n.digits, literal: { text(of: n) })
        return n.negative && !signed ? -v : v
    }

    /// A number's literal text.
    private func text(of n: Number) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[n.start..<n.end]), as: UTF8.self)
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// Reads a number by JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private mutating func number() throws -> Number {
        var n = Number(start: i, end: i)
        if peek() == UInt8(ascii: "-") { n.negative = true; i += 1 }
        guard i < b.count, Self.isDigit(b[i]) else { throw SyntaxError() }
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if i < b.count, Self.isDigit(b[i]) { throw SyntaxError() }  // a leading zero
        } else {
            while i < b.count, Self.isDigit(b[i]) {
                n.add(b[i] &- UInt8(ascii: "0"), fraction: false)
                i += 1
            }
        }
        if peek() == UInt8(ascii: ".") {
            n.isInteger = false
            i += 1
            guard i < b.count, Self.isDigit(b[i]) else { throw SyntaxError() }
            while i < b.count, Self.isDigit(b[i]) {
                n.add(b[i] &- UInt8(ascii: "0"), fraction: true)
                i += 1
            }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            n.isInteger = false
            i += 1
            var negative = false
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { negative = peek() == UInt8(ascii: "-"); i += 1 }
            guard i < b.count, Self.isDigit(b[i]) else { throw SyntaxError() }
            var e = 0
            while i < b.count, Self.isDigit(b[i]) {
                // Past 10^5 the value is 0 or infinite whatever the digits; stop growing (no overflow).
                if e < 100_000 { e = e * 10 + Int(b[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            n.exponent += negative ? -e : e
        }
        n.end = i
        return n
    }

    // MARK: JSON structure

    private func peek() -> UInt8 { i < b.count ? b[i] : 0 }

    private mutating func skipSpace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func expect(_ c: UInt8) throws {
        guard peek() == c else { throw SyntaxError() }
        i += 1
    }

    /// Reads an object at `depth`, calling `member` for each key with the reader at its value.
    private mutating func object(depth: Int, _ member: (inout InferBodyReader, String) throws -> Void) throws {
        guard depth <= Self.maxDepth else { throw SyntaxError() }
        try delimited(UInt8(ascii: "{"), UInt8(ascii: "}")) { r in
            let key = try r.string()
            r.skipSpace()
            try r.expect(UInt8(ascii: ":"))
            r.skipSpace()
            try member(&r, key)
        }
    }

    /// Reads an array at `depth`, calling `element` with the reader at each element.
    private mutating func array(depth: Int, _ element: (inout InferBodyReader) throws -> Void) throws {
        guard depth <= Self.maxDepth else { throw SyntaxError() }
        try delimited(UInt8(ascii: "["), UInt8(ascii: "]"), element)
    }

    /// Reads `open`, comma-separated items (each read by `item`), then `close`; a trailing comma
    /// is accepted, as JSONSerialization accepted it.
    private mutating func delimited(_ open: UInt8, _ close: UInt8, _ item: (inout InferBodyReader) throws -> Void) throws {
        try expect(open)
        skipSpace()
        if peek() == close { i += 1; return }
        while true {
            skipSpace()
            try item(&self)
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                i += 1
                skipSpace()
                if peek() == close { i += 1; return }
                continue
            }
            try expect(close)
            return
        }
    }

    /// Checks and skips any JSON value.
    private mutating func skipValue(depth: Int) throws {
        switch peek() {
        case UInt8(ascii: "{"): try object(depth: depth + 1) { reader, _ in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try array(depth: depth + 1) { reader in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard b.count - i >= n else { throw SyntaxError() }
        for k in 0..<n where b[i + k] != word.utf8Start[k] { throw SyntaxError() }
        i += n
    }

    /// A string value, or nil (and the value skipped) for any other value.
    private mutating func stringOrSkip(depth: Int = 1) throws -> String? {
        if peek() == UInt8(ascii: "\"") { return try string() }
        try skipValue(depth: depth)
        return nil
    }

    /// Reads a string: escapes decoded, UTF-8 checked, control characters refused.
    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
        guard i < b.count, b[i] >= 0x20 else { throw SyntaxError() }
        if b[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            guard let s = String(validating: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self) else { throw SyntaxError() }
            return s
        }
        var bytes = Array(b[start..<i])
        while true {
            guard i < b.count, b[i] >= 0x20 else { throw SyntaxError() }
            let c = b[i]
            i += 1
            if c == UInt8(ascii: "\"") { break }
            guard c == UInt8(ascii: "\\") else { bytes.append(c); continue }
            guard i < b.count else { throw SyntaxError() }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard peek() == UInt8(ascii: "\\") else { throw SyntaxError() }
                    i += 1
                    guard peek() == UInt8(ascii: "u") else { throw SyntaxError() }
                    i += 1
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw SyntaxError() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw SyntaxError() }
                bytes.append(contentsOf: UTF8.encode(u).map { Array($0) } ?? [])
            default: throw SyntaxError()
            }
        }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw SyntaxError() }
        return s
    }

    private mutating func hex4() throws -> UInt32 {
        guard b.count - i >= 4 else { throw SyntaxError() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw SyntaxError()
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}
