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
        let recorder = ShapeRecorder()
        guard inputShape.allSatisfy({ $0 >= 0 }) else {
            throw ModelShapeError(error: ShapeError(op: "validate", "input shape \(inputShape) has a negative size"), layers: [])
        }
        let ctx = ModuleContext.current
        let saved = ctx.recorder
        ctx.recorder = recorder
        defer { ctx.recorder = saved }
        do {
            _ = try noGrad { try ShapeCheck.run { self(Tensor.meta(inputShape)) } }
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
    /// Shape of the layer's input.
    public var inputShape: [Int]
    /// Output shape, nil if this call failed or ran after an error.
    public var outputShape: [Int]?
    /// Parameters of this module and its descendants.
    public var parameterCount: Int
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

    func begin(path: String, typeName: String, depth: Int, inputShape: [Int], parameterCount: Int) -> Int {
        layers.append(LayerShape(path: path, typeName: typeName, depth: depth, inputShape: inputShape,
                                 outputShape: nil, parameterCount: parameterCount))
        return layers.count - 1
    }

    func end(_ slot: Int, outputShape: [Int], failed: Bool) {
        if !failed { layers[slot].outputShape = outputShape }
    }
}
