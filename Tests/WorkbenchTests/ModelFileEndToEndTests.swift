import Foundation
import Tensors
import XCTest

/// A model file used as a user would: `models show FILE`, `train --model
/// FILE --save`, then `predict` and `export` with the weights file alone (the
/// model file deleted), and a broken file's error naming its line.
extension DeployEndToEndTests {
    static let modelFile = """
        # A small residual CNN for 32x32 images.
        name: tinyres
        input: [3, 32, 32]
        layers:
          - Conv2d: {in_channels: 3, out_channels: 8, kernel_size: 3, padding: 1}
          - ReLU
          - Residual:
              - Conv2d: {out_channels: 8, kernel_size: 3, padding: 1}
              - BatchNorm2d
          - MaxPool2d: {kernel_size: 4}
          - Flatten
          - Linear: {in_features: auto, out_features: classes}
        """

    func testModelFileTrainSavePredictExport() throws {
        let file = dir.appendingPathComponent("tinyres.model.yaml")
        try Self.modelFile.write(to: file, atomically: true, encoding: .utf8)

        let show = try workbench(["models", "show", file.path, "--shapes"])
        XCTAssertEqual(show.status, 0, show.err)
        XCTAssertTrue(show.out.contains("(2): Residual(\n    (0): Conv2d(8, 8, kernel_size=(3, 3)"), show.out)
        XCTAssertTrue(show.out.contains("Linear(in_features=512, out_features=10, bias=True)"), show.out)
        XCTAssertTrue(show.out.contains("Total parameters: 5,954"), show.out)

        let train = try workbench(["train", "--model", file.path, "--epochs", "1", "--limit", "64", "--batch-size", "16",
                                   "--no-record", "--save", "w.safetensors"])
        XCTAssertEqual(train.status, 0, train.err)
        XCTAssertTrue(train.out.contains("model \(file.path) (5954 parameters)"), train.out)
        XCTAssertTrue(train.out.contains("Test Accuracy:"), train.out)
        let meta = try XCTUnwrap(try ModelFile.metadata(in: dir.appendingPathComponent("w.safetensors")))
        XCTAssertEqual(meta.architecture.name, "tinyres")
        XCTAssertEqual(meta.architecture.definition, Self.modelFile)

        try FileManager.default.removeItem(at: file)   // the weights file alone rebuilds the model
        try cifarRecords(2).write(to: dir.appendingPathComponent("batch.bin"))
        let predict = try workbench(["predict", "--weights", "w.safetensors", "--json", "--top-k", "1", "batch.bin"])
        XCTAssertEqual(predict.status, 0, predict.err)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(predict.out.utf8)) as? [String: Any])
        let results = try XCTUnwrap(doc["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 2)
        let label = try XCTUnwrap((results[0]["predictions"] as? [[String: Any]])?.first?["label"] as? String)
        XCTAssertTrue(meta.classes.contains(label), label)

        let export = try workbench(["export", "--weights", "w.safetensors", "tinyres.onnx"])
        XCTAssertEqual(export.status, 0, export.err)
        XCTAssertGreaterThan((try? Data(contentsOf: dir.appendingPathComponent("tinyres.onnx")))?.count ?? 0, 5_954 * 4)
    }

    func testBrokenModelFileNamesLineLayerAndShape() throws {
        let file = dir.appendingPathComponent("broken.model.yaml")
        try Self.modelFile.replacingOccurrences(of: "in_features: auto", with: "in_features: 400")
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try workbench(["train", "--model", file.path, "--epochs", "1", "--limit", "16", "--no-record"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("\(file.path): line 12, Linear: in_features 400 expected, input has 512 features"), r.err)
        let missing = try workbench(["train", "--model", "nothere.model.yaml", "--epochs", "1", "--no-record"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("model file nothere.model.yaml not found"), missing.err)
    }
}
