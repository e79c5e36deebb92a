import Foundation
import Tensors

/// The generate form: the sampling settings as text fields, the last accepted values
/// (a bad value is refused and the field goes back to it) and the sampled text.
///
/// ```swift
/// var f = GenerateForm()
/// f.input(.temperature) = TextInput("hot")
/// f.commit()            // nil: "temperature: expected a number, got 'hot' (kept 0.8)"
/// ```
public struct GenerateForm: Equatable, Sendable {
    /// The settings last accepted (what a sample runs with).
    public private(set) var settings: TextSampling
    /// The fields' text, in `TextSampling.Field` order.
    public var inputs: [TextInput]
    /// The field being edited.
    public var selected: TextSampling.Field = .prompt
    /// What the last commit or sample said, and whether it is an error.
    public var message: String?
    public var messageIsError = false
    /// The sampled text (prompt included), growing while the request runs.
    public var output = ""
    /// Tokens sampled so far in `output`.
    public var sampledTokens = 0
    /// The request whose updates are shown (nil: none in flight).
    public var pending: Int?
    /// Sample again with the same settings after each epoch of a run (the model's progress, live).
    public var resampleEachEpoch = true
    /// Where the shown text's weights came from ("step 120 of the run").
    public var origin = ""

    public init(_ settings: TextSampling = TextSampling(prompt: "", maxTokens: 120, temperature: 0.8, topK: 0, seed: 0)) {
        self.settings = settings
        inputs = TextSampling.Field.allCases.map { TextInput(GenerateForm.format($0, settings)) }
    }

    /// The text field of `field`.
    public func input(_ field: TextSampling.Field) -> TextInput { inputs[Self.position(field)] }

    /// Replaces the text of `field`.
    public mutating func setInput(_ field: TextSampling.Field, _ input: TextInput) { inputs[Self.position(field)] = input }

    static func position(_ field: TextSampling.Field) -> Int { TextSampling.Field.allCases.firstIndex(of: field) ?? 0 }

    /// Moves to the next (`by: 1`) or previous field, wrapping.
    public mutating func move(by d: Int) {
        let all = TextSampling.Field.allCases
        selected = all[((Self.position(selected) + d) % all.count + all.count) % all.count]
    }

    /// A setting as its field shows it (the prompt with `\n` for newlines).
    public static func format(_ field: TextSampling.Field, _ s: TextSampling) -> String {
        switch field {
        case .prompt: return TextSample.escape(s.prompt)
        case .maxTokens: return String(s.maxTokens)
        case .temperature: return HyperparameterField.formatNumber(s.temperature)
        case .topK: return String(s.topK)
        case .seed: return String(s.seed)
        }
    }

    /// Reads every field. All good: they become `settings`, which is returned. Otherwise
    /// nothing changes but the bad fields, which go back to their accepted values, and the
    /// message says what was wrong with each.
    @discardableResult
    public mutating func commit() -> TextSampling? {
        var next = settings
        var problems: [(TextSampling.Field, String)] = []
        for field in TextSampling.Field.allCases {
            let text = input(field).text.trimmingCharacters(in: .whitespaces)
            switch field {
            case .prompt: next.prompt = GenerateForm.unescape(input(field).text)
            case .maxTokens:
                if let v = Int(text) { next.maxTokens = v } else { problems.append((field, "expected a whole number, got '\(text)'")) }
            case .temperature:
                if let v = Double(text), v.isFinite { next.temperature = v } else { problems.append((field, "expected a number, got '\(text)'")) }
            case .topK:
                if let v = Int(text) { next.topK = v } else { problems.append((field, "expected a whole number (0: all tokens), got '\(text)'")) }
            case .seed:
                if let v = UInt64(text) { next.seed = v } else { problems.append((field, "expected a whole number >= 0, got '\(text)'")) }
            }
        }
        for p in next.problems where !problems.contains(where: { $0.0 == p.field }) { problems.append((p.field, p.message)) }
        guard problems.isEmpty else {
            for (field, _) in problems { setInput(field, TextInput(GenerateForm.format(field, settings))) }
            message = problems.map { "\($0.0.label) \($0.1) (kept \(GenerateForm.format($0.0, settings)))" }.joined(separator: "; ")
            messageIsError = true
            return nil
        }
        settings = next
        return next
    }

    /// `text` with the escapes `\n`, `\t` and `\\` a one-line field uses turned back into characters.
    public static func unescape(_ text: String) -> String {
        var out = ""
        var escaping = false
        for ch in text {
            if escaping {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\\": out.append("\\")
                default: out.append("\\"); out.append(ch)
                }
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        if escaping { out.append("\\") }
        return out
    }
}
