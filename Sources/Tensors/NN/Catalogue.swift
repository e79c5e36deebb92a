/// The catalogue of PyTorch building blocks by family, as the reference
/// chapter's tables 3-3 … 3-15 group them (plus containers, utilities,
/// schedulers, transforms and samplers), with which of them workbench has.
///
/// It is data: `Catalogue.families` lists every name of every family in
/// PyTorch's order; `Catalogue.exists(_:)` says whether the name is
/// implemented. For losses, optimizers, schedulers and transforms the answer
/// comes from constructing the real thing (see `Catalogue.instantiate`), so
/// it cannot go stale; for layers it is the `layersPresent` list, kept with the layers.
///
/// ```swift
/// print(Catalogue.listing())              // what `workbench models catalogue` prints
/// Catalogue.exists("CTCLoss")             // true
/// Catalogue.family(of: "GroupNorm")       // .normalization
/// ```
public enum Catalogue {
    /// A family of building blocks, in the order of the reference's tables.
    public enum Family: String, CaseIterable, Sendable {
        case containers, linear, convolution, pooling, padding, dropout, normalization, recurrent, transformer, sparse
        case vision, activation, utility, loss, optimizer, scheduler, transform, sampler

        /// The heading printed in the listing.
        public var title: String {
            switch self {
            case .containers: return "Containers"
            case .linear: return "Linear layers"
            case .convolution: return "Convolution layers"
            case .pooling: return "Pooling layers"
            case .padding: return "Padding layers"
            case .dropout: return "Dropout layers"
            case .normalization: return "Normalization layers"
            case .recurrent: return "Recurrent layers"
            case .transformer: return "Transformer layers"
            case .sparse: return "Sparse layers"
            case .vision: return "Vision layers"
            case .activation: return "Activations"
            case .utility: return "Utilities"
            case .loss: return "Loss functions"
            case .optimizer: return "Optimizers"
            case .scheduler: return "Learning-rate schedulers"
            case .transform: return "Transforms"
            case .sampler: return "Samplers"
            }
        }

        /// The reference's table number (`3-14`), or nil for families it has no table for.
        public var table: String? {
            switch self {
            case .linear: return "3-3"
            case .convolution: return "3-4"
            case .pooling: return "3-5"
            case .padding: return "3-6"
            case .dropout: return "3-7"
            case .normalization: return "3-8"
            case .recurrent: return "3-9"
            case .transformer: return "3-10"
            case .sparse: return "3-11"
            case .vision: return "3-12"
            case .activation: return "3-13"
            case .loss: return "3-14"
            case .optimizer: return "3-15"
            default: return nil
            }
        }

        /// PyTorch's names in this family, in PyTorch's documentation order.
        public var names: [String] {
            switch self {
            case .containers: return ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
            case .linear: return ["Identity", "Linear", "Bilinear"]
            case .convolution:
                return ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "Unfold", "Fold"]
            case .pooling:
                return ["MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "AvgPool1d",
                        "AvgPool2d", "AvgPool3d", "FractionalMaxPool2d", "LPPool1d", "LPPool2d", "AdaptiveMaxPool1d",
                        "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"]
            case .padding:
                return ["ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
                        "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d"]
            case .dropout: return ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"]
            case .normalization:
                return ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "SyncBatchNorm", "InstanceNorm1d",
                        "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "LocalResponseNorm"]
            case .recurrent: return ["RNNBase", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]
            case .transformer:
                return ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
                        "TransformerDecoderLayer"]
            case .sparse: return ["Embedding", "EmbeddingBag", "CosineSimilarity", "PairwiseDistance"]
            case .vision: return ["PixelShuffle", "PixelUnshuffle", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
            case .activation:
                return ["ELU", "Hardshrink", "Hardsigmoid", "Hardtanh", "Hardswish", "LeakyReLU", "LogSigmoid",
                        "MultiheadAttention", "PReLU", "ReLU", "ReLU6", "RReLU", "SELU", "CELU", "GELU", "Sigmoid", "SiLU",
                        "Mish", "Softplus", "Softshrink", "Softsign", "Tanh", "Tanhshrink", "Threshold", "GLU", "Softmin",
                        "Softmax", "Softmax2d", "LogSoftmax", "AdaptiveLogSoftmaxWithLoss"]
            case .utility: return ["Flatten", "Unflatten"]
            case .loss:
                return ["L1Loss", "MSELoss", "CrossEntropyLoss", "CTCLoss", "NLLLoss", "PoissonNLLLoss", "GaussianNLLLoss",
                        "KLDivLoss", "BCELoss", "BCEWithLogitsLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
                        "MultiLabelMarginLoss", "HuberLoss", "SmoothL1Loss", "SoftMarginLoss", "MultiLabelSoftMarginLoss",
                        "CosineEmbeddingLoss", "MultiMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss"]
            case .optimizer:
                return ["Adadelta", "Adagrad", "Adam", "AdamW", "SparseAdam", "Adamax", "ASGD", "LBFGS", "NAdam", "RAdam",
                        "RMSprop", "Rprop", "SGD"]
            case .scheduler:
                return ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                        "PolynomialLR", "CosineAnnealingLR", "ChainedScheduler", "SequentialLR", "ReduceLROnPlateau",
                        "CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts"]
            case .transform:
                return ["Compose", "ToTensor", "Normalize", "Resize", "CenterCrop", "RandomCrop", "RandomResizedCrop",
                        "FiveCrop", "TenCrop", "Pad", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomRotation",
                        "RandomAffine", "RandomPerspective", "Grayscale", "RandomGrayscale", "ColorJitter", "GaussianBlur",
                        "RandomInvert", "RandomPosterize", "RandomSolarize", "RandomAdjustSharpness", "RandomAutocontrast",
                        "RandomEqualize", "RandomErasing", "RandomApply", "RandomChoice", "RandomOrder", "AutoAugment",
                        "RandAugment", "TrivialAugmentWide", "Lambda"]
            case .sampler:
                return ["SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
                        "DistributedSampler"]
            }
        }
    }

    /// The families in listing order.
    public static var families: [Family] { Family.allCases }

    /// The family a name belongs to, or nil for names outside the catalogue.
    public static func family(of name: String) -> Family? { Family.allCases.first { $0.names.contains(name) } }

    /// Layer, container, utility and sampler names implemented in this tree:
    /// the layers of `LayerCatalogue` (built from their examples), the
    /// sequence layers of `sequenceFactories`, the containers and samplers.
    public static var layersPresent: Set<String> {
        let containers = ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
        let samplers = ["SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
                        "DistributedSampler"]
        let layers = LayerCatalogue.families.flatMap(\.entries).filter { $0.example().typeName == $0.name }.map(\.name)
        let sequence = sequenceFactories.filter { name, make in name == "RNNBase" ? make() is RNNBase : make().typeName == name }
        return Set(containers + samplers + layers + sequence.keys)
    }

    /// The sequence layers (tables 3-9, 3-10, 3-11 and `MultiheadAttention`), each with example arguments.
    static let sequenceFactories: [String: () -> Module] = [
        "RNNBase": { LSTM(4, 8) }, "RNN": { RNN(4, 8) }, "LSTM": { LSTM(4, 8) }, "GRU": { GRU(4, 8) },
        "RNNCell": { RNNCell(4, 8) }, "LSTMCell": { LSTMCell(4, 8) }, "GRUCell": { GRUCell(4, 8) },
        "Transformer": { Transformer(dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16) },
        "TransformerEncoder": { TransformerEncoder(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16), numLayers: 1) },
        "TransformerDecoder": { TransformerDecoder(TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16), numLayers: 1) },
        "TransformerEncoderLayer": { TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16) },
        "TransformerDecoderLayer": { TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16) },
        "Embedding": { Embedding(10, 4) }, "EmbeddingBag": { EmbeddingBag(10, 4) },
        "CosineSimilarity": { CosineSimilarity() }, "PairwiseDistance": { PairwiseDistance() },
        "MultiheadAttention": { MultiheadAttention(embedDim: 8, numHeads: 2) },
    ]

    /// Builds the named loss, optimizer (over a dummy parameter), scheduler or
    /// transform with default (or representative) arguments and returns it,
    /// or nil when workbench has none by that name. `exists` is built on it.
    public static func instantiate(_ name: String) -> Any? {
        switch family(of: name) {
        case .loss: return lossFactories[name]?()
        case .optimizer:
            guard let kind = OptimizerKind.allCases.first(where: { $0.displayName == name }) else { return nil }
            return try? kind.make([Tensor.zeros([1]).requiringGrad()], lr: 0.01)
        case .scheduler: return makeScheduler(name)
        case .transform: return transformFactories[name]?()
        default: return nil
        }
    }

    /// Whether workbench implements `name`.
    public static func exists(_ name: String) -> Bool {
        switch family(of: name) {
        case .loss, .optimizer, .scheduler, .transform:
            guard let made = instantiate(name) else { return false }
            return String(describing: type(of: made)) == name
        case .none: return false
        default: return layersPresent.contains(name)
        }
    }

    static let lossFactories: [String: () -> Loss] = [
        "L1Loss": { L1Loss() }, "MSELoss": { MSELoss() }, "CrossEntropyLoss": { CrossEntropyLoss() }, "CTCLoss": { CTCLoss() },
        "NLLLoss": { NLLLoss() }, "PoissonNLLLoss": { PoissonNLLLoss() }, "GaussianNLLLoss": { GaussianNLLLoss() },
        "KLDivLoss": { KLDivLoss() }, "BCELoss": { BCELoss() }, "BCEWithLogitsLoss": { BCEWithLogitsLoss() },
        "MarginRankingLoss": { MarginRankingLoss() }, "HingeEmbeddingLoss": { HingeEmbeddingLoss() },
        "MultiLabelMarginLoss": { MultiLabelMarginLoss() }, "HuberLoss": { HuberLoss() }, "SmoothL1Loss": { SmoothL1Loss() },
        "SoftMarginLoss": { SoftMarginLoss() }, "MultiLabelSoftMarginLoss": { MultiLabelSoftMarginLoss() },
        "CosineEmbeddingLoss": { CosineEmbeddingLoss() }, "MultiMarginLoss": { MultiMarginLoss() },
        "TripletMarginLoss": { TripletMarginLoss() }, "TripletMarginWithDistanceLoss": { TripletMarginWithDistanceLoss() },
    ]

    static func makeScheduler(_ name: String) -> Any? {
        guard let opt = try? SGD([Tensor.zeros([1]).requiringGrad()], lr: 0.1, momentum: 0.9) else { return nil }
        switch name {
        case "LambdaLR": return try? LambdaLR(opt) { _ in 1 }
        case "MultiplicativeLR": return try? MultiplicativeLR(opt) { _ in 1 }
        case "SequentialLR":
            guard let a = try? ConstantLR(opt), let b = try? ExponentialLR(opt, gamma: 0.9) else { return nil }
            return try? SequentialLR(opt, schedulers: [a, b], milestones: [5])
        case "ChainedScheduler":
            guard let a = try? ConstantLR(opt), let b = try? ExponentialLR(opt, gamma: 0.9) else { return nil }
            return try? ChainedScheduler([a, b])
        default:
            guard let kind = SchedulerKind.allCases.first(where: { $0.displayName == name }) else { return nil }
            return try? SchedulerChoice(kind: kind, arguments: kind.exampleArguments(epochs: 30, lr: 0.1))
                .make(opt, epochs: 30, stepsPerEpoch: 10)
        }
    }

    static let transformFactories: [String: () -> any Transform] = [
        "Compose": { Compose([]) }, "ToTensor": { ToTensor() }, "Normalize": { Normalize(mean: [0.5], std: [0.5]) },
        "Resize": { Resize(32) }, "CenterCrop": { CenterCrop(32) }, "RandomCrop": { RandomCrop(32) },
        "RandomResizedCrop": { RandomResizedCrop(32) }, "FiveCrop": { FiveCrop(8) }, "TenCrop": { TenCrop(8) },
        "Pad": { Pad(4) }, "RandomHorizontalFlip": { RandomHorizontalFlip() }, "RandomVerticalFlip": { RandomVerticalFlip() },
        "RandomRotation": { RandomRotation(10) }, "RandomAffine": { RandomAffine(degrees: 10) },
        "RandomPerspective": { RandomPerspective() }, "Grayscale": { Grayscale() }, "RandomGrayscale": { RandomGrayscale() },
        "ColorJitter": { ColorJitter(brightness: 0.2) }, "GaussianBlur": { GaussianBlur(kernelSize: 3) },
        "RandomInvert": { RandomInvert() }, "RandomPosterize": { RandomPosterize(bits: 4) },
        "RandomSolarize": { RandomSolarize(threshold: 128) }, "RandomAdjustSharpness": { RandomAdjustSharpness(sharpnessFactor: 2) },
        "RandomAutocontrast": { RandomAutocontrast() }, "RandomEqualize": { RandomEqualize() }, "RandomErasing": { RandomErasing() },
        "RandomApply": { RandomApply([RandomInvert()]) }, "RandomChoice": { RandomChoice([RandomInvert()]) },
        "RandomOrder": { RandomOrder([RandomInvert()]) }, "AutoAugment": { AutoAugment() }, "RandAugment": { RandAugment() },
        "TrivialAugmentWide": { TrivialAugmentWide() }, "Lambda": { Lambda { $0 } },
    ]

    /// How many names of `family` exist, and how many there are.
    public static func count(_ family: Family) -> (present: Int, total: Int) {
        (family.names.filter(exists).count, family.names.count)
    }

    /// The listing `workbench models catalogue` prints (of `families`, all by default): per family a heading
    /// with its table and count, then the names (✓ present, · missing)
    /// wrapped to `width` columns.
    public static func listing(families: [Family] = Catalogue.families, width: Int = 100) -> String {
        var lines: [String] = []
        var present = 0, total = 0
        for f in families {
            let (p, t) = count(f)
            present += p
            total += t
            lines.append((f.table.map { "Table \($0)  " } ?? "") + "\(f.title)  (\(p)/\(t))")
            var line = "  "
            for n in f.names {
                let item = (exists(n) ? "✓ " : "· ") + n
                if line.count + item.count + 2 > width && line.count > 2 {
                    lines.append(line)
                    line = "  "
                }
                line += (line.count > 2 ? "  " : "") + item
            }
            lines.append(line)
        }
        lines.append("\(present) of \(total) names exist (✓ present, · missing)")
        return lines.joined(separator: "\n")
    }
}
