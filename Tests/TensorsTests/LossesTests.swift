import XCTest
@testable import Tensors

final class LossesTests: XCTestCase {
    private func reduction(_ c: [String: Any]) -> Reduction {
        Reduction(rawValue: c["reduction"] as? String ?? "mean") ?? .mean
    }

    /// Checks value and input gradient of a class-index loss case.
    private func checkClassification(_ name: String, file: StaticString = #filePath, line: UInt = #line,
                                     _ f: (Tensor, IntTensor, [String: Any]) -> Tensor) {
        let c = nnCase("losses", name)
        let x = fixtureTensor(c, "x").requiringGrad()
        let target = fixtureIntTensor(c, "target")
        let y = f(x, target, c)
        assertClose(y, fixtureTensor(c, "out"), atol: 1e-5, name, file: file, line: line)
        (y * fixtureTensor(c, "gy")).sum().backward()
        assertClose(x.grad, fixtureTensor(c, "dx"), atol: 1e-5, "\(name) dx", file: file, line: line)
    }

    func testCrossEntropyMatchesTorch() {
        for red in ["mean", "sum", "none"] {
            checkClassification("ce_\(red)") { x, t, c in crossEntropy(x, t, reduction: self.reduction(c)) }
            checkClassification("ce_weight_\(red)") { x, t, c in
                CrossEntropyLoss(weight: fixtureTensor(c, "w"), reduction: self.reduction(c))(x, t)
            }
            checkClassification("ce_smooth_weight_ignore_\(red)") { x, t, c in
                crossEntropy(x, t, weight: fixtureTensor(c, "w"), reduction: self.reduction(c), labelSmoothing: 0.2)
            }
            checkClassification("nll_weight_ignore_\(red)") { x, t, c in
                NLLLoss(weight: fixtureTensor(c, "w"), reduction: self.reduction(c))(x, t)
            }
        }
        checkClassification("ce_smooth") { x, t, _ in CrossEntropyLoss(labelSmoothing: 0.1)(x, t) }
        checkClassification("ce_ignore_3") { x, t, _ in crossEntropy(x, t, ignoreIndex: 3) }
        checkClassification("ce_kdim") { x, t, _ in crossEntropy(x, t) }
        checkClassification("ce_unbatched") { x, t, _ in crossEntropy(x, t) }
    }

    func testCrossEntropyWithProbabilities() {
        let c = nnCase("losses", "ce_probs_smooth")
        let x = fixtureTensor(c, "x").requiringGrad(), p = fixtureTensor(c, "p").requiringGrad()
        let y = CrossEntropyLoss(labelSmoothing: 0.1)(x, probabilities: p)
        assertClose(y, fixtureTensor(c, "out"))
        y.backward()
        assertClose(x.grad, fixtureTensor(c, "dx"), "dx")
        assertClose(p.grad, fixtureTensor(c, "dp"), "dp")
    }

    func testRegressionLossesMatchTorch() {
        for red in ["mean", "sum", "none"] {
            for (kind, f) in [("mse", { (a: Tensor, b: Tensor, r: Reduction) in MSELoss(reduction: r)(a, b) }),
                              ("l1", { L1Loss(reduction: $2)($0, $1) }),
                              ("bce", { BCEWithLogitsLoss(reduction: $2)($0, $1) })] {
                let c = nnCase("losses", "\(kind)_\(red)")
                let x = fixtureTensor(c, "x").requiringGrad(), y = fixtureTensor(c, "y").requiringGrad()
                let out = f(x, y, reduction(c))
                assertClose(out, fixtureTensor(c, "out"), "\(kind) \(red)")
                (out * fixtureTensor(c, "gy")).sum().backward()
                assertClose(x.grad, fixtureTensor(c, "dx"), "\(kind) \(red) dx")
                assertClose(y.grad, fixtureTensor(c, "dy"), "\(kind) \(red) dy")
            }
        }
        let c = nnCase("losses", "bce_weight_pos")
        let x = fixtureTensor(c, "x").requiringGrad(), y = fixtureTensor(c, "y").requiringGrad()
        let out = BCEWithLogitsLoss(weight: fixtureTensor(c, "w"), posWeight: fixtureTensor(c, "pw"))(x, y)
        assertClose(out, fixtureTensor(c, "out"))
        out.backward()
        assertClose(x.grad, fixtureTensor(c, "dx"), "dx")
        assertClose(y.grad, fixtureTensor(c, "dy"), "dy")
    }

    func testLossGradCheck() {
        let g = Generator(seed: 8)
        let x = Tensor.randn([4, 5], generator: g).requiringGrad()
        let t = IntTensor([1, 0, 4, -100])
        let w = Tensor.uniform([5], low: 0.5, high: 1.5, generator: g)
        nnGradCheck([x]) { v in crossEntropy(v[0], t, weight: w, reduction: .mean, labelSmoothing: 0.3) }
        nnGradCheck([x]) { v in crossEntropy(v[0], t, reduction: .none) }
        nnGradCheck([x]) { v in nllLoss(v[0], t, weight: w, reduction: .sum) }
        let y = Tensor.rand([4, 5], generator: g).requiringGrad()
        nnGradCheck([x, y]) { v in mseLoss(v[0], v[1]) }
        nnGradCheck([x, y]) { v in binaryCrossEntropyWithLogits(v[0], v[1], posWeight: Tensor([1, 2, 3, 0.5, 1])) }
        let d = distinctValues([4, 5]).requiringGrad()
        nnGradCheck([d, y], eps: 1e-3) { v in l1Loss(v[0], v[1], reduction: .sum) }
    }

    func testLossPrintsAndErrors() {
        XCTAssertEqual(CrossEntropyLoss().description, "CrossEntropyLoss()")
        XCTAssertEqual(MSELoss().description, "MSELoss()")
        XCTAssertEqual(BCEWithLogitsLoss(posWeight: Tensor.ones([3])).description, "BCEWithLogitsLoss()")
        XCTAssertEqual(BCEWithLogitsLoss(weight: Tensor.ones([3]), posWeight: Tensor.ones([3])).stateDict().map(\.0),
                       ["weight", "pos_weight"])
        XCTAssertThrowsError(try ShapeCheck.run { _ = crossEntropy(Tensor.zeros([2, 3]), IntTensor([0, 3])) }) { e in
            XCTAssertTrue("\(e)".contains("Target 3 is out of bounds"), "\(e)")
        }
        XCTAssertThrowsError(try ShapeCheck.run { _ = crossEntropy(Tensor.zeros([2, 3]), IntTensor([0, 1, 2])) }) { e in
            XCTAssertTrue("\(e)".contains("expected target of shape [2]"), "\(e)")
        }
        XCTAssertEqual(crossEntropy(Tensor.meta([8, 10]), IntTensor(Array(repeating: 1, count: 8))).shape, [])
    }
}
