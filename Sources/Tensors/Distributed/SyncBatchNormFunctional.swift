/// Batch normalisation in training with statistics over every rank's batch,
/// the computation behind `SyncBatchNorm` (PyTorch's `SyncBatchNorm.forward`).
///
/// Per channel, the sums Σx and then Σ(x − μ)² are allreduced
/// (`allReduceSum(_:group:)`, differentiable), giving the mean and biased
/// variance of the union of the ranks' batches; the running statistics take
/// the unbiased variance over the total count. Built from differentiable ops,
/// so backward sums the gradients of both sums over the ranks — the same
/// two reductions PyTorch's backward allreduces (Σdy, Σdy·(x − μ)).
/// Every rank must call it with the same channel count.
func syncBatchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                   momentum: Float, eps: Float, group: any ProcessGroup) -> Tensor {
    let c = x.shape[1]
    let dims = [0] + Array(2..<x.rank)
    let view = [1, c] + [Int](repeating: 1, count: x.rank - 2)
    var counts = [Double(x.count / c)]
    group.allReduceSum(&counts)
    let total = counts[0]
    guard check(total > 1, "batch_norm", "Expected more than 1 value per channel when training, got \(Int(total)) over \(group.worldSize) processes")
    else { return .meta(x.shape) }
    let mean = allReduceSum(x.sum(dims: dims), group: group) / Float(total)
    let centred = x - mean.view(view)
    let variance = allReduceSum((centred * centred).sum(dims: dims), group: group) / Float(total)
    var y = centred * (variance + eps).rsqrt().view(view)
    if let weight { y = y * weight.view(view) }
    if let bias { y = y + bias.view(view) }
    if let rm = runningMean, let rv = runningVar {
        noGrad {
            let unbiased = variance.detach() * Float(total / (total - 1))
            rm.copy(from: rm * (1 - momentum) + mean.detach() * momentum)
            rv.copy(from: rv * (1 - momentum) + unbiased * momentum)
        }
    }
    return y.named("SyncBatchNormBackward")
}

/// The sum of `x` over every rank of `group`; its gradient is the sum of the
/// ranks' output gradients (each rank's output depends on every rank's input).
public func allReduceSum(_ x: Tensor, group: any ProcessGroup) -> Tensor {
    let out = noGrad { x.contiguousCopy() }
    group.allReduceSum(out)
    guard group.isDistributed else { return out.recording("AllReduceBackward", [x]) { [$0] } }
    return out.recording("AllReduceBackward", [x]) { g in
        let summed = g.contiguousCopy()
        group.allReduceSum(summed)
        return [summed]
    }
}

extension Module {
    /// Makes every batch-norm layer of this module combine its training
    /// statistics over `group`'s ranks, as `SyncBatchNorm` does — PyTorch's
    /// `SyncBatchNorm.convert_sync_batchnorm`, except that the layers keep
    /// their class (and printed name); nil turns it off. Returns the number
    /// of layers changed.
    @discardableResult
    public func convertSyncBatchNorm(group: (any ProcessGroup)?) -> Int {
        var n = 0
        for case let bn as BatchNorm in modules() {
            bn.statisticsGroup = group
            n += 1
        }
        return n
    }
}
