import Foundation
import XCTest
@testable import WorkbenchServe

/// The byte reader of infer bodies against the JSONSerialization decoder it replaced
/// (`FoundationInferDecoder`) and against `Float(String)` (correct rounding): the same
/// tensors and the same error messages, on random bodies and on edge cases.
final class InferBodyReaderTests: XCTestCase {
    func body(shape: String, data: String, extra: String = "") -> Data {
        Data(#"{"id": "r", "inputs": [{"name": "x", "shape": \#(shape), "datatype": "FP32", "data": \#(data)\#(extra)}]}"#.utf8)
    }

    func decode(_ body: Data, _ inputShape: [Int]) -> Result<(id: String?, shape: [Int], values: [Float]), InferenceJSON.BadInput> {
        Result { try InferenceJSON.parseInfer(body, inputShape: inputShape) }
            .map { ($0.id, $0.input.shape, $0.input.toArray()) }
            .mapError { ($0 as? InferenceJSON.BadInput) ?? InferenceJSON.BadInput("\($0)") }
    }

    /// Both decoders agree bit for bit (values) or word for word (errors).
    func assertSame(_ body: Data, _ inputShape: [Int], file: StaticString = #filePath, line: UInt = #line) {
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        switch (decode(body, inputShape), FoundationInferDecoder.decode(body, inputShape: inputShape)) {
        case (.success(let new), .success(let old)):
            XCTAssertEqual(new.id, old.id, text, file: file, line: line)
            XCTAssertEqual(new.shape, old.shape, text, file: file, line: line)
            // Bit for bit, but for the sign of zero: JSONSerialization read some literals such as `-0.000` as an
            // NSDecimalNumber, whose zero has no sign (`-0.0` it read as -0.0); the reader gives Float(literal),
            // -0.0 for both (`testTheSignOfZeroIsThatOfTheLiteral`).
            let unsignedZero = { (v: Float) in v == 0 ? UInt32(0) : v.bitPattern }
            XCTAssertEqual(new.values.map(unsignedZero), old.values.map(unsignedZero), text, file: file, line: line)
        case (.failure(let new), .failure(let old)):
            XCTAssertEqual(new.description, old.description, text, file: file, line: line)
        case (let new, let old):
            XCTFail("new \(new), old \(old): \(text)", file: file, line: line)
        }
    }

    /// The ways clients print numbers: shortest Float and Double forms, %e and %g with many or few digits, integers.
    func formatted(_ x: Float, style: Int) -> String {
        switch style {
        case 0: return "\(x)"
        case 1: return "\(Double(x))"
        case 2: return String(format: "%.9e", Double(x))
        case 3: return String(format: "%.17g", Double(x))
        case 4: return String(format: "%.3f", Double(x))
        case 5: return String(format: "%E", Double(x) * 1e-20)
        case 6: return String(Int(max(-1e15, min(1e15, Double(x) * 1000))))
        default: return String(format: "%.25f", Double(x) / 1e6)
        }
    }

    func testRandomBodiesDecodeAsJSONSerializationDid() throws {
        var g = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let n = Int.random(in: 1...64, using: &g)
            let values = (0..<n).map { _ -> String in
                let x = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &g))
                let y = x.isFinite && abs(x) < 1e30 && abs(x) > 1e-30 ? x : Float.random(in: -100...100, using: &g)
                return formatted(y, style: Int.random(in: 0...7, using: &g))
            }
            let spaces = round % 3 == 0 ? " \n\t" : ""
            let data = "[" + values.joined(separator: "," + spaces) + "]"
            assertSame(body(shape: "[1, \(n)]", data: data), [n])
            assertSame(body(shape: "[\(n), 1]", data: data), [1])
        }
    }

    func testEveryNumberEqualsFloatOfItsLiteral() throws {
        var g = SystemRandomNumberGenerator()
        var literals = ["0.0", "-0.0", "1E2", "1e+2", "2.5e-3", "3.4028235e38", "-3.4028235e38", "1.17549435e-38", "1.4e-45", "7e-46",
                        "8e-46", "1e-50", "16777217", "9007199254740993", "12345678901234567890123", "0.1", "1.0000000596046448",
                        "1.00000005960464477539062500001", "1.000000059604644775390625", "3.4028235677973366e38",
                        "0.000000000000000000000000000000000000000000001401298464324817", "123456789012345678901234567890e-20"]
        for _ in 0..<2000 {
            let digits = (0..<Int.random(in: 1...25, using: &g)).map { _ in String(Int.random(in: 0...9, using: &g)) }.joined()
            let point = Int.random(in: 0...digits.count, using: &g)
            let mantissa = point == 0 ? "0." + digits : String(digits.prefix(point)) + (point < digits.count ? "." + digits.dropFirst(point) : "")
            let literal = mantissa.hasPrefix("0") && !mantissa.hasPrefix("0.") && mantissa.count > 1 ? "1" + mantissa : mantissa
            literals.append(literal + (Bool.random(using: &g) ? "e\(Int.random(in: -50...30, using: &g))" : ""))
        }
        for literal in literals {
            let want = try XCTUnwrap(Float(literal), literal)
            switch decode(body(shape: "[1, 1]", data: "[\(literal)]"), [1]) {
            case .success(let got): XCTAssertEqual(got.values.first?.bitPattern, want.bitPattern, "\(literal): \(got.values) vs \(want)")
            case .failure(let e): XCTAssertTrue(want.isInfinite && e.description.contains("outside the FP32 range"), "\(literal): \(e)")
            }
        }
    }

    /// `-0` is the integer 0 (JSONSerialization and Python's json agree: +0.0); a zero with a fraction or an
    /// exponent keeps its sign, as `Float(String)` and Python's `float()` read it.
    func testTheSignOfZeroIsThatOfTheLiteral() throws {
        for (literal, negative) in [("-0", false), ("0", false), ("-0.0", true), ("-0.000", true), ("-0e0", true), ("-0E-5", true),
                                    ("0.0", false), ("-1e-50", true), ("-0.0000000000000000000000000", true)] {
            let v = try XCTUnwrap(try decode(body(shape: "[1, 1]", data: "[\(literal)]"), [1]).get().values.first)
            XCTAssertEqual(v, 0, literal)
            XCTAssertEqual(v.sign == .minus, negative, literal)
        }
    }

    /// The reader rounds once (to the nearest Float); NSNumber.floatValue rounded the Double: one ulp off here.
    func testLiteralsOnAFloatMidpointAreRoundedOnce() throws {
        let literal = "1.0000000596046448"   // just above 1 + 2^-24, the midpoint of 1 and its next float
        XCTAssertEqual(try decode(body(shape: "[1, 1]", data: "[\(literal)]"), [1]).get().values, [Float(1).nextUp])
        XCTAssertEqual(try FoundationInferDecoder.decode(body(shape: "[1, 1]", data: "[\(literal)]"), inputShape: [1]).get().values, [1])
    }

    func testEdgeCasesDecodeAsJSONSerializationDid() {
        let datas = ["[-0]", "[-0.0]", "[-0e0]", "[0]", "[1e-50]", "[-1e-50]", "[3.4028235e38]", "[1E2, 1e+2, 1e-2, 1.5E-0]",
                     "[1, true]", "[false]", "[null]", "[\"a\\u0041\\n\"]", "[\"a very long string of more than twenty characters\"]",
                     "[{}]", "[{\"a\": [1, 2]}]", "[1, [2]]", "[]", "[1,2,3]", "[01]", "[1.]", "[.5]", "[+1]", "[1e]", "[NaN]", "[Infinity]",
                     "[1,]", "[1, ]", "[,]", "[1,,]", "[1 2]", "[1", "1", "\"x\"", "{}", "[12345678901234567890]"]
        for data in datas {
            assertSame(body(shape: "[1, 1]", data: data), [1])
            assertSame(body(shape: "[1, 3]", data: data), [3])
        }
        let shapes = ["[1, 1]", "[1.0, 1]", "[1e0, 1]", "[1.5, 1]", "[true, 1]", "[null, 1]", "[\"1\", 1]", "[[1], 1]", "[]", "{}", "1",
                      "[-1, 1]", "[0, 1]", "[9223372036854775807, 1]", "[9223372036854775808, 1]", "[4611686018427387904, 2]",
                      "[1e30, 1]", "[-0, 1]", "[2, 1]"]
        for shape in shapes { assertSame(body(shape: shape, data: "[1]"), [1]) }
        let bodies = ["", " ", "[1]", "null", "{\"inputs\": []}", "{\"inputs\": {}}", "{\"inputs\": [1]}", "{\"inputs\": [{}, {}]}",
                      "{\"inputs\": [{}]}", "{\"inputs\": [{\"datatype\": 1}]}", "{\"inputs\": [{\"datatype\": \"INT8\", \"data\": [true]}]}",
                      "{\"inputs\": [{\"datatype\": \"FP64\", \"shape\": [1, 2], \"data\": [1, 2]}], \"id\": 5}",
                      "{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": {}}]}",
                      "{\"inputs\": [{\"data\": [1, 2], \"shape\": [1, 2], \"datatype\": \"FP32\", \"parameters\": {\"a\": [null, true, \"\\ud83d\\ude00\"]}}]}",
                      "{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}], \"outputs\": [{\"name\": \"o\"}]}",
                      "{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2], \"data\": [3, 4]}]}",
                      "{\"\\u0069nputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}]}",
                      "{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}]} x",
                      "{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}],}",
                      "{\"id\": \"\\ud800\", \"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}]}",
                      "{\"id\": \"tab\there\", \"inputs\": []}",
                      "\u{FEFF}{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}]}"]
        for b in bodies { assertSame(Data(b.utf8), [2]) }
        // Deep nesting in an ignored field: within JSONSerialization's limit of 512, and beyond it.
        for depth in [100, 510, 600] {
            let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            assertSame(Data("{\"parameters\": \(deep), \"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}]}".utf8), [2])
        }
    }

    /// KServe v2 allows `data` nested as the shape; the byte reader takes it (JSONSerialization's decoder did not).
    func testNestedDataMustBeRectangularAndMatchTheShape() throws {
        let flat = try decode(body(shape: "[2, 2, 3]", data: "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]"), [2, 3]).get()
        let nested = try decode(body(shape: "[2, 2, 3]", data: "[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]"), [2, 3]).get()
        XCTAssertEqual(nested.shape, [2, 2, 3])
        XCTAssertEqual(nested.values, flat.values)
        func message(_ data: String, shape: String = "[2, 2, 3]") -> String {
            switch decode(body(shape: shape, data: data), [2, 3]) {
            case .success: return "no error"
            case .failure(let e): return e.description
            }
        }
        XCTAssertEqual(message("[[[1, 2, 3], [4, 5]], [[7, 8, 9], [10, 11, 12]]]"),
                       "inputs[0].data[0][1]: 2 elements where the arrays before it have 3 (\"data\" must be rectangular)")
        XCTAssertEqual(message("[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], 10]]"),
                       "inputs[0].data[1][1]: expected an array like the elements before it, got a number (\"data\" must be rectangular)")
        XCTAssertEqual(message("[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, [12]]]]"),
                       "inputs[0].data[1][1][2]: expected a number, got an array")
        XCTAssertEqual(message("[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, true]]]"),
                       "inputs[0].data[1][1][2]: expected a number, got true")
        XCTAssertEqual(message("[[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]"),
                       "\"data\" is nested as [2, 6]; shape [2, 2, 3] needs it nested as [2, 2, 3] or flat")
        XCTAssertEqual(message("[[[1, 2, 3], [4, 5, 6]]]"),
                       "\"data\" is nested as [1, 2, 3]; shape [2, 2, 3] needs it nested as [2, 2, 3] or flat")
    }

    /// Values beyond FP32's range used to become ±inf (or, past Double's, "not a JSON object"); now a clear 400.
    func testMagnitudesBeyondFP32AreNamed() {
        for (literal, position) in [("1e39", "inputs[0].data[1]"), ("-3.5e38", "inputs[0].data[1]"), ("1e400", "inputs[0].data[1]")] {
            switch decode(body(shape: "[1, 2]", data: "[1, \(literal)]"), [2]) {
            case .success(let t): XCTFail("\(literal) gave \(t.values)")
            case .failure(let e): XCTAssertEqual(e.description, "\(position): \(literal) is outside the FP32 range (±3.4028235e38)")
            }
        }
        // The largest float and values that round to it are accepted.
        XCTAssertEqual(try decode(body(shape: "[1, 1]", data: "[3.40282356e38]"), [1]).get().values, [.greatestFiniteMagnitude])
    }
}
