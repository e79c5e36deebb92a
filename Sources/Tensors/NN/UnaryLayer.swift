/// A module with one tensor in and one out (`Linear`, `Conv2d`, `ReLU`, a
/// CNN): what `Sequential` composes, like mlx-swift's `UnaryLayer`.
///
/// A layer implements `forward(_:)`; callers call the layer itself
/// (`layer(x)`), which names the layer in shape errors and records its shapes
/// during `validate`. Layers with other signatures (recurrent layers,
/// attention, `Bilinear`, losses with targets) do not conform: they declare
/// their own typed `callAsFunction` on top of `Module.call(inputs:outputs:_:)`
/// and override `Module.forward(tensors:)` for tools that call any module.
///
/// ```swift
/// final class Scale: Module, UnaryLayer {
///     @Parameter var gain = Tensor.ones([4])
///     func forward(_ x: Tensor) -> Tensor { x * gain }
/// }
/// let y = Sequential(Linear(4, 4), Scale())(x)
/// ```
public protocol UnaryLayer: Module {
    /// The computation, like PyTorch's `forward`. Call the layer (`layer(x)`)
    /// rather than this method so shape errors name the layer.
    func forward(_ input: Tensor) -> Tensor
}

extension UnaryLayer {
    /// Runs `forward(input)` as a call of this layer.
    public func callAsFunction(_ input: Tensor) -> Tensor { call(input) { forward($0) } }
}
