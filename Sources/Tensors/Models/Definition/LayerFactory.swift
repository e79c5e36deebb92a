/// Builds the catalogue's one-tensor layers from a model file's arguments:
/// PyTorch's names (`Conv2d`, `in_channels`), PyTorch's argument order for
/// positional lists (`- Linear: [400, 120]`) and PyTorch's defaults.
///
/// Each entry lists its arguments, so an unknown one is an error that lists
/// the known ones. Arguments are checked before the layer is constructed
/// (layer constructors trap on invalid arguments, a file must not crash the
/// workbench). Sizes of the input (`in_features`, `in_channels`,
/// `num_features`, `num_channels`, `normalized_shape`) may be `auto` or left
/// out: they come from the input shape, and a given value must match it.
///
/// ```swift
/// let args = LayerArguments(layer: "Linear", line: 7, values: ["out_features": .scalar("10", quoted: false, line: 7)], outputs: nil)
/// let fc = try LayerFactory.make(args, input: [2, 576], generator: nil)   // Linear(in_features=576, out_features=10, bias=True)
/// ```
public enum LayerFactory {
    /// One buildable layer: its arguments in PyTorch's order and how to make it
    /// for an input of a given shape (batch dimension first).
    public struct Entry {
        /// PyTorch's argument names in constructor order.
        public let arguments: [String]
        let make: (LayerArguments, [Int], Generator?) throws -> any UnaryLayer
    }

    /// The names of every buildable layer, sorted.
    public static var names: [String] { entries.keys.sorted() }

    /// The entry for `name`, or nil.
    public static func entry(_ name: String) -> Entry? { entries[name] }

    /// Builds the layer `args` describe for an input of `input` (with the batch dimension).
    public static func make(_ args: LayerArguments, input: [Int], generator: Generator?) throws -> any UnaryLayer {
        guard let entry = entries[args.layer] else {
            throw args.error("unknown layer; a model file can use \(names.joined(separator: ", ")) "
                             + "and the containers Sequential, Residual, Add, Concat")
        }
        if let unknown = args.values.keys.sorted().first(where: { !entry.arguments.contains($0) }) {
            throw args.error("unknown argument '\(unknown)' (expected: \(entry.arguments.joined(separator: ", ")))")
        }
        return try entry.make(args, input, generator)
    }

    // MARK: - Helpers

    /// The channel count of an input [N, C, …] of rank `rank` (with batch).
    static func channels(_ a: LayerArguments, _ input: [Int], rank: Int) throws -> Int {
        guard input.count == rank else {
            throw a.error("expected a \(rank - 1)-D sample [C, …] (input of rank \(rank) with the batch), got a sample of shape \(Array(input.dropFirst()))")
        }
        return input[1]
    }

    static func features(_ a: LayerArguments, _ input: [Int]) throws -> Int {
        guard input.count >= 2, let last = input.last else {
            throw a.error("expected features in the last dimension, got a sample of shape \(Array(input.dropFirst()))")
        }
        return last
    }

    static func convPadding(_ a: LayerArguments, dims: Int) throws -> ConvNdPadding {
        if let s = try? a.text("padding"), s == "same" || s == "valid" { return s == "same" ? .same : .valid }
        return .size(try a.sizes("padding", dims: dims, minimum: 0, [0]) ?? [0])
    }

    static func conv2dPadding(_ a: LayerArguments) throws -> ConvPadding {
        switch try convPadding(a, dims: 2) {
        case .same: return .same
        case .valid: return .valid
        case .size(let p): return .size(p.count == 1 ? Size2(p[0]) : Size2(p[0], p[1]))
        }
    }

    static func groups(_ a: LayerArguments, inC: Int, outC: Int) throws -> Int {
        let g = try a.positive("groups", 1)
        guard inC % g == 0, outC % g == 0 else {
            throw a.error("in_channels \(inC) and out_channels \(outC) must be divisible by groups \(g)")
        }
        return g
    }

    static func paddingMode(_ a: LayerArguments) throws -> ConvPaddingMode {
        ConvPaddingMode(rawValue: try a.choice("padding_mode", "zeros", ConvPaddingMode.allCases.map(\.rawValue))) ?? .zeros
    }

    /// Channels, stride and padding of a `dims`-D convolution (1-D, 3-D), checked.
    static func convNd(_ a: LayerArguments, _ x: [Int], dims: Int) throws -> (Int, Int, [Int], ConvNdPadding) {
        let inC = try a.count("in_channels", auto: try channels(a, x, rank: dims + 2), unit: "channels")
        let outC = try a.positive("out_channels")
        let stride = try a.sizes("stride", dims: dims, minimum: 1, [1]) ?? [1]
        let padding = try convPadding(a, dims: dims)
        if padding == .same, stride.contains(where: { $0 != 1 }) {
            throw a.error("padding 'same' is not supported for strided convolutions")
        }
        return (inC, outC, stride, padding)
    }

    static func padding(_ a: LayerArguments, dims: Int) throws -> [Int] {
        guard let p = try a.ints("padding") else { throw a.error("missing argument padding") }
        guard p.count == 1 || p.count == 2 * dims else { throw a.error("padding: expected 1 or \(2 * dims) values, got \(p.count)") }
        return p
    }

    static func probability(_ a: LayerArguments) throws -> Double {
        let p = try a.double("p", 0.5)
        guard (0...1).contains(p) else { throw a.error("p must be in [0, 1], got \(p)") }
        return p
    }

    static func dim(_ a: LayerArguments) throws -> Int? { try a.int("dim") }

    static func e(_ arguments: [String], _ make: @escaping (LayerArguments, [Int], Generator?) throws -> any UnaryLayer) -> Entry {
        Entry(arguments: arguments, make: make)
    }

    static let conv = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"]
    static let convT = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias", "dilation"]
    static let norm = ["num_features", "eps", "momentum", "affine", "track_running_stats"]
    static let drop = ["p", "inplace"]
    static let inplace = ["inplace"]
}

extension LayerFactory {
    // swiftlint:disable:next function_body_length
    static let entries: [String: Entry] = {
        var t: [String: Entry] = [:]
        // Linear
        t["Identity"] = e([]) { _, _, _ in Identity() }
        t["Linear"] = e(["in_features", "out_features", "bias"]) { a, x, g in
            let inF = try a.count("in_features", auto: try features(a, x), unit: "features")
            return Linear(inF, try a.positive("out_features"), bias: try a.bool("bias", true), generator: g)
        }
        t["Flatten"] = e(["start_dim", "end_dim"]) { a, x, _ in
            let s = try a.int("start_dim", 1) ?? 1, end = try a.int("end_dim", -1) ?? -1
            let r = x.count
            guard (-r..<r).contains(s), (-r..<r).contains(end), (s + r) % r <= (end + r) % r else {
                throw a.error("start_dim \(s) and end_dim \(end) do not fit an input of rank \(r)")
            }
            return Flatten(startDim: s, endDim: end)
        }
        t["Unflatten"] = e(["dim", "unflattened_size"]) { a, _, _ in
            let dim = try a.required("dim")
            guard let sizes = try a.ints("unflattened_size"), !sizes.isEmpty else {
                throw a.error("unflattened_size: expected a non-empty list of sizes, e.g. [16, 5, 5]")
            }
            guard sizes.allSatisfy({ $0 > 0 || $0 == -1 }), sizes.filter({ $0 == -1 }).count <= 1 else {
                throw a.error("unflattened_size \(sizes): expected positive sizes, at most one -1")
            }
            return Unflatten(dim: dim, unflattenedSize: sizes)
        }
        // Convolution
        t["Conv1d"] = e(conv) { a, x, g in
            let (inC, outC, stride, p) = try convNd(a, x, dims: 1)
            return Conv1d(inC, outC, kernelSize: try a.positive("kernel_size"), stride: stride[0], padding: p,
                          dilation: try a.positive("dilation", 1), groups: try groups(a, inC: inC, outC: outC),
                          bias: try a.bool("bias", true), paddingMode: try paddingMode(a), generator: g)
        }
        t["Conv2d"] = e(conv) { a, x, g in
            let inC = try a.count("in_channels", auto: try channels(a, x, rank: 4), unit: "channels")
            let outC = try a.positive("out_channels")
            let stride = try a.size2("stride", Size2(1)) ?? 1
            let p = try conv2dPadding(a)
            if p == .same, stride.h != 1 || stride.w != 1 { throw a.error("padding 'same' is not supported for strided convolutions") }
            return Conv2d(inC, outC, kernelSize: try a.requiredSize2("kernel_size"), stride: stride, padding: p,
                          dilation: try a.size2("dilation", Size2(1)) ?? 1, groups: try groups(a, inC: inC, outC: outC),
                          bias: try a.bool("bias", true), paddingMode: try paddingMode(a), generator: g)
        }
        t["Conv3d"] = e(conv) { a, x, g in
            let (inC, outC, stride, p) = try convNd(a, x, dims: 3)
            guard let k = try a.sizes("kernel_size", dims: 3, minimum: 1, nil) else { throw a.error("missing argument kernel_size") }
            return Conv3d(inC, outC, kernelSize: k, stride: stride, padding: p, dilation: try a.sizes("dilation", dims: 3, minimum: 1, [1]) ?? [1],
                          groups: try groups(a, inC: inC, outC: outC), bias: try a.bool("bias", true),
                          paddingMode: try paddingMode(a), generator: g)
        }
        t["ConvTranspose1d"] = e(convT) { a, x, g in
            let inC = try a.count("in_channels", auto: try channels(a, x, rank: 3), unit: "channels")
            let outC = try a.positive("out_channels")
            return ConvTranspose1d(inC, outC, kernelSize: try a.positive("kernel_size"), stride: try a.positive("stride", 1),
                                   padding: try a.sizes("padding", dims: 1, minimum: 0, [0])?[0] ?? 0,
                                   outputPadding: try a.sizes("output_padding", dims: 1, minimum: 0, [0])?[0] ?? 0,
                                   groups: try groups(a, inC: inC, outC: outC), bias: try a.bool("bias", true),
                                   dilation: try a.positive("dilation", 1), generator: g)
        }
        t["ConvTranspose2d"] = e(convT) { a, x, g in
            let inC = try a.count("in_channels", auto: try channels(a, x, rank: 4), unit: "channels")
            let outC = try a.positive("out_channels")
            return ConvTranspose2d(inC, outC, kernelSize: try a.requiredSize2("kernel_size"), stride: try a.size2("stride", Size2(1)) ?? 1,
                                   padding: try a.size2("padding", minimum: 0, Size2(0)) ?? 0,
                                   outputPadding: try a.size2("output_padding", minimum: 0, Size2(0)) ?? 0,
                                   groups: try groups(a, inC: inC, outC: outC), bias: try a.bool("bias", true),
                                   dilation: try a.size2("dilation", Size2(1)) ?? 1, generator: g)
        }
        t["ConvTranspose3d"] = e(convT) { a, x, g in
            let inC = try a.count("in_channels", auto: try channels(a, x, rank: 5), unit: "channels")
            let outC = try a.positive("out_channels")
            guard let k = try a.sizes("kernel_size", dims: 3, minimum: 1, nil) else { throw a.error("missing argument kernel_size") }
            return ConvTranspose3d(inC, outC, kernelSize: k, stride: try a.sizes("stride", dims: 3, minimum: 1, [1]) ?? [1],
                                   padding: try a.sizes("padding", dims: 3, minimum: 0, [0]) ?? [0],
                                   outputPadding: try a.sizes("output_padding", dims: 3, minimum: 0, [0]) ?? [0],
                                   groups: try groups(a, inC: inC, outC: outC), bias: try a.bool("bias", true),
                                   dilation: try a.sizes("dilation", dims: 3, minimum: 1, [1]) ?? [1], generator: g)
        }
        t["Unfold"] = e(["kernel_size", "dilation", "padding", "stride"]) { a, _, _ in
            Unfold(kernelSize: try a.requiredSize2("kernel_size"), dilation: try a.size2("dilation", Size2(1)) ?? 1,
                   padding: try a.size2("padding", minimum: 0, Size2(0)) ?? 0, stride: try a.size2("stride", Size2(1)) ?? 1)
        }
        t["Fold"] = e(["output_size", "kernel_size", "dilation", "padding", "stride"]) { a, _, _ in
            Fold(outputSize: try a.requiredSize2("output_size"), kernelSize: try a.requiredSize2("kernel_size"),
                 dilation: try a.size2("dilation", Size2(1)) ?? 1, padding: try a.size2("padding", minimum: 0, Size2(0)) ?? 0,
                 stride: try a.size2("stride", Size2(1)) ?? 1)
        }
        addPooling(&t)
        addNormalization(&t)
        addActivations(&t)
        return t
    }()

    static func addPooling(_ t: inout [String: Entry]) {
        let maxArgs = ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"]
        let avgArgs = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"]
        func noIndices(_ a: LayerArguments) throws {
            if try a.bool("return_indices", false) { throw a.error("return_indices: true gives two outputs; a model file layer has one") }
        }
        func checkPadding(_ a: LayerArguments, _ k: [Int], _ p: [Int]) throws {
            let kk = k.count == 1 ? Array(repeating: k[0], count: p.count) : k
            for (i, pad) in p.enumerated() where pad * 2 > kk[Swift.min(i, kk.count - 1)] {
                throw a.error("padding \(pad) should be at most half of kernel_size \(kk[Swift.min(i, kk.count - 1)])")
            }
        }
        t["MaxPool1d"] = e(maxArgs) { a, _, _ in
            try noIndices(a)
            let k = try a.positive("kernel_size"), p = try a.sizes("padding", dims: 1, minimum: 0, [0])?[0] ?? 0
            try checkPadding(a, [k], [p])
            return MaxPool1d(k, stride: try a.int("stride"), padding: p, dilation: try a.positive("dilation", 1),
                             ceilMode: try a.bool("ceil_mode", false))
        }
        t["MaxPool2d"] = e(maxArgs) { a, _, _ in
            try noIndices(a)
            let k = try a.requiredSize2("kernel_size"), p = try a.size2("padding", minimum: 0, Size2(0)) ?? 0
            try checkPadding(a, [k.h, k.w], [p.h, p.w])
            return MaxPool2d(k, stride: try a.size2("stride"), padding: p, dilation: try a.size2("dilation", Size2(1)) ?? 1,
                             ceilMode: try a.bool("ceil_mode", false))
        }
        t["MaxPool3d"] = e(maxArgs) { a, _, _ in
            try noIndices(a)
            guard let k = try a.sizes("kernel_size", dims: 3, minimum: 1, nil) else { throw a.error("missing argument kernel_size") }
            let p = try a.sizes("padding", dims: 3, minimum: 0, [0]) ?? [0]
            try checkPadding(a, k, p)
            return MaxPool3d(k, stride: try a.sizes("stride", dims: 3, minimum: 1, nil), padding: p,
                             dilation: try a.sizes("dilation", dims: 3, minimum: 1, [1]) ?? [1], ceilMode: try a.bool("ceil_mode", false))
        }
        t["AvgPool1d"] = e(Array(avgArgs.dropLast())) { a, _, _ in
            let k = try a.positive("kernel_size"), p = try a.sizes("padding", dims: 1, minimum: 0, [0])?[0] ?? 0
            try checkPadding(a, [k], [p])
            return AvgPool1d(k, stride: try a.int("stride"), padding: p, ceilMode: try a.bool("ceil_mode", false),
                             countIncludePad: try a.bool("count_include_pad", true))
        }
        t["AvgPool2d"] = e(avgArgs) { a, _, _ in
            let k = try a.requiredSize2("kernel_size"), p = try a.size2("padding", minimum: 0, Size2(0)) ?? 0
            try checkPadding(a, [k.h, k.w], [p.h, p.w])
            return AvgPool2d(k, stride: try a.size2("stride"), padding: p, ceilMode: try a.bool("ceil_mode", false),
                             countIncludePad: try a.bool("count_include_pad", true), divisorOverride: try a.int("divisor_override"))
        }
        t["AvgPool3d"] = e(avgArgs) { a, _, _ in
            guard let k = try a.sizes("kernel_size", dims: 3, minimum: 1, nil) else { throw a.error("missing argument kernel_size") }
            let p = try a.sizes("padding", dims: 3, minimum: 0, [0]) ?? [0]
            try checkPadding(a, k, p)
            return AvgPool3d(k, stride: try a.sizes("stride", dims: 3, minimum: 1, nil), padding: p, ceilMode: try a.bool("ceil_mode", false),
                             countIncludePad: try a.bool("count_include_pad", true), divisorOverride: try a.int("divisor_override"))
        }
        t["LPPool1d"] = e(["norm_type", "kernel_size", "stride", "ceil_mode"]) { a, _, _ in
            LPPool1d(try a.double("norm_type", 2), try a.positive("kernel_size"), stride: try a.int("stride"), ceilMode: try a.bool("ceil_mode", false))
        }
        t["LPPool2d"] = e(["norm_type", "kernel_size", "stride", "ceil_mode"]) { a, _, _ in
            guard let k = try a.sizes("kernel_size", dims: 2, minimum: 1, nil) else { throw a.error("missing argument kernel_size") }
            return LPPool2d(try a.double("norm_type", 2), k, stride: try a.sizes("stride", dims: 2, minimum: 1, nil),
                            ceilMode: try a.bool("ceil_mode", false))
        }
        t["FractionalMaxPool2d"] = e(["kernel_size", "output_size", "output_ratio", "return_indices"]) { a, _, g in
            try noIndices(a)
            let size = try a.size2("output_size")
            let ratio = try a.doubles("output_ratio")
            guard size != nil || ratio != nil else { throw a.error("needs output_size or output_ratio") }
            if let r = ratio, !r.allSatisfy({ $0 > 0 && $0 < 1 }) { throw a.error("output_ratio must be in (0, 1), got \(r)") }
            return FractionalMaxPool2d(try a.requiredSize2("kernel_size"), outputSize: size,
                                       outputRatio: ratio.map { ($0[0], $0.count > 1 ? $0[1] : $0[0]) }, generator: g)
        }
        func adaptive(_ a: LayerArguments, dims: Int) throws -> [Int?] {
            guard let node = a.values["output_size"] else { throw a.error("missing argument output_size") }
            let items = node.list ?? [node]
            guard items.count == 1 || items.count == dims else { throw a.error("output_size: expected 1 or \(dims) values") }
            return try items.map { item in
                guard let s = item.scalar else { throw a.error("output_size: expected integers or null") }
                if s == "null" || s == "None" { return nil }
                guard let v = Int(s), v >= 0 else { throw a.error("output_size: expected a non-negative integer, got '\(s)'") }
                return v
            }
        }
        func one(_ a: LayerArguments) throws -> Int {
            guard let v = try adaptive(a, dims: 1).first ?? nil else { throw a.error("output_size must be an integer") }
            return v
        }
        t["AdaptiveAvgPool1d"] = e(["output_size"]) { a, _, _ in AdaptiveAvgPool1d(try one(a)) }
        t["AdaptiveAvgPool2d"] = e(["output_size"]) { a, _, _ in AdaptiveAvgPool2d(sizes: try adaptive(a, dims: 2)) }
        t["AdaptiveAvgPool3d"] = e(["output_size"]) { a, _, _ in AdaptiveAvgPool3d(try adaptive(a, dims: 3)) }
        t["AdaptiveMaxPool1d"] = e(["output_size", "return_indices"]) { a, _, _ in try noIndices(a); return AdaptiveMaxPool1d(try one(a)) }
        t["AdaptiveMaxPool2d"] = e(["output_size", "return_indices"]) { a, _, _ in try noIndices(a); return AdaptiveMaxPool2d(try adaptive(a, dims: 2)) }
        t["AdaptiveMaxPool3d"] = e(["output_size", "return_indices"]) { a, _, _ in try noIndices(a); return AdaptiveMaxPool3d(try adaptive(a, dims: 3)) }
        // Padding
        let pads: [(String, Int, (Int, [Int]) -> any UnaryLayer)] = [
            ("ReflectionPad1d", 1, { _, p in ReflectionPad1d(p) }), ("ReflectionPad2d", 2, { _, p in ReflectionPad2d(p) }),
            ("ReflectionPad3d", 3, { _, p in ReflectionPad3d(p) }), ("ReplicationPad1d", 1, { _, p in ReplicationPad1d(p) }),
            ("ReplicationPad2d", 2, { _, p in ReplicationPad2d(p) }), ("ReplicationPad3d", 3, { _, p in ReplicationPad3d(p) }),
            ("ZeroPad1d", 1, { _, p in ZeroPad1d(p) }), ("ZeroPad2d", 2, { _, p in ZeroPad2d(p) }), ("ZeroPad3d", 3, { _, p in ZeroPad3d(p) }),
        ]
        for (name, dims, make) in pads {
            t[name] = e(["padding"]) { a, _, _ in make(dims, try padding(a, dims: dims)) }
        }
        t["ConstantPad1d"] = e(["padding", "value"]) { a, _, _ in ConstantPad1d(try padding(a, dims: 1), value: try a.double("value", 0)) }
        t["ConstantPad2d"] = e(["padding", "value"]) { a, _, _ in ConstantPad2d(try padding(a, dims: 2), value: try a.double("value", 0)) }
        t["ConstantPad3d"] = e(["padding", "value"]) { a, _, _ in ConstantPad3d(try padding(a, dims: 3), value: try a.double("value", 0)) }
    }

    static func addNormalization(_ t: inout [String: Entry]) {
        let batch: [(String, Int, (Int, Double, Double?, Bool, Bool) -> any UnaryLayer)] = [
            ("BatchNorm1d", 0, { BatchNorm1d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) }),
            ("BatchNorm2d", 4, { BatchNorm2d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) }),
            ("BatchNorm3d", 5, { BatchNorm3d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) }),
            ("SyncBatchNorm", 0, { SyncBatchNorm($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) }),
            ("InstanceNorm1d", 0, { InstanceNorm1d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) }),
            ("InstanceNorm2d", 4, { InstanceNorm2d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) }),
            ("InstanceNorm3d", 5, { InstanceNorm3d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4) }),
        ]
        for (name, rank, make) in batch {
            let instance = name.hasPrefix("Instance")
            t[name] = e(norm) { a, x, _ in
                let c: Int
                if rank > 0 {
                    c = try channels(a, x, rank: rank)
                } else {
                    guard x.count >= 2 else { throw a.error("expected input [N, C] or [N, C, L]") }
                    c = x[1]
                }
                return make(try a.count("num_features", auto: c, unit: "channels"), try a.double("eps", 1e-5),
                            try a.optionalDouble("momentum", 0.1), try a.bool("affine", !instance),
                            try a.bool("track_running_stats", !instance))
            }
        }
        t["GroupNorm"] = e(["num_groups", "num_channels", "eps", "affine"]) { a, x, _ in
            guard x.count >= 2 else { throw a.error("expected input [N, C, …]") }
            let c = try a.count("num_channels", auto: x[1], unit: "channels")
            let groups = try a.positive("num_groups")
            guard c % groups == 0 else { throw a.error("num_channels \(c) must be divisible by num_groups \(groups)") }
            return GroupNorm(numGroups: groups, numChannels: c, eps: try a.double("eps", 1e-5), affine: try a.bool("affine", true))
        }
        t["LayerNorm"] = e(["normalized_shape", "eps", "elementwise_affine", "bias"]) { a, x, _ in
            let shape: [Int]
            if let s = try? a.text("normalized_shape"), s == "auto" {
                shape = [try features(a, x)]
            } else if let given = try a.ints("normalized_shape") {
                guard given.count < x.count, Array(x.suffix(given.count)) == given else {
                    throw a.error("normalized_shape \(given) expected, input's trailing dimensions are \(Array(x.suffix(Swift.max(1, given.count))))")
                }
                shape = given
            } else {
                shape = [try features(a, x)]
            }
            return LayerNorm(shape, eps: try a.double("eps", 1e-5), elementwiseAffine: try a.bool("elementwise_affine", true),
                             bias: try a.bool("bias", true))
        }
        t["LocalResponseNorm"] = e(["size", "alpha", "beta", "k"]) { a, _, _ in
            LocalResponseNorm(size: try a.positive("size"), alpha: try a.double("alpha", 1e-4), beta: try a.double("beta", 0.75),
                              k: try a.double("k", 1))
        }
        // Dropout
        t["Dropout"] = e(drop) { a, _, g in Dropout(p: try probability(a), inplace: try a.bool("inplace", false), generator: g) }
        t["Dropout1d"] = e(drop) { a, _, g in Dropout1d(p: try probability(a), inplace: try a.bool("inplace", false), generator: g) }
        t["Dropout2d"] = e(drop) { a, _, g in Dropout2d(p: try probability(a), inplace: try a.bool("inplace", false), generator: g) }
        t["Dropout3d"] = e(drop) { a, _, g in Dropout3d(p: try probability(a), inplace: try a.bool("inplace", false), generator: g) }
        t["AlphaDropout"] = e(drop) { a, _, g in AlphaDropout(p: try probability(a), inplace: try a.bool("inplace", false), generator: g) }
        // Vision
        t["PixelShuffle"] = e(["upscale_factor"]) { a, _, _ in PixelShuffle(upscaleFactor: try a.positive("upscale_factor")) }
        t["PixelUnshuffle"] = e(["downscale_factor"]) { a, _, _ in PixelUnshuffle(downscaleFactor: try a.positive("downscale_factor")) }
        func upsampling(_ a: LayerArguments) throws -> (size: [Int]?, scale: [Double]?) {
            let size = try a.ints("size"), scale = try a.doubles("scale_factor")
            guard (size == nil) != (scale == nil) else { throw a.error("give either size or scale_factor") }
            if let s = size, s.contains(where: { $0 <= 0 }) { throw a.error("size must be positive, got \(s)") }
            if let s = scale, s.contains(where: { $0 <= 0 }) { throw a.error("scale_factor must be positive, got \(s)") }
            return (size, scale)
        }
        t["Upsample"] = e(["size", "scale_factor", "mode", "align_corners"]) { a, _, _ in
            let (size, scale) = try upsampling(a)
            let mode = InterpolationMode(rawValue: try a.choice("mode", "nearest", InterpolationMode.allCases.map(\.rawValue))) ?? .nearest
            let align: Bool? = try a.has("align_corners") ? a.bool("align_corners", false) : nil
            if align != nil && mode == .nearest { throw a.error("align_corners only applies to linear, bilinear, bicubic and trilinear modes") }
            return Upsample(size: size, scaleFactor: scale, mode: mode, alignCorners: align)
        }
        t["UpsamplingNearest2d"] = e(["size", "scale_factor"]) { a, _, _ in
            let (size, scale) = try upsampling(a)
            return UpsamplingNearest2d(size: size, scaleFactor: scale)
        }
        t["UpsamplingBilinear2d"] = e(["size", "scale_factor"]) { a, _, _ in
            let (size, scale) = try upsampling(a)
            return UpsamplingBilinear2d(size: size, scaleFactor: scale)
        }
    }

    static func addActivations(_ t: inout [String: Entry]) {
        t["ReLU"] = e(inplace) { a, _, _ in ReLU(inplace: try a.bool("inplace", false)) }
        t["ReLU6"] = e(inplace) { a, _, _ in ReLU6(inplace: try a.bool("inplace", false)) }
        t["SELU"] = e(inplace) { a, _, _ in SELU(inplace: try a.bool("inplace", false)) }
        t["SiLU"] = e(inplace) { a, _, _ in SiLU(inplace: try a.bool("inplace", false)) }
        t["Mish"] = e(inplace) { a, _, _ in Mish(inplace: try a.bool("inplace", false)) }
        t["Hardsigmoid"] = e(inplace) { a, _, _ in Hardsigmoid(inplace: try a.bool("inplace", false)) }
        t["Hardswish"] = e(inplace) { a, _, _ in Hardswish(inplace: try a.bool("inplace", false)) }
        t["Sigmoid"] = e([]) { _, _, _ in Sigmoid() }
        t["Tanh"] = e([]) { _, _, _ in Tanh() }
        t["LogSigmoid"] = e([]) { _, _, _ in LogSigmoid() }
        t["Softsign"] = e([]) { _, _, _ in Softsign() }
        t["Tanhshrink"] = e([]) { _, _, _ in Tanhshrink() }
        t["Softmax2d"] = e([]) { _, _, _ in Softmax2d() }
        t["ELU"] = e(["alpha", "inplace"]) { a, _, _ in ELU(alpha: try a.double("alpha", 1), inplace: try a.bool("inplace", false)) }
        t["CELU"] = e(["alpha", "inplace"]) { a, _, _ in
            let alpha = try a.double("alpha", 1)
            guard alpha != 0 else { throw a.error("alpha must not be 0") }
            return CELU(alpha: alpha, inplace: try a.bool("inplace", false))
        }
        t["LeakyReLU"] = e(["negative_slope", "inplace"]) { a, _, _ in
            LeakyReLU(negativeSlope: try a.double("negative_slope", 0.01), inplace: try a.bool("inplace", false))
        }
        t["Hardshrink"] = e(["lambd"]) { a, _, _ in Hardshrink(lambd: try a.double("lambd", 0.5)) }
        t["Softshrink"] = e(["lambd"]) { a, _, _ in
            let l = try a.double("lambd", 0.5)
            guard l >= 0 else { throw a.error("lambd must be non-negative, got \(l)") }
            return Softshrink(lambd: l)
        }
        t["Hardtanh"] = e(["min_val", "max_val", "inplace"]) { a, _, _ in
            let lo = try a.double("min_val", -1), hi = try a.double("max_val", 1)
            guard hi > lo else { throw a.error("max_val \(hi) must be greater than min_val \(lo)") }
            return Hardtanh(minVal: lo, maxVal: hi, inplace: try a.bool("inplace", false))
        }
        t["Softplus"] = e(["beta", "threshold"]) { a, _, _ in Softplus(beta: try a.double("beta", 1), threshold: try a.double("threshold", 20)) }
        t["Threshold"] = e(["threshold", "value", "inplace"]) { a, _, _ in
            guard a.has("threshold"), a.has("value") else { throw a.error("needs threshold and value") }
            return Threshold(try a.double("threshold", 0), try a.double("value", 0), inplace: try a.bool("inplace", false))
        }
        t["GELU"] = e(["approximate"]) { a, _, _ in
            GELU(approximate: GELUApproximation(rawValue: try a.choice("approximate", "none", ["none", "tanh"])) ?? .none)
        }
        t["GLU"] = e(["dim"]) { a, _, _ in GLU(dim: try dim(a) ?? -1) }
        t["Softmax"] = e(["dim"]) { a, _, _ in Softmax(dim: try dim(a)) }
        t["Softmin"] = e(["dim"]) { a, _, _ in Softmin(dim: try dim(a)) }
        t["LogSoftmax"] = e(["dim"]) { a, _, _ in LogSoftmax(dim: try dim(a)) }
        t["PReLU"] = e(["num_parameters", "init"]) { a, x, _ in
            let n = try a.positive("num_parameters", 1)
            if n > 1, x.count < 2 || x[1] != n { throw a.error("num_parameters \(n) expected, input has \(x.count >= 2 ? x[1] : 1) channels") }
            return PReLU(numParameters: n, init: try a.double("init", 0.25))
        }
        t["RReLU"] = e(["lower", "upper", "inplace"]) { a, _, g in
            let lo = try a.double("lower", 1.0 / 8), hi = try a.double("upper", 1.0 / 3)
            guard lo <= hi else { throw a.error("lower \(lo) must not exceed upper \(hi)") }
            return RReLU(lower: lo, upper: hi, inplace: try a.bool("inplace", false), generator: g)
        }
    }
}
