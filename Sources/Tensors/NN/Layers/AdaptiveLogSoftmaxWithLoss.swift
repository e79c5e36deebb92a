/// Efficient softmax approximation for many classes (Grave et al. 2016), like
/// `nn.AdaptiveLogSoftmaxWithLoss`.
///
/// Classes are split by `cutoffs` into a frequent shortlist (predicted by
/// `head` together with one logit per tail cluster) and tail clusters, each
/// predicted through a low-rank projection `tail[i]` =
/// `Sequential(Linear(in, in / divValue^(i+1), bias: false), Linear(…, clusterSize, bias: false))`.
/// The call takes the input [N, inFeatures] (or [inFeatures]) and integer
/// targets [N] (or a scalar) and returns `output`, the log-probability of
/// each target, and `loss`, the mean negative log-likelihood; `logProb`
/// gives the full [N, nClasses] log-probabilities and `predict` the argmax.
///
/// ```swift
/// let asm = AdaptiveLogSoftmaxWithLoss(inFeatures: 64, nClasses: 1000, cutoffs: [100, 500])
/// let (output, loss) = asm(hidden, targets)
/// ```
public final class AdaptiveLogSoftmaxWithLoss: Module {
    /// Size of each input sample.
    public let inFeatures: Int
    /// Number of classes.
    public let nClasses: Int
    /// The cluster boundaries followed by `nClasses`, as PyTorch stores them.
    public let cutoffs: [Int]
    /// The exponent base of the tail projections' sizes.
    public let divValue: Double
    /// Whether `head` has a bias.
    public let headBias: Bool
    /// Shortlist (first cluster) size: `cutoffs[0]`.
    public var shortlistSize: Int { cutoffs[0] }
    /// Number of tail clusters.
    public var nClusters: Int { cutoffs.count - 1 }
    /// Number of head outputs: shortlist + one per tail cluster.
    public var headSize: Int { shortlistSize + nClusters }
    /// Shortlist and cluster logits.
    public let head: Linear
    /// One two-layer projection per tail cluster.
    public let tail: ModuleList

    /// An adaptive softmax; `cutoffs` must be unique, increasing, in 1…nClasses−1.
    public init(inFeatures: Int, nClasses: Int, cutoffs: [Int], divValue: Double = 4, headBias: Bool = false,
                generator: Generator? = nil) {
        precondition(!cutoffs.isEmpty, "AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of length larger than 0")
        precondition(cutoffs == cutoffs.sorted() && (cutoffs.min() ?? 0) > 0 && (cutoffs.max() ?? 0) <= nClasses - 1
                        && Set(cutoffs).count == cutoffs.count,
                     "AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and n_classes-1")
        self.inFeatures = inFeatures
        self.nClasses = nClasses
        self.cutoffs = cutoffs + [nClasses]
        self.divValue = divValue
        self.headBias = headBias
        head = Linear(inFeatures, cutoffs[0] + cutoffs.count, bias: headBias, generator: generator)
        var projections: [Module] = []
        for i in 0..<cutoffs.count {
            var hsz = Double(inFeatures)
            for _ in 0...i { hsz /= divValue }
            let hidden = Int(hsz.rounded(.down))
            let osz = self.cutoffs[i + 1] - self.cutoffs[i]
            projections.append(Sequential(Linear(inFeatures, hidden, bias: false, generator: generator),
                                          Linear(hidden, osz, bias: false, generator: generator)))
        }
        tail = ModuleList(projections)
        super.init()
    }

    /// Re-draws every parameter, like `reset_parameters()`.
    public func resetParameters(generator: Generator? = nil) {
        head.resetParameters(generator: generator)
        for case let seq as Sequential in tail.items {
            for case let fc as Linear in seq.layers { fc.resetParameters(generator: generator) }
        }
    }

    /// The log-probability of each target and the mean negative log-likelihood.
    public func callAsFunction(_ input: Tensor, _ target: IntTensor) -> (output: Tensor, loss: Tensor) {
        call(inputs: [input], outputs: { [$0.output, $0.loss] }) { forward(input, target) }
    }

    /// Tools' erased call: `[input, target]` (target as class indices in a
    /// float tensor) → `[output, loss]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else {
            throw ShapeError(op: typeName, "expected 2 input tensors (input, target), got \(inputs.count)")
        }
        if inputs[1].isMeta {
            let r = call(inputs: inputs, outputs: { [$0.0, $0.1] }) { metaForward(inputs[0], targetShape: inputs[1].shape) }
            return [r.0, r.1]
        }
        let target = IntTensor(inputs[1].toArray().map { Int($0) }, shape: inputs[1].shape)
        let r = call(inputs: inputs, outputs: { [$0.output, $0.loss] }) { forward(inputs[0], target) }
        return [r.output, r.loss]
    }

    /// Checks shapes like PyTorch; returns (batched, batch size) or nil after reporting.
    private func checkShapes(_ input: Tensor, targetShape: [Int]) -> Bool {
        switch targetShape.count {
        case 1:
            guard check(input.rank == 2, typeName, "1D target tensor expects 2D input tensors, but found inputs with size \(input.shape)"),
                  check(input.shape[0] == targetShape[0], typeName, "Input and target should have the same size in the batch dimension.")
            else { return false }
        case 0:
            guard check(input.rank == 1, typeName, "0D target tensor expects 1D input tensors, but found inputs with size \(input.shape)")
            else { return false }
        default:
            ShapeCheck.fail(ShapeError(op: typeName, "0D or 1D target tensor expected, multi-target not supported"))
            return false
        }
        return check(input.shape[input.rank - 1] == inFeatures, typeName,
                     "Input size \(input.shape[input.rank - 1]) does not match in_features=\(inFeatures)")
    }

    private func metaForward(_ input: Tensor, targetShape: [Int]) -> (Tensor, Tensor) {
        _ = checkShapes(input, targetShape: targetShape)
        return (.meta(targetShape), .meta([]))
    }

    func forward(_ input: Tensor, _ target: IntTensor) -> (output: Tensor, loss: Tensor) {
        guard checkShapes(input, targetShape: target.shape) else { return (.meta(target.shape), .meta([])) }
        if input.isMeta { return (.meta(target.shape), .meta([])) }
        let batched = target.rank > 0
        let x = batched ? input : input.unsqueeze(0)
        let t = target.values
        let batch = t.count
        guard let lo = t.min(), let hi = t.max(), lo >= 0, hi < nClasses else {
            let range = t.isEmpty ? "[]" : "[\(t.min() ?? 0), \(t.max() ?? 0)]"
            ShapeCheck.fail(ShapeError(op: typeName, "Target values should be in [0, \(nClasses - 1)], but values in range \(range) were found. "))
            return (.meta(target.shape), .meta([]))
        }
        var gatherInds = [Int](repeating: 0, count: batch)
        var output = Tensor.zeros([batch])
        let bounds = [0] + cutoffs
        for i in 0..<(bounds.count - 1) {
            let low = bounds[i], high = bounds[i + 1]
            let rows = (0..<batch).filter { t[$0] >= low && t[$0] < high }
            if rows.isEmpty { continue }
            if i == 0 {
                for r in rows { gatherInds[r] = t[r] }
                continue
            }
            for r in rows { gatherInds[r] = shortlistSize + i - 1 }
            let subset = x.indexSelect(0, IntTensor(rows))
            guard let projection = tail[i - 1] as? Sequential else { continue }
            let clusterLogProb = projection(subset).logSoftmax(dim: 1)
            let local = clusterLogProb.gather(1, IntTensor(rows.map { t[$0] - low }, shape: [rows.count, 1])).reshape([rows.count])
            output = output.scatterAdd(0, IntTensor(rows), local)
        }
        let headLogProb = head(x).logSoftmax(dim: 1)
        output = output + headLogProb.gather(1, IntTensor(gatherInds, shape: [batch, 1])).reshape([batch])
        let loss = (-output).mean()
        return (batched ? output : output.reshape([]), loss)
    }

    /// Log-probabilities of every class [N, nClasses] (or [nClasses]), like `log_prob`.
    public func logProb(_ input: Tensor) -> Tensor {
        call(input) { input in
            guard check(input.rank == 1 || input.rank == 2, typeName,
                        "log_prob expects a 1D or 2D input, got \(input.rank)D"),
                  check(input.shape[input.rank - 1] == inFeatures, typeName,
                        "Input size \(input.shape[input.rank - 1]) does not match in_features=\(inFeatures)")
            else { return .meta(input.shape) }
            let x = input.rank == 1 ? input.unsqueeze(0) : input
            let headLogProb = head(x).logSoftmax(dim: 1)
            var parts = [headLogProb.narrow(1, start: 0, length: shortlistSize)]
            for i in 0..<nClusters {
                guard let projection = tail[i] as? Sequential else { continue }
                let clusterLogProb = projection(x).logSoftmax(dim: 1)
                parts.append(clusterLogProb + headLogProb.narrow(1, start: shortlistSize + i, length: 1))
            }
            let out = Tensor.cat(parts, dim: 1)
            return input.rank == 1 ? out.reshape([nClasses]) : out
        }
    }

    /// The most likely class of each row, like `predict`.
    public func predict(_ input: Tensor) -> IntTensor {
        logProb(input).argmax(dim: -1)
    }
}
