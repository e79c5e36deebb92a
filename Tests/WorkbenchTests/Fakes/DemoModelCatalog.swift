import Tensors
@testable import WorkbenchCore
/// A few zoo models described by layer specs, with shapes computed by hand.
///
/// Stand-in for the real model zoo (`Tensors/Models`) until it lands: the real catalog
/// builds the module and runs a shape-only forward under `ShapeCheck.run`.
public final class DemoModelCatalog: ModelCatalog {
    public init() {}

    public var modelNames: [String] { ["LeNet5", "MLP", "SimpleCNN", "AlexNet"] }

    indirect enum Spec {
        case conv(Int, Int, k: Int, s: Int = 1, p: Int = 0)
        case maxPool(k: Int, s: Int)
        case adaptiveAvgPool(Int)
        case relu
        case dropout
        case batchNorm(Int)
        case flatten
        case linear(Int, Int)
        case seq(String, [(String, Spec)])
    }

    func spec(_ name: String, inputShape: [Int], numClasses: Int) -> Spec? {
        let c = inputShape.first ?? 3
        let hw = inputShape.count == 3 ? inputShape[1] * inputShape[2] : 1024
        switch name {
        case "LeNet5":
            return .seq("LeNet5", [
                ("conv1", .conv(c, 6, k: 5)), ("relu1", .relu), ("pool1", .maxPool(k: 2, s: 2)),
                ("conv2", .conv(6, 16, k: 5)), ("relu2", .relu), ("pool2", .maxPool(k: 2, s: 2)),
                ("flatten", .flatten), ("fc1", .linear(400, 120)), ("relu3", .relu),
                ("fc2", .linear(120, 84)), ("relu4", .relu), ("fc3", .linear(84, numClasses)),
            ])
        case "MLP":
            return .seq("MLP", [
                ("flatten", .flatten),
                ("layers", .seq("Sequential", [
                    ("0", .linear(c * hw, 512)), ("1", .relu), ("2", .dropout),
                    ("3", .linear(512, 256)), ("4", .relu), ("5", .linear(256, numClasses)),
                ])),
            ])
        case "SimpleCNN":
            return .seq("SimpleCNN", [
                ("features", .seq("Sequential", [
                    ("0", .conv(c, 32, k: 3, p: 1)), ("1", .batchNorm(32)), ("2", .relu), ("3", .maxPool(k: 2, s: 2)),
                    ("4", .conv(32, 64, k: 3, p: 1)), ("5", .batchNorm(64)), ("6", .relu), ("7", .maxPool(k: 2, s: 2)),
                    ("8", .conv(64, 128, k: 3, p: 1)), ("9", .batchNorm(128)), ("10", .relu), ("11", .maxPool(k: 2, s: 2)),
                ])),
                ("flatten", .flatten),
                ("classifier", .seq("Sequential", [
                    ("0", .dropout), ("1", .linear(128 * 16, 256)), ("2", .relu), ("3", .linear(256, numClasses)),
                ])),
            ])
        case "AlexNet":
            return .seq("AlexNet", [
                ("features", .seq("Sequential", [
                    ("0", .conv(c, 64, k: 11, s: 4, p: 2)), ("1", .relu), ("2", .maxPool(k: 3, s: 2)),
                    ("3", .conv(64, 192, k: 5, p: 2)), ("4", .relu), ("5", .maxPool(k: 3, s: 2)),
                    ("6", .conv(192, 384, k: 3, p: 1)), ("7", .relu),
                    ("8", .conv(384, 256, k: 3, p: 1)), ("9", .relu),
                    ("10", .conv(256, 256, k: 3, p: 1)), ("11", .relu), ("12", .maxPool(k: 3, s: 2)),
                ])),
                ("avgpool", .adaptiveAvgPool(6)),
                ("flatten", .flatten),
                ("classifier", .seq("Sequential", [
                    ("0", .dropout), ("1", .linear(256 * 36, 4096)), ("2", .relu),
                    ("3", .dropout), ("4", .linear(4096, 4096)), ("5", .relu), ("6", .linear(4096, numClasses)),
                ])),
            ])
        default: return nil
        }
    }

    public func describe(_ name: String, inputShape: [Int], numClasses: Int) throws -> ModelDescription {
        guard let s = spec(name, inputShape: inputShape, numClasses: numClasses) else {
            throw DemoError("unknown model \"\(name)\"; available: \(modelNames.joined(separator: ", "))")
        }
        var failure: ModelFailure?
        var shape: [Int]? = [1] + inputShape
        let root = build(s, name: "", path: "", shape: &shape, failure: &failure)
        return ModelDescription(name: name, root: root, inputShape: [1] + inputShape, failure: failure)
    }

    private func build(_ s: Spec, name: String, path: String, shape: inout [Int]?, failure: inout ModelFailure?) -> ModelInfo {
        func fail(_ op: String, _ m: String) {
            if failure == nil { failure = ModelFailure(layerPath: path, message: "\(op): \(m)") }
            shape = nil
        }
        switch s {
        case .seq(let type, let children):
            var infos: [ModelInfo] = []
            for (n, c) in children {
                infos.append(build(c, name: n, path: path.isEmpty ? n : path + "." + n, shape: &shape, failure: &failure))
            }
            return ModelInfo(name: name, type: type, outputShape: shape, children: infos)
        case .conv(let i, let o, let k, let st, let p):
            let detail = "\(i), \(o), kernel_size=(\(k), \(k))" + (st != 1 ? ", stride=(\(st), \(st))" : "") + (p != 0 ? ", padding=(\(p), \(p))" : "")
            if let sh = shape {
                if sh.count != 4 || sh[1] != i {
                    fail("conv2d", "expected input with \(i) channels, got \(Format.shape(sh))")
                } else {
                    let h = (sh[2] + 2 * p - k) / st + 1, w = (sh[3] + 2 * p - k) / st + 1
                    if sh[2] + 2 * p < k || sh[3] + 2 * p < k {
                        fail("conv2d", "input \(Format.shape(sh)) (padded \(sh[2] + 2 * p)×\(sh[3] + 2 * p)) is smaller than kernel \(k)×\(k)")
                    } else { shape = [sh[0], o, h, w] }
                }
            }
            return ModelInfo(name: name, type: "Conv2d", detail: detail, outputShape: shape, ownParameters: i * o * k * k + o)
        case .maxPool(let k, let st):
            if let sh = shape {
                if sh.count != 4 { fail("max_pool2d", "expected a 4-D input, got \(Format.shape(sh))") }
                else if sh[2] < k || sh[3] < k { fail("max_pool2d", "input \(Format.shape(sh)) is smaller than kernel \(k)×\(k)") }
                else { shape = [sh[0], sh[1], (sh[2] - k) / st + 1, (sh[3] - k) / st + 1] }
            }
            return ModelInfo(name: name, type: "MaxPool2d", detail: "kernel_size=\(k), stride=\(st)", outputShape: shape)
        case .adaptiveAvgPool(let o):
            if let sh = shape { shape = [sh[0], sh.count > 1 ? sh[1] : 1, o, o] }
            return ModelInfo(name: name, type: "AdaptiveAvgPool2d", detail: "output_size=(\(o), \(o))", outputShape: shape)
        case .relu:
            return ModelInfo(name: name, type: "ReLU", outputShape: shape)
        case .dropout:
            return ModelInfo(name: name, type: "Dropout", detail: "p=0.5", outputShape: shape)
        case .batchNorm(let c):
            if let sh = shape, sh.count != 4 || sh[1] != c { fail("batch_norm", "expected \(c) channels, got \(Format.shape(sh))") }
            return ModelInfo(name: name, type: "BatchNorm2d", detail: "\(c)", outputShape: shape, ownParameters: 2 * c)
        case .flatten:
            if let sh = shape { shape = [sh[0], sh.dropFirst().reduce(1, *)] }
            return ModelInfo(name: name, type: "Flatten", outputShape: shape)
        case .linear(let i, let o):
            if let sh = shape {
                if sh.last != i { fail("linear", "input \(Format.shape(sh)) has \(sh.last ?? 0) features, expected \(i)") }
                else { shape = Array(sh.dropLast()) + [o] }
            }
            return ModelInfo(name: name, type: "Linear", detail: "in_features=\(i), out_features=\(o)", outputShape: shape, ownParameters: i * o + o)
        }
    }
}
