/// How to sample text from a language model: the prompt, how many tokens,
/// the temperature, top-k and the seed. `workbench generate` and the TUI's
/// generate form both validate and run it here.
///
/// ```swift
/// var s = TextSampling(prompt: "12+3=", maxTokens: 40, temperature: 0.8, topK: 5, seed: 1)
/// if let p = s.problems.first { print(p.field.label, p.message) }
/// let text = s.run(lm, tokenizer: tokenizer)      // the prompt and what follows
/// ```
public struct TextSampling: Equatable, Sendable {
    /// One setting, named for the CLI (`option`) and for forms (`label`).
    public enum Field: String, CaseIterable, Sendable {
        case prompt, maxTokens, temperature, topK, seed

        /// The command-line option (`--max-tokens`).
        public var option: String {
            switch self {
            case .prompt: return "--prompt"
            case .maxTokens: return "--max-tokens"
            case .temperature: return "--temperature"
            case .topK: return "--top-k"
            case .seed: return "--seed"
            }
        }

        /// The label of a form field ("max tokens").
        public var label: String {
            switch self {
            case .prompt: return "prompt"
            case .maxTokens: return "max tokens"
            case .temperature: return "temperature"
            case .topK: return "top-k"
            case .seed: return "seed"
            }
        }
    }

    /// A setting that is out of range: which one, and what was expected.
    public struct Problem: Equatable, Sendable {
        public var field: Field
        /// "must be >= 0, got -1".
        public var message: String
    }

    /// The most tokens one request samples (a typo of 10⁹ would run for hours).
    public static let maxTokensLimit = 10_000

    /// Text the sample continues (may be empty).
    public var prompt: String
    /// Tokens to sample after the prompt.
    public var maxTokens: Int
    /// Softmax temperature; 0 always takes the most likely token.
    public var temperature: Double
    /// Sample among the k most likely tokens; 0 means all.
    public var topK: Int
    /// Seed of the sampling generator: one seed, one text.
    public var seed: UInt64

    public init(prompt: String = "", maxTokens: Int = 100, temperature: Double = 0.8, topK: Int = 0, seed: UInt64 = 0) {
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topK = topK
        self.seed = seed
    }

    /// The settings that are out of range (empty: the settings can run).
    public var problems: [Problem] {
        var out: [Problem] = []
        if maxTokens < 0 || maxTokens > Self.maxTokensLimit {
            out.append(Problem(field: .maxTokens, message: "must be between 0 and \(Self.maxTokensLimit), got \(maxTokens)"))
        }
        if !temperature.isFinite || temperature < 0 {
            out.append(Problem(field: .temperature, message: "must be a number >= 0, got \(temperature)"))
        }
        if topK < 0 { out.append(Problem(field: .topK, message: "must be >= 0 (0: all tokens), got \(topK)")) }
        return out
    }

    /// The prompt followed by `maxTokens` sampled tokens, decoded with `tokenizer`.
    ///
    /// `onToken` sees the text so far after each sampled token; returning false stops the
    /// sampling early (what was sampled is returned).
    public func run(_ model: any LanguageModel, tokenizer: Tokenizer, onToken: ((String) -> Bool)? = nil) -> String {
        let start = tokenizer.encode(prompt)
        let ids = model.generate(prompt: start, maxTokens: maxTokens, temperature: temperature, topK: topK > 0 ? topK : nil,
                                 generator: Generator(seed: seed),
                                 onToken: onToken.map { report in { sampled in report(tokenizer.decode(start + sampled)) } })
        return tokenizer.decode(ids)
    }
}
