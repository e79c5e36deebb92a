import XCTest
@testable import Tensors

/// A base class with its own parameter, to check superclass reflection order.
private class Base: Module {
    @Parameter var scale = Tensor.ones([2])
    let stem = Linear(3, 2)
}

private final class Net: Base {
    let head: Linear
    let blocks: [Module]
    let branches: [String: Module]
    let maybe: Linear?
    let missing: Linear? = nil
    @Buffer(name: "running_thing") var runningThing = Tensor.zeros([2])
    @Buffer(name: "scratch", persistent: false) var scratch = Tensor.zeros([1])
    @Parameter var bias: Tensor? = nil
    let plainTensor = Tensor.ones([3])
    let numbers: [Int] = []

    override init() {
        head = Linear(2, 2)
        blocks = [ReLU(), Linear(2, 2)]
        branches = ["b": Tanh(), "a": Linear(2, 1)]
        maybe = Linear(2, 2, bias: false)
        super.init()
    }

    func forward(_ x: Tensor) -> Tensor { head(stem(x) * scale) }
}

final class ModuleTests: XCTestCase {
    func testDiscoveryNamesAndOrder() {
        let net = Net()
        XCTAssertEqual(net.namedParameters().map(\.0), [
            "scale", "stem.weight", "stem.bias", "head.weight", "head.bias", "blocks.1.weight", "blocks.1.bias",
            "branches.a.weight", "branches.a.bias", "maybe.weight",
        ])
        XCTAssertEqual(net.namedBuffers().map(\.0), ["running_thing", "scratch"])
        XCTAssertEqual(net.stateDict().map(\.0), [
            "scale", "running_thing", "stem.weight", "stem.bias", "head.weight", "head.bias", "blocks.1.weight",
            "blocks.1.bias", "branches.a.weight", "branches.a.bias", "maybe.weight",
        ])
        XCTAssertEqual(net.namedChildren().map(\.0), ["stem", "head", "blocks.0", "blocks.1", "branches.a", "branches.b", "maybe"])
        XCTAssertEqual(net.namedModules().map(\.0), ["", "stem", "head", "blocks.0", "blocks.1", "branches.a", "branches.b", "maybe"])
        XCTAssertEqual(net.parameterCount, 2 + 8 + 6 + 6 + 3 + 4)
        XCTAssertTrue(net.parameters().allSatisfy(\.requiresGrad))
    }

    func testFieldEnumerationMatchesMirror() {
        // The fast typed field readers and the Mirror fallback classify the same members.
        for m in [Net() as Module, LeNet5(), withMetaInit { ResNet.resnet18(cifarStem: true) }, BatchNorm2d(3)] {
            for module in m.modules() {
                let fast = module.reflectMembers(), slow = module.mirrorFieldValues()
                XCTAssertNotNil(ModuleTypeLayout.of(type(of: module)), "\(module.typeName)")
                var viaMirror: [String] = []
                for (label, v) in slow {
                    switch v {
                    case .parameter(let t, _) where t != nil: viaMirror.append("p:" + label)
                    case .buffer(let t, _, _) where t != nil: viaMirror.append("b:" + label)
                    case .module(let c) where c != nil: viaMirror.append("m:" + label)
                    case .list(let l): viaMirror += l.indices.map { "m:\(label).\($0)" }
                    case .dict(let d): viaMirror += d.map { "m:\(label).\($0.0)" }
                    default: break
                    }
                }
                let viaFields = fast.parameters.map { _ in "p" } + fast.buffers.map { _ in "b" } + fast.children.map { "m:" + $0.0 }
                XCTAssertEqual(viaMirror.filter { $0.hasPrefix("m:") }, viaFields.filter { $0.hasPrefix("m:") }, module.typeName)
                XCTAssertEqual(viaMirror.filter { $0.hasPrefix("p:") }.count, fast.parameters.count, module.typeName)
                XCTAssertEqual(viaMirror.filter { $0.hasPrefix("b:") }.count, fast.buffers.count, module.typeName)
            }
        }
    }

    func testSharedParametersCountOnce() {
        let shared = Linear(2, 2)
        let seq = Sequential(shared, ReLU(), shared)
        XCTAssertEqual(seq.namedParameters().map(\.0), ["0.weight", "0.bias"])
        XCTAssertEqual(seq.stateDict().map(\.0), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(seq.parameterCount, 6)
    }

    func testContainersNaming() {
        let seq = Sequential(Linear(2, 3), ReLU(), Sequential(Linear(3, 1)))
        XCTAssertEqual(seq.namedParameters().map(\.0), ["0.weight", "0.bias", "2.0.weight", "2.0.bias"])
        let named = Sequential(named: ["conv": Conv2d(1, 2, kernelSize: 3), "act": ReLU()])
        XCTAssertEqual(named.namedParameters().map(\.0), ["conv.weight", "conv.bias"])
        let list = ModuleList(Linear(1, 1), Linear(1, 1))
        list.append(Linear(1, 2))
        XCTAssertEqual(list.namedParameters().map(\.0), ["0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"])
        XCTAssertEqual(list.count, 3)
        let dict = ModuleDict(["z": Linear(1, 1), "a": Linear(1, 1)])
        dict["m"] = ReLU()
        XCTAssertEqual(dict.namedChildren().map(\.0), ["z", "a", "m"])  // insertion order
        dict["z"] = nil
        XCTAssertEqual(dict.namedParameters().map(\.0), ["a.weight", "a.bias"])
        let plist = ParameterList([Tensor.zeros([3, 4]), Tensor.zeros([5])])
        XCTAssertEqual(plist.namedParameters().map(\.0), ["0", "1"])
        XCTAssertTrue(plist[0].requiresGrad)
        let pdict = ParameterDict(["a": Tensor.zeros([3, 4]), "b": Tensor.zeros([2])])
        XCTAssertEqual(pdict.namedParameters().map(\.0), ["a", "b"])
    }

    func testDescriptionsMatchTorch() {
        let single = (nnFixture("prints")["single"] as? [String: String]) ?? [:]
        XCTAssertEqual(ModuleList(Linear(2, 3), Linear(2, 3), ReLU(), Linear(2, 3)).description, single["ModuleList"])
        XCTAssertEqual(ParameterList([Tensor.zeros([3, 4]), Tensor.zeros([5])]).description, single["ParameterList"])
        XCTAssertEqual(ParameterDict(["a": Tensor.zeros([3, 4]), "b": Tensor.zeros([2])]).description, single["ParameterDict"])
        XCTAssertEqual(ModuleDict(["b": ReLU(), "a": Linear(1, 2)]).description, single["ModuleDict"])
        XCTAssertEqual(BatchNorm1d(3, momentum: nil, affine: false).description, single["BatchNorm1d(3, momentum=None, affine=False)"])
        XCTAssertEqual(Sequential().description, "Sequential()")
        XCTAssertEqual(ModuleList().description, "ModuleList()")
        // Arrays and dictionaries of modules print like ModuleList / ModuleDict.
        XCTAssertEqual(Net().description, """
        Net(
          (stem): Linear(in_features=3, out_features=2, bias=True)
          (head): Linear(in_features=2, out_features=2, bias=True)
          (blocks): ModuleList(
            (0): ReLU()
            (1): Linear(in_features=2, out_features=2, bias=True)
          )
          (branches): ModuleDict(
            (a): Linear(in_features=2, out_features=1, bias=True)
            (b): Tanh()
          )
          (maybe): Linear(in_features=2, out_features=2, bias=False)
        )
        """)
    }

    func testTrainEvalPropagates() {
        let net = Net()
        XCTAssertTrue(net.modules().allSatisfy(\.isTraining))
        net.eval()
        XCTAssertTrue(net.modules().allSatisfy { !$0.isTraining })
        XCTAssertFalse((net.blocks[1]).isTraining)
        XCTAssertFalse(net.branches["a"]!.isTraining)
        net.train()
        XCTAssertTrue(net.modules().allSatisfy(\.isTraining))
    }

    func testZeroGradAndFreezing() {
        let net = Sequential(Linear(3, 2), ReLU(), Linear(2, 1))
        net(Tensor.randn([4, 3])).sum().backward()
        XCTAssertTrue(net.parameters().allSatisfy { $0.grad != nil })
        net.zeroGrad()
        XCTAssertTrue(net.parameters().allSatisfy { $0.grad == nil })
        net.requiringGrad(false)
        XCTAssertEqual(net.trainableParameterCount, 0)
        XCTAssertEqual(net.stateDict().count, 4)  // frozen parameters stay parameters
    }

    func testParameterWrapperMakesLeaves() {
        final class M: Module { @Parameter var w = Tensor.ones([2]) }
        let m = M()
        XCTAssertTrue(m.w.requiresGrad)
        let a = Tensor.ones([2]).requiringGrad()
        m.w = a * 2  // the result of an op is detached into a new leaf
        XCTAssertTrue(m.w.isLeaf)
        XCTAssertTrue(m.w.requiresGrad)
        XCTAssertEqual(m.w.toArray(), [2, 2])
        XCTAssertEqual(m.namedParameters().map(\.0), ["w"])
    }

    func testStateDictRoundTrip() throws {
        let a = LeNet5(generator: Generator(seed: 1)), b = LeNet5(generator: Generator(seed: 2))
        let x = Tensor.randn([2, 3, 32, 32], generator: Generator(seed: 3))
        XCTAssertNotEqual(a(x).toArray(), b(x).toArray())
        let result = try b.loadStateDict(a.stateDict())
        XCTAssertEqual(result, LoadStateDictResult(missingKeys: [], unexpectedKeys: []))
        XCTAssertEqual(a(x).toArray(), b(x).toArray())
        // Loading copies values: the tensors stay the same objects (optimizers keep working).
        let w = b.conv1.weight
        try b.loadStateDict(LeNet5().stateDict())
        XCTAssertTrue(b.conv1.weight === w)
        // Buffers round-trip too.
        let bn1 = BatchNorm2d(3), bn2 = BatchNorm2d(3)
        _ = bn1(Tensor.randn([4, 3, 2, 2]))
        try bn2.loadStateDict(bn1.stateDict())
        XCTAssertEqual(bn2.runningMean!.toArray(), bn1.runningMean!.toArray())
        XCTAssertEqual(bn2.numBatchesTracked!.item(), 1)
    }

    func testLoadStateDictErrorsLeaveModelUnchanged() {
        let model = LeNet5(generator: Generator(seed: 1))
        let before = model.stateDict().map { ($0.0, $0.1.clone()) }
        func unchanged() {
            for ((k, t0), (_, t1)) in zip(before, model.stateDict()) {
                XCTAssertEqual(t0.toArray(), t1.toArray(), "\(k) changed")
            }
        }
        var good = LeNet5(generator: Generator(seed: 9)).stateDict()
        // Missing key.
        var missing = good
        missing.removeAll { $0.0 == "fc3.bias" }
        XCTAssertThrowsError(try model.loadStateDict(missing)) { e in
            let err = e as? StateDictError
            XCTAssertEqual(err?.missingKeys, ["fc3.bias"])
            XCTAssertEqual("\(e)", "Error(s) in loading state_dict for LeNet5:\n\tMissing key(s) in state_dict: \"fc3.bias\".")
        }
        unchanged()
        // Unexpected key.
        var extra = good
        extra.append(("fc4.weight", Tensor.zeros([1])))
        XCTAssertThrowsError(try model.loadStateDict(extra)) { e in
            XCTAssertEqual((e as? StateDictError)?.unexpectedKeys, ["fc4.weight"])
        }
        unchanged()
        // Shape mismatch (an error even when not strict).
        good[0] = ("conv1.weight", Tensor.zeros([6, 1, 5, 5]))
        XCTAssertThrowsError(try model.loadStateDict(good, strict: false)) { e in
            XCTAssertEqual("\(e)", "Error(s) in loading state_dict for LeNet5:\n\tsize mismatch for conv1.weight: copying a param with shape [6, 1, 5, 5] from checkpoint, the shape in current model is [6, 3, 5, 5].")
        }
        unchanged()
        // Not strict: missing and unexpected keys are reported, the rest loads.
        let partial: [(String, Tensor)] = [("fc3.bias", Tensor.ones([10])), ("other", Tensor.zeros([1]))]
        let result = try? model.loadStateDict(partial, strict: false)
        XCTAssertEqual(result?.unexpectedKeys, ["other"])
        XCTAssertEqual(result?.missingKeys.count, 9)
        XCTAssertEqual(model.fc3.bias!.toArray(), [Float](repeating: 1, count: 10))
    }

    func testValidateReportsLayers() throws {
        let layers = try LeNet5().validate(inputShape: [4, 3, 32, 32])
        XCTAssertEqual(layers.map(\.path), ["", "conv1", "conv2", "fc1", "fc2", "fc3"])
        XCTAssertEqual(layers.map(\.typeName), ["LeNet5", "Conv2d", "Conv2d", "Linear", "Linear", "Linear"])
        XCTAssertEqual(layers.map(\.outputShape), [[4, 10], [4, 6, 28, 28], [4, 16, 10, 10], [4, 120], [4, 84], [4, 10]])
        XCTAssertEqual(layers[0].parameterCount, 62006)
        XCTAssertEqual(layers[1].parameterCount, 456)
        XCTAssertEqual(layers.map(\.depth), [0, 1, 1, 1, 1, 1])
        let seq = try smallVGG().validate(inputShape: [2, 3, 32, 32])
        XCTAssertEqual(seq[1].path, "0")
        XCTAssertEqual(seq.last?.outputShape, [2, 10])
    }

    func testValidateNamesFailingLayer() {
        XCTAssertThrowsError(try LeNet5().validate(inputShape: [4, 1, 32, 32])) { e in
            guard let err = e as? ModelShapeError else { return XCTFail("\(e)") }
            XCTAssertEqual(err.failingPath, "conv1")
            XCTAssertEqual("\(err)", "conv1: conv2d: Given groups=1, weight of size [6, 3, 5, 5], expected input[4, 1, 32, 32] to have 3 channels, but got 1 channels instead")
            XCTAssertEqual(err.layers.first { $0.path == "conv1" }?.outputShape, nil)
        }
        // Wrong spatial size: fc1 gets the wrong number of features.
        XCTAssertThrowsError(try LeNet5().validate(inputShape: [2, 3, 28, 28])) { e in
            guard let err = e as? ModelShapeError else { return XCTFail("\(e)") }
            XCTAssertEqual(err.failingPath, "fc1")
            XCTAssertEqual(err.layers.first { $0.path == "conv2" }?.outputShape, [2, 16, 8, 8])
            XCTAssertNil(err.layers.first { $0.path == "fc1" }?.outputShape)
            XCTAssertNil(err.layers.first { $0.path == "" }?.outputShape)
        }
        // Nested: the path names the block.
        XCTAssertThrowsError(try withMetaInit { ResNet.resnet18(numClasses: 10, cifarStem: true) }.validate(inputShape: [1, 4, 32, 32])) { e in
            XCTAssertEqual((e as? ModelShapeError)?.failingPath, "conv1")
        }
        let seq = Sequential(Linear(4, 3), Sequential(ReLU(), Linear(2, 2)))
        XCTAssertThrowsError(try seq.validate(inputShape: [1, 4])) { e in
            XCTAssertEqual((e as? ModelShapeError)?.failingPath, "1.1")
        }
    }

    func testReplacedChildIsNamedInErrors() {
        final class Holder: Module, UnaryLayer {
            var layer: any UnaryLayer = Linear(4, 4)
            func forward(_ x: Tensor) -> Tensor { layer(x) }
        }
        let h = Holder()
        _ = try? h.validate(inputShape: [1, 4])
        h.layer = Linear(3, 3)
        XCTAssertThrowsError(try h.validate(inputShape: [1, 4])) { e in
            XCTAssertEqual((e as? ModelShapeError)?.failingPath, "layer")
        }
    }

    func testMetaInit() {
        let m = withMetaInit { LeNet5() }
        XCTAssertTrue(m.parameters().allSatisfy(\.isMeta))
        XCTAssertEqual(m.parameterCount, 62006)
        XCTAssertEqual(try m.validate(inputShape: [1, 3, 32, 32]).first?.outputShape, [1, 10])
        XCTAssertFalse(LeNet5().conv1.weight.isMeta)
        // Real input through meta weights is an error naming the cause.
        XCTAssertThrowsError(try ShapeCheck.run { _ = m(Tensor.zeros([1, 3, 32, 32])) }) { e in
            XCTAssertTrue("\(e)".contains("conv1: conv2d: parameters are meta tensors"), "\(e)")
        }
        // Meta modules cannot take weights (their tensors have no memory): a clear error.
        XCTAssertThrowsError(try m.loadStateDict(LeNet5().stateDict())) { e in
            XCTAssertTrue("\(e)".contains("cannot load conv1.weight into a meta tensor"), "\(e)")
        }
        // Meta into meta (structure only) is accepted.
        XCTAssertNoThrow(try m.loadStateDict(withMetaInit { LeNet5() }.stateDict()))
    }

    func testMultiInputModuleCallsAreNamedAndRecorded() throws {
        /// Two inputs, two outputs: (a·W, a·W + b).
        final class Pair: Module {
            let proj = Linear(4, 3, bias: false)
            func callAsFunction(_ a: Tensor, _ b: Tensor) -> (Tensor, Tensor) {
                call(inputs: [a, b], outputs: { [$0.0, $0.1] }) {
                    let p = proj(a)
                    return (p, p + b)
                }
            }
            override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
                guard inputs.count == 2 else { throw ShapeError(op: "Pair", "expected 2 inputs, got \(inputs.count)") }
                let (p, q) = self(inputs[0], inputs[1])
                return [p, q]
            }
        }
        final class Outer: Module, UnaryLayer {
            let pair = Pair()
            func forward(_ x: Tensor) -> Tensor { pair(x, Tensor.zeros([1, 3])).1.relu() }
        }
        let pair = Pair()
        let layers = try pair.validate(inputShapes: [[2, 4], [2, 3]])
        XCTAssertEqual(layers.map(\.path), ["", "proj"])
        XCTAssertEqual(layers[0].inputShapes, [[2, 4], [2, 3]])
        XCTAssertEqual(layers[0].outputShapes, [[2, 3], [2, 3]])
        XCTAssertEqual(layers[1].outputShape, [2, 3])
        // A shape error inside names the inner layer; the erased call counts its inputs.
        XCTAssertThrowsError(try pair.validate(inputShapes: [[2, 5], [2, 3]])) { e in
            XCTAssertEqual((e as? ModelShapeError)?.failingPath, "proj")
        }
        XCTAssertThrowsError(try pair.validate(inputShapes: [[2, 4]])) { e in
            XCTAssertTrue("\(e)".contains("expected 2 inputs, got 1"), "\(e)")
        }
        // Inside a unary model the multi-input child is recorded under its name with both inputs.
        let outer = try Outer().validate(inputShape: [1, 4])
        XCTAssertEqual(outer.map(\.path), ["", "pair", "pair.proj"])
        XCTAssertEqual(outer[1].inputShapes, [[1, 4], [1, 3]])
        // A unary layer through the erased call: one tensor in, one out; two tensors are an error.
        let lin = Linear(4, 2)
        XCTAssertEqual(try lin.forward(tensors: [Tensor.zeros([3, 4])]).map(\.shape), [[3, 2]])
        XCTAssertThrowsError(try lin.forward(tensors: [Tensor.zeros([3, 4]), Tensor.zeros([3, 4])]))
        // Real values flow through the typed call.
        let (p, q) = pair(Tensor.ones([1, 4]), Tensor.full([1, 3], 2))
        for v in (q - p).toArray() { XCTAssertEqual(v, 2, accuracy: 1e-5) }
    }
}
