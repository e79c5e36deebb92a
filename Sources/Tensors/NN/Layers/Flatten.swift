/// Flattens dims `startDim...endDim` (by default all but the batch dim), like `nn.Flatten`.
public final class Flatten: Module, UnaryLayer {
    /// First dim to flatten.
    public let startDim: Int
    /// Last dim to flatten (negative counts from the end).
    public let endDim: Int

    /// Flattens `startDim...endDim`.
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim, endDim: endDim) }

    public override func extraRepr() -> String { "start_dim=\(startDim), end_dim=\(endDim)" }
}
