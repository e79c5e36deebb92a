import Foundation
import XCTest
@testable import Tensors

/// The zoo against torchvision, both directions, through safetensors files
/// (scripts/torchvision_crosscheck.py does the Python side):
///
/// - torch → workbench: torchvision's VGG16 and ResNet-18 (seeded, BatchNorm
///   statistics randomised) saved with `safetensors.torch.save_file` load by
///   key, strictly, into `VGG.vgg16()` / `ResNet.resnet18(…)` and give torch's
///   output for torch's input;
/// - workbench → torch: the models with weights changed here (every
///   convolution and linear parameter negated, BatchNorm statistics and affine
///   parameters drawn from our generator) are saved with `ModelFile.save`
///   (what `workbench train --save` writes), load with
///   `safetensors.torch.load_file` + `load_state_dict(strict=True)` into the
///   torchvision models and give our output for our input.
///
/// VGG16 and the ImageNet ResNet-18 run at 224×224, the zoo's CIFAR ResNet-18
/// (3×3 stem, no max-pool) at 32×32; batch 1. The models are built with
/// `withMetaInit` and given zeroed storage before loading: their random
/// initialisation (138M draws for VGG16) takes over a minute in a debug build
/// and is overwritten by the load anyway.
///
/// Needs a Python with torch, torchvision and safetensors: `$WORKBENCH_PYTHON`,
/// else /tmp/torchenv/bin/python; skipped otherwise.
final class TorchvisionCrossCheckTests: XCTestCase {
    /// The zoo's builders for the script's model names, with the input size the script uses.
    static let builders: [(name: String, size: Int, make: () -> any UnaryLayer)] = [
        ("vgg16", 224, { VGG.vgg16() }),
        ("resnet18", 32, { ResNet.resnet18(numClasses: 10, cifarStem: true) }),
        ("resnet18_imagenet", 224, { ResNet.resnet18() }),
    ]

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/torchvision_crosscheck.py")
    }

    /// A Python that imports torch, torchvision and safetensors, or nil.
    static func findPython() -> String? {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["WORKBENCH_PYTHON"], !p.isEmpty { candidates.append(p) }
        candidates.append("/tmp/torchenv/bin/python")
        for p in candidates where FileManager.default.isExecutableFile(atPath: p) {
            if let r = try? run(p, ["-c", "import torch, torchvision, safetensors"]), r.status == 0 { return p }
        }
        return nil
    }

    /// The script in `both` mode: `between` runs once the export is written, then the check runs.
    static func runBoth(_ python: String, _ dir: URL, between: () throws -> Void) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, "both", dir.path]
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = input
        try p.run()
        var text = ""
        while !text.contains("exported\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }          // the script ended early (it failed)
            text += String(decoding: chunk, as: UTF8.self)
        }
        var failure: Error?
        if text.contains("exported\n") {
            do { try between() } catch { failure = error }
            input.fileHandleForWriting.write(Data("check\n".utf8))
        }
        try? input.fileHandleForWriting.close()
        text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if let failure { throw failure }
        return (p.terminationStatus, text)
    }

    static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Gives every parameter and buffer of a `withMetaInit` model zeroed storage of the same shape.
    static func materialize(_ model: Module) {
        func real(_ t: Tensor) -> Tensor { Tensor.zeros(t.shape) }
        for m in model.modules() {
            if let conv = m as? Conv2d {
                conv.weight = real(conv.weight)
                conv.bias = conv.bias.map(real)
            } else if let fc = m as? Linear {
                fc.weight = real(fc.weight)
                fc.bias = fc.bias.map(real)
            } else if let bn = m as? BatchNorm {
                bn.weight = bn.weight.map(real)
                bn.bias = bn.bias.map(real)
                bn.runningMean = bn.runningMean.map(real)
                bn.runningVar = bn.runningVar.map(real)
                bn.numBatchesTracked = bn.numBatchesTracked.map(real)
            }
        }
    }

    /// New weights from old ones: convolution and linear parameters negated, BatchNorm
    /// statistics and affine parameters drawn from `g` (away from 1/0, so a swapped key shows).
    static func changeWeights(_ model: Module, _ g: Generator) {
        noGrad {
            for m in model.modules() {
                if let conv = m as? Conv2d {
                    conv.weight.mulInPlace(-1)
                    conv.bias?.mulInPlace(-1)
                } else if let fc = m as? Linear {
                    fc.weight.mulInPlace(-1)
                    fc.bias?.mulInPlace(-1)
                } else if let bn = m as? BatchNorm {
                    let n = bn.numFeatures
                    bn.runningMean?.copy(from: Tensor.randn([n], generator: g) * 0.1)
                    bn.runningVar?.copy(from: Tensor.rand([n], generator: g) + 0.5)
                    bn.weight?.copy(from: Tensor.rand([n], generator: g) + 0.5)
                    bn.bias?.copy(from: Tensor.randn([n], generator: g) * 0.1)
                }
            }
        }
    }

    /// Same shape, and max |got - expected| within 1e-4 of the largest |expected| (sums in another order).
    func assertClose(_ got: Tensor, _ expected: Tensor, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.shape, expected.shape, "\(name): output shape", file: file, line: line)
        guard got.shape == expected.shape else { return }
        let a = got.toArray(), b = expected.toArray()
        let scale = b.map { abs($0) }.max() ?? 0
        let diff = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(scale, 0, "\(name): the expected output is all zeros", file: file, line: line)
        XCTAssertLessThanOrEqual(diff, 1e-4 * scale, "\(name): max |diff| \(diff) at scale \(scale)", file: file, line: line)
    }

    func testZooMatchesTorchvisionBothDirections() throws {
        guard let python = Self.findPython() else {
            throw XCTSkip("no Python with torch, torchvision and safetensors (set WORKBENCH_PYTHON or create /tmp/torchenv)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tv-crosscheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        // One Python run: it exports torch's files, we load them and write ours, it checks ours.
        let result = try Self.runBoth(python, dir) {
            // torch → workbench
            var models: [(name: String, size: Int, model: any UnaryLayer)] = []
            for (name, size, make) in Self.builders {
                let model = withMetaInit { make() }
                Self.materialize(model)
                let loaded = try ModelFile.load(into: model, from: dir.appendingPathComponent("\(name).torch.safetensors"))
                XCTAssertEqual(loaded.missingKeys, [], name)
                XCTAssertEqual(loaded.unexpectedKeys, [], name)
                let io = Dictionary(uniqueKeysWithValues: try Safetensors.load(
                    from: dir.appendingPathComponent("\(name).torch_io.safetensors")).tensors)
                guard let x = io["input"], let expected = io["output"] else { return XCTFail("\(name): no input/output in the io file") }
                XCTAssertEqual(x.shape, [1, 3, size, size], name)
                model.eval()
                assertClose(noGrad { model(x) }, expected, "\(name) (torch weights)")
                models.append((name, size, model))
            }
            // workbench → torch
            let g = Generator(seed: 11)
            for (name, size, model) in models {
                Self.changeWeights(model, g)
                let x = Tensor.randn([1, 3, size, size], generator: g)
                let y = noGrad { model(x) }
                try ModelFile.save(model, modelName: name, to: dir.appendingPathComponent("\(name).workbench.safetensors"))
                try Safetensors.save([("input", x), ("output", y)], to: dir.appendingPathComponent("\(name).workbench_io.safetensors"))
            }
        }
        print(result.output, terminator: "")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.hasSuffix("ok\n"), result.output)
    }
}
