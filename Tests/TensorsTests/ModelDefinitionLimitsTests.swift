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
                       "m.yaml: line 2, Linear: the model would have more than 268435456 parameters (0 before this layer, which adds 51556384768); "
                       + "set WORKBENCH_MAX_PARAMETERS to allow more")
        // Many layers under the limit each, over it together.
        let many = "- Flatten\n" + String(repeating: "- Linear: {out_features: 3072}\n", count: 30) + "- Linear: {out_features: classes}"
        XCTAssertTrue(message(many).contains("the model would have more than 268435456 parameters"), message(many))
    }

    /// Found by `scripts/fuzz.sh modelfile`: 29 bytes asking for one 973 MB convolution
    /// (3 × 563,203 × 12 × 12 weights), within the old 2³⁰ limit. A caller's smaller limit
    /// refuses it before anything is allocated; so does a weights file holding fewer values.
    func testACallersParameterLimitRefusesALargeLayerBeforeAllocating() throws {
        let def = try ModelDefinition(text: "- Conv2d: [3, 563203, 12]", file: "m.yaml")
        XCTAssertThrowsError(try def.build(outputs: nil, generator: Generator(seed: 0), maxParameters: 1 << 22)) { error in
            XCTAssertEqual("\(error)", "m.yaml: line 1, Conv2d: the model would have more than 4194304 parameters "
                           + "(0 before this layer, which adds 243866899); set WORKBENCH_MAX_PARAMETERS to allow more")
        }
        // Within the limit it builds, and the count is the one refused above.
        let small = try ModelDefinition(text: "- Conv2d: [3, 5, 12]", file: "m.yaml").build(maxParameters: 3 * 5 * 144 + 5)
        XCTAssertEqual(small.parameterCount, 3 * 5 * 144 + 5)
        XCTAssertThrowsError(try ModelDefinition(text: "- Conv2d: [3, 5, 12]", file: "m.yaml").build(maxParameters: 3 * 5 * 144 + 4))
    }

    func testTheEnvironmentSetsTheDefaultParameterLimit() {
        XCTAssertEqual(ModelDefinitionLimits.maxParameters, ModelDefinitionLimits.defaultMaxParameters)
        setenv("WORKBENCH_MAX_PARAMETERS", "1000", 1)
        defer { unsetenv("WORKBENCH_MAX_PARAMETERS") }
        XCTAssertEqual(ModelDefinitionLimits.maxParameters, 1000)
        XCTAssertTrue(message("- Flatten\n- Linear: {out_features: classes}").contains("more than 1000 parameters"))
        for bad in ["0", "-5", "lots", "\(1 << 40)"] {
            setenv("WORKBENCH_MAX_PARAMETERS", bad, 1)
            XCTAssertEqual(ModelDefinitionLimits.maxParameters, ModelDefinitionLimits.defaultMaxParameters, bad)
        }
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
