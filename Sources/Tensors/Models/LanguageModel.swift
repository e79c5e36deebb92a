import Foundation

/// A model that maps token ids `[N, T]` to next-token logits `[N, T, V]`:
/// what language-modelling training (cross entropy against the inputs
/// shifted by one) and text generation need.
///
/// ```swift
/// let lm = CharLSTM(vocabularySize: 17)
/// let logits = lm(tokens)                                   // [N, T, 17]
/// let loss = crossEntropy(logits.reshape([-1, 17]), IntTensor(targets.values))
/// let ids = lm.generate(prompt: [5, 6], maxTokens: 20, temperature: 0.8, topK: 5, generator: Generator(seed: 1))
/// ```
public protocol LanguageModel: Module {
    /// Size of the vocabulary (logits per position).
    var vocabularySize: Int { get }
    /// The most tokens the model attends to at once (nil: unlimited).
    var contextLength: Int? { get }
    /// Next-token logits `[N, T, V]` for token ids `[N, T]`.
    func callAsFunction(_ tokens: IntTensor) -> Tensor
}

extension LanguageModel {
    /// Samples `maxTokens` tokens after `prompt` and returns prompt + sample.
    ///
    /// Each step runs the model on the last `contextLength` tokens in eval
    /// mode without gradients, divides the last position's logits by
    /// `temperature` (0 = greedy argmax), keeps the `topK` largest (nil: all)
    /// and draws from the softmax with `generator` (the global default when
    /// nil), so a seed reproduces the text. The training mode is restored.
    /// `onToken`, when given, sees the tokens sampled so far (without the
    /// prompt) after each one; returning false stops early.
    public func generate(prompt: [Int], maxTokens: Int, temperature: Double = 1, topK: Int? = nil,
                         generator: Generator? = nil, onToken: (([Int]) -> Bool)? = nil) -> [Int] {
        var ids = prompt.isEmpty ? [0] : prompt
        let first = ids.count
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        noGrad {
            for _ in 0..<max(0, maxTokens) {
                let context = contextLength.map { Array(ids.suffix($0)) } ?? ids
                let logits = self(IntTensor(context, shape: [1, context.count]))
                let last = logits.select(1, context.count - 1).reshape([vocabularySize]).toArray()
                ids.append(sampleToken(last, temperature: temperature, topK: topK, generator: generator))
                if let onToken, !onToken(Array(ids[first...])) { break }
            }
        }
        return prompt.isEmpty ? Array(ids.dropFirst()) : ids
    }

    /// Generates text after `prompt` with `tokenizer` (the prompt included in the result).
    public func generate(prompt: String, tokenizer: Tokenizer, maxTokens: Int, temperature: Double = 1,
                         topK: Int? = nil, generator: Generator? = nil) -> String {
        tokenizer.decode(generate(prompt: tokenizer.encode(prompt), maxTokens: maxTokens, temperature: temperature,
                                  topK: topK, generator: generator))
    }
}

/// Draws an index from `logits / temperature` restricted to the `topK` largest.
public func sampleToken(_ logits: [Float], temperature: Double = 1, topK: Int? = nil, generator: Generator? = nil) -> Int {
    guard !logits.isEmpty else { return 0 }
    if temperature <= 0 {
        return logits.indices.max { logits[$0] < logits[$1] } ?? 0
    }
    var order = Array(logits.indices)
    if let k = topK, k > 0, k < logits.count {
        order.sort { logits[$0] > logits[$1] }
        order = Array(order.prefix(k))
    }
    let scaled = order.map { Double(logits[$0]) / temperature }
    let m = scaled.max() ?? 0
    let w = scaled.map { Foundation.exp($0 - m) }
    let total = w.reduce(0, +)
    let u = Generator.with(generator) { $0.nextDouble() } * total
    var acc = 0.0
    for (i, wi) in w.enumerated() {
        acc += wi
        if u < acc { return order[i] }
    }
    return order[order.count - 1]
}

/// Converts float token ids (as `forward(tensors:)` receives them) to an `IntTensor`.
func tokenIds(_ t: Tensor) -> IntTensor { IntTensor(t.toArray().map { Int($0) }, shape: t.shape) }
