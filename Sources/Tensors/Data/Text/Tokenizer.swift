import Foundation

/// Splits text into tokens and maps them to vocabulary indices and back.
///
/// Two kinds ship: `.character` (every Unicode character is a token; decoding
/// concatenates) and `.word` (whitespace-separated words, optionally
/// lowercased; decoding joins with spaces). A tokenizer is saved as JSON
/// with its vocabulary (`save(to:)` / `Tokenizer(contentsOf:)`), so a
/// language model's weights and its tokenizer travel together.
///
/// ```swift
/// let tok = Tokenizer.character(fitting: "hello world")
/// let ids = tok.encode("hello")            // [.., .., .., .., ..]
/// tok.decode(ids)                          // "hello"
/// try tok.save(to: url)                    // {"kind":"character","vocabulary":{"tokens":[...]}, ...}
/// ```
public struct Tokenizer: Equatable, Sendable, Codable {
    /// How text is split.
    public enum Kind: String, Sendable, Codable {
        /// One token per character.
        case character
        /// One token per whitespace-separated word.
        case word
    }

    /// How text is split.
    public let kind: Kind
    /// The token table.
    public let vocabulary: Vocabulary
    /// Whether words are lowercased before lookup (word tokenizers).
    public let lowercase: Bool

    /// A tokenizer with an existing vocabulary.
    public init(kind: Kind, vocabulary: Vocabulary, lowercase: Bool = false) {
        self.kind = kind
        self.vocabulary = vocabulary
        self.lowercase = lowercase
    }

    /// A character tokenizer whose vocabulary is the characters of `text`.
    public static func character(fitting text: String) -> Tokenizer {
        Tokenizer(kind: .character, vocabulary: Vocabulary(building: text.map(String.init)))
    }

    /// A word tokenizer whose vocabulary is the words of `texts` (seen at
    /// least `minFrequency` times, at most `maxSize` entries).
    public static func word<S: Sequence>(fitting texts: S, lowercase: Bool = true, minFrequency: Int = 1,
                                         maxSize: Int? = nil) -> Tokenizer where S.Element == String {
        let base = Tokenizer(kind: .word, vocabulary: Vocabulary(tokens: []), lowercase: lowercase)
        let words = texts.lazy.flatMap { base.tokenize($0) }
        return Tokenizer(kind: .word, vocabulary: Vocabulary(building: words, minFrequency: minFrequency, maxSize: maxSize),
                         lowercase: lowercase)
    }

    /// Number of tokens in the vocabulary (the size of an LM's output).
    public var vocabularySize: Int { vocabulary.count }

    /// The tokens of `text`.
    public func tokenize(_ text: String) -> [String] {
        switch kind {
        case .character: return text.map(String.init)
        case .word:
            let t = lowercase ? text.lowercased() : text
            return t.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        }
    }

    /// The indices of `text`'s tokens, optionally framed by `<bos>` / `<eos>`.
    public func encode(_ text: String, addBos: Bool = false, addEos: Bool = false) -> [Int] {
        var ids = tokenize(text).map { vocabulary[$0] }
        if addBos { ids.insert(vocabulary.bosIndex, at: 0) }
        if addEos { ids.append(vocabulary.eosIndex) }
        return ids
    }

    /// The text of `ids`; special tokens are dropped unless `keepSpecials`.
    public func decode(_ ids: [Int], keepSpecials: Bool = false) -> String {
        let toks = ids.compactMap { i -> String? in
            if !keepSpecials && i >= 0 && i < Vocabulary.specials.count { return nil }
            return vocabulary[index: i]
        }
        return kind == .character ? toks.joined() : toks.joined(separator: " ")
    }

    // MARK: Files

    /// The tokenizer as JSON text.
    public func jsonString() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    /// A tokenizer from `jsonString()` output.
    public init(jsonString: String) throws {
        do {
            self = try JSONDecoder().decode(Tokenizer.self, from: Data(jsonString.utf8))
        } catch let e as DataError {
            throw e
        } catch {
            throw DataError(.badFormat, "tokenizer JSON: \(error.localizedDescription)")
        }
    }

    /// Writes the tokenizer as JSON (atomically).
    public func save(to url: URL) throws {
        try Data(try jsonString().utf8).write(to: url, options: .atomic)
    }

    /// Reads a tokenizer saved with `save(to:)`.
    public init(contentsOf url: URL) throws {
        guard let data = try? Data(contentsOf: url) else { throw DataError(.notFound, "\(url.path): no such file") }
        try self.init(jsonString: String(decoding: data, as: UTF8.self))
    }
}
