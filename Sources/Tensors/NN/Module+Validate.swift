/// Shape validation of a whole model without computing anything.
extension Module {
    /// Runs `forward` on a meta tensor of `inputShape` (the full shape,
    /// including the batch dimension) and reports every module call in order
    /// (pre-order: a module before its children) with its output shape.
    ///
    /// No data is read or written, no gradient is recorded, running
    /// statistics and random generators are untouched. On a shape error it
    /// throws `ModelShapeError`, which names the failing layer
    /// (`conv2: conv2d: …`) and still carries the per-layer list: layers that
    /// completed before the error have shapes, the failing one and its
    /// parents have `outputShape == nil`.
    ///
    /// ```swift
    /// for layer in try LeNet5().validate(inputShape: [1, 3, 32, 32]) {
    ///     print(layer.path, layer.typeName, layer.outputShape ?? [])
    /// }
    /// ```
    public func validate(inputShape: [Int]) throws -> [LayerShape] {
        try validate(inputShapes: [inputShape])
    }

    /// Validation for a module of any signature: runs `forward(tensors:)` on
    /// meta tensors of `inputShapes` (an LSTM: `[[T, N, F]]` or with
    /// `[[L, N, H], [L, N, H]]` for `h0` and `c0`).
    public func validate(inputShapes: [[Int]]) throws -> [LayerShape] {
        if let bad = inputShapes.first(where: { $0.contains { $0 < 0 } }) {
            throw ModelShapeError(error: ShapeError(op: "validate", "input shape \(bad) has a negative size"), layers: [])
        }
        return try validate { _ = try self.forward(tensors: inputShapes.map { Tensor.meta($0) }) }
    }

    /// Validation of any call: `body` runs with shape checking on, no
    /// gradient recorded and every module call recorded; build its inputs
    /// with `Tensor.meta(shape)` so nothing is computed.
    ///
    /// ```swift
    /// let layers = try attention.validate { _ = attention(.meta([2, 5, 16]), .meta([2, 7, 16]), .meta([2, 7, 16])) }
    /// ```
    public func validate(_ body: () throws -> Void) throws -> [LayerShape] {
        let recorder = ShapeRecorder()
        let ctx = ModuleContext.current
        let saved = ctx.recorder
        ctx.recorder = recorder
        defer { ctx.recorder = saved }
        do {
            try noGrad { try ShapeCheck.run { try body() } }
        } catch let error as ShapeError {
            throw ModelShapeError(error: error, layers: recorder.layers)
        }
        return recorder.layers
    }
}

/// One module call seen by `Module.validate(inputShape:)`.
public struct LayerShape: Equatable, Sendable {
    /// Dotted path from the validated module (`""` for the module itself).
    public var path: String
    /// Printed type name (`Conv2d`).
    public var typeName: String
    /// Nesting depth (0 for the validated module).
    public var depth: Int
    /// Shapes of the call's input tensors, in argument order.
    public var inputShapes: [[Int]]
    /// Shapes of the call's output tensors (an LSTM: output, h_n, c_n), nil if
    /// this call failed or ran after an error.
    public var outputShapes: [[Int]]?
    /// Parameters of this module and its descendants.
    public var parameterCount: Int

    /// Shape of the first input.
    public var inputShape: [Int] { inputShapes.first ?? [] }
    /// Shape of the first output, nil if the call failed.
    public var outputShape: [Int]? { outputShapes.map { $0.first ?? [] } }
}

/// A shape error found by `validate(inputShape:)`, with the layers seen so far.
public struct ModelShapeError: TensorsError, Equatable, Sendable {
    /// The first shape error; its `modulePath` is the failing layer.
    public var error: ShapeError
    /// The layer calls seen up to and including the failure.
    public var layers: [LayerShape]

    /// Path of the layer that failed (`""` when the validated module's own code failed).
    public var failingPath: String { error.modulePath ?? "" }

    public var description: String { error.description }
}

/// Collects `LayerShape`s during validation (one thread).
final class ShapeRecorder {
    var layers: [LayerShape] = []

    func begin(path: String, typeName: String, depth: Int, inputShapes: [[Int]], parameterCount: Int) -> Int {
        layers.append(LayerShape(path: path, typeName: typeName, depth: depth, inputShapes: inputShapes,
                                 outputShapes: nil, parameterCount: parameterCount))
        return layers.count - 1
    }

    func end(_ slot: Int, outputShapes: [[Int]], failed: Bool) {
        if !failed { layers[slot].outputShapes = outputShapes }
    }
}
