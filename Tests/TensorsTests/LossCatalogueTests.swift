import Foundation
import XCTest
@testable import Tensors

/// The losses of table 3-14 beyond CE/NLL/MSE/L1/BCEWithLogits, against
/// Tests/Fixtures/nn/losses_catalogue (generate_losses_catalogue.py) and finite differences.
final class LossCatalogueTests: XCTestCase {
    private let file = "losses_catalogue/losses_catalogue"

    /// Feeds the case's float inputs `a`, `b`, `c` (those with a stored gradient
    /// require grad) through `f`, then compares the output and the gradients of sum(out · gy).
    private func check(_ name: String, atol: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line,
                       _ f: ([Tensor], [String: Any]) -> Tensor) {
        let c = nnCase(self.file, name)
        let keys = ["a", "b", "c"].filter { c[$0] != nil }
        let inputs = keys.map { k -> Tensor in
            let t = fixtureTensor(c, k)
            return c["d" + k] != nil ? t.requiringGrad() : t
        }
        let out = f(inputs, c)
        assertClose(out, fixtureTensor(c, "out"), atol: atol, "\(name) out", file: file, line: line)
        (out * fixtureTensor(c, "gy")).sum().backward()
        for (k, t) in zip(keys, inputs) where c["d" + k] != nil {
            assertClose(t.grad, fixtureTensor(c, "d" + k), atol: atol, "\(name) d\(k)", file: file, line: line)
        }
    }

    private func lengths(_ c: [String: Any], _ key: String) -> [Int] { c[key] as? [Int] ?? [] }

    func testPairLossesMatchTorch() {
        for red in Reduction.allCases {
            let r = red.rawValue
            check("bce_\(r)") { v, _ in BCELoss(reduction: red)(v[0], v[1]) }
            check("smooth_l1_\(r)") { v, _ in SmoothL1Loss(reduction: red, beta: 0.7)(v[0], v[1]) }
            check("huber_\(r)") { v, _ in HuberLoss(reduction: red, delta: 0.6)(v[0], v[1]) }
            check("soft_margin_\(r)") { v, _ in SoftMarginLoss(reduction: red)(v[0], v[1]) }
            check("hinge_\(r)") { v, _ in HingeEmbeddingLoss(margin: 0.8, reduction: red)(v[0], v[1]) }
            check("poisson_\(r)") { v, _ in PoissonNLLLoss(reduction: red)(v[0], v[1]) }
            check("kl_\(r)") { v, _ in KLDivLoss(reduction: KLDivReduction(rawValue: r) ?? .mean)(v[0], v[1]) }
            check("gauss_\(r)") { v, _ in GaussianNLLLoss(reduction: red)(v[0], v[1], v[2]) }
            check("ml_soft_margin_\(r)") { v, _ in MultiLabelSoftMarginLoss(reduction: red)(v[0], v[1]) }
        }
        check("bce_weight") { v, c in BCELoss(weight: fixtureTensor(c, "w"))(v[0], v[1]) }
        check("smooth_l1_beta0") { v, _ in smoothL1Loss(v[0], v[1], beta: 0) }
        check("kl_batchmean_logtarget") { v, _ in KLDivLoss(reduction: .batchmean, logTarget: true)(v[0], v[1]) }
        check("kl_batchmean") { v, _ in klDiv(v[0], v[1], reduction: .batchmean) }
        check("poisson_full_nolog") { v, _ in PoissonNLLLoss(logInput: false, full: true)(v[0], v[1]) }
        check("gauss_full_per_sample") { v, _ in GaussianNLLLoss(full: true)(v[0], v[1], v[2]) }
        check("gauss_dropped_dim_clamped") { v, _ in GaussianNLLLoss(eps: 0.05)(v[0], v[1], v[2]) }
        check("ml_soft_margin_weight") { v, c in MultiLabelSoftMarginLoss(weight: fixtureTensor(c, "w"))(v[0], v[1]) }
    }

    func testMarginAndEmbeddingLossesMatchTorch() {
        for red in Reduction.allCases {
            let r = red.rawValue
            check("ml_margin_\(r)") { v, c in MultiLabelMarginLoss(reduction: red)(v[0], fixtureIntTensor(c, "target")) }
            check("multi_margin_\(r)") { v, c in MultiMarginLoss(reduction: red)(v[0], fixtureIntTensor(c, "target")) }
            check("ranking_\(r)") { v, _ in MarginRankingLoss(margin: 0.3, reduction: red)(v[0], v[1], v[2]) }
            check("cosine_\(r)") { v, _ in CosineEmbeddingLoss(margin: 0.2, reduction: red)(v[0], v[1], v[2]) }
            check("triplet_\(r)") { v, _ in TripletMarginLoss(margin: 2, reduction: red)(v[0], v[1], v[2]) }
        }
        check("ml_margin_unbatched") { v, c in multilabelMarginLoss(v[0], fixtureIntTensor(c, "target")) }
        check("multi_margin_p2_weight") { v, c in
            MultiMarginLoss(p: 2, margin: 0.7, weight: fixtureTensor(c, "w"))(v[0], fixtureIntTensor(c, "target"))
        }
        check("multi_margin_unbatched") { v, c in multiMarginLoss(v[0], fixtureIntTensor(c, "target")) }
        check("cosine_unbatched") { v, _ in cosineEmbeddingLoss(v[0], v[1], v[2]) }
        check("triplet_p1_swap") { v, _ in TripletMarginLoss(margin: 1.5, p: 1, swap: true)(v[0], v[1], v[2]) }
        check("triplet_distance_l1_swap") { v, _ in
            TripletMarginWithDistanceLoss(distance: { ($0 - $1).abs().sum(dim: -1) }, margin: 3, swap: true)(v[0], v[1], v[2])
        }
    }

    func testCTCMatchesTorch() {
        for red in Reduction.allCases {
            check("ctc_\(red.rawValue)", atol: 2e-5) { v, c in
                CTCLoss(reduction: red)(v[0], fixtureIntTensor(c, "target"), inputLengths: self.lengths(c, "input_lengths"),
                                        targetLengths: self.lengths(c, "target_lengths"))
            }
        }
        for (name, blank, zeroInf) in [("ctc_concat_blank4", 4, false), ("ctc_zero_infinity", 0, true),
                                       ("ctc_unbatched", 0, false)] {
            check(name, atol: 2e-5) { v, c in
                ctcLoss(v[0], fixtureIntTensor(c, "target"), inputLengths: self.lengths(c, "input_lengths"),
                        targetLengths: self.lengths(c, "target_lengths"), blank: blank, zeroInfinity: zeroInf)
            }
        }
    }

    func testGradientsMatchFiniteDifferences() {
        let g = Generator(seed: 5)
        let x = Tensor.randn([3, 4], generator: g).requiringGrad()
        let y = Tensor.randn([3, 4], generator: g).requiringGrad()
        let p = Tensor.uniform([3, 4], low: 0.2, high: 0.8, generator: g).requiringGrad()
        let t = Tensor.rand([3, 4], generator: g).requiringGrad()
        let s = Tensor([1, -1, -1, 1, 1, -1, 1, -1, -1, -1, 1, 1], shape: [3, 4])
        nnGradCheck([p, t], eps: 1e-3) { binaryCrossEntropy($0[0], $0[1]) }
        nnGradCheck([x, y], eps: 1e-3) { smoothL1Loss($0[0] * 3, $0[1], reduction: .sum, beta: 0.5) }
        nnGradCheck([x, y], eps: 1e-3) { huberLoss($0[0] * 3, $0[1], reduction: .none, delta: 0.5) }
        nnGradCheck([x]) { softMarginLoss($0[0], s) }
        nnGradCheck([x]) { hingeEmbeddingLoss($0[0], s, margin: 0.5, reduction: .sum) }
        nnGradCheck([x, t]) { poissonNLLLoss($0[0], $0[1] * 3, full: true) }
        nnGradCheck([x, t]) { klDiv($0[0].logSoftmax(dim: 1), $0[1].softmax(dim: 1), reduction: .batchmean) }
        nnGradCheck([x, y, t]) { gaussianNLLLoss($0[0], $0[1], $0[2] + 0.5, full: true) }
        nnGradCheck([x]) { multilabelSoftMarginLoss($0[0], (t.gt(0.5)), weight: Tensor([1, 2, 0.5, 1])) }
        nnGradCheck([x]) { multilabelMarginLoss($0[0] * 0.3, IntTensor([[3, 0, -1, 1], [1, -1, 0, 0], [0, 1, 2, 3]])) }
        nnGradCheck([x]) { multiMarginLoss($0[0], IntTensor([0, 3, 2]), p: 2, weight: Tensor([1, 2, 0.5, 1])) }
        nnGradCheck([x, y]) { marginRankingLoss($0[0], $0[1], s, margin: 0.1, reduction: .sum) }
        nnGradCheck([x, y]) { cosineEmbeddingLoss($0[0], $0[1], Tensor([1, -1, 1]), margin: -0.5) }
        let n = Tensor.randn([3, 4], generator: g).requiringGrad()
        nnGradCheck([x, y, n]) { tripletMarginLoss($0[0], $0[1], $0[2], margin: 3, swap: true) }
        // CTC on logits through log-softmax (PyTorch's gradient is the logits' one, see ctcLoss).
        let logits = Tensor.randn([5, 2, 4], generator: g).requiringGrad()
        nnGradCheck([logits]) {
            ctcLoss($0[0].logSoftmax(dim: 2), IntTensor([[1, 2], [3, 3]]), inputLengths: [5, 4], targetLengths: [2, 2],
                    reduction: .sum)
        }
    }

    func testShapeErrorsPrintsAndErasedCalls() throws {
        XCTAssertEqual(BCELoss().description, "BCELoss()")
        XCTAssertEqual(TripletMarginWithDistanceLoss().description, "TripletMarginWithDistanceLoss()")
        XCTAssertEqual(MultiMarginLoss(weight: Tensor.ones([3])).stateDict().map(\.0), ["weight"])
        func message(_ body: () -> Void) -> String { shapeError(body).map { "\($0)" } ?? "" }
        XCTAssertTrue(message { _ = binaryCrossEntropy(Tensor.zeros([2, 1]), Tensor.zeros([2])) }
            .contains("Using a target size ([2]) that is different to the input size ([2, 1]) is deprecated"))
        XCTAssertTrue(message { _ = binaryCrossEntropy(Tensor([1.5]), Tensor([1])) }
            .contains("all elements of input should be between 0 and 1"))
        XCTAssertTrue(message { _ = multiMarginLoss(Tensor.zeros([2, 3]), IntTensor([0, 3])) }.contains("target out of range"))
        XCTAssertTrue(message { _ = multiMarginLoss(Tensor.zeros([2, 3]), IntTensor([0]), p: 3) }
            .contains("only p == 1 and p == 2 supported"))
        XCTAssertTrue(message { _ = gaussianNLLLoss(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]), Tensor.ones([3])) }
            .contains("var is of incorrect size"))
        XCTAssertTrue(message { _ = gaussianNLLLoss(Tensor.zeros([2]), Tensor.zeros([2]), Tensor([1, -1])) }
            .contains("var has negative entry/entries"))
        XCTAssertTrue(message { _ = cosineEmbeddingLoss(Tensor.zeros([4]), Tensor.zeros([4]), Tensor.ones([2])) }
            .contains("1D target tensor expects 2D input tensors"))
        XCTAssertTrue(message { _ = marginRankingLoss(Tensor.zeros([3]), Tensor.zeros([3, 1]), Tensor.ones([3])) }
            .contains("All input tensors should have same dimension"))
        XCTAssertTrue(message { _ = tripletMarginLoss(Tensor.zeros([2, 3]), Tensor.zeros([3]), Tensor.zeros([2, 3])) }
            .contains("anchor 2D, positive 1D, and negative 2D inputs"))
        XCTAssertTrue(message {
            _ = ctcLoss(Tensor.zeros([4, 1, 3]), IntTensor([[1, 2]]), inputLengths: [5], targetLengths: [2])
        }.contains("Expected input_lengths to have value at most 4, but got value 5"))
        XCTAssertTrue(message { _ = smoothL1Loss(Tensor.zeros([2]), Tensor.zeros([2]), beta: -1) }
            .contains("smooth_l1_loss does not support negative values for beta."))
        // Meta tensors give shapes without data.
        XCTAssertEqual(huberLoss(Tensor.meta([4, 3]), Tensor.meta([4, 3]), reduction: .none).shape, [4, 3])
        XCTAssertEqual(ctcLoss(Tensor.meta([6, 2, 5]), IntTensor([[1], [2]]), inputLengths: [6, 6], targetLengths: [1, 1],
                               reduction: .none).shape, [2])
        // The erased call takes [input, target] (three tensors for ranking/cosine/triplet/Gaussian losses).
        let a = Tensor([0.2, 0.7]), b = Tensor([0, 1])
        assertClose(try BCELoss().forward(tensors: [a, b])[0], binaryCrossEntropy(a, b))
        assertClose(try MarginRankingLoss().forward(tensors: [a, b, Tensor([1, -1])])[0],
                    marginRankingLoss(a, b, Tensor([1, -1])))
        XCTAssertThrowsError(try HuberLoss().forward(tensors: [a])) { e in
            XCTAssertTrue("\(e)".contains("expected 2 input tensors, got 1"), "\(e)")
        }
        XCTAssertThrowsError(try CTCLoss().forward(tensors: [a, b]))
        let layers = try GaussianNLLLoss().validate(inputShapes: [[4, 2], [4, 2], [4, 1]])
        XCTAssertEqual(layers.first?.outputShapes, [[]])
    }
}
