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
                       "\"data\" must hold only numbers")
    }
}
