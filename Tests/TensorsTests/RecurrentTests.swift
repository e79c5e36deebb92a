import Foundation
import XCTest
@testable import Tensors

// MARK: - Helpers for the sequence fixtures (Tests/Fixtures/nn/seq/generate_seq.py)

/// Case `name` of seq/seq.json.
func seqCase(_ name: String) -> [String: Any] { nnCase("seq/seq", name) }

/// The tensors of a case's `params` / `inputs` / `grads` dictionary, by key.
func seqTensors(_ c: [String: Any], _ group: String) -> [String: Tensor] {
    guard let g = c[group] as? [String: Any] else { return [:] }
    var out: [String: Tensor] = [:]
    for k in g.keys { out[k] = fixtureTensor(g, k) }
    return out
}

func seqIntTensor(_ c: [String: Any], _ key: String) -> IntTensor {
    fixtureIntTensor((c["int_inputs"] as? [String: Any]) ?? [:], key)
}

/// A case's list of tensors (`outputs`, `gys`).
func seqList(_ c: [String: Any], _ key: String) -> [Tensor] {
    ((c[key] as? [[String: Any]]) ?? []).map { fixtureTensor(["t": $0], "t") }
}

/// Loads the case's parameters into `module` by state-dict key (strict), and
/// returns the case's inputs as leaves that require grad.
func prepare(_ module: Module, _ c: [String: Any], file: StaticString = #filePath, line: UInt = #line) -> [String: Tensor] {
    let params = seqTensors(c, "params")
    XCTAssertNoThrow(try module.loadStateDict(params), "state dict keys", file: file, line: line)
    return seqTensors(c, "inputs").mapValues { $0.requiringGrad() }
}

/// Compares outputs with the fixture, back-propagates sum(out_i · gy_i) and
/// compares the gradients of the inputs and of every parameter.
func checkAgainstTorch(_ name: String, _ module: Module, _ c: [String: Any], inputs: [String: Tensor], outputs: [Tensor],
                       atol: Float = 2e-5, file: StaticString = #filePath, line: UInt = #line) {
    let expected = seqList(c, "outputs"), gys = seqList(c, "gys")
    XCTAssertEqual(outputs.count, expected.count, "\(name): output count", file: file, line: line)
    for (k, (o, e)) in zip(outputs, expected).enumerated() { assertClose(o, e, atol: atol, "\(name) output \(k)", file: file, line: line) }
    var loss: Tensor?
    for (o, g) in zip(outputs, gys) {
        let term = (o * g).sum()
        loss = loss.map { $0 + term } ?? term
    }
    module.zeroGrad()
    loss?.backward()
    let grads = seqTensors(c, "grads")
    let params = Dictionary(module.namedParameters(), uniquingKeysWith: { a, _ in a })
    for (key, g) in grads {
        if key.hasPrefix("param.") {
            let p = String(key.dropFirst(6))
            assertClose(params[p]?.grad ?? Tensor.zeros(g.shape), g, atol: atol * 5, "\(name) d\(p)", file: file, line: line)
        } else {
            assertClose(inputs[key]?.grad, g, atol: atol * 5, "\(name) d\(key)", file: file, line: line)
        }
    }
}

// MARK: - Tests

final class RecurrentTests: XCTestCase {
    func makeRNN(_ cfg: [String: Any]) -> RNNBase {
        let kind = cfg["kind"] as? String ?? "rnn"
        let i = cfg["input_size"] as? Int ?? 0, h = cfg["hidden_size"] as? Int ?? 0
        let layers = cfg["num_layers"] as? Int ?? 1, bias = cfg["bias"] as? Bool ?? true
        let bf = cfg["batch_first"] as? Bool ?? false, bi = cfg["bidirectional"] as? Bool ?? false
        switch kind {
        case "lstm":
            return LSTM(i, h, numLayers: layers, bias: bias, batchFirst: bf, bidirectional: bi, projSize: cfg["proj_size"] as? Int ?? 0)
        case "gru":
            return GRU(i, h, numLayers: layers, bias: bias, batchFirst: bf, bidirectional: bi)
        default:
            let nl: RNNNonlinearity = (cfg["nonlinearity"] as? String) == "relu" ? .relu : .tanh
            return RNN(i, h, numLayers: layers, nonlinearity: nl, bias: bias, batchFirst: bf, bidirectional: bi)
        }
    }

    func run(_ m: RNNBase, _ x: Tensor, _ h0: Tensor?, _ c0: Tensor?) -> [Tensor] {
        switch m {
        case let l as LSTM:
            let (o, s) = l(x, h0.map { ($0, c0!) })
            return [o, s.h, s.c]
        case let g as GRU:
            let (o, h) = g(x, h0)
            return [o, h]
        case let r as RNN:
            let (o, h) = r(x, h0)
            return [o, h]
        default:
            XCTFail("unknown module")
            return []
        }
    }

    func testPaddedRecurrentLayersMatchTorch() {
        for name in ["rnn_tanh", "rnn_relu_2layer_bidir", "rnn_nobias_batchfirst", "lstm_basic",
                     "lstm_2layer_bidir_batchfirst", "lstm_proj_bidir", "lstm_unbatched", "gru_basic",
                     "gru_2layer_bidir_batchfirst"] {
            let c = seqCase(name)
            let m = makeRNN(c["config"] as? [String: Any] ?? [:])
            XCTAssertEqual(m.description, c["repr"] as? String, "\(name) repr")
            let ins = prepare(m, c)
            let outs = run(m, ins["x"]!, ins["h0"], ins["c0"])
            checkAgainstTorch(name, m, c, inputs: ins, outputs: outs)
        }
    }

    func testPackedSequencesMatchTorch() {
        for name in ["lstm_packed_bidir_2layer", "gru_packed_batchfirst_bidir", "rnn_packed_sorted"] {
            let c = seqCase(name)
            let cfg = c["config"] as? [String: Any] ?? [:]
            let m = makeRNN(cfg)
            let ins = prepare(m, c)
            let lengths = cfg["lengths"] as? [Int] ?? []
            let packed = packPaddedSequence(ins["x"]!, lengths: lengths, batchFirst: m.batchFirst,
                                            enforceSorted: cfg["enforce_sorted"] as? Bool ?? true)
            XCTAssertEqual(packed.batchSizes, c["packed_batch_sizes"] as? [Int], "\(name) batch sizes")
            assertClose(packed.data, fixtureTensor(c, "packed_data"), "\(name) packed data")
            var outs: [Tensor]
            switch m {
            case let l as LSTM:
                let (o, s) = l(packed, (ins["h0"]!, ins["c0"]!))
                outs = [padPackedSequence(o, batchFirst: m.batchFirst).0, s.h, s.c]
            case let g as GRU:
                let (o, h) = g(packed, ins["h0"])
                outs = [padPackedSequence(o, batchFirst: m.batchFirst).0, h]
            case let r as RNN:
                let (o, h) = r(packed, ins["h0"])
                let (padded, lens) = padPackedSequence(o, batchFirst: m.batchFirst)
                XCTAssertEqual(lens, lengths)
                outs = [padded, h]
            default: outs = []
            }
            checkAgainstTorch(name, m, c, inputs: ins, outputs: outs)
        }
    }

    func testCellsMatchTorch() {
        let rc = seqCase("rnn_cell_relu")
        let rnn = RNNCell(3, 4, nonlinearity: .relu)
        XCTAssertEqual(rnn.description, rc["repr"] as? String)
        var ins = prepare(rnn, rc)
        checkAgainstTorch("rnn_cell", rnn, rc, inputs: ins, outputs: [rnn(ins["x"]!, ins["h"]!)])

        let lc = seqCase("lstm_cell")
        let lstm = LSTMCell(3, 4)
        ins = prepare(lstm, lc)
        let (h, cc) = lstm(ins["x"]!, (ins["h"]!, ins["c"]!))
        checkAgainstTorch("lstm_cell", lstm, lc, inputs: ins, outputs: [h, cc])

        let gc = seqCase("gru_cell")
        let gru = GRUCell(3, 4)
        ins = prepare(gru, gc)
        checkAgainstTorch("gru_cell", gru, gc, inputs: ins, outputs: [gru(ins["x"]!, ins["h"]!)])
    }

    func testFusedGatesAgreeWithFiniteDifferences() {
        let g = Generator(seed: 3)
        let gx = Tensor.randn([2, 12], generator: g).requiringGrad()
        let gh = Tensor.randn([2, 12], generator: g).requiringGrad()
        let c = Tensor.randn([2, 3], generator: g).requiringGrad()
        nnGradCheck([gx, gh, c]) { t in
            let (h, c1) = lstmGates(t[0], t[1], t[2])
            return Tensor.cat([h, c1 * 0.7], dim: 1)
        }
        let rx = Tensor.randn([2, 9], generator: g).requiringGrad()
        let rh = Tensor.randn([2, 9], generator: g).requiringGrad()
        let hp = Tensor.randn([2, 3], generator: g).requiringGrad()
        nnGradCheck([rx, rh, hp]) { t in gruGates(t[0], t[1], t[2]) }
    }

    func testSmallLSTMAndGRUAgreeWithFiniteDifferences() {
        let g = Generator(seed: 5)
        let lstm = LSTM(2, 3, bidirectional: true, generator: g)
        let x = Tensor.randn([3, 2, 2], generator: g).requiringGrad()
        nnGradCheck([x] + lstm.parameters().prefix(2)) { t in lstm(t[0]).output }
        let gru = GRU(2, 3, numLayers: 2, generator: g)
        nnGradCheck([x]) { t in gru(t[0]).output }
        let proj = LSTM(2, 3, numLayers: 2, projSize: 2, generator: g)
        nnGradCheck([x] + proj.parameters()) { t in proj(t[0]).output }
        let rnn = RNN(2, 3, nonlinearity: .tanh, bidirectional: true, generator: g)
        nnGradCheck([x] + rnn.parameters()) { t in rnn(t[0]).hN }
        // Packed, unsorted.
        nnGradCheck([x]) { t in
            let p = packPaddedSequence(t[0], lengths: [2, 3], enforceSorted: false)
            return padPackedSequence(lstm(p).output).0
        }
    }

    /// Hidden size 11: one full eight-unit block of `LSTMGateKernel` and a tail
    /// of three, against the same recurrence written with elementary ops.
    func testLSTMWithFullAndPartialVectorBlocksMatchesElementaryOps() {
        let g = Generator(seed: 8)
        let h = 11
        let lstm = LSTM(5, h, generator: g)
        let x = Tensor.randn([4, 3, 5], generator: g).requiringGrad()
        let h0 = Tensor.randn([1, 3, h], generator: g).requiringGrad()
        let c0 = Tensor.randn([1, 3, h], generator: g).requiringGrad()
        let ws = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"].compactMap { lstm.weight($0) }
        XCTAssertEqual(ws.count, 4)
        let gy = Tensor.randn([4, 3, h], generator: g)

        let (out, state) = lstm(x, (h0, c0))
        let fused = [out, state.h, state.c]
        ((out * gy).sum() + state.h.sum() + state.c.sum() * 0.5).backward()
        let fusedGrads = ([x, h0, c0] + ws).map { $0.grad }
        for t in [x, h0, c0] + ws { t.grad = nil }

        var hs: [Tensor] = []
        var hc = h0.select(0, 0), cc = c0.select(0, 0)
        for t in 0..<4 {
            let pre = linear(x.select(0, t), weight: ws[0], bias: ws[2]) + linear(hc, weight: ws[1], bias: ws[3])
            let q = pre.chunk(4, dim: 1)
            cc = q[1].sigmoid() * cc + q[0].sigmoid() * q[2].tanh()
            hc = q[3].sigmoid() * cc.tanh()
            hs.append(hc)
        }
        let refOut = Tensor.stack(hs, dim: 0)
        for (a, b) in zip(fused, [refOut, hc.unsqueeze(0), cc.unsqueeze(0)]) { assertClose(a, b, "outputs") }
        ((refOut * gy).sum() + hc.sum() + cc.sum() * 0.5).backward()
        for (a, t) in zip(fusedGrads, [x, h0, c0] + ws) {
            guard let b = t.grad else { XCTFail("missing reference gradient"); continue }
            assertClose(a, b, "gradients")
        }
    }

    /// Large batches run in blocks of rows on separate workers (`recurrentRowBlocks`); every
    /// sequence of a packed batch of 13 (uneven blocks, sequences ending inside either block)
    /// must get the outputs, final states and input gradients it gets alone, and the weight
    /// gradients must be the sums of the single-sequence ones. Also with the split off.
    func testBatchRowsGiveEachSequenceItsResultAlone() {
        let lengths = [7, 2, 5, 7, 1, 3, 6, 4, 7, 2, 5, 6, 3]
        let b = lengths.count, tMax = 7, inF = 5
        XCTAssertGreaterThan(recurrentRowBlocks(b).count, Parallel.workers > 1 ? 1 : 0)
        let g = Generator(seed: 21)
        let layers: [RNNBase] = [
            LSTM(inF, 6, numLayers: 2, bidirectional: true, projSize: 3, generator: g),
            GRU(inF, 6, numLayers: 2, bidirectional: true, generator: g),
            RNN(inF, 6, nonlinearity: .relu, bidirectional: true, generator: g),
        ]
        let x = Tensor.randn([tMax, b, inF], generator: g)
        for (split, layer) in [true, false].flatMap({ s in layers.map { (s, $0) } }) {
            let name = "\(layer.description.prefix { $0 != "(" }) split \(split)"
            let saved = RecurrentRowSplit.enabled
            RecurrentRowSplit.enabled = split
            defer { RecurrentRowSplit.enabled = saved }
            func run(_ input: Tensor, _ lens: [Int]) -> (out: Tensor, h: Tensor) {
                let packed = packPaddedSequence(input, lengths: lens, enforceSorted: false)
                switch layer {
                case let l as LSTM:
                    let (o, s) = l(packed)
                    return (padPackedSequence(o, totalLength: tMax).0, s.h)
                case let r as GRU:
                    let (o, h) = r(packed)
                    return (padPackedSequence(o, totalLength: tMax).0, h)
                case let r as RNN:
                    let (o, h) = r(packed)
                    return (padPackedSequence(o, totalLength: tMax).0, h)
                default:
                    XCTFail("unexpected layer"); return (x, x)
                }
            }
            let params = layer.parameters()
            let xb = x.detach().requiringGrad()
            let (outB, hB) = run(xb, lengths)
            let gy = Tensor.randn(outB.shape, generator: Generator(seed: 5))
            let gh = Tensor.randn(hB.shape, generator: Generator(seed: 6))
            ((outB * gy).sum() + (hB * gh).sum()).backward()
            let batchGrads = params.map { $0.grad ?? Tensor.zeros($0.shape) }
            let dxB = xb.grad ?? Tensor.zeros(x.shape)
            for p in params { p.grad = nil }

            var sums = params.map { Tensor.zeros($0.shape) }
            for i in 0..<b {
                let xi = x.narrow(1, start: i, length: 1).detach().requiringGrad()
                let (o, h) = run(xi, [lengths[i]])
                assertClose(o, outB.narrow(1, start: i, length: 1), atol: 1e-5, "\(name) output of sequence \(i)")
                assertClose(h, hB.narrow(1, start: i, length: 1), atol: 1e-5, "\(name) h_n of sequence \(i)")
                ((o * gy.narrow(1, start: i, length: 1)).sum() + (h * gh.narrow(1, start: i, length: 1)).sum()).backward()
                assertClose(xi.grad ?? Tensor.zeros(xi.shape), dxB.narrow(1, start: i, length: 1), atol: 1e-5,
                            "\(name) input gradient of sequence \(i)")
                for (k, p) in params.enumerated() {
                    sums[k] = sums[k] + (p.grad ?? Tensor.zeros(p.shape))
                    p.grad = nil
                }
            }
            for (k, (a, e)) in zip(batchGrads, sums).enumerated() {
                assertClose(a, e, atol: 1e-4, "\(name) gradient of parameter \(k)")
            }
        }
    }

    func testPrintsAndStateKeysMatchTorch() {
        let prints = nnFixture("seq/seq")["prints"] as? [String: String] ?? [:]
        XCTAssertEqual(RNN(10, 20, numLayers: 2, nonlinearity: .relu, dropout: 0.5).description, prints["rnn"])
        XCTAssertEqual(LSTM(10, 20, bias: false, batchFirst: true, bidirectional: true, projSize: 5).description, prints["lstm"])
        XCTAssertEqual(GRU(3, 4).description, prints["gru"])
        XCTAssertEqual(RNNCell(3, 4, nonlinearity: .relu).description, prints["rnn_cell"])
        XCTAssertEqual(LSTMCell(3, 4, bias: false).description, prints["lstm_cell"])
        let keys = nnFixture("seq/seq")["mha_state_keys"] as? [String: [String]] ?? [:]
        XCTAssertEqual(LSTM(3, 4, numLayers: 2, bidirectional: true, projSize: 2).stateDict().map(\.0), keys["lstm"])
    }

    func testInitialisationIsUniformOneOverSqrtHidden() {
        let lstm = LSTM(5, 16, numLayers: 2, generator: Generator(seed: 1))
        let bound = 1 / Float(16).squareRoot()
        for (name, p) in lstm.namedParameters() {
            let v = p.toArray()
            XCTAssertTrue(v.allSatisfy { abs($0) <= bound }, name)
            XCTAssertGreaterThan(v.map { abs($0) }.max() ?? 0, bound * 0.8, name)
        }
    }

    func testShapeErrorsAndMetaValidation() throws {
        let lstm = LSTM(3, 4, numLayers: 2, bidirectional: true)
        let err = shapeError { _ = lstm(Tensor.zeros([5, 2, 7])) }
        XCTAssertEqual(err?.message, "input.size(-1) must be equal to input_size. Expected 3, got 7")
        let errH = shapeError { _ = lstm(Tensor.zeros([5, 2, 3]), (Tensor.zeros([1, 2, 4]), Tensor.zeros([4, 2, 4]))) }
        XCTAssertEqual(errH?.message, "Expected hidden[0] size (4, 2, 4), got [1, 2, 4]")
        let out = try lstm.forward(tensors: [Tensor.meta([5, 2, 3])])
        XCTAssertEqual(out.map(\.shape), [[5, 2, 8], [4, 2, 4], [4, 2, 4]])
    }

    func testDropoutBetweenLayersOnlyInTraining() {
        let g = Generator(seed: 8)
        let lstm = LSTM(3, 4, numLayers: 2, dropout: 0.5, generator: g)
        let x = Tensor.randn([5, 2, 3], generator: g)
        let trainA = lstm(x).output.toArray(), trainB = lstm(x).output.toArray()
        XCTAssertNotEqual(trainA, trainB, "fresh masks in training")
        lstm.eval()
        let evalA = lstm(x).output.toArray()
        XCTAssertEqual(evalA, lstm(x).output.toArray())
        let plain = LSTM(3, 4, numLayers: 2)
        try? plain.loadStateDict(lstm.stateDict())
        XCTAssertEqual(plain(x).output.toArray(), evalA, "eval mode is the same as no dropout")
    }

    func testPadSequence() {
        let a = Tensor([1, 2, 3]), b = Tensor([4])
        assertTensor(padSequence([a, b], batchFirst: true), [1, 2, 3, 4, 0, 0], shape: [2, 3])
        assertTensor(padSequence([a, b], paddingValue: -1), [1, 4, 2, -1, 3, -1], shape: [3, 2])
        assertTensor(padSequence([a, b], batchFirst: true, paddingSide: .left), [1, 2, 3, 0, 0, 4], shape: [2, 3])
        let packed = packSequence([a.unsqueeze(1), b.unsqueeze(1)])
        XCTAssertEqual(packed.batchSizes, [2, 1, 1])
        XCTAssertEqual(packed.lengths, [3, 1])
    }
}
