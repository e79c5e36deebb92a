import Tensors

/// What one layer call costs, as the model pane shows it: forward FLOPs (2 per
/// multiply-add for layers with a weight matrix or kernel — convolutions and
/// linear layers —, one per output element for the rest) and the bytes of its
/// output (float32), both for one sample.
enum LayerCost {
    /// Forward FLOPs of `module`'s own call `call` (a leaf; containers add their children's).
    static func flops(_ module: Module, _ call: LayerShape) -> Int? {
        guard let out = call.outputShape else { return nil }
        let outputs = out.reduce(1, *)
        if let w = module.namedParameters().first(where: { $0.0 == "weight" })?.1, w.shape.count >= 2, w.shape[0] > 0 {
            let perOutput = w.count / w.shape[0]
            // A transposed convolution's weight is [in, out/groups, k…]: one kernel per input element.
            if module.typeName.hasPrefix("ConvTranspose") { return 2 * call.inputShape.reduce(1, *) * perOutput }
            return 2 * outputs * perOutput
        }
        return outputs
    }

    /// Bytes of the call's output.
    static func outputBytes(_ call: LayerShape) -> Int? { call.outputShape.map { $0.reduce(1, *) * MemoryLayout<Float>.size } }

    /// The tree node of `module` (attribute `name`, dotted `path`) with the calls validation recorded.
    static func info(_ m: Module, name: String, path: String, calls: [String: LayerShape]) -> ModelInfo {
        let kids = m.namedChildren()
        let children = kids.map { info($0.1, name: $0.0, path: path.isEmpty ? $0.0 : path + "." + $0.0, calls: calls) }
        let own = max(0, m.parameterCount - kids.reduce(0) { $0 + $1.1.parameterCount })
        let call = calls[path]
        return ModelInfo(name: name, type: m.typeName, detail: m.extraRepr(), outputShape: call?.outputShape,
                         ownParameters: own, children: children,
                         flops: kids.isEmpty ? call.flatMap { flops(m, $0) } : nil,
                         outputBytes: kids.isEmpty ? call.flatMap(outputBytes) : nil)
    }
}
