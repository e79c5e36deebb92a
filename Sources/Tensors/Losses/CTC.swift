import Foundation

/// Connectionist Temporal Classification loss, like `F.ctc_loss`.
///
/// `logProbs` is [T, N, C] (or [T, C] unbatched): log-probabilities over C
/// classes (index `blank` is the blank) for T time steps, usually a
/// `logSoftmax(dim: 2)`. `targets` is [N, S] padded, or 1-D with the targets
/// concatenated (lengths `targetLengths`); `inputLengths[n]` ≤ T steps of
/// sample n are used. The loss of a sample is −log Σ over all alignments of
/// its target. `mean` divides each sample's loss by its target length
/// (at least 1), then averages over the batch; `zeroInfinity` zeroes
/// impossible alignments (infinite losses) and their gradients.
///
/// A primitive: the forward–backward recursions run in log space over the
/// extended target (blanks interleaved) in Double, which composing
/// logsumexp ops would make O(T·S) graph nodes and slow. Its gradient is
/// PyTorch's: exp(lp) − exp(log Σ_{s: l'_s = c} α_t(s)β_t(s) + nll − lp), the
/// gradient with respect to the logits behind a log-softmax (the exp(lp)
/// term vanishes after log-softmax's backward, since it sums to 1 over c).
///
/// ```swift
/// let lp = logits.logSoftmax(dim: 2)                 // [T, N, C]
/// let loss = ctcLoss(lp, targets, inputLengths: [50, 48], targetLengths: [12, 9])
/// ```
public func ctcLoss(_ logProbs: Tensor, _ targets: IntTensor, inputLengths: [Int], targetLengths: [Int],
                    blank: Int = 0, reduction: Reduction = .mean, zeroInfinity: Bool = false) -> Tensor {
    let op = "ctc_loss"
    guard check(logProbs.rank == 3 || logProbs.rank == 2, op,
                "Expected log_probs of rank 2 (T, C) or 3 (T, N, C), got \(logProbs.shape)") else { return .meta([]) }
    let batched = logProbs.rank == 3
    let tMax = logProbs.shape[0], n = batched ? logProbs.shape[1] : 1, c = logProbs.shape[logProbs.rank - 1]
    let outShape = reduction == .none && batched ? [n] : []
    guard check(blank >= 0 && blank < c, op, "blank must be in label range"),
          check(inputLengths.count == n, op, "input_lengths must be of size batch_size (\(n)), got \(inputLengths.count)"),
          check(targetLengths.count == n, op, "target_lengths must be of size batch_size (\(n)), got \(targetLengths.count)")
    else { return .meta(outShape) }
    for l in inputLengths {
        guard check(l >= 0 && l <= tMax, op, "Expected input_lengths to have value at most \(tMax), but got value \(l)")
        else { return .meta(outShape) }
    }
    // Where each sample's target starts in `targets.values`.
    var starts: [Int] = []
    if targets.rank == 2 {
        guard check(targets.shape[0] == n, op, "targets must have batch size \(n), got \(targets.shape)") else { return .meta(outShape) }
        let s = targets.shape[1]
        for (b, l) in targetLengths.enumerated() {
            guard check(l >= 0 && l <= s, op,
                        "Expected tensor to have size at least \(l) at dimension 1, but got size \(s) for argument #2 'targets' (while checking arguments for ctc_loss_cpu)")
            else { return .meta(outShape) }
            starts.append(b * s)
        }
    } else {
        var offset = 0
        for l in targetLengths {
            guard check(l >= 0, op, "target_lengths must be non-negative, got \(l)") else { return .meta(outShape) }
            starts.append(offset)
            offset += l
        }
        guard check(targets.rank <= 1 && offset <= targets.count, op,
                    "targets has \(targets.count) elements, but target_lengths sum to \(offset)") else { return .meta(outShape) }
    }
    for v in targets.values {
        guard check(v >= 0 && v < c, op, "target value \(v) out of range for \(c) classes") else { return .meta(outShape) }
    }
    if logProbs.isMeta { return .meta(outShape) }

    let x = logProbs.isContiguous ? logProbs : logProbs.contiguousCopy()
    let xp = UnsafePointer(x.dataPointer)
    let labels = targets.values
    // log_probs[t, b, k]
    @inline(__always) func lp(_ t: Int, _ b: Int, _ k: Int) -> Double { Double(xp[(t * n + b) * c + k]) }
    @inline(__always) func lse(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let m = Swift.max(a, b)
        return m + Foundation.log(Foundation.exp(a - m) + Foundation.exp(b - m))
    }

    var nll = [Double](repeating: 0, count: n)
    // Per sample, the gradient of its nll with respect to log_probs[·, b, ·] (computed eagerly, it is cheap).
    var grads = [Float](repeating: 0, count: tMax * n * c)
    for b in 0..<n {
        let tb = inputLengths[b], lb = targetLengths[b]
        let sLen = 2 * lb + 1
        func ext(_ s: Int) -> Int { s % 2 == 0 ? blank : labels[starts[b] + s / 2] }
        if tb == 0 {
            nll[b] = lb == 0 ? 0 : .infinity
            continue
        }
        var alpha = [Double](repeating: -.infinity, count: tb * sLen)
        var beta = [Double](repeating: -.infinity, count: tb * sLen)
        alpha[0] = lp(0, b, blank)
        if sLen > 1 { alpha[1] = lp(0, b, ext(1)) }
        for t in 1..<Swift.max(tb, 1) {
            for s in 0..<sLen {
                let k = ext(s)
                var a = alpha[(t - 1) * sLen + s]
                if s >= 1 { a = lse(a, alpha[(t - 1) * sLen + s - 1]) }
                if s >= 2 && k != blank && k != ext(s - 2) { a = lse(a, alpha[(t - 1) * sLen + s - 2]) }
                alpha[t * sLen + s] = a == -.infinity ? a : a + lp(t, b, k)
            }
        }
        let last = (tb - 1) * sLen
        var total = alpha[last + sLen - 1]
        if sLen > 1 { total = lse(total, alpha[last + sLen - 2]) }
        nll[b] = -total
        beta[last + sLen - 1] = lp(tb - 1, b, blank)
        if sLen > 1 { beta[last + sLen - 2] = lp(tb - 1, b, ext(sLen - 2)) }
        if tb >= 2 {
            for t in stride(from: tb - 2, through: 0, by: -1) {
                for s in 0..<sLen {
                    let k = ext(s)
                    var v = beta[(t + 1) * sLen + s]
                    if s + 1 < sLen { v = lse(v, beta[(t + 1) * sLen + s + 1]) }
                    if s + 2 < sLen && k != blank && k != ext(s + 2) { v = lse(v, beta[(t + 1) * sLen + s + 2]) }
                    beta[t * sLen + s] = v == -.infinity ? v : v + lp(t, b, k)
                }
            }
        }
        if zeroInfinity && nll[b] == .infinity { continue }
        var lcab = [Double](repeating: -.infinity, count: c)
        for t in 0..<tb {
            for k in 0..<c { lcab[k] = -.infinity }
            for s in 0..<sLen {
                let k = ext(s)
                lcab[k] = lse(lcab[k], alpha[t * sLen + s] + beta[t * sLen + s])
            }
            for k in 0..<c {
                let l = lp(t, b, k)
                grads[(t * n + b) * c + k] = Float(Foundation.exp(l) - Foundation.exp(lcab[k] + nll[b] - l))
            }
        }
    }
    var losses = nll.map { zeroInfinity && $0 == .infinity ? 0 : $0 }
    let out: Tensor
    var scale = [Double](repeating: 1, count: n)
    switch reduction {
    case .none:
        out = Tensor(losses.map { Float($0) }, shape: outShape)
    case .sum:
        out = Tensor(Float(losses.reduce(0, +)))
    case .mean:
        for b in 0..<n { scale[b] = 1 / Double(Swift.max(targetLengths[b], 1)) / Double(n) }
        for b in 0..<n { losses[b] *= scale[b] }
        out = Tensor(Float(losses.reduce(0, +)))
    }
    let shape = logProbs.shape
    return out.recording("CtcLossBackward0", [logProbs]) { g in
        let gv = g.toArray()
        var dx = grads
        for t in 0..<tMax {
            for b in 0..<n {
                let r = Float(scale[b]) * (reduction == .none ? gv[b] : gv[0])
                for k in 0..<c { dx[(t * n + b) * c + k] *= r }
            }
        }
        return [Tensor(dx, shape: shape)]
    }
}

/// Connectionist Temporal Classification loss, like `nn.CTCLoss(blank=0, reduction='mean', zero_infinity=False)`.
///
/// ```swift
/// let criterion = CTCLoss(blank: 0)
/// let loss = criterion(logits.logSoftmax(dim: 2), targets, inputLengths: lengths, targetLengths: targetLengths)
/// ```
public final class CTCLoss: Loss {
    /// The blank label's index.
    public let blank: Int
    /// Whether infinite losses (no possible alignment) and their gradients become zero.
    public let zeroInfinity: Bool

    /// A CTC loss with PyTorch's defaults.
    public init(blank: Int = 0, reduction: Reduction = .mean, zeroInfinity: Bool = false) {
        self.blank = blank
        self.zeroInfinity = zeroInfinity
        super.init(reduction: reduction)
    }

    /// The loss of `logProbs` [T, N, C] against `targets` with per-sample lengths.
    public func callAsFunction(_ logProbs: Tensor, _ targets: IntTensor, inputLengths: [Int], targetLengths: [Int]) -> Tensor {
        callLoss([logProbs]) {
            ctcLoss(logProbs, targets, inputLengths: inputLengths, targetLengths: targetLengths, blank: blank,
                    reduction: reduction, zeroInfinity: zeroInfinity)
        }
    }
}
