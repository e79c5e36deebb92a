import Foundation
import XCTest
@testable import Tensors

/// Model files come from strangers (a weights file carries its definition's
/// text): every size is bounded before anything is allocated or multiplied,
/// and each limit is a clear error naming the line and the layer — never a
/// trap, an overflow or a 16 GB allocation. Inputs found by
/// `scripts/fuzz.sh modelfile` are kept here (and in Fuzz/seeds/modelfile).
final class ModelDefinitionLimitsTests: XCTestCase {
    func message(_ text: String, line: UInt = #line) -> String {
        do {
            _ = try ModelDefinition(text: text, file: "m.yaml").build(outputs: 10, generator: Generator(seed: 0))
            XCTFail("expected an error", line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testIntegersBeyondTheLimitAreRefused() {
        XCTAssertEqual(message("- Flatten\n- Linear: {out_features: 33554432}"),
                       "m.yaml: line 2, Linear: out_features: 33554432 is beyond the limit of ±16777216 for a model file's integers")
        XCTAssertTrue(message("- Upsample: {scale_factor: 1e300}").contains("scale_factor: 1e300 is beyond the limit"))
    }

    func testAModelWithTooManyParametersIsRefusedBeforeAllocating() {
        // 3,072 × 16,777,216 weights + 16,777,216 biases = 51,556,384,768 parameters (192 GiB): counted on meta tensors.
        XCTAssertEqual(message("- Flatten\n- Linear: {out_features: 16777216}\n- Linear: {out_features: classes}"),
                       "m.yaml: line 2, Linear: the model would have more than 1073741824 parameters (0 before this layer, which adds 51556384768)")
        // Many layers under the limit each, over it together.
        let many = "- Flatten\n" + String(repeating: "- Linear: {out_features: 3072}\n", count: 120) + "- Linear: {out_features: classes}"
        XCTAssertTrue(message(many).contains("the model would have more than 1073741824 parameters"))
    }

    func testSizesWhoseProductsOverflowAreRefused() {
        // 16M channels × 16M × a 16M×16M kernel would overflow Int in the weight's shape.
        XCTAssertEqual(message("- Conv2d: {out_channels: 16777216, kernel_size: [16777216, 16777216]}"),
                       "m.yaml: line 1, Conv2d: its sizes are too large for an input [3, 32, 32] (their product passes 2^56)")
        XCTAssertTrue(message("input: [16777216, 16777216, 16777216]\nlayers:\n  - ReLU").contains("its sizes are too large"))
    }

    func testNestingBeyondTheLimitIsAnError() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertTrue(message(deep).contains("Maximum nesting level reached"), message(deep))
        let blocks = (0..<200).map { String(repeating: "  ", count: $0) + "- Sequential:" }.joined(separator: "\n")
        XCTAssertTrue(message(blocks).contains("Maximum nesting level reached"), message(blocks))
        // 60 levels are fine.
        let ok = String(repeating: "- Sequential:\n  ", count: 1) + "- ReLU"
        XCTAssertNoThrow(try ModelDefinition(text: ok, file: "m.yaml"))
    }
}
