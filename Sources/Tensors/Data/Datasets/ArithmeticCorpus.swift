import Foundation

/// The embedded default sequence data: generated, deterministic, learnable,
/// no download.
///
/// The corpus is lines of additions, `"37+5=42\n"`, with operands drawn
/// uniformly from `0...maxOperand` by a seeded generator. A character
/// language model learns the format at once (digits, then `+`, digits, `=`)
/// and, with more training, the sums; the first operand's digits are
/// unpredictable, so the loss floor is well above zero. Chance (a uniform
/// guess over the 17-token vocabulary) is ln 17 ≈ 2.83 nats per token.
///
/// The same kind of lines make a classification task: `correct` vs `wrong`
/// sums of one-digit operands (the wrong ones off by 1…9, never negative).
/// With two-digit operands (`maxOperand: 99`) the task needs multi-digit
/// addition carried through the sequence: a BiLSTM stays at chance for
/// thousands of steps there, in PyTorch as here (issue 11); with one digit
/// the model has to learn the 10×10 addition table, which it does in a few
/// hundred steps.
///
/// ```swift
/// let lm = try ArithmeticCorpus.languageModelDataset(sequenceLength: 32)   // items (x [32], y [32])
/// let cls = try ArithmeticCorpus.classificationDataset()                   // items (ids [L], 0/1)
/// ```
public enum ArithmeticCorpus {
    /// The fixed character tokenizer of the corpus: the specials, then
    /// `0`–`9`, `+`, `=` and newline (17 tokens).
    public static let tokenizer = Tokenizer(kind: .character,
                                            vocabulary: Vocabulary(tokens: (0...9).map(String.init) + ["+", "=", "\n"]))

    /// `lines` lines `"a+b=c\n"`.
    public static func text(lines: Int = 4000, maxOperand: Int = 99, seed: UInt64 = 0) -> String {
        let g = Generator(seed: seed)
        var s = ""
        for _ in 0..<lines {
            let a = g.nextInt(in: 0...maxOperand), b = g.nextInt(in: 0...maxOperand)
            s += "\(a)+\(b)=\(a + b)\n"
        }
        return s
    }

    /// Language-modelling windows over `text(lines:maxOperand:seed:)`.
    public static func languageModelDataset(sequenceLength: Int = 32, stride: Int? = nil, lines: Int = 4000,
                                            maxOperand: Int = 99, seed: UInt64 = 0) throws -> TextFileDataset {
        try TextFileDataset(text: text(lines: lines, maxOperand: maxOperand, seed: seed), sequenceLength: sequenceLength,
                            stride: stride, tokenizer: tokenizer, path: "embedded:arithmetic")
    }

    /// `count` equations (without the newline), half with a correct sum
    /// (class 0, `correct`) and half wrong (class 1, `wrong`, off by
    /// 1…`maxError`), shuffled; operands in `0...maxOperand`.
    public static func classificationDataset(count: Int = 2000, maxOperand: Int = 9, maxError: Int = 9,
                                             seed: UInt64 = 1) throws -> TextClassificationDataset {
        guard maxOperand >= 0, maxError >= 1 else {
            throw DataError(.invalidArgument, "ArithmeticCorpus: maxOperand must be ≥ 0 and maxError ≥ 1, got \(maxOperand) and \(maxError)")
        }
        let g = Generator(seed: seed)
        var texts: [String] = [], labels: [String] = []
        for i in 0..<count {
            let a = g.nextInt(in: 0...maxOperand), b = g.nextInt(in: 0...maxOperand)
            var c = a + b
            let wrong = i % 2 == 1
            if wrong {
                let off = g.nextInt(in: 1...maxError)
                c = c >= off && g.nextInt(below: 2) == 0 ? c - off : c + off
            }
            texts.append("\(a)+\(b)=\(c)")
            labels.append(wrong ? "wrong" : "correct")
        }
        let order = g.randperm(count)
        return try TextClassificationDataset(texts: order.map { texts[$0] }, labels: order.map { labels[$0] },
                                             classes: ["correct", "wrong"], tokenizer: tokenizer, source: "embedded:arithmetic")
    }
}

extension TimeSeriesDataset {
    /// An embedded forecasting series: `length` steps of two superposed sines
    /// (periods 24 and 60) plus seeded Gaussian noise of std `noise`.
    public static func sineWaves(length: Int = 2000, window: Int = 48, horizon: Int = 1, noise: Float = 0.05,
                                 seed: UInt64 = 0) throws -> TimeSeriesDataset {
        let g = Generator(seed: seed)
        let series = (0..<length).map { t -> Float in
            let x = Float(t)
            return Foundation.sin(2 * .pi * x / 24) + 0.5 * Foundation.sin(2 * .pi * x / 60) + noise * Float(g.nextNormal())
        }
        return try TimeSeriesDataset(series: series, window: window, horizon: horizon, source: "embedded:sines")
    }
}
