import Foundation
import Tensors
import XCTest
@testable import WorkbenchServe

/// The request bodies of `serve`, parsed without a socket: bad bodies are one-line
/// errors (status 400), never a trap. Inputs found by `scripts/fuzz.sh serve` are
/// kept here (and in Fuzz/seeds/serve).
final class InferenceBodyTests: XCTestCase {
    func body(_ shape: String, data: String = "[1]") -> Data {
        Data(#"{"inputs": [{"name": "x", "shape": \#(shape), "datatype": "FP32", "data": \#(data)}]}"#.utf8)
    }

    func message(_ f: () throws -> Any) -> String {
        do { _ = try f() } catch { return "\(error)" }
        return "no error"
    }

    func testAValidInferBodyGivesItsTensor() throws {
        let (id, t) = try InferenceJSON.parseInfer(Data(#"{"id": "a", "inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6.5]}]}"#.utf8),
                                                   inputShape: [3])
        XCTAssertEqual(id, "a")
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.toArray(), [1, 2, 3, 4, 5, 6.5])
    }

    /// A batch size whose product with the sample size overflows used to trap
    /// (`shape.reduce(1, *)`), taking the whole server down.
    func testAnOverflowingBatchSizeIsAnErrorNotATrap() {
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[4611686018427387904, 3, 32, 32]"), inputShape: [3, 32, 32]) },
                       "input shape [4611686018427387904, 3, 32, 32] is too large")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[9223372036854775807, 2]"), inputShape: [2]) },
                       "input shape [9223372036854775807, 2] is too large")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[3, 2]"), inputShape: [2]) },
                       "\"data\" has 1 values; shape [3, 2] needs 6")
    }

    func testWrongShapesTypesAndBodiesAreNamed() {
        XCTAssertEqual(message { try InferenceJSON.parseInfer(Data("[1]".utf8), inputShape: [2]) }, "the body is not a JSON object")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[1, 3]"), inputShape: [2]) },
                       "input shape [1, 3] does not fit the model: expected [N, 2]")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[0, 2]"), inputShape: [2]) },
                       "input shape [0, 2] does not fit the model: expected [N, 2]")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[1, 1]", data: "[\"a\"]"), inputShape: [1]) },
                       "inputs[0].data[0]: expected a number, got a string \"a\"")
    }

    /// JSONSerialization reads `true` as an NSNumber equal to 1: it used to be
    /// taken as 1.0. A bool in a float input is refused, naming its position.
    func testBooleansAreNotNumbers() {
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[1, 2]", data: "[1.0, true]"), inputShape: [2]) },
                       "inputs[0].data[1]: expected a number, got true")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[1, 2]", data: "[false, 0]"), inputShape: [2]) },
                       "inputs[0].data[0]: expected a number, got false")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[1, 2]", data: "[null, 0]"), inputShape: [2]) },
                       "inputs[0].data[0]: expected a number, got null")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[true, 2]", data: "[1, 0]"), inputShape: [2]) },
                       "inputs[0].shape[0]: expected an integer, got true")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[1.5, 2]", data: "[1, 0]"), inputShape: [2]) },
                       "inputs[0].shape[0]: expected an integer, got 1.5")
        XCTAssertEqual(message { try InferenceJSON.parseInfer(body("[\"1\", 2]", data: "[1, 0]"), inputShape: [2]) },
                       "inputs[0].shape[0]: expected an integer, got a string \"1\"")
        // 1 and 0 (and 1.0) are still numbers.
        XCTAssertEqual(try? InferenceJSON.parseInfer(body("[1, 2]", data: "[1, 0.0]"), inputShape: [2]).input.toArray(), [1, 0])
        XCTAssertEqual(try? InferenceJSON.parseInfer(body("[1.0, 2]", data: "[1, 0]"), inputShape: [2]).input.shape, [1, 2])
    }
}
