import Foundation

/// Language-modelling windows over a token stream, from any UTF-8 text file
/// (or a string).
///
/// The whole text is tokenized once; item `i` is the window starting at
/// `i · stride`: `input` = ids[s ..< s+T], `target` = ids[s+1 ..< s+T+1]
/// (the next token at every position). Windows that would run past the end
/// are dropped, so every item has exactly `sequenceLength` tokens. Without a
/// tokenizer a character tokenizer is fitted to the text.
///
/// ```swift
/// let data = try TextFileDataset(path: "shakespeare.txt", sequenceLength: 64)
/// let (x, y) = try data[0]          // IntTensor [64] each; y is x shifted by one
/// data.tokenizer.decode(x.values)
/// ```
public struct TextFileDataset: Dataset, CustomStringConvertible {
    /// The tokenizer used (fitted to the text unless one was given).
    public let tokenizer: Tokenizer
    /// The token ids of the whole text.
    public let ids: [Int]
    /// Tokens per item.
    public let sequenceLength: Int
    /// Tokens between the starts of consecutive items.
    public let stride: Int
    /// The source file, if any.
    public let path: String?

    /// Number of windows.
    public var count: Int { ids.count > sequenceLength ? (ids.count - sequenceLength - 1) / stride + 1 : 0 }

    /// Windows over the text of the UTF-8 file at `path`.
    /// - Throws: `DataError` for a missing file, text that is not UTF-8, or bad arguments.
    public init(path: String, sequenceLength: Int, stride: Int? = nil, tokenizer: Tokenizer? = nil) throws {
        guard fileExists(path) else { throw DataError(.notFound, "\(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError(.io, "\(path): cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError(.badFormat, "\(path): not UTF-8 text")
        }
        try self.init(text: text, sequenceLength: sequenceLength, stride: stride, tokenizer: tokenizer, path: path)
    }

    /// Windows over `text`.
    public init(text: String, sequenceLength: Int, stride: Int? = nil, tokenizer: Tokenizer? = nil,
                path: String? = nil) throws {
        guard sequenceLength > 0 else {
            throw DataError(.invalidArgument, "TextFileDataset: sequenceLength must be positive, got \(sequenceLength)")
        }
        let stride = stride ?? sequenceLength
        guard stride > 0 else { throw DataError(.invalidArgument, "TextFileDataset: stride must be positive, got \(stride)") }
        let tok = tokenizer ?? Tokenizer.character(fitting: text)
        self.tokenizer = tok
        ids = tok.encode(text)
        self.sequenceLength = sequenceLength
        self.stride = stride
        self.path = path
        guard ids.count > sequenceLength else {
            throw DataError(.invalidArgument,
                            "\(path ?? "text"): \(ids.count) tokens is too short for one window of \(sequenceLength) tokens plus a target")
        }
    }

    /// `(input ids [T], target ids [T])`.
    public subscript(index: Int, generator generator: Generator) -> (IntTensor, IntTensor) {
        get throws {
            try checkIndex(index, count, "TextFileDataset")
            let s = index * stride
            return (IntTensor(Array(ids[s..<(s + sequenceLength)])), IntTensor(Array(ids[(s + 1)..<(s + sequenceLength + 1)])))
        }
    }

    public var description: String {
        var lines = ["Dataset TextFileDataset", "    Number of datapoints: \(count)"]
        if let path { lines.append("    Root location: \(path)") }
        lines.append("    Tokens: \(ids.count), vocabulary: \(tokenizer.vocabularySize) (\(tokenizer.kind.rawValue))")
        lines.append("    Sequence length: \(sequenceLength), stride: \(stride)")
        return lines.joined(separator: "\n")
    }
}

/// Stacks language-modelling items into `(inputs [B, T], targets [B, T])`.
/// - Throws: `DataError` if the items have different lengths.
public func languageModelCollate(_ items: [(IntTensor, IntTensor)]) throws -> (IntTensor, IntTensor) {
    guard let t = items.first?.0.count else { return (IntTensor([], shape: [0, 0]), IntTensor([], shape: [0, 0])) }
    for (k, item) in items.enumerated() where item.0.count != t || item.1.count != t {
        throw DataError(.invalidArgument, "languageModelCollate: item \(k) has \(item.0.count) tokens, expected \(t); use padCollate for variable lengths")
    }
    return (IntTensor(items.flatMap(\.0.values), shape: [items.count, t]),
            IntTensor(items.flatMap(\.1.values), shape: [items.count, t]))
}
