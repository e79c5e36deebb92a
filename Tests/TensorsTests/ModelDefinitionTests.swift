import Foundation
import XCTest
@testable import Tensors

/// Model files: parsing, `auto` sizes, containers, every catalogue layer by
/// name, errors naming line/layer/shape, the PyTorch equivalent's numbers
/// (Tests/Fixtures/modelfiles, make_modelfiles.py) and weights files that
/// rebuild their model from the recorded text.
final class ModelDefinitionTests: XCTestCase {
    func definition(_ text: String, file: String = "test.model.yaml") throws -> ModelDefinition {
        try ModelDefinition(text: text, file: file)
    }

    /// The message of the error `body` throws (fails when it does not throw).
    func message(_ body: () throws -> Any, line: UInt = #line) -> String {
        do {
            _ = try body()
            XCTFail("expected an error", line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    let lenetLike = """
        input: [3, 32, 32]
        layers:
          - Conv2d: {in_channels: 3, out_channels: 6, kernel_size: 5}
          - ReLU
          - MaxPool2d: {kernel_size: 2}
          - Conv2d: {in_channels: auto, out_channels: 16, kernel_size: 5}
          - ReLU
          - Flatten
          - Linear: {in_features: 400, out_features: 120}
          - Linear: {out_features: classes}
        """

    func testAutoSizesComeFromTheInputShape() throws {
        let model = try definition("""
            - Conv2d: {in_channels: auto, out_channels: 4, kernel_size: 3, padding: 1}
            - BatchNorm2d
            - Flatten
            - Linear: {in_features: auto, out_features: 5}
            - LayerNorm: {normalized_shape: auto}
            """).build(inputShape: [2, 6, 6], outputs: 5, generator: Generator(seed: 0))
        XCTAssertEqual(model.description, """
            Sequential(
              (0): Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
              (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
              (2): Flatten(start_dim=1, end_dim=-1)
              (3): Linear(in_features=144, out_features=5, bias=True)
              (4): LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=True)
            )
            """)
        XCTAssertEqual(model(Tensor.zeros([3, 2, 6, 6])).shape, [3, 5])
        XCTAssertEqual(model.stateDict().map(\.0).prefix(3), ["0.weight", "0.bias", "1.weight"])
    }

    func testAWrongSizeNamesTheLineTheLayerAndTheExpectedShape() throws {
        // 32 → conv5 → 28 → pool → 14 → conv5 → 10: 16·10·10 = 1600 features, not 400.
        let err = message { try self.definition(self.lenetLike, file: "net.model.yaml").build(outputs: 10) }
        XCTAssertEqual(err, "net.model.yaml: line 9, Linear: in_features 400 expected, input has 1600 features")
        let conv = message {
            try self.definition("- Conv2d: {in_channels: 1, out_channels: 4, kernel_size: 3}").build(inputShape: [3, 8, 8])
        }
        XCTAssertEqual(conv, "test.model.yaml: line 1, Conv2d: in_channels 1 expected, input has 3 channels")
        let shape = message {
            try self.definition("- Flatten\n- Conv2d: {out_channels: 4, kernel_size: 3}").build(inputShape: [3, 8, 8])
        }
        XCTAssertTrue(shape.hasPrefix("test.model.yaml: line 2, Conv2d: expected a 3-D sample"), shape)
        let big = message {
            try self.definition("- Conv2d: {out_channels: 4, kernel_size: 9}").build(inputShape: [3, 8, 8])
        }
        XCTAssertTrue(big.hasPrefix("test.model.yaml: line 1, Conv2d: "), big)
        XCTAssertTrue(big.contains("(input [3, 8, 8])"), big)
    }

    func testOtherUserErrorsAreNamedNotTrapped() throws {
        func check(_ text: String, _ expected: String, outputs: Int? = 10, line: UInt = #line) {
            let m = message({ try self.definition(text).build(inputShape: [3, 8, 8], outputs: outputs) }, line: line)
            XCTAssertTrue(m.contains(expected), "\(m) should contain \(expected)", line: line)
        }
        check("- Conv2D: {out_channels: 4, kernel_size: 3}", "line 1, Conv2D: unknown layer; a model file can use")
        check("- Conv2d: {out_channels: 4, kernel: 3}", "line 1, Conv2d: unknown argument 'kernel' (expected: in_channels, out_channels, kernel_size")
        check("- Conv2d: {out_channels: 4}", "line 1, Conv2d: missing argument kernel_size")
        check("- Conv2d: {out_channels: 0, kernel_size: 3}", "out_channels must be a positive integer, got 0")
        check("- Conv2d: {out_channels: 4, kernel_size: 3, groups: 2}", "in_channels 3 and out_channels 4 must be divisible by groups 2")
        check("- Conv2d: {out_channels: 4, kernel_size: 3, stride: 2, padding: same}", "padding 'same' is not supported for strided")
        check("- Conv2d: {out_channels: 4, kernel_size: three}", "kernel_size: expected an integer, got 'three'")
        check("- Dropout: {p: 1.5}", "p must be in [0, 1], got 1.5")
        check("- MaxPool2d: {kernel_size: 2, padding: 3}", "padding 3 should be at most half of kernel_size 2")
        check("- Flatten\n- Linear: [192, 10, true, 4]", "line 2, Linear: 4 positional arguments, it takes at most 3")
        check("- Flatten\n- Linear: {out_features: 7}", "the model's output is [7] per sample but the data needs [10]")
        check("- Residual:\n    - Conv2d: {out_channels: 5, kernel_size: 1}", "line 1, Residual: the block's output [5, 8, 8] must match its input [3, 8, 8]")
        check("- Add:\n    - Conv2d: {out_channels: 5, kernel_size: 1}\n    - Conv2d: {out_channels: 4, kernel_size: 1}",
              "line 1, Add: branch 2 gives [4, 8, 8] but branch 1 gives [5, 8, 8]")
        check("- Flatten\n- Linear: {out_features: classes}", "`classes` needs data", outputs: nil)
        check("layers:\n  - ReLU\nlayer: 3", "line 3: unknown key 'layer'")
        check("- ReLU\n- Conv2d: {out_channels: 4, kernel_size: [3, 3, 3]}", "line 2, Conv2d: kernel_size: expected 1 or 2 values, got 3")
        XCTAssertEqual(message { try self.definition("- Conv2d: {out_channels: 4\n- ReLU\n") },
                       "test.model.yaml: line 3, column 1: did not find expected ',' or '}'")
        XCTAssertEqual(message { try self.definition("") }, "test.model.yaml: the model file is empty")
        XCTAssertEqual(message { try ModelDefinition.load(path: "/nonexistent/m.yaml") },
                       "/nonexistent/m.yaml: model file not found or not readable")
    }

    func testJSONAndPositionalArgumentsAndNames() throws {
        let def = try definition("""
            {"name": "tiny", "input": [4], "layers": [{"Linear": [4, 8]}, "ReLU", {"Linear": {"out_features": 3}}]}
            """, file: "tiny.json")
        XCTAssertEqual(def.name, "tiny")
        XCTAssertEqual(def.inputShape, [4])
        let model = try def.build(outputs: 3)
        XCTAssertEqual(model.parameterCount, 4 * 8 + 8 + 8 * 3 + 3)
        XCTAssertEqual(try definition("- ReLU", file: "/x/my-net.model.yaml").name, "my-net")
        XCTAssertTrue(ModelDefinition.isModelFile("a/b.model.yaml") && ModelDefinition.isModelFile("B.JSON"))
        XCTAssertFalse(ModelDefinition.isModelFile("lenet5"))
    }

    /// Every one-tensor layer of the catalogue can be written in a model file.
    func testEveryCatalogueLayerIsBuildable() throws {
        var missing: [String] = []
        for family in LayerCatalogue.families {
            for entry in family.entries where entry.example() is any UnaryLayer {
                if LayerFactory.entry(entry.name) == nil { missing.append(entry.name) }
            }
        }
        XCTAssertEqual(missing, [])
        // And each builds from a file with representative arguments for its example's input.
        let cases: [(String, [Int])] = [
            ("Conv1d: {out_channels: 4, kernel_size: 3}", [2, 9]), ("Conv3d: {out_channels: 2, kernel_size: 3}", [2, 5, 5, 5]),
            ("ConvTranspose2d: {out_channels: 2, kernel_size: 3, stride: 2}", [2, 4, 4]),
            ("ConvTranspose1d: {out_channels: 2, kernel_size: 3}", [2, 5]), ("ConvTranspose3d: {out_channels: 2, kernel_size: 2}", [2, 3, 3, 3]),
            ("Unfold: {kernel_size: 2}", [3, 4, 4]), ("MaxPool1d: [2]", [3, 8]), ("MaxPool3d: {kernel_size: 2}", [2, 4, 4, 4]),
            ("AvgPool1d: [2]", [3, 8]), ("AvgPool3d: [2]", [2, 4, 4, 4]), ("LPPool1d: [2, 2]", [3, 8]), ("LPPool2d: [2, 2]", [3, 4, 4]),
            ("FractionalMaxPool2d: {kernel_size: 2, output_ratio: [0.5, 0.5]}", [4, 6, 6]),
            ("AdaptiveAvgPool2d: {output_size: [2, null]}", [4, 6, 6]), ("AdaptiveMaxPool1d: [2]", [3, 7]),
            ("ReflectionPad2d: [1]", [4, 6, 6]), ("ConstantPad1d: {padding: [1, 2], value: 0.5}", [3, 5]),
            ("BatchNorm1d", [4, 5]), ("InstanceNorm2d: {affine: true}", [4, 6, 6]), ("GroupNorm: {num_groups: 2}", [4, 6, 6]),
            ("LocalResponseNorm: {size: 2}", [4, 6, 6]), ("Dropout2d", [4, 6, 6]), ("AlphaDropout: {p: 0.2}", [4, 6, 6]),
            ("PixelShuffle: {upscale_factor: 2}", [4, 6, 6]), ("Upsample: {scale_factor: 2, mode: bilinear, align_corners: false}", [4, 6, 6]),
            ("UpsamplingNearest2d: {size: [8, 8]}", [4, 6, 6]), ("PReLU: {num_parameters: 4}", [4, 6, 6]),
            ("Threshold: {threshold: 0.1, value: 0}", [4]), ("Softmax: {dim: 1}", [4]), ("GLU", [4]), ("Hardtanh: [-2, 2]", [4]),
        ]
        for (text, shape) in cases {
            XCTAssertNoThrow(try definition("- " + text).build(inputShape: shape), text)
        }
        XCTAssertEqual(try definition("- ConvTranspose2d: {out_channels: 2, kernel_size: 3, stride: 2}").outputShape(inputShape: [2, 4, 4]),
                       [2, 9, 9])
    }

    /// The same model built in PyTorch (make_modelfiles.py): state-dict keys,
    /// parameter count and eval-mode output for the recorded weights.
    func testMatchesThePyTorchEquivalent() throws {
        let def = try ModelDefinition.load(path: fixtureURL("modelfiles/blocks.model.yaml").path)
        let model = try def.build(outputs: 10, generator: Generator(seed: 1))
        var (tensors, _) = try Safetensors.load(from: fixtureURL("modelfiles/blocks_io.safetensors"))
        let x = try XCTUnwrap(tensors.first { $0.0 == "input" }?.1)
        let y = try XCTUnwrap(tensors.first { $0.0 == "output" }?.1)
        tensors.removeAll { $0.0 == "input" || $0.0 == "output" }
        XCTAssertEqual(Set(model.stateDict().map(\.0)), Set(tensors.map(\.0)))
        try model.loadStateDict(tensors)
        model.eval()
        assertClose(model(x), y, atol: 1e-5, "blocks output")
        XCTAssertTrue(model.description.contains("(3): Residual(\n    (0): Conv2d(8, 8"), model.description)
        XCTAssertTrue(model.description.contains("(5): Concat(\n    dim=1"), model.description)
        // Gradients flow through every container (finite differences on the input).
        model.train()
        let small = try definition("""
            - Residual: [{Linear: [3, 3]}, Tanh]
            - Concat: [[{Linear: [3, 2]}], Sigmoid]
            - Add: [{Linear: [5, 2]}, {Linear: [5, 2]}]
            """).build(inputShape: [3], generator: Generator(seed: 2))
        gradCheck(sample([2, 3], seed: 3)) { small($0) }
    }

    /// Weights saved with a model file's metadata rebuild their model from the recorded text alone.
    func testWeightsFileRebuildsItsModelFromTheRecordedText() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("modeldef-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("lenetish.model.yaml")
        let text = lenetLike.replacingOccurrences(of: "in_features: 400", with: "in_features: auto")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let def = try ModelDefinition.load(path: path.path)
        let model = try def.build(outputs: 10, generator: Generator(seed: 4))
        let meta = try ModelMetadata.forDefinition(def, outputs: 10, classes: (0..<10).map { "c\($0)" })
        XCTAssertEqual(meta.architecture.definition, text)
        XCTAssertEqual(meta.architecture.name, "lenetish")
        let weights = dir.appendingPathComponent("w.safetensors")
        try ModelFile.save(model, metadata: meta, to: weights)
        try FileManager.default.removeItem(at: path)   // the weights file alone is enough
        let (back, backMeta) = try ModelFile.loadModel(from: weights)
        XCTAssertEqual(backMeta, meta)
        let x = Tensor.randn([2, 3, 32, 32], generator: Generator(seed: 5))
        model.eval()
        assertClose(back(x), model(x), atol: 0, "rebuilt model")
        // A model file passed as --model replaces the recorded layers (and must fit the weights).
        let other = dir.appendingPathComponent("other.yaml")
        try "- Flatten\n- Linear: {out_features: 10}".write(to: other, atomically: true, encoding: .utf8)
        XCTAssertTrue(message { try ModelFile.loadModel(from: weights, modelName: other.path) }.contains(weights.path))
    }

    /// A stranger's weights file whose recorded definition asks for more parameters than the
    /// file holds values is refused from the meta count: the 973 MB convolution is never allocated.
    func testAWeightsFileWhoseDefinitionOutgrowsItsValuesIsRefusedBeforeAllocating() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("modeldef-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let small = try ModelDefinition(text: "- Conv2d: [3, 4, 3]\n- Flatten\n- Linear: {out_features: classes}", file: "s.yaml", name: "s")
        let model = try small.build(outputs: 10, generator: Generator(seed: 1))
        var meta = try ModelMetadata.forDefinition(small, outputs: 10)
        meta.architecture.definition = "- Conv2d: [3, 563203, 12]\n- AdaptiveAvgPool2d: [1]\n- Flatten\n- Linear: {out_features: classes}"
        let weights = dir.appendingPathComponent("w.safetensors")
        try ModelFile.save(model, metadata: meta, to: weights)
        let text = message { try ModelFile.loadModel(from: weights) }
        XCTAssertTrue(text.hasPrefix(weights.path + ": its model 's' has "), text)
        XCTAssertTrue(text.contains("parameters but the file holds \(model.parameterCount) values"), text)
    }
}
