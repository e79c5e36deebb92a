import Foundation
import XCTest
@testable import Tensors

/// ONNX export: the protobuf encoding, errors naming unsupported layers, and —
/// with onnx + onnxruntime from PyPI in `.build/deploy-venv` — the checker
/// (full_check) and onnxruntime's outputs against ours for a model file's blocks, lenet5, smallvgg,
/// resnet18 and the MLP.
final class ONNXExportTests: XCTestCase {
    func testProtobufWireFormat() {
        var w = ProtobufWriter()
        w.int(1, 150)            // 08 96 01
        w.string(2, "hi")        // 12 02 68 69
        w.int(3, -1)             // 18 ff ff ff ff ff ff ff ff ff 01
        w.float(4, 1.0)          // 25 00 00 80 3f
        w.message(5) { $0.int(1, 1) }  // 2a 02 08 01
        XCTAssertEqual(w.bytes, [0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69,
                                 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                                 0x25, 0x00, 0x00, 0x80, 0x3f, 0x2a, 0x02, 0x08, 0x01])
    }

    func testUnsupportedLayerIsNamed() {
        let model = Sequential(Linear(4, 8), GELU(), Linear(8, 2))
        XCTAssertThrowsError(try ONNXExporter.export(model, inputShape: [4], name: "m")) { error in
            XCTAssertEqual("\(error)", "ONNX export: layer '1' (GELU) has no ONNX export yet")
        }
    }

    func testInitializersAreStateDictKeys() throws {
        let model = try ModelZoo.make("lenet5", generator: Generator(seed: 1))
        var b = ONNXExporter.Builder(graph: ONNXGraph(name: "lenet5"))
        _ = try b.emit(model, path: "", .init(name: "input", shape: [1, 3, 32, 32]))
        XCTAssertEqual(b.graph.initializers.map(\.name), model.stateDict().map(\.0))
        XCTAssertEqual(b.graph.nodes.map(\.opType),
                       ["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm"])
    }

    /// Our outputs against onnxruntime's, within 1e-4, and the checker's full check.
    func testOnnxRuntimeMatches() throws {
        let python = try PythonVenv.python(name: "deploy-venv", packages: ["onnx", "onnxruntime", "numpy"],
                                           modules: ["onnx", "onnxruntime", "numpy"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        var cases: [[String: Any]] = []
        var expectedInitializers: [String: [String]] = [:]
        // A model file's containers too: Residual, Add, Concat.
        let blocks = try ModelDefinition(text: """
            - Conv2d: {in_channels: 3, out_channels: 8, kernel_size: 3, padding: 1}
            - BatchNorm2d
            - Residual: [{Conv2d: {out_channels: 8, kernel_size: 3, padding: 1}}, ReLU]
            - Add: [[{Conv2d: [auto, 6, 1]}], [{Conv2d: {out_channels: 6, kernel_size: 3, padding: 1}}, Sigmoid]]
            - Concat: [{MaxPool2d: [2]}, {AvgPool2d: [2]}]
            - Flatten
            - Linear: {out_features: 10}
            """, file: "blocks.model.yaml")
        for (name, shape) in [("lenet5", [3, 32, 32]), ("smallvgg", [3, 32, 32]), ("resnet18", [3, 32, 32]), ("mlp", [8]),
                              ("blocks", [3, 8, 8])] {
            let g = Generator(seed: 7)
            let model = name == "blocks" ? try blocks.build(inputShape: shape, generator: g)
                : try ModelZoo.make(name, inputShape: shape, generator: g)
            // Non-trivial batch-norm statistics: a few training-mode forwards, then eval.
            for _ in 0..<2 { _ = model(Tensor.randn([4] + shape, generator: g)) }
            model.eval()
            let x = Tensor.randn([2] + shape, generator: g)
            let y = model(x)
            let bytes = try ONNXExporter.export(model, inputShape: shape, name: name)
            try Data(bytes).write(to: dir.appendingPathComponent("\(name).onnx"))
            try floats(x.toArray()).write(to: dir.appendingPathComponent("\(name).input.bin"))
            try floats(y.toArray()).write(to: dir.appendingPathComponent("\(name).output.bin"))
            cases.append(["name": name, "input_shape": x.shape, "output_shape": y.shape])
            expectedInitializers[name] = model.stateDict().map(\.0).filter { !$0.hasSuffix("num_batches_tracked") }
        }
        try JSONSerialization.data(withJSONObject: cases).write(to: dir.appendingPathComponent("cases.json"))
        let script = PythonVenv.packageRoot.appendingPathComponent("Tests/Fixtures/onnx/check_onnx.py").path
        let result = try PythonVenv.run(python, [script, dir.path])
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        XCTAssertEqual(lines.count, cases.count, result.output)
        for line in lines {
            let r = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = try XCTUnwrap(r["name"] as? String)
            let diff = try XCTUnwrap(r["max_abs_diff"] as? Double)
            XCTAssertLessThanOrEqual(diff, 1e-4, "\(name): onnxruntime differs by \(diff)")
            XCTAssertEqual(r["opset"] as? Int, 17, name)
            XCTAssertEqual((r["batch3_shape"] as? [Int])?.first, 3, "\(name): dynamic batch")
            XCTAssertEqual(r["batch3_matches"] as? Bool, true, name)
            XCTAssertEqual(Set(r["initializers"] as? [String] ?? []), Set(expectedInitializers[name] ?? []), name)
        }
    }

    private func floats(_ v: [Float]) -> Data {
        v.withUnsafeBufferPointer { Data(buffer: $0) }
    }
}
