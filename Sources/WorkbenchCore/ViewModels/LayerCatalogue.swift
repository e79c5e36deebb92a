import Tensors

/// The layers the model editor offers: the containers and every layer a model
/// file can build (`LayerFactory`), searchable, each added with starting
/// arguments so that most fit at once (a `Conv2d` of 16 3×3 filters keeping
/// the size, a `Linear` of 64 features, 2×2 pooling).
public enum LayerCatalogue {
    /// The containers the editor can add (joins come from model files).
    public static let containers = ["Sequential", "Residual"]

    /// Every name, containers first, then the layers sorted.
    public static var names: [String] { containers + LayerFactory.names }

    /// The names containing `query` (case-insensitive), those starting with it first.
    public static func search(_ query: String) -> [String] {
        let q = query.lowercased().trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return names }
        let hits = names.filter { $0.lowercased().contains(q) }
        return hits.filter { $0.lowercased().hasPrefix(q) } + hits.filter { !$0.lowercased().hasPrefix(q) }
    }

    /// PyTorch's argument names of `type` in constructor order (`Concat`: `dim`).
    public static func arguments(of type: String) -> [String] {
        if type == "Concat" { return ["dim"] }
        return LayerFactory.entry(type)?.arguments ?? []
    }

    /// A new layer of `type` with its starting arguments.
    public static func starter(_ type: String) -> DraftLayer {
        let args: [(String, String)]
        switch type {
        case "Conv1d", "Conv2d", "Conv3d": args = [("out_channels", "16"), ("kernel_size", "3"), ("padding", "1")]
        case "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d": args = [("out_channels", "16"), ("kernel_size", "2"), ("stride", "2")]
        case "Linear": args = [("out_features", "64")]
        case _ where type.hasPrefix("MaxPool") || type.hasPrefix("AvgPool") || type.hasPrefix("LPPool"): args = [("kernel_size", "2")]
        case _ where type.hasPrefix("Adaptive"): args = [("output_size", "1")]
        case "GroupNorm": args = [("num_groups", "1")]
        case "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d": args = [("scale_factor", "2")]
        case "PixelShuffle": args = [("upscale_factor", "2")]
        case "PixelUnshuffle": args = [("downscale_factor", "2")]
        case "Softmax", "LogSoftmax", "Softmin": args = [("dim", "1")]
        default: args = []
        }
        return DraftLayer(type, args.map { DraftArgument($0.0, $0.1) })
    }

    /// A model to start designing from: a small CNN for images ([C, H, W]), an MLP for feature rows.
    public static func template(inputShape: [Int]) -> ModelDraft {
        let linear = { (out: String) in DraftLayer("Linear", [DraftArgument("out_features", out)]) }
        if inputShape.count == 3 {
            return ModelDraft(name: "mymodel", layers: [
                starter("Conv2d"), DraftLayer("ReLU"), starter("MaxPool2d"), DraftLayer("Flatten"), linear("classes"),
            ])
        }
        return ModelDraft(name: "mymodel", layers: [DraftLayer("Flatten"), linear("64"), DraftLayer("ReLU"), linear("classes")])
    }
}
