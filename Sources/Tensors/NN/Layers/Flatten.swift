/// Flattens dims `startDim...endDim` (by default all but the batch dim), like `nn.Flatten`.
public final class Flatten: Module {
    public let startDim: Int
    public let endDim: Int

    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim, endDim: endDim) }

    public override func extraRepr() -> String { "start_dim=\(startDim), end_dim=\(endDim)" }
}
