/// One `conv2d` call's contiguous inputs and geometry: what a deferred
/// convolution output (and the fused ops after it, see `ConvPeephole`) needs
/// to compute its values later, with any epilogue.
final class ConvCall {
    let x: Tensor, weight: Tensor, bias: Tensor?
    let geometry: ConvGeometry

    init(x: Tensor, weight: Tensor, bias: Tensor?, geometry: ConvGeometry) {
        self.x = x
        self.weight = weight
        self.bias = bias
        self.geometry = geometry
    }

    /// Writes `epilogue(conv(x, weight) + bias)` to `out` ([N, M, OH, OW], or pooled).
    func forward(_ epilogue: ConvKernels.Epilogue, into out: UnsafeMutablePointer<Float>) {
        ConvKernels.forward(x: x.dataPointer, weight: weight.dataPointer, bias: bias?.dataPointer, geometry,
                            epilogue: epilogue, out: out)
        withExtendedLifetime(self) {}
    }
}
