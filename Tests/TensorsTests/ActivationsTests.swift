import XCTest
@testable import Tensors

/// The activation catalogue against PyTorch (Tests/Fixtures/nn/activations).
final class ActivationsTests: XCTestCase {
    let file = "activations/activations"

    func testPointwiseActivationsMatchTorch() {
        checkLayerCase(file, "elu", ELU())
        checkLayerCase(file, "elu_alpha", ELU(alpha: 0.5))
        checkLayerCase(file, "celu", CELU(alpha: 1.5))
        checkLayerCase(file, "selu", SELU())
        checkLayerCase(file, "hardshrink", Hardshrink(lambd: 0.7))
        checkLayerCase(file, "softshrink", Softshrink(lambd: 0.3))
        checkLayerCase(file, "hardsigmoid", Hardsigmoid())
        checkLayerCase(file, "hardswish", Hardswish())
        checkLayerCase(file, "hardtanh", Hardtanh(minVal: -0.8, maxVal: 1.2))
        checkLayerCase(file, "relu6", ReLU6())
        checkLayerCase(file, "logsigmoid", LogSigmoid())
        checkLayerCase(file, "softplus", Softplus(beta: 2, threshold: 5))
        checkLayerCase(file, "softplus_default", Softplus())
        checkLayerCase(file, "softsign", Softsign())
        checkLayerCase(file, "tanhshrink", Tanhshrink())
        checkLayerCase(file, "threshold", Threshold(0.2, -1.5))
        checkLayerCase(file, "silu", SiLU())
        checkLayerCase(file, "mish", Mish())
        checkLayerCase(file, "rrelu_eval", RReLU(lower: 0.1, upper: 0.3).eval())
    }

    func testSoftminSoftmax2dGLUMatchTorch() {
        checkLayerCase(file, "softmin", Softmin(dim: 1))
        checkLayerCase(file, "softmin_nodim", Softmin())
        checkLayerCase(file, "softmax2d", Softmax2d())
        checkLayerCase(file, "glu", GLU())
        checkLayerCase(file, "glu_dim1", GLU(dim: 1))
        assertRejects(GLU(), [2, 5], "Halving dimension must be even, but dimension 1 is size 5")
        assertRejects(Softmax2d(), [2, 5], "expected input to be 3D or 4D, got 2D instead")
        XCTAssertEqual(metaShape(GLU(dim: 1), [[2, 6, 3]]), [2, 3, 3])
    }

    func testPReLUMatchesTorch() {
        let p = PReLU()
        XCTAssertEqual(p.weight.toArray(), [0.25])
        checkLayerCase(file, "prelu", p, params: [("weight", p.weight)])
        let pc = PReLU(numParameters: 3, init: 0.1)
        XCTAssertEqual(pc.stateDict().map(\.0), ["weight"])
        checkLayerCase(file, "prelu_channels", pc, params: [("weight", pc.weight)])
        assertRejects(PReLU(numParameters: 3), [2, 4], "Mismatch of parameter numbers and input channel size")
    }

    func testPrintedFormsMatchTorch() {
        let ours: [Module] = [ELU(), ELU(alpha: 0.5, inplace: true), Hardshrink(), Hardsigmoid(inplace: true), Hardtanh(),
                              Hardtanh(minVal: -2, maxVal: 3, inplace: true), Hardswish(inplace: true), LogSigmoid(), PReLU(),
                              PReLU(numParameters: 3), ReLU6(), ReLU6(inplace: true), RReLU(),
                              RReLU(lower: 0.1, upper: 0.2, inplace: true), SELU(), SELU(inplace: true), CELU(),
                              CELU(alpha: 2, inplace: true), Softplus(), Softshrink(), Softsign(), Tanhshrink(),
                              Threshold(0.1, 20), Threshold(0.1, 2, inplace: true), Softmin(), Softmin(dim: 1), Softmax2d(),
                              SiLU(), SiLU(inplace: true), Mish(), Mish(inplace: true), GLU(), GLU(dim: 0)]
        let expected = fixtureStrings(file, "reprs")
        XCTAssertEqual(ours.count, expected.count)
        for (m, e) in zip(ours, expected) { XCTAssertEqual(m.description, e) }
    }

    func testGradientsMatchFiniteDifferences() {
        // Inputs away from the kinks (0, ±λ, ±3, thresholds).
        let x = Tensor([-2.6, -1.7, -0.8, -0.35, 0.2, 0.65, 1.3, 2.2, 3.6, -4.1], shape: [2, 5])
        let fns: [(String, (Tensor) -> Tensor)] = [
            ("elu", { elu($0, alpha: 0.7) }), ("celu", { celu($0, alpha: 1.3) }), ("selu", { selu($0) }),
            ("softplus", { softplus($0, beta: 1.5, threshold: 3) }), ("logsigmoid", { logSigmoid($0) }),
            ("hardswish", { hardswish($0) }), ("hardsigmoid", { hardsigmoid($0) }), ("softsign", { softsign($0) }),
            ("tanhshrink", { tanhshrink($0) }), ("silu", { silu($0) }), ("mish", { mish($0) }),
            ("softshrink", { softshrink($0, lambd: 0.5) }), ("hardshrink", { hardshrink($0, lambd: 0.5) }),
            ("hardtanh", { hardtanh($0, minVal: -1, maxVal: 1.5) }), ("threshold", { threshold($0, threshold: 0.1, value: 3) }),
            ("softmin", { softmin($0, dim: 1) }), ("glu", { glu($0, dim: 0) }),
        ]
        for (_, f) in fns { gradCheck(x, f) }
        let w = Tensor([0.2, -0.4], shape: [2])
        gradCheck([Tensor([-1.2, 0.7, -0.3, 1.1, 2.0, -0.6], shape: [1, 2, 3]), w]) { prelu($0[0], weight: $0[1]) }
    }

    func testRReLUTrainingDrawsSeededSlopesInRange() {
        let x = Tensor((0..<200).map { Float($0) / 10 - 10.05 })
        let layer = RReLU(lower: 0.1, upper: 0.3, generator: Generator(seed: 3))
        let y = layer(x).toArray(), xv = x.toArray()
        var slopes: [Float] = []
        for (a, b) in zip(xv, y) {
            if a > 0 { XCTAssertEqual(a, b) } else { slopes.append(b / a) }
        }
        XCTAssertTrue(slopes.allSatisfy { $0 >= 0.1 - 1e-6 && $0 <= 0.3 + 1e-6 })
        XCTAssertGreaterThan(Set(slopes.map { Int($0 * 1000) }).count, 20, "slopes vary per element")
        let again = RReLU(lower: 0.1, upper: 0.3, generator: Generator(seed: 3))(x).toArray()
        XCTAssertEqual(y, again, "same seed, same slopes")
        // The gradient is the drawn slope.
        let xg = x.detach().requiringGrad()
        let yg = RReLU(lower: 0.1, upper: 0.3, generator: Generator(seed: 3))(xg)
        yg.sum().backward()
        XCTAssertEqual(xg.grad?.toArray() ?? [], zip(xv, y).map { $0 > 0 ? 1 : $1 / $0 }, accuracy: 1e-5)
    }

    func testInplaceWritesIntoInputWhenAutogradAllows() {
        let x = Tensor([-1, 2, -3, 4])
        let y = ELU(inplace: true)(x)
        XCTAssertTrue(y === x, "inplace returns the input")
        assertTensor(x, [expm1f(-1), 2, expm1f(-3), 4])
        let r = Tensor([-1, 2])
        _ = ReLU(inplace: true)(r)
        XCTAssertEqual(r.toArray(), [0, 2])
        // Inside a graph the result is a new tensor and the input is untouched.
        let g = Tensor([-1, 2]).requiringGrad()
        let h = Hardtanh(minVal: 0, maxVal: 1, inplace: true)(g)
        XCTAssertFalse(h === g)
        XCTAssertEqual(g.toArray(), [-1, 2])
        XCTAssertEqual(h.toArray(), [0, 1])
        // A tensor that requires grad is never overwritten, not even under noGrad.
        let leaf = Tensor([-1, 2]).requiringGrad()
        let r2 = noGrad { ReLU(inplace: true)(leaf) }
        XCTAssertEqual(leaf.toArray(), [-1, 2])
        XCTAssertEqual(r2.toArray(), [0, 2])
        // Out of place by default.
        let z = Tensor([-1, 2])
        _ = SiLU()(z)
        XCTAssertEqual(z.toArray(), [-1, 2])
    }

    func testAdaptiveLogSoftmaxMatchesTorch() {
        let c = nnCase(file, "adaptive")
        let asm = AdaptiveLogSoftmaxWithLoss(inFeatures: 8, nClasses: 10, cutoffs: [4, 7], divValue: 2)
        XCTAssertEqual(asm.description, c["repr"] as? String)
        let params = Dictionary(uniqueKeysWithValues: asm.namedParameters())
        let fixtureParams = c["params"] as? [String: Any] ?? [:]
        XCTAssertEqual(params.keys.sorted(), fixtureParams.keys.sorted())
        for (name, p) in params { noGrad { p.copy(from: fixtureTensor(fixtureParams, name)) } }
        let x = fixtureTensor(c, "x").requiringGrad()
        let target = IntTensor(c["target"] as? [Int] ?? [])
        let (output, loss) = asm(x, target)
        assertClose(output, fixtureTensor(c, "output"), "output")
        XCTAssertEqual(loss.item(), Float(c["loss"] as? Double ?? 0), accuracy: 1e-5)
        assertClose(asm.logProb(x), fixtureTensor(c, "log_prob"), "log_prob")
        XCTAssertEqual(asm.predict(x).values, c["predict"] as? [Int])
        (loss * 2 + (output * Tensor.linspace(0.5, 1.5, steps: 6)).sum()).backward()
        assertClose(x.grad, fixtureTensor(c, "dx"), "dx")
        let dparams = c["dparams"] as? [String: Any] ?? [:]
        for (name, p) in params { assertClose(p.grad, fixtureTensor(dparams, name), "d\(name)") }
        // Erased call and shape validation.
        let shapes = try? asm.validate(inputShapes: [[6, 8], [6]])
        XCTAssertEqual(shapes?.first?.outputShapes ?? [], [[6], []])
        XCTAssertThrowsError(try asm.validate(inputShapes: [[6, 8], [5]]))
        // Finite differences through the head and a tail cluster.
        gradCheck(fixtureTensor(c, "x")) { asm($0, target).loss }
    }
}

private func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
