import Foundation
import XCTest
@testable import Tensors

final class SparseTests: XCTestCase {
    func testEmbeddingMatchesTorch() {
        let c = seqCase("embedding_padding")
        let emb = Embedding(7, 3, paddingIdx: 2)
        let ins = prepare(emb, c)
        checkAgainstTorch("embedding_padding", emb, c, inputs: ins, outputs: [emb(seqIntTensor(c, "idx"))])
        XCTAssertEqual(emb.weight.grad?.select(0, 2).toArray(), [0, 0, 0])

        let f = seqCase("embedding_freq")
        let ef = Embedding(7, 3, scaleGradByFreq: true)
        let fi = prepare(ef, f)
        checkAgainstTorch("embedding_freq", ef, f, inputs: fi, outputs: [ef(seqIntTensor(f, "idx"))])

        let m = seqCase("embedding_max_norm")
        let en = Embedding(5, 4, maxNorm: 1)
        _ = prepare(en, m)
        assertClose(en(seqIntTensor(m, "idx")), seqList(m, "outputs")[0], "max_norm output")
        assertClose(en.weight, fixtureTensor(m, "after"), "max_norm renormalised weight")
    }

    func testEmbeddingInitAndPrint() {
        let emb = Embedding(10, 3, paddingIdx: 0, maxNorm: 1, sparse: true)
        let prints = nnFixture("seq/seq")["prints"] as? [String: String] ?? [:]
        XCTAssertEqual(emb.description, prints["embedding"])
        XCTAssertEqual(emb.weight.select(0, 0).toArray(), [0, 0, 0])
        XCTAssertEqual(EmbeddingBag(10, 3, mode: .sum).description, prints["embedding_bag"])
        XCTAssertEqual(CosineSimilarity().description, prints["cosine"])
        XCTAssertEqual(PairwiseDistance().description, prints["pairwise"])
        let big = Embedding(100, 50, generator: Generator(seed: 2)).weight.toArray()
        let mean = big.reduce(0, +) / Float(big.count)
        let std = (big.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(big.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.05)
        XCTAssertEqual(std, 1, accuracy: 0.05)
    }

    func testEmbeddingBagMatchesTorch() {
        for mode in [EmbeddingBagMode.sum, .mean, .max] {
            let c = seqCase("bag_\(mode.rawValue)")
            let bag = EmbeddingBag(8, 3, mode: mode)
            let ins = prepare(bag, c)
            checkAgainstTorch("bag_\(mode)", bag, c, inputs: ins,
                              outputs: [bag(seqIntTensor(c, "input"), offsets: seqIntTensor(c, "offsets"))])
        }
        let w = seqCase("bag_sum_2d_weights")
        let bag = EmbeddingBag(8, 3, mode: .sum)
        let wi = prepare(bag, w)
        checkAgainstTorch("bag_weights", bag, w, inputs: wi, outputs: [bag(seqIntTensor(w, "input"), perSampleWeights: wi["psw"])])
        let p = seqCase("bag_mean_padding_lastoffset")
        let pb = EmbeddingBag(8, 3, mode: .mean, includeLastOffset: true, paddingIdx: 0)
        let pi = prepare(pb, p)
        checkAgainstTorch("bag_padding", pb, p, inputs: pi,
                          outputs: [pb(seqIntTensor(p, "input"), offsets: seqIntTensor(p, "offsets"))])
    }

    func testDistancesMatchTorch() {
        for (name, dim) in [("cosine_dim1", 1), ("cosine_broadcast_dim_neg", -1)] {
            let c = seqCase(name)
            let m = CosineSimilarity(dim: dim)
            let ins = prepare(m, c)
            checkAgainstTorch(name, m, c, inputs: ins, outputs: [m(ins["a"]!, ins["b"]!)])
        }
        for (name, p, keep) in [("pairwise_p2", 2.0, false), ("pairwise_p1_keepdim", 1.0, true)] {
            let c = seqCase(name)
            let m = PairwiseDistance(p: p, keepdim: keep)
            let ins = prepare(m, c)
            checkAgainstTorch(name, m, c, inputs: ins, outputs: [m(ins["a"]!, ins["b"]!)])
        }
    }

    func testEmbeddingGradientAgreesWithFiniteDifferences() {
        let emb = Embedding(5, 2, paddingIdx: 1, generator: Generator(seed: 4))
        nnGradCheck([emb.weight]) { t in embedding(IntTensor([0, 1, 3, 3]), t[0]) }
        let bag = EmbeddingBag(5, 2, mode: .max, generator: Generator(seed: 5))
        nnGradCheck([bag.weight]) { t in
            embeddingBag(IntTensor([0, 1, 3, 4]), t[0], offsets: IntTensor([0, 2]), mode: .max)
        }
    }

    func testFromPretrained() {
        let w = Tensor([[1, 2], [3, 4], [5, 6]])
        let emb = Embedding.fromPretrained(w)
        XCTAssertFalse(emb.weight.requiresGrad)
        XCTAssertEqual(emb(IntTensor([2, 0])).toArray(), [5, 6, 1, 2])
        let bag = EmbeddingBag.fromPretrained(w, mode: .sum)
        XCTAssertEqual(bag(IntTensor([[0, 1], [1, 2]])).toArray(), [4, 6, 8, 10])
    }

    func testEmbeddingShapeErrors() throws {
        let emb = Embedding(5, 2)
        XCTAssertNotNil(shapeError { _ = emb(IntTensor([7])) })
        XCTAssertEqual(try emb.forward(tensors: [Tensor.meta([4, 9])]).map(\.shape), [[4, 9, 2]])
    }
}
