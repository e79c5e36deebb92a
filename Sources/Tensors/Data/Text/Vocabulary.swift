import Foundation

/// A token ↔ index table with special tokens, like torchtext's `Vocab`.
///
/// The special tokens come first, in this order: `<pad>` (0), `<unk>` (1),
/// `<bos>` (2), `<eos>` (3); then the corpus tokens, most frequent first (ties
/// in first-seen order), so index 0 is always padding and unknown tokens map
/// to 1. Saved and loaded as JSON (`{"tokens": [...], ...}`), so the
/// vocabulary can travel with a model's weights (e.g. in the safetensors
/// metadata, via `jsonString()`).
///
/// ```swift
/// let vocab = Vocabulary(building: ["a", "b", "a"])   // <pad> <unk> <bos> <eos> a b
/// vocab["a"]          // 4
/// vocab["zzz"]        // 1 (<unk>)
/// ```
public struct Vocabulary: Equatable, Sendable, Codable {
    /// The special tokens, in index order.
    public static let specials = ["<pad>", "<unk>", "<bos>", "<eos>"]

    /// Every token by index.
    public let tokens: [String]
    private let index: [String: Int]

    /// Index of `<pad>`.
    public var padIndex: Int { 0 }
    /// Index of `<unk>`.
    public var unkIndex: Int { 1 }
    /// Index of `<bos>`.
    public var bosIndex: Int { 2 }
    /// Index of `<eos>`.
    public var eosIndex: Int { 3 }

    /// Number of tokens, specials included.
    public var count: Int { tokens.count }

    /// A vocabulary of `tokens` in this order; the specials are put first if missing.
    public init(tokens: [String]) {
        var all = Vocabulary.specials
        var seen = Set(all)
        for t in tokens where seen.insert(t).inserted { all.append(t) }
        self.tokens = all
        index = Dictionary(all.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A vocabulary of the tokens of a corpus, most frequent first, keeping
    /// those seen at least `minFrequency` times and at most `maxSize` tokens
    /// (specials included).
    public init<S: Sequence>(building corpus: S, minFrequency: Int = 1, maxSize: Int? = nil) where S.Element == String {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for t in corpus {
            if counts[t] == nil { order.append(t) }
            counts[t, default: 0] += 1
        }
        let firstSeen = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var kept = order.filter { (counts[$0] ?? 0) >= minFrequency && !Vocabulary.specials.contains($0) }
        kept.sort { a, b in
            let (ca, cb) = (counts[a] ?? 0, counts[b] ?? 0)
            return ca != cb ? ca > cb : (firstSeen[a] ?? 0) < (firstSeen[b] ?? 0)
        }
        if let maxSize { kept = Array(kept.prefix(max(0, maxSize - Vocabulary.specials.count))) }
        self.init(tokens: kept)
    }

    /// The index of `token`, or `<unk>`'s.
    public subscript(token: String) -> Int { index[token] ?? unkIndex }

    /// The token at `index` (`<unk>` when out of range).
    public subscript(index i: Int) -> String { i >= 0 && i < tokens.count ? tokens[i] : Vocabulary.specials[1] }

    /// Whether `token` is in the vocabulary.
    public func contains(_ token: String) -> Bool { index[token] != nil }

    // MARK: JSON

    enum CodingKeys: String, CodingKey { case tokens }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let tokens = try c.decode([String].self, forKey: .tokens)
        guard Array(tokens.prefix(Vocabulary.specials.count)) == Vocabulary.specials else {
            throw DataError(.badFormat, "vocabulary: the first tokens must be \(Vocabulary.specials), got \(Array(tokens.prefix(4)))")
        }
        self.init(tokens: tokens)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokens, forKey: .tokens)
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.tokens == b.tokens }
}
