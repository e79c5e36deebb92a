/// A multi-layer perceptron like `torchvision.ops.MLP`: for each entry of
/// `hiddenChannels` but the last, Linear → ReLU → Dropout; then a final
/// Linear to the last entry (and Dropout, as torchvision does). Inputs of
/// any shape [N, …] are flattened to [N, inChannels] first. It is a
/// `Sequential`, so it prints and keys (`0.weight`, `3.bias`) like the torch one.
///
/// ```swift
/// let mlp = MLP(inChannels: 8, hiddenChannels: [64, 64, 1])   // 8 features → 1 value
/// ```
public final class MLP: Sequential {
    /// Features per flattened input.
    public let inChannels: Int

    /// Layers as torchvision builds them (`dropout` 0 keeps the Dropout layers, as torchvision does, but inert).
    public init(inChannels: Int, hiddenChannels: [Int], dropout: Double = 0, generator: Generator? = nil) {
        precondition(inChannels > 0, "MLP: in_channels must be positive, got \(inChannels)")
        precondition(!hiddenChannels.isEmpty && hiddenChannels.allSatisfy { $0 > 0 },
                     "MLP: hidden_channels must be a non-empty list of positive sizes, got \(hiddenChannels)")
        self.inChannels = inChannels
        var layers: [any UnaryLayer] = []
        var width = inChannels
        for h in hiddenChannels.dropLast() {
            layers += [Linear(width, h, generator: generator), ReLU(), Dropout(p: dropout)]
            width = h
        }
        layers += [Linear(width, hiddenChannels[hiddenChannels.count - 1], generator: generator), Dropout(p: dropout)]
        super.init(layers)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        super.forward(input.rank == 2 ? input : input.reshape([-1, inChannels]))
    }

    public override var typeName: String { "MLP" }
}
