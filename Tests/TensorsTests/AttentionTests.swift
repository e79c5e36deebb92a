import Foundation
import XCTest
@testable import Tensors

final class AttentionTests: XCTestCase {
    func makeMHA(_ cfg: [String: Any]) -> MultiheadAttention {
        MultiheadAttention(embedDim: cfg["embed_dim"] as? Int ?? 0, numHeads: cfg["num_heads"] as? Int ?? 1,
                           bias: cfg["bias"] as? Bool ?? true, addBiasKV: cfg["add_bias_kv"] as? Bool ?? false,
                           addZeroAttn: cfg["add_zero_attn"] as? Bool ?? false, kdim: cfg["kdim"] as? Int,
                           vdim: cfg["vdim"] as? Int, batchFirst: cfg["batch_first"] as? Bool ?? false)
    }

    func testMultiheadAttentionMatchesTorch() {
        for name in ["mha_basic", "mha_batchfirst_masks", "mha_kvdim_boolmask", "mha_bias_kv_zero_attn", "mha_nobias_noweights"] {
            let c = seqCase(name)
            let cfg = c["config"] as? [String: Any] ?? [:]
            let m = makeMHA(cfg)
            XCTAssertEqual(m.description, c["repr"] as? String, "\(name) repr")
            let ins = prepare(m, c)
            let kpm: AttentionMask? = c["key_padding_mask"] != nil ? .bool(fixtureTensor(c, "key_padding_mask")) : nil
            var am: AttentionMask?
            if c["attn_mask"] != nil {
                let t = fixtureTensor(c, "attn_mask")
                am = (cfg["mask_kind"] as? String) == "bool" ? .bool(t) : .additive(t)
            }
            let needWeights = cfg["need_weights"] as? Bool ?? true
            let (o, w) = m(ins["q"]!, ins["k"]!, ins["v"]!, keyPaddingMask: kpm, needWeights: needWeights, attnMask: am,
                           averageAttnWeights: cfg["average"] as? Bool ?? true)
            XCTAssertEqual(w == nil, !needWeights)
            checkAgainstTorch(name, m, c, inputs: ins, outputs: [o] + (w.map { [$0] } ?? []))
        }
    }

    func testEncoderAndDecoderLayersMatchTorch() {
        for name in ["enc_layer_post_relu", "enc_layer_prenorm_gelu_bf_causal"] {
            let c = seqCase(name)
            let cfg = c["config"] as? [String: Any] ?? [:]
            let layer = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0,
                                                activation: (cfg["activation"] as? String) == "gelu" ? .gelu : .relu,
                                                batchFirst: cfg["batch_first"] as? Bool ?? false,
                                                normFirst: cfg["norm_first"] as? Bool ?? false)
            let ins = prepare(layer, c)
            let kpm: AttentionMask? = c["key_padding_mask"] != nil ? .bool(fixtureTensor(c, "key_padding_mask")) : nil
            let mask: AttentionMask? = (cfg["causal"] as? Bool ?? false) ? .additive(Transformer.generateSquareSubsequentMask(5)) : nil
            let y = layer(ins["x"]!, srcMask: mask, srcKeyPaddingMask: kpm)
            checkAgainstTorch(name, layer, c, inputs: ins, outputs: [y], atol: 5e-5)
        }
        let sc = seqCase("encoder_stack")
        let enc = TransformerEncoder(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true),
                                     numLayers: 2, norm: LayerNorm(8))
        var ins = prepare(enc, sc)
        checkAgainstTorch("encoder_stack", enc, sc, inputs: ins, outputs: [enc(ins["x"]!)], atol: 5e-5)

        for (name, nf) in [("dec_layer_post", false), ("dec_layer_prenorm", true)] {
            let c = seqCase(name)
            let dec = TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, normFirst: nf)
            ins = prepare(dec, c)
            let y = dec(ins["tgt"]!, ins["mem"]!, tgtMask: .additive(Transformer.generateSquareSubsequentMask(4)),
                        memoryKeyPaddingMask: .bool(fixtureTensor(c, "key_padding_mask")))
            checkAgainstTorch(name, dec, c, inputs: ins, outputs: [y], atol: 5e-5)
        }
    }

    func testPrintsAndStateKeysMatchTorch() {
        let f = nnFixture("seq/seq")
        let prints = f["prints"] as? [String: String] ?? [:]
        XCTAssertEqual(MultiheadAttention(embedDim: 8, numHeads: 2).description, prints["mha"])
        XCTAssertEqual(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16).description, prints["enc_layer"])
        XCTAssertEqual(TransformerEncoder(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16), numLayers: 2).description,
                       prints["encoder"])
        XCTAssertEqual(TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, normFirst: true).description, prints["dec_layer"])
        XCTAssertEqual(Transformer(dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16).description,
                       prints["transformer"])
        XCTAssertEqual(LayerNorm(8).description, prints["layer_norm"])
        let keys = f["mha_state_keys"] as? [String: [String]] ?? [:]
        XCTAssertEqual(MultiheadAttention(embedDim: 8, numHeads: 2).stateDict().map(\.0), keys["same"])
        XCTAssertEqual(MultiheadAttention(embedDim: 8, numHeads: 2, addBiasKV: true, kdim: 6, vdim: 5).stateDict().map(\.0), keys["kvdim"])
        XCTAssertEqual(Transformer(dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16).stateDict().map(\.0),
                       keys["transformer"])
    }

    func testEncoderCopiesStartIdenticalLikeDeepcopy() {
        let enc = TransformerEncoder(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16), numLayers: 2)
        let sd = Dictionary(enc.stateDict(), uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(sd["layers.0.linear1.weight"]?.toArray(), sd["layers.1.linear1.weight"]?.toArray())
        XCTAssertFalse(sd["layers.0.linear1.weight"]! === sd["layers.1.linear1.weight"]!)
    }

    func testMaskAndInitialisation() {
        assertTensor(Transformer.generateSquareSubsequentMask(3), [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, 0], shape: [3, 3])
        let m = MultiheadAttention(embedDim: 8, numHeads: 2)
        XCTAssertEqual(m.inProjBias?.toArray(), [Float](repeating: 0, count: 24))
        let bound = (6 / Float(8 + 24)).squareRoot()
        XCTAssertTrue(m.inProjWeight!.toArray().allSatisfy { abs($0) <= bound })
    }

    func testLayerNormMatchesTorchAndFiniteDifferences() {
        let c = seqCase("layer_norm_2d")
        let ln = LayerNorm([4, 5])
        let ins = prepare(ln, c)
        checkAgainstTorch("layer_norm", ln, c, inputs: ins, outputs: [ln(ins["x"]!)], atol: 5e-5)
        let x = sample([2, 6]).requiringGrad()
        let w = sample([6], seed: 3).requiringGrad(), b = sample([6], seed: 4).requiringGrad()
        nnGradCheck([x, w, b]) { t in layerNorm(t[0], normalizedShape: [6], weight: t[1], bias: t[2]) }
    }

    func testAttentionAgreesWithFiniteDifferences() {
        let g = Generator(seed: 11)
        let m = MultiheadAttention(embedDim: 4, numHeads: 2, generator: g)
        let q = Tensor.randn([3, 2, 4], generator: g).requiringGrad()
        let k = Tensor.randn([2, 2, 4], generator: g).requiringGrad()
        nnGradCheck([q, k, m.inProjWeight!]) { t in
            m(t[0], t[1], t[1], keyPaddingMask: .bool(Tensor([[0, 0], [0, 1]]))).output
        }
    }

    func testMetaValidationGivesShapes() throws {
        let m = MultiheadAttention(embedDim: 8, numHeads: 2, batchFirst: true)
        let out = try m.forward(tensors: [Tensor.meta([3, 4, 8]), Tensor.meta([3, 5, 8]), Tensor.meta([3, 5, 8])])
        XCTAssertEqual(out.map(\.shape), [[3, 4, 8], [3, 4, 5]])
        let enc = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16)
        XCTAssertEqual(try enc.forward(tensors: [Tensor.meta([5, 3, 8])]).map(\.shape), [[5, 3, 8]])
        let err = shapeError { _ = m(Tensor.zeros([3, 4, 6]), Tensor.zeros([3, 4, 6]), Tensor.zeros([3, 4, 6])) }
        XCTAssertNotNil(err)
    }

    func testTorchSavedTransformerLoadsAndMatches() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nn/seq/transformer.safetensors")
        let (tensors, _) = try Safetensors.load(from: url)
        let model = Transformer(dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16,
                                dropout: 0, batchFirst: true)
        try model.loadStateDict(tensors)
        model.eval()
        let c = seqCase("saved_transformer")
        let y = model(fixtureTensor(c, "src"), fixtureTensor(c, "tgt"), tgtMask: .additive(Transformer.generateSquareSubsequentMask(4)))
        assertClose(y, fixtureTensor(c, "out"), atol: 5e-5, "transformer")
    }

    func testTorchSavedLSTMLoadsAndMatches() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nn/seq/lstm.safetensors")
        let (tensors, _) = try Safetensors.load(from: url)
        let lstm = LSTM(4, 6, numLayers: 2, batchFirst: true, bidirectional: true)
        try lstm.loadStateDict(tensors)
        let c = seqCase("saved_lstm")
        let (o, s) = lstm(fixtureTensor(c, "x"))
        assertClose(o, fixtureTensor(c, "out"), "lstm out")
        assertClose(s.h, fixtureTensor(c, "h"), "lstm h")
        assertClose(s.c, fixtureTensor(c, "c"), "lstm c")
    }
}
