import XCTest
@testable import Tensors

final class ModelsTests: XCTestCase {
    private func torchPrint(_ name: String) -> (print: String, state: [String], parameters: Int) {
        let d = nnFixture("prints")[name] as? [String: Any] ?? [:]
        return (d["print"] as? String ?? "", d["state"] as? [String] ?? [], d["parameters"] as? Int ?? -1)
    }

    private func stateLines(_ m: Module) -> [String] { m.stateDict().map { "\($0.0) \($0.1.shape)" } }

    func testZooMatchesTorchvisionPrintsKeysAndCounts() {
        for name in ["lenet5", "simplenet", "smallvgg", "resnet18", "vgg16"] {
            guard let entry = ModelZoo.entry(named: name) else { XCTFail(name); continue }
            let model = entry.makeMeta()
            let ref = torchPrint(name)
            XCTAssertEqual(model.description, ref.print, "\(name) print")
            XCTAssertEqual(stateLines(model), ref.state, "\(name) state-dict keys and shapes")
            XCTAssertEqual(model.parameterCount, ref.parameters, "\(name) parameter count")
        }
    }

    func testLeNet5WithTorchWeightsMatchesTorch() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nn")
        let (tensors, _) = try Safetensors.load(from: dir.appendingPathComponent("lenet5.safetensors"))
        let model = LeNet5()
        try model.loadStateDict(tensors)
        let io = nnFixture("lenet5_io")
        let x = fixtureTensor(io, "x")
        let target = IntTensor(io["target"] as? [Int] ?? [])
        // Fused (real tensors) forward and backward against torch.
        let logits = model(x)
        assertClose(logits, fixtureTensor(io, "logits"), atol: 1e-5, "logits")
        let loss = crossEntropy(logits, target)
        XCTAssertEqual(loss.item(), Float(io["loss"] as? Double ?? 0), accuracy: 1e-5)
        loss.backward()
        let grads = io["grads"] as? [String: Any] ?? [:]
        let params = Dictionary(uniqueKeysWithValues: model.namedParameters())
        XCTAssertEqual(grads.count, 5)
        for key in grads.keys {
            assertClose(params[key]?.grad, fixtureTensor(grads, key), atol: 1e-5, "grad \(key)")
        }
        // The state dict goes back out unchanged.
        for (k, t) in model.stateDict() {
            XCTAssertEqual(t.toArray(), tensors.first { $0.0 == k }?.1.toArray(), k)
        }
    }

    func testZooInputShapesValidate() throws {
        for entry in ModelZoo.entries {
            let layers = try entry.makeMeta().validate(inputShape: [2] + entry.inputShape)
            XCTAssertEqual(layers.first?.outputShape, [2, entry.numClasses], entry.name)
        }
        XCTAssertEqual(ModelZoo.entry(named: "vgg16")?.inputShape, [3, 224, 224])
        // Models are sized to the data: class count for image models, features and outputs for the MLP.
        let lenet = try ModelZoo.make("lenet5", outputs: 100)
        XCTAssertEqual(try lenet.validate(inputShape: [1, 3, 32, 32]).first?.outputShape, [1, 100])
        let mlp = try ModelZoo.make("mlp", inputShape: [5], outputs: 2)
        XCTAssertEqual(mlp.namedParameters().map(\.0), ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"])
        XCTAssertEqual(mlp.parameterCount, 5 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2)
        XCTAssertEqual(try mlp.validate(inputShape: [4, 5]).first?.outputShape, [4, 2])
        XCTAssertTrue(mlp.description.hasPrefix("MLP(\n  (0): Linear(in_features=5, out_features=64, bias=True)\n  (1): ReLU()\n  (2): Dropout(p=0.0, inplace=False)"), mlp.description)
        XCTAssertThrowsError(try ModelZoo.make("nope")) { e in
            XCTAssertEqual("\(e)", "unknown model 'nope' (available: lenet5, simplenet, smallvgg, resnet18, vgg16, mlp)")
        }
    }

    func testSmallModelsRunForwardAndBackward() {
        let g = Generator(seed: 1)
        let x = Tensor.randn([2, 3, 32, 32], generator: g)
        let target = IntTensor([3, 7])
        for model in [LeNet5(generator: g), SimpleNet(generator: g), smallVGG(generator: g) as any UnaryLayer] {
            let loss = crossEntropy(model(x), target)
            XCTAssertTrue(loss.item().isFinite)
            loss.backward()
            XCTAssertTrue(model.parameters().allSatisfy { $0.grad != nil })
        }
        let book = SimpleNet(inFeatures: 2048, numClasses: 2, softmaxOutput: true)
        let p = book(Tensor.randn([3, 2048])).sum(dim: 1).toArray()
        XCTAssertEqual(p[0], 1, accuracy: 1e-5)
    }

    func testLeNet5LearnsATinyBatch() {
        let g = Generator(seed: 3)
        let model = LeNet5(generator: g)
        // Noise plus a bright 8×8 patch whose position encodes the class.
        let x = Tensor.randn([8, 3, 32, 32], generator: g) * 0.3
        x.withUnsafeMutableBufferPointer { p in
            for i in 0..<8 {
                let r = (i / 4) * 16, c = (i % 4) * 8
                for ch in 0..<3 { for yy in r..<(r + 8) { for xx in c..<(c + 8) { p[((i * 3 + ch) * 32 + yy) * 32 + xx] += 2 } } }
            }
        }
        let y = IntTensor([0, 1, 2, 3, 4, 5, 6, 7])
        var first: Float = 0, last: Float = 0
        for step in 0..<40 {
            model.zeroGrad()
            let loss = crossEntropy(model(x), y)
            loss.backward()
            noGrad { for p in model.parameters() { p.subInPlace(p.grad! * 0.1) } }
            if step == 0 { first = loss.item() }
            last = loss.item()
        }
        XCTAssertLessThan(last, first * 0.5)
    }

    func testResNetBlockStructure() {
        let r = withMetaInit { ResNet.resnet18(numClasses: 10, cifarStem: true) }
        XCTAssertNil(r.layer1[0].namedChildren().first { $0.0 == "downsample" })
        XCTAssertEqual((r.layer2[0] as? BasicBlock)?.downsample?.count, 2)
        XCTAssertEqual(try r.validate(inputShape: [1, 3, 32, 32]).first { $0.path == "layer4" }?.outputShape, [1, 512, 4, 4])
    }
}
