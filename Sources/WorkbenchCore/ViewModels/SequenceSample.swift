import Tensors

/// One text sample as the dataset browser shows it: a language-modelling window
/// (its input tokens and the next-token targets) or a labelled text.
public struct TextSample: Equatable, Sendable {
    /// The input token ids.
    public var tokens: [Int]
    /// The input decoded (specials kept, as the model sees them).
    public var text: String
    /// Each input token as text (`<pad>`, `a`, `\n` …), one per id.
    public var pieces: [String]
    /// The class of a classification sample, nil for a language-modelling window.
    public var label: Int?
    /// The next-token target ids of a language-modelling window (the input shifted by one), nil otherwise.
    public var targets: [Int]?
    /// Each target token as text.
    public var targetPieces: [String]?

    public init(tokens: [Int], text: String, pieces: [String], label: Int? = nil, targets: [Int]? = nil, targetPieces: [String]? = nil) {
        self.tokens = tokens
        self.text = text
        self.pieces = pieces
        self.label = label
        self.targets = targets
        self.targetPieces = targetPieces
    }

    /// The number of input tokens.
    public var length: Int { tokens.count }

    /// The decoded input with control characters escaped (`\n`, `\t`, `\u{7}`), so it fits on one line.
    public var escapedText: String { TextSample.escape(text) }

    /// The token that follows the window (the last target), escaped; nil for classification.
    public var nextToken: String? { targetPieces?.last.map(TextSample.escape) }

    /// `s` with newlines, tabs, carriage returns and other control characters written as escapes.
    public static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            default:
                if u.value < 0x20 || u.value == 0x7F || (0x80..<0xA0).contains(u.value) {
                    out += "\\u{\(String(u.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }
}

/// One forecasting window: the input values and the value(s) that follow it.
public struct SeriesWindow: Equatable, Sendable {
    /// The window's values, oldest first.
    public var values: [Double]
    /// The values to predict (the horizon).
    public var targets: [Double]

    public init(values: [Double], targets: [Double]) {
        self.values = values
        self.targets = targets
    }
}

/// The vocabulary of a text dataset, for the browser's info line and for sizing models.
public struct VocabularyInfo: Equatable, Sendable {
    /// Tokens, specials included.
    public var size: Int
    /// The special tokens (`<pad>`, `<unk>`, `<bos>`, `<eos>`).
    public var specials: [String]
    /// `character` or `word`.
    public var kind: String

    public init(size: Int, specials: [String], kind: String) {
        self.size = size
        self.specials = specials
        self.kind = kind
    }
}
