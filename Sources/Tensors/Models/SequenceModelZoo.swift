/// The built-in sequence models by name, with defaults sized for the
/// embedded data (`ArithmeticCorpus`, `TimeSeriesDataset.sineWaves`).
///
/// Kept apart from `ModelZoo`, whose entries are image classifiers taking a
/// float tensor (`any UnaryLayer`): language models and text classifiers
/// take token ids. A task-generic engine can list both.
///
/// ```swift
/// let lm = SequenceModelZoo.makeLanguageModel("char-lstm", vocabularySize: 17)
/// for e in SequenceModelZoo.entries { print(e.name, e.kind, e.summary) }
/// ```
public enum SequenceModelZoo {
    /// What a model consumes and produces.
    public enum Kind: String, Sendable {
        /// Token ids `[N, T]` → next-token logits `[N, T, V]` (`LanguageModel`).
        case languageModel = "language-model"
        /// Token ids `[N, L]` (+ lengths) → class logits `[N, C]`.
        case textClassifier = "text-classifier"
        /// A window `[N, W, F]` → the next values `[N, horizon]` (`UnaryLayer`).
        case forecaster
    }

    /// One model of the zoo.
    public struct Entry: Sendable {
        /// The name used on the command line.
        public let name: String
        /// What it consumes and produces.
        public let kind: Kind
        /// One line for listings.
        public let summary: String
        /// Builds it: `vocabularySize` (or input features), `numClasses` (or horizon), generator.
        let build: @Sendable (Int, Int, Generator?) -> Module

        /// A freshly initialised model.
        public func make(vocabularySize: Int, numClasses: Int = 2, generator: Generator? = nil) -> Module {
            build(vocabularySize, numClasses, generator)
        }
    }

    /// All sequence models, in listing order.
    public static let entries: [Entry] = [
        Entry(name: "char-lstm", kind: .languageModel,
              summary: "Character LSTM language model (embedding 64, LSTM 256, linear head)") { v, _, g in
            CharLSTM(vocabularySize: v, generator: g)
        },
        Entry(name: "gpt-mini", kind: .languageModel,
              summary: "GPT-style Transformer LM (2 pre-norm blocks, d=64, 4 heads, causal, tied embeddings, context 128)") { v, _, g in
            GPT(vocabularySize: v, contextLength: 128, dModel: 64, nhead: 4, numLayers: 2, generator: g)
        },
        Entry(name: "lstm-classifier", kind: .textClassifier,
              summary: "Bidirectional LSTM text classifier (embedding 64, LSTM 128, final states → linear)") { v, c, g in
            LSTMClassifier(vocabularySize: v, numClasses: c, generator: g)
        },
        Entry(name: "transformer-classifier", kind: .textClassifier,
              summary: "Transformer encoder text classifier (2 layers, d=64, masked mean pooling)") { v, c, g in
            TransformerClassifier(vocabularySize: v, numClasses: c, generator: g)
        },
        Entry(name: "lstm-forecaster", kind: .forecaster,
              summary: "LSTM forecaster (LSTM 64 over a window, last state → linear horizon)") { f, h, g in
            LSTMForecaster(inputSize: f, horizon: h, generator: g)
        },
    ]

    /// Names of all sequence models.
    public static var names: [String] { entries.map(\.name) }

    /// The entry for `name` (case-insensitive), or nil.
    public static func entry(named name: String) -> Entry? { entries.first { $0.name == name.lowercased() } }

    /// A language model by name; throws `ModelZooError` for an unknown name or another kind.
    public static func makeLanguageModel(_ name: String, vocabularySize: Int,
                                         generator: Generator? = nil) throws -> any LanguageModel {
        guard let e = entry(named: name), e.kind == .languageModel,
              let lm = e.make(vocabularySize: vocabularySize, generator: generator) as? any LanguageModel
        else { throw ModelZooError(name: name) }
        return lm
    }
}
