// Group, instance and local-response normalisation, like `F.group_norm`,
// `F.instance_norm` and `F.local_response_norm` (layer norm, a primitive, is
// in LayerNormFunctional.swift); group norm is derived from mean/sub/mul/rsqrt;
// instance norm reuses the `batchNorm` primitive on the input viewed as
// [1, N·C, *], as PyTorch does.

/// Normalises each of `numGroups` channel groups of [N, C, *] per sample,
/// then applies the per-channel `weight` and `bias` [C], like `F.group_norm`.
public func groupNorm(_ x: Tensor, numGroups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    guard check(x.rank >= 2, "group_norm", "Expected at least 2 dimensions for input tensor but received \(x.rank)"),
          check(numGroups > 0 && x.shape[1] % numGroups == 0, "group_norm",
                "Expected number of channels in input to be divisible by num_groups, but got input of shape \(x.shape) and num_groups=\(numGroups)")
    else { return .meta(x.shape) }
    let c = x.shape[1]
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let t {
            guard check(t.shape == [c], "group_norm", "Expected \(name) to be a vector of size equal to the number of channels in input, but got \(name) of shape \(t.shape) and input of shape \(x.shape)")
            else { return .meta(x.shape) }
        }
    }
    if x.isMeta { return .meta(x.shape) }
    let n = x.shape[0]
    let grouped = x.reshape([n, numGroups, -1])
    let centered = grouped - grouped.mean(dim: 2, keepdim: true)
    var y = (centered * ((centered * centered).mean(dim: 2, keepdim: true) + eps).rsqrt()).reshape(x.shape)
    let affineShape = [1, c] + [Int](repeating: 1, count: x.rank - 2)
    if let weight { y = y * weight.reshape(affineShape) }
    if let bias { y = y + bias.reshape(affineShape) }
    return y
}

/// Normalises each channel of each sample of [N, C, *] over its spatial
/// dims, like `F.instance_norm`. With `useInputStats` (training, or no
/// running statistics) it uses the instance's statistics and, when running
/// statistics are given, updates them with their mean over the batch; else
/// it uses the running statistics.
public func instanceNorm(_ x: Tensor, runningMean: Tensor? = nil, runningVar: Tensor? = nil, weight: Tensor? = nil,
                         bias: Tensor? = nil, useInputStats: Bool = true, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
    guard check(x.rank >= 2, "instance_norm", "expected at least 2D input (got \(x.rank)D input)") else { return .meta(x.shape) }
    let n = x.shape[0], c = x.shape[1]
    let spatial = x.shape.dropFirst(2).reduce(1, *)
    if useInputStats {
        guard check(spatial > 1, "instance_norm", "Expected more than 1 spatial element when training, got input size \(x.shape)")
        else { return .meta(x.shape) }
    }
    for (name, t) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)] {
        if let t {
            guard check(t.shape == [c], "instance_norm", "\(name) should contain \(c) elements, got shape \(t.shape)")
            else { return .meta(x.shape) }
        }
    }
    if x.isMeta { return .meta(x.shape) }
    let folded = x.reshape([1, n * c] + Array(x.shape.dropFirst(2)))
    let rm = runningMean.map { $0.detach().repeat([n]) }, rv = runningVar.map { $0.detach().repeat([n]) }
    let y = batchNorm(folded, runningMean: rm, runningVar: rv, weight: weight?.repeat([n]), bias: bias?.repeat([n]),
                      training: useInputStats, momentum: momentum, eps: eps)
    if useInputStats {
        noGrad {
            if let runningMean, let rm { runningMean.copy(from: rm.reshape([n, c]).mean(dim: 0)) }
            if let runningVar, let rv { runningVar.copy(from: rv.reshape([n, c]).mean(dim: 0)) }
        }
    }
    return y.reshape(x.shape)
}

/// Divides each element by (k + α/size · Σ x²)^β over `size` neighbouring
/// channels (dim 1, zero-padded), like `F.local_response_norm` (derived).
public func localResponseNorm(_ x: Tensor, size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) -> Tensor {
    guard check(x.rank >= 3, "local_response_norm", "Expected 3D or higher dimensionality input (got \(x.rank) dimensions)"),
          check(size > 0, "local_response_norm", "size must be positive, got \(size)")
    else { return .meta(x.shape) }
    if x.isMeta { return .meta(x.shape) }
    let c = x.shape[1]
    var padding = [Int](repeating: 0, count: 2 * (x.rank - 1))
    padding[2 * (x.rank - 2)] = size / 2
    padding[2 * (x.rank - 2) + 1] = (size - 1) / 2
    let squares = (x * x).pad(padding)
    var window = squares.narrow(1, start: 0, length: c)
    for j in 1..<Swift.max(size, 1) { window = window + squares.narrow(1, start: j, length: c) }
    let div = (window * (alpha / Float(size)) + k).pow(beta)
    return x / div
}
