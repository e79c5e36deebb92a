import Foundation

/// Exports a model to ONNX (opset 17, dynamic batch dimension, initialisers
/// named by the state-dict keys: `conv1.weight`, `layer1.0.bn1.running_mean`).
///
/// The exporter walks the module tree: containers (`Sequential`, `MLP`,
/// a model file's `Residual`, `Add` and `Concat` blocks), the
/// zoo's models (their `forward` written out as ONNX nodes) and the layers
/// Conv2d, Linear (Gemm), BatchNorm1d/2d, ReLU, LeakyReLU, Sigmoid, Tanh,
/// Softmax, LogSoftmax, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
/// (GlobalAveragePool or an equivalent AveragePool), Flatten, Dropout and
/// Identity (both pass-through at inference). Any other layer stops the
/// export with an error naming it.
///
/// ```swift
/// let model = try ModelZoo.make("lenet5")
/// let bytes = try ONNXExporter.export(model, inputShape: [3, 32, 32], name: "lenet5")
/// try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: "lenet5.onnx"))
/// ```
public enum ONNXExporter {
    /// The graph input's name.
    public static let inputName = "input"
    /// The graph output's name.
    public static let outputName = "output"

    /// The serialised ONNX model of `model` (in eval mode) for samples of `inputShape` (no batch dim).
    public static func export(_ model: any UnaryLayer, inputShape: [Int], name: String,
                              docString: String? = nil, metadata: [String: String] = [:]) throws -> [UInt8] {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var b = Builder(graph: ONNXGraph(name: name))
        let input = Value(name: inputName, shape: [1] + inputShape)
        let out = try b.emit(model, path: "", input)
        b.graph.node("Identity", inputs: [out.name], name: "output_identity")
        // Rename the last node's output to the graph output name.
        var graph = b.graph
        graph.renameLastOutput(to: outputName)
        let dims: [ONNXGraph.Dim] = ["batch"] + inputShape.map { .value($0) }
        let outDims: [ONNXGraph.Dim] = ["batch"] + out.shape.dropFirst().map { .value($0) }
        return graph.model(input: (inputName, dims), output: (outputName, outDims), docString: docString,
                           metadata: metadata)
    }

    /// A value in the graph: its name and its shape for a batch of one.
    struct Value {
        var name: String
        var shape: [Int]
    }

    struct Builder {
        var graph: ONNXGraph

        func key(_ path: String, _ leaf: String) -> String { path.isEmpty ? leaf : "\(path).\(leaf)" }
        func nodeName(_ path: String, _ op: String) -> String { path.isEmpty ? op : "\(path)/\(op)" }

        /// The shape `layer` gives for `shape` (run on a meta tensor: no compute).
        func shape(of layer: any UnaryLayer, _ shape: [Int]) -> [Int] {
            layer(Tensor.meta(shape)).shape
        }

        mutating func op(_ type: String, _ path: String, _ inputs: [String], shape: [Int],
                         _ attributes: [(String, ONNXGraph.Attribute)] = []) -> Value {
            Value(name: graph.node(type, inputs: inputs, name: nodeName(path, type), attributes: attributes), shape: shape)
        }

        mutating func relu(_ x: Value, _ path: String) -> Value { op("Relu", path, [x.name], shape: x.shape) }

        mutating func flatten(_ x: Value, _ path: String) -> Value {
            op("Flatten", path, [x.name], shape: [x.shape[0], x.shape.dropFirst().reduce(1, *)], [("axis", .int(1))])
        }

        mutating func maxPool2(_ x: Value, _ path: String) -> Value {
            let s = [x.shape[0], x.shape[1], x.shape[2] / 2, x.shape[3] / 2]
            return op("MaxPool", path, [x.name], shape: s,
                      [("kernel_shape", .ints([2, 2])), ("strides", .ints([2, 2])), ("pads", .ints([0, 0, 0, 0]))])
        }

        // swiftlint:disable:next cyclomatic_complexity
        mutating func emit(_ module: Module, path: String, _ x: Value) throws -> Value {
            switch module {
            case let m as LeNet5:
                var v = relu(try emit(m.conv1, path: key(path, "conv1"), x), key(path, "relu1"))
                v = maxPool2(v, key(path, "pool1"))
                v = relu(try emit(m.conv2, path: key(path, "conv2"), v), key(path, "relu2"))
                v = maxPool2(v, key(path, "pool2"))
                v = flatten(v, key(path, "flatten"))
                v = relu(try emit(m.fc1, path: key(path, "fc1"), v), key(path, "relu3"))
                v = relu(try emit(m.fc2, path: key(path, "fc2"), v), key(path, "relu4"))
                return try emit(m.fc3, path: key(path, "fc3"), v)
            case let m as SimpleNet:
                guard x.shape.dropFirst().reduce(1, *) == m.inFeatures else {
                    throw ONNXExportError("SimpleNet expects \(m.inFeatures) input values per sample, got shape \(Array(x.shape.dropFirst()))")
                }
                var v = flatten(x, key(path, "flatten"))
                v = relu(try emit(m.fc1, path: key(path, "fc1"), v), key(path, "relu1"))
                v = relu(try emit(m.fc2, path: key(path, "fc2"), v), key(path, "relu2"))
                v = try emit(m.fc3, path: key(path, "fc3"), v)
                return m.softmaxOutput ? op("Softmax", key(path, "softmax"), [v.name], shape: v.shape, [("axis", .int(1))]) : v
            case let m as ResNet:
                var v = try emit(m.conv1, path: key(path, "conv1"), x)
                v = try emit(m.bn1, path: key(path, "bn1"), v)
                v = try emit(m.relu, path: key(path, "relu"), v)
                v = try emit(m.maxpool, path: key(path, "maxpool"), v)
                for (n, layer) in [("layer1", m.layer1), ("layer2", m.layer2), ("layer3", m.layer3), ("layer4", m.layer4)] {
                    v = try emit(layer, path: key(path, n), v)
                }
                v = try emit(m.avgpool, path: key(path, "avgpool"), v)
                v = flatten(v, key(path, "flatten"))
                return try emit(m.fc, path: key(path, "fc"), v)
            case let m as BasicBlock:
                var v = try emit(m.conv1, path: key(path, "conv1"), x)
                v = try emit(m.bn1, path: key(path, "bn1"), v)
                v = relu(v, key(path, "relu1"))
                v = try emit(m.conv2, path: key(path, "conv2"), v)
                v = try emit(m.bn2, path: key(path, "bn2"), v)
                let identity = try m.downsample.map { try emit($0, path: key(path, "downsample"), x) } ?? x
                let sum = op("Add", key(path, "add"), [v.name, identity.name], shape: v.shape)
                return relu(sum, key(path, "relu2"))
            case let m as VGG:
                var v = try emit(m.features, path: key(path, "features"), x)
                v = try emit(m.avgpool, path: key(path, "avgpool"), v)
                v = flatten(v, key(path, "flatten"))
                return try emit(m.classifier, path: key(path, "classifier"), v)
            case let m as Residual:
                var v = x
                for (k, layer) in zip(m.keys, m.layers) { v = try emit(layer, path: key(path, k), v) }
                return op("Add", key(path, "add"), [x.name, v.name], shape: v.shape)
            case let m as ParallelBranches:
                let outs = try m.branches.enumerated().map { try emit($0.element, path: key(path, String($0.offset)), x) }
                switch m.join {
                case .add:
                    return outs.dropFirst().enumerated().reduce(outs[0]) { acc, next in
                        op("Add", key(path, "add\(next.offset)"), [acc.name, next.element.name], shape: acc.shape)
                    }
                case .concat(let dim):
                    var shape = outs[0].shape
                    shape[dim] = outs.map { $0.shape[dim] }.reduce(0, +)
                    return op("Concat", path, outs.map(\.name), shape: shape, [("axis", .int(dim))])
                }
            case let m as Sequential:
                var v = x
                if let mlp = m as? MLP, v.shape.count != 2 {
                    guard v.shape.dropFirst().reduce(1, *) == mlp.inChannels else {
                        throw ONNXExportError("MLP expects \(mlp.inChannels) input features, got shape \(Array(v.shape.dropFirst()))")
                    }
                    v = flatten(v, key(path, "flatten"))
                }
                for (k, layer) in zip(m.keys, m.layers) { v = try emit(layer, path: key(path, k), v) }
                return v
            case let m as Conv2d:
                return try conv(m, path, x)
            case let m as Linear:
                guard x.shape.count == 2 else {
                    throw ONNXExportError("layer '\(path)' (Linear) on a rank-\(x.shape.count) input: only [batch, features] inputs are exported")
                }
                var inputs = [x.name, graph.initializer(key(path, "weight"), m.weight)]
                if let b = m.bias { inputs.append(graph.initializer(key(path, "bias"), b)) }
                return op("Gemm", path, inputs, shape: [x.shape[0], m.outFeatures],
                          [("alpha", .float(1)), ("beta", .float(1)), ("transB", .int(1))])
            case let m as BatchNorm:
                return try batchNorm(m, path, x)
            case is ReLU:
                return relu(x, path)
            case let m as LeakyReLU:
                return op("LeakyRelu", path, [x.name], shape: x.shape, [("alpha", .float(Float(m.negativeSlope)))])
            case is Sigmoid:
                return op("Sigmoid", path, [x.name], shape: x.shape)
            case is Tanh:
                return op("Tanh", path, [x.name], shape: x.shape)
            case let m as Softmax:
                return op("Softmax", path, [x.name], shape: x.shape, [("axis", .int(m.dim ?? 1))])
            case let m as LogSoftmax:
                return op("LogSoftmax", path, [x.name], shape: x.shape, [("axis", .int(m.dim ?? 1))])
            case let m as MaxPool2d:
                let p = m.padding.pair
                return op("MaxPool", path, [x.name], shape: shape(of: m, x.shape),
                          [("kernel_shape", .ints([m.kernelSize.h, m.kernelSize.w])), ("strides", .ints([m.stride.h, m.stride.w])),
                           ("pads", .ints([p.h, p.w, p.h, p.w])), ("dilations", .ints([m.dilation.h, m.dilation.w])),
                           ("ceil_mode", .int(m.ceilMode ? 1 : 0))])
            case let m as AvgPool2d:
                guard m.divisorOverride == nil else {
                    throw ONNXExportError("layer '\(path)' (AvgPool2d with divisor_override) has no ONNX export")
                }
                let p = m.padding.pair
                return op("AveragePool", path, [x.name], shape: shape(of: m, x.shape),
                          [("kernel_shape", .ints([m.kernelSize.h, m.kernelSize.w])), ("strides", .ints([m.stride.h, m.stride.w])),
                           ("pads", .ints([p.h, p.w, p.h, p.w])), ("ceil_mode", .int(m.ceilMode ? 1 : 0)),
                           ("count_include_pad", .int(m.countIncludePad ? 1 : 0))])
            case let m as AdaptiveAvgPool2d:
                let out = shape(of: m, x.shape)
                if out[2] == 1 && out[3] == 1 { return op("GlobalAveragePool", path, [x.name], shape: out) }
                if out[2] == x.shape[2] && out[3] == x.shape[3] { return x }
                guard x.shape[2] % out[2] == 0, x.shape[3] % out[3] == 0 else {
                    throw ONNXExportError("layer '\(path)' (AdaptiveAvgPool2d) from \(x.shape[2])x\(x.shape[3]) to \(out[2])x\(out[3]): only exact divisions are exported")
                }
                let k = [x.shape[2] / out[2], x.shape[3] / out[3]]
                return op("AveragePool", path, [x.name], shape: out, [("kernel_shape", .ints(k)), ("strides", .ints(k))])
            case let m as Flatten:
                guard m.startDim == 1, m.endDim == -1 || m.endDim == x.shape.count - 1 else {
                    throw ONNXExportError("layer '\(path)' (Flatten(start_dim=\(m.startDim), end_dim=\(m.endDim))): only start_dim=1 to the end is exported")
                }
                return flatten(x, path)
            case is Dropout, is Identity:
                return x
            default:
                let shown = path.isEmpty ? "the model" : "layer '\(path)'"
                throw ONNXExportError("\(shown) (\(module.typeName)) has no ONNX export yet")
            }
        }

        mutating func conv(_ m: Conv2d, _ path: String, _ x: Value) throws -> Value {
            let kh = m.kernelSize.h, kw = m.kernelSize.w
            let pads: [Int]
            switch m.padding {
            case .size(let s): pads = [s.h, s.w, s.h, s.w]
            case .valid: pads = [0, 0, 0, 0]
            case .same:
                let th = m.dilation.h * (kh - 1), tw = m.dilation.w * (kw - 1)
                pads = [th / 2, tw / 2, th - th / 2, tw - tw / 2]
            }
            var inputs = [x.name, graph.initializer(key(path, "weight"), m.weight)]
            if let b = m.bias { inputs.append(graph.initializer(key(path, "bias"), b)) }
            return op("Conv", path, inputs, shape: shape(of: m, x.shape),
                      [("kernel_shape", .ints([kh, kw])), ("strides", .ints([m.stride.h, m.stride.w])),
                       ("pads", .ints(pads)), ("dilations", .ints([m.dilation.h, m.dilation.w])), ("group", .int(m.groups))])
        }

        mutating func batchNorm(_ m: BatchNorm, _ path: String, _ x: Value) throws -> Value {
            guard let mean = m.runningMean, let variance = m.runningVar else {
                throw ONNXExportError("layer '\(path)' (\(m.typeName) without running statistics) has no ONNX export")
            }
            let c = m.numFeatures
            let scale = m.weight.map { graph.initializer(key(path, "weight"), $0) }
                ?? graph.initializer(key(path, "weight"), Tensor(Array(repeating: Float(1), count: c), shape: [c]))
            let bias = m.bias.map { graph.initializer(key(path, "bias"), $0) }
                ?? graph.initializer(key(path, "bias"), Tensor(Array(repeating: Float(0), count: c), shape: [c]))
            let inputs = [x.name, scale, bias, graph.initializer(key(path, "running_mean"), mean),
                          graph.initializer(key(path, "running_var"), variance)]
            return op("BatchNormalization", path, inputs, shape: x.shape, [("epsilon", .float(Float(m.eps)))])
        }
    }
}

extension ONNXGraph {
    /// Renames the last node's output (the graph's result) to `name`.
    mutating func renameLastOutput(to name: String) {
        guard !nodes.isEmpty else { return }
        renameOutput(at: nodes.count - 1, to: name)
    }
}

/// A model (or one of its layers) that cannot be written as ONNX, naming it.
public struct ONNXExportError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { "ONNX export: \(message)" }
}
