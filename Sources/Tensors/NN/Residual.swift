/// A residual block: its layers run in order like a `Sequential` and the
/// block's input is added to their output (`x + body(x)`), the shortcut of a
/// ResNet block without a projection.
///
/// Keys are a Sequential's (`0.weight`, `1.running_mean`), so the PyTorch
/// equivalent is `class Residual(nn.Sequential)` whose `forward` returns
/// `x + super().forward(x)`. The body must keep the input's shape.
///
/// ```swift
/// let block = Residual([Conv2d(16, 16, kernelSize: 3, padding: 1), BatchNorm2d(16), ReLU()])
/// let y = block(x)   // x + body(x)
/// ```
public final class Residual: Sequential {
    public override func forward(_ input: Tensor) -> Tensor {
        input + super.forward(input)
    }
}
