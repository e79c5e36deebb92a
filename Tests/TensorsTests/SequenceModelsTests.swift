import Foundation
import XCTest
@testable import Tensors

final class SequenceModelsTests: XCTestCase {
    /// Trains `model` on the embedded arithmetic corpus with a plain loop and
    /// returns the first loss and the mean of the last 20.
    func trainLM(_ model: any LanguageModel, steps: Int, lr: Double, batch: Int = 16, seq: Int = 32) throws -> (Float, Float) {
        let data = try ArithmeticCorpus.languageModelDataset(sequenceLength: seq, lines: 3000)
        let loader = try DataLoader(data, batchSize: batch, shuffle: true, collate: languageModelCollate, dropLast: true,
                                    generator: Generator(seed: 1))
        let opt = try Adam(model.parameters(), lr: lr)
        var losses: [Float] = []
        let v = model.vocabularySize
        while losses.count < steps {
            try loader.forEachBatch { x, y in
                guard losses.count < steps else { return }
                opt.zeroGrad()
                let logits = model(x)
                let loss = crossEntropy(logits.reshape([batch * seq, v]), IntTensor(y.values))
                loss.backward()
                opt.step()
                losses.append(loss.item())
            }
        }
        let last = losses.suffix(20).reduce(0, +) / 20
        print("\(type(of: model)): first loss \(losses[0]), mean of the last 20 \(last)")
        return (losses[0], last)
    }

    func testCharLSTMLearnsTheEmbeddedCorpus() throws {
        let lm = CharLSTM(vocabularySize: 17, embeddingDim: 32, hiddenSize: 64, generator: Generator(seed: 0))
        let (first, last) = try trainLM(lm, steps: 300, lr: 1e-2)
        let chance = Float(log(17.0))
        XCTAssertGreaterThan(first, chance * 0.8, "starts near chance")
        XCTAssertLessThan(last, 1.7, "after 300 steps the loss is far below chance (\(chance)); first \(first), last \(last)")
    }

    func testGPTLearnsTheEmbeddedCorpus() throws {
        let gpt = GPT(vocabularySize: 17, contextLength: 32, dModel: 32, nhead: 2, numLayers: 1, dropout: 0,
                      generator: Generator(seed: 0))
        let (first, last) = try trainLM(gpt, steps: 200, lr: 3e-3)
        XCTAssertLessThan(last, 1.8, "first \(first), last \(last)")
    }

    func testGenerateIsSeededAndRespectsTopKAndGreedy() throws {
        let lm = CharLSTM(vocabularySize: 17, embeddingDim: 8, hiddenSize: 16, generator: Generator(seed: 2))
        let tok = ArithmeticCorpus.tokenizer
        let a = lm.generate(prompt: "1+", tokenizer: tok, maxTokens: 12, temperature: 1, topK: 5, generator: Generator(seed: 9))
        let b = lm.generate(prompt: "1+", tokenizer: tok, maxTokens: 12, temperature: 1, topK: 5, generator: Generator(seed: 9))
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.hasPrefix("1+"))
        let ids = lm.generate(prompt: [4], maxTokens: 5, temperature: 0)
        XCTAssertEqual(ids.count, 6)
        XCTAssertTrue(lm.isTraining, "training mode restored")
        // top-1 sampling is greedy
        XCTAssertEqual(lm.generate(prompt: [4], maxTokens: 5, temperature: 1, topK: 1, generator: Generator(seed: 3)), ids)
        XCTAssertEqual(sampleToken([0, 5, 1], temperature: 0), 1)
        let gpt = GPT(vocabularySize: 17, contextLength: 8, dModel: 16, nhead: 2, numLayers: 1)
        XCTAssertEqual(gpt.generate(prompt: [5], maxTokens: 12, temperature: 0.5, topK: 3, generator: Generator(seed: 1)).count, 13)
    }

    func testGPTTiesItsHeadAndIsCausal() throws {
        let gpt = GPT(vocabularySize: 11, contextLength: 8, dModel: 16, nhead: 2, numLayers: 1, dropout: 0, generator: Generator(seed: 4))
        XCTAssertFalse(gpt.stateDict().map(\.0).contains { $0.contains("head") })
        XCTAssertEqual(gpt.stateDict().first?.0, "embedding.weight")
        let x = IntTensor([[1, 2, 3, 4]])
        let y = IntTensor([[1, 2, 3, 9]])
        let a = gpt(x), b = gpt(y)
        // Changing the last token must not change earlier positions' logits.
        assertClose(a.narrow(1, start: 0, length: 3), b.narrow(1, start: 0, length: 3), atol: 1e-5)
        XCTAssertFalse(a.narrow(1, start: 3, length: 1).allClose(b.narrow(1, start: 3, length: 1)))
        XCTAssertEqual(try gpt.forward(tensors: [Tensor.meta([2, 8])]).map(\.shape), [[2, 8, 11]])
    }

    func testClassifiersAndForecasterShapesAndTraining() throws {
        let data = try ArithmeticCorpus.classificationDataset(count: 64)
        let batch = try padCollate((0..<16).map { try data[$0] })
        let lstm = LSTMClassifier(vocabularySize: 17, numClasses: 2, embeddingDim: 8, hiddenSize: 16, generator: Generator(seed: 1))
        XCTAssertEqual(lstm(batch.tokens, lengths: batch.lengths).shape, [16, 2])
        // Padding does not change a packed sequence's logits.
        lstm.eval()
        let one = try data[0]
        let alone = lstm(IntTensor(one.0.values, shape: [1, one.0.count]), lengths: [one.0.count])
        let padded = lstm(IntTensor(one.0.values + [0, 0, 0], shape: [1, one.0.count + 3]), lengths: [one.0.count])
        assertClose(alone, padded, atol: 1e-5)
        let tr = TransformerClassifier(vocabularySize: 17, numClasses: 2, maxLength: 16, dModel: 16, nhead: 2, numLayers: 1,
                                       dimFeedforward: 32, generator: Generator(seed: 1))
        XCTAssertEqual(tr(batch.tokens, lengths: batch.lengths).shape, [16, 2])
        // Padding is masked out of attention and pooling: the same logits with or without it.
        tr.eval()
        let trAlone = tr(IntTensor(one.0.values, shape: [1, one.0.count]), lengths: [one.0.count])
        let trPadded = tr(IntTensor(one.0.values + [0, 0, 0], shape: [1, one.0.count + 3]), lengths: [one.0.count])
        assertClose(trAlone, trPadded, atol: 1e-5)
        XCTAssertEqual(try tr.forward(tensors: [Tensor.meta([3, 10])]).map(\.shape), [[3, 2]])

        let series = try TimeSeriesDataset.sineWaves(length: 400, window: 24, noise: 0.01)
        let f = LSTMForecaster(hiddenSize: 16, generator: Generator(seed: 3))
        let loader = try DataLoader(series, batchSize: 32, shuffle: true, generator: Generator(seed: 2))
        let opt = try Adam(f.parameters(), lr: 1e-2)
        var losses: [Float] = []
        for _ in 0..<4 {
            try loader.forEachBatch { b in
                opt.zeroGrad()
                let loss = mseLoss(f(b[0]), b[1])
                loss.backward()
                opt.step()
                losses.append(loss.item())
            }
        }
        XCTAssertLessThan(losses.suffix(5).reduce(0, +) / 5, 0.1, "forecaster learns the sines: \(losses.prefix(3)) … \(losses.suffix(3))")
    }

    func testValidateRecordsEveryLayerOfTheSequenceModels() throws {
        let lm = CharLSTM(vocabularySize: 17, embeddingDim: 8, hiddenSize: 16)
        let layers = try lm.validate(inputShapes: [[4, 10]])
        let byPath = Dictionary(layers.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(byPath["embedding"]?.outputShapes, [[4, 10, 8]])
        XCTAssertEqual(byPath["lstm"]?.outputShapes, [[4, 10, 16], [1, 4, 16], [1, 4, 16]])
        XCTAssertEqual(byPath["head"]?.outputShapes, [[4, 10, 17]])
        let gpt = GPT(vocabularySize: 17, contextLength: 16, dModel: 16, nhead: 2, numLayers: 1)
        let g = try gpt.validate(inputShapes: [[2, 12]])
        XCTAssertEqual(g.first { $0.path == "blocks.layers.0.self_attn" }?.outputShapes, [[2, 12, 16]], "\(g.map(\.path))")
        XCTAssertEqual(g.first { $0.path == "" }?.outputShapes, [[2, 12, 17]])
        XCTAssertThrowsError(try gpt.validate(inputShapes: [[2, 40]]))
        let f = LSTMForecaster(hiddenSize: 8)
        XCTAssertEqual(try f.validate(inputShape: [3, 24, 1]).first { $0.path == "head" }?.outputShapes, [[3, 1]])
        let bad = LSTM(3, 4)
        XCTAssertThrowsError(try bad.validate(inputShapes: [[5, 2, 7]])) { e in
            XCTAssertTrue("\(e)".contains("input_size"), "\(e)")
        }
    }

    func testSequenceZooBuildsEveryEntry() throws {
        for e in SequenceModelZoo.entries {
            let m = e.make(vocabularySize: e.kind == .forecaster ? 1 : 17, numClasses: 2, generator: Generator(seed: 0))
            XCTAssertGreaterThan(m.parameterCount, 0, e.name)
        }
        XCTAssertEqual(try SequenceModelZoo.makeLanguageModel("char-lstm", vocabularySize: 17).vocabularySize, 17)
        XCTAssertThrowsError(try SequenceModelZoo.makeLanguageModel("lstm-forecaster", vocabularySize: 17))
    }
}
