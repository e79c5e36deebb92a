/// One ranked output of a model for one input: class index, its label and probability.
public struct Prediction: Equatable, Sendable, Codable {
    /// Output index (class).
    public var index: Int
    /// The class name (or the index as text when the file has no names).
    public var label: String
    /// Softmax probability (classification) or the output value (regression).
    public var score: Double

    /// A prediction.
    public init(index: Int, label: String, score: Double) {
        self.index = index
        self.label = label
        self.score = score
    }
}

/// An input `predict` or `serve` cannot use, naming it (file, row, request).
public struct PredictionError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
