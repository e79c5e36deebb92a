import Foundation

/// Limited-memory BFGS, like `torch.optim.LBFGS`: a quasi-Newton method that
/// re-evaluates the loss several times per `step`, so it needs a closure.
///
/// Each `step { … }` runs up to `maxIter` iterations: the two-loop recursion
/// over the last `historySize` (s, y) pairs gives a direction, then either a
/// fixed step of `lr` or, with `lineSearch: .strongWolfe`, a line search
/// satisfying the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9, cubic
/// interpolation, as PyTorch's `_strong_wolfe`). It stops early when the
/// gradient's largest entry is ≤ `toleranceGrad`, or the step or the loss
/// change is below `toleranceChange`, or after `maxEval` evaluations.
///
/// Vectors are float32 like PyTorch's flat tensors; step lengths and the line
/// search's scalars are Double (PyTorch mixes float32 0-dim tensors and Python
/// floats there), so trajectories agree with PyTorch's to ~1e-5 until the
/// iterate is converged to float precision, where tolerance tests may then
/// stop at a different iteration.
///
/// One parameter group only, like PyTorch. The closure must clear the
/// gradients, compute the loss, call `backward()` and return the loss. The
/// state (one entry, under the first parameter, as in PyTorch) holds
/// `d`, `t`, `old_dirs`, `old_stps` (stacked [k, n]), `ro`, `H_diag`,
/// `prev_flat_grad`, `prev_loss`, `func_evals`, with `n_iter` as the step count.
///
/// ```swift
/// let opt = try LBFGS(model.parameters(), lr: 1, lineSearch: .strongWolfe)
/// for _ in 0..<10 {
///     opt.step {
///         opt.zeroGrad()
///         let loss = mseLoss(model(x), y)
///         loss.backward()
///         return loss
///     }
/// }
/// ```
public final class LBFGS: Optimizer {
    /// The line search: none (a fixed step of `lr`) or strong Wolfe.
    public enum LineSearch: String, Sendable, CaseIterable {
        case strongWolfe = "strong_wolfe"
    }

    private var history = History()

    /// LBFGS over `params`; `maxEval` defaults to `maxIter * 5 / 4`.
    public init(_ params: [Tensor], lr: Double = 1, maxIter: Int = 20, maxEval: Int? = nil,
                toleranceGrad: Double = 1e-7, toleranceChange: Double = 1e-9, historySize: Int = 100,
                lineSearch: LineSearch? = nil, maximize: Bool = false) throws {
        var defaults: [String: OptimizerOption] = [
            "lr": .number(lr), "max_iter": .number(Double(maxIter)),
            "max_eval": .number(Double(maxEval ?? maxIter * 5 / 4)),
            "tolerance_grad": .number(toleranceGrad), "tolerance_change": .number(toleranceChange),
            "history_size": .number(Double(historySize)), "maximize": .flag(maximize),
        ]
        if lineSearch == .strongWolfe { defaults["line_search_fn"] = .flag(true) }
        try super.init(groups: params.isEmpty ? [] : [ParamGroup(params)], defaults: defaults)
    }

    public override func validate(_ options: [String: OptimizerOption]) throws {
        try super.validate(options)
        if let h = options["history_size"]?.number, !(h >= 1) {
            throw OptimizerError("Invalid history_size value: \(Int(h))")
        }
    }

    /// Refuses a second group, like PyTorch.
    public override func addGroupCheck(_ group: ParamGroup) throws {
        if !paramGroups.isEmpty { throw OptimizerError("LBFGS doesn't support per-parameter options (parameter groups)") }
    }

    public override var requiresClosure: Bool { true }

    /// Without a closure (a loop that already ran `backward()`): one L-BFGS
    /// iteration on the current gradients with the fixed step `lr`, no line
    /// search and no re-evaluation. PyTorch refuses `step()` without a
    /// closure; this fallback keeps a generic training loop working (the
    /// history still builds up across calls). Use `step { … }` for PyTorch's algorithm.
    public override func step() {
        guard !paramGroups.isEmpty else { return }
        let saved = paramGroups[0].options
        paramGroups[0].options["max_iter"] = .number(1)
        paramGroups[0].options["line_search_fn"] = nil
        defer { paramGroups[0].options = saved }
        step { Tensor(Float(0)) }
    }

    public override func update(group: ParamGroup) {}

    // MARK: State

    /// The algorithm's memory, mirrored into the state of the first parameter.
    struct History {
        var funcEvals = 0, nIter = 0
        var d: [Float]? = nil, t: Double? = nil
        var oldDirs: [[Float]] = [], oldStps: [[Float]] = [], ro: [Float] = []
        var hDiag: Float = 1
        var prevFlatGrad: [Float]? = nil, prevLoss: Double? = nil
    }

    private var params: [Tensor] { paramGroups.first?.params ?? [] }
    private var numel: Int { params.reduce(0) { $0 + $1.count } }

    public override func stateBufferShapeOK(_ key: String, _ t: Tensor, param: Tensor) -> Bool { true }

    /// Reads the history from the first parameter's state (after `loadStateDict`).
    private func loadHistory() {
        guard let first = params.first, let st = state[ObjectIdentifier(first)] else { history = History(); return }
        func scalar(_ k: String) -> Double? { st.buffers[k].map { Double($0.toArray().first ?? 0) } }
        func rows(_ k: String) -> [[Float]] {
            guard let t = st.buffers[k], t.rank == 2 else { return [] }
            let v = t.toArray(), n = t.shape[1]
            return (0..<t.shape[0]).map { Array(v[($0 * n)..<(($0 + 1) * n)]) }
        }
        var h = History()
        h.nIter = st.step
        h.funcEvals = Int(scalar("func_evals") ?? 0)
        h.d = st.buffers["d"]?.toArray()
        h.t = scalar("t")
        h.oldDirs = rows("old_dirs")
        h.oldStps = rows("old_stps")
        h.ro = st.buffers["ro"]?.toArray() ?? []
        h.hDiag = Float(scalar("H_diag") ?? 1)
        h.prevFlatGrad = st.buffers["prev_flat_grad"]?.toArray()
        h.prevLoss = scalar("prev_loss")
        history = h
    }

    private func storeHistory() {
        guard let first = params.first else { return }
        let st = paramState(first)
        let h = history
        st.step = h.nIter
        var b: [String: Tensor] = ["func_evals": Tensor(Float(h.funcEvals))]
        if let d = h.d { b["d"] = Tensor(d, shape: [d.count]) }
        if let t = h.t { b["t"] = Tensor(Float(t)) }
        let n = numel
        b["old_dirs"] = Tensor(h.oldDirs.flatMap { $0 }, shape: [h.oldDirs.count, n])
        b["old_stps"] = Tensor(h.oldStps.flatMap { $0 }, shape: [h.oldStps.count, n])
        b["ro"] = Tensor(h.ro, shape: [h.ro.count])
        b["H_diag"] = Tensor(h.hDiag)
        if let g = h.prevFlatGrad { b["prev_flat_grad"] = Tensor(g, shape: [g.count]) }
        if let l = h.prevLoss { b["prev_loss"] = Tensor(Float(l)) }
        st.buffers = b
    }

    // MARK: Vector helpers (float32 like PyTorch's flat tensors)

    private func dot(_ a: [Float], _ b: [Float]) -> Float {
        var acc: Float = 0
        for i in a.indices { acc += a[i] * b[i] }
        return acc
    }

    private func absMax(_ a: [Float]) -> Float { a.reduce(0) { Swift.max($0, Swift.abs($1)) } }

    private func flatGrad(maximize: Bool) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(numel)
        for p in params { out += p.grad?.toArray() ?? [Float](repeating: 0, count: p.count) }
        return maximize ? out.map { -$0 } : out
    }

    private func addGrad(_ t: Double, _ d: [Float]) {
        var offset = 0
        noGrad {
            for p in params {
                let slice = Array(d[offset..<(offset + p.count)])
                _ = p.addInPlace(Tensor(slice, shape: p.shape), alpha: Float(t))
                offset += p.count
            }
        }
    }

    private func cloneParams() -> [Tensor] { params.map { OptimKernels.copy($0) } }

    private func setParams(_ values: [Tensor]) {
        noGrad { for (p, v) in zip(params, values) { _ = p.copy(from: v) } }
    }

    // MARK: Step

    /// Runs up to `max_iter` L-BFGS iterations, evaluating `closure` as needed;
    /// returns the loss of the first evaluation, like PyTorch.
    @discardableResult
    public override func step(_ closure: () throws -> Tensor) rethrows -> Tensor {
        guard let group = paramGroups.first, !params.isEmpty else { return try withGradMode(true) { try closure() } }
        let lr = group.lr
        let maxIter = Int(group.number("max_iter") ?? 20)
        let maxEval = Int(group.number("max_eval") ?? Double(maxIter * 5 / 4))
        let tolGrad = Float(group.number("tolerance_grad") ?? 1e-7)
        let tolChange = group.number("tolerance_change") ?? 1e-9
        let historySize = Int(group.number("history_size") ?? 100)
        let wolfe = group.flag("line_search_fn") ?? false
        let maximize = group.maximize ?? false
        loadHistory()
        defer { storeHistory() }

        func evaluate() throws -> Double {
            let l = try withGradMode(true) { try closure() }
            return maximize ? -Double(l.item()) : Double(l.item())
        }
        let origLoss = try withGradMode(true) { try closure() }
        var loss = maximize ? -Double(origLoss.item()) : Double(origLoss.item())
        var currentEvals = 1
        history.funcEvals += 1
        var g = flatGrad(maximize: maximize)
        if absMax(g) <= tolGrad { return origLoss }

        var h = history
        var d = h.d ?? []
        var t = h.t ?? lr
        var nIter = 0
        while nIter < maxIter {
            nIter += 1
            h.nIter += 1
            if h.nIter == 1 {
                d = g.map { -$0 }
                h.oldDirs = []; h.oldStps = []; h.ro = []
                h.hDiag = 1
            } else if let prev = h.prevFlatGrad {
                let y = zip(g, prev).map { $0 - $1 }
                let s = d.map { $0 * Float(t) }
                let ys = dot(y, s)
                if ys > 1e-10 {
                    if h.oldDirs.count == historySize {
                        h.oldDirs.removeFirst(); h.oldStps.removeFirst(); h.ro.removeFirst()
                    }
                    h.oldDirs.append(y); h.oldStps.append(s); h.ro.append(1 / ys)
                    h.hDiag = ys / dot(y, y)
                }
                let k = h.oldDirs.count
                var al = [Float](repeating: 0, count: k)
                var q = g.map { -$0 }
                for i in stride(from: k - 1, through: 0, by: -1) {
                    al[i] = dot(h.oldStps[i], q) * h.ro[i]
                    for j in q.indices { q[j] += -al[i] * h.oldDirs[i][j] }
                }
                var r = q.map { $0 * h.hDiag }
                for i in 0..<k {
                    let be = dot(h.oldDirs[i], r) * h.ro[i]
                    for j in r.indices { r[j] += (al[i] - be) * h.oldStps[i][j] }
                }
                d = r
            }
            h.prevFlatGrad = g
            let prevLoss = loss
            h.prevLoss = loss
            if h.nIter == 1 {
                let sumAbs = g.reduce(Float(0)) { $0 + Swift.abs($1) }
                t = Swift.min(1, Double(1 / sumAbs)) * lr
            } else {
                t = lr
            }
            let gtd = dot(g, d)
            if Double(gtd) > -tolChange { break }

            var lsEvals = 0
            var optCond = false
            if wolfe {
                let x0 = cloneParams()
                let result = try strongWolfe(x0, t, d, loss, g, gtd, toleranceChange: tolChange,
                                             maxLS: maxEval - currentEvals) { x, step, dir in
                    addGrad(step, dir)
                    let l = try evaluate()
                    let fg = flatGrad(maximize: maximize)
                    setParams(x)
                    return (l, fg)
                }
                (loss, g, t, lsEvals) = result
                addGrad(t, d)
                optCond = absMax(g) <= tolGrad
            } else {
                addGrad(t, d)
                if nIter != maxIter {
                    loss = try evaluate()
                    g = flatGrad(maximize: maximize)
                    optCond = absMax(g) <= tolGrad
                    lsEvals = 1
                }
            }
            currentEvals += lsEvals
            h.funcEvals += lsEvals
            if nIter == maxIter || currentEvals >= maxEval || optCond { break }
            if absMax(d.map { $0 * Float(t) }) <= Float(tolChange) { break }
            if Swift.abs(loss - prevLoss) < tolChange { break }
        }
        h.d = d
        h.t = t
        history = h
        return origLoss
    }

    /// The minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to `bounds`.
    private func cubicInterpolate(_ x1: Double, _ f1: Double, _ g1: Double, _ x2: Double, _ f2: Double, _ g2: Double,
                                  bounds: (Double, Double)? = nil) -> Double {
        let (lo, hi) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1))
        let d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        let d2sq = d1 * d1 - g1 * g2
        guard d2sq >= 0 else { return (lo + hi) / 2 }
        let d2 = d2sq.squareRoot()
        let minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                              : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return Swift.min(Swift.max(minPos, lo), hi)
    }

    /// PyTorch's `_strong_wolfe`: returns (loss, flat gradient, step, evaluations).
    private func strongWolfe(_ x: [Tensor], _ t0: Double, _ d: [Float], _ f: Double, _ g: [Float], _ gtd0: Float,
                             c1: Double = 1e-4, c2: Double = 0.9, toleranceChange: Double, maxLS: Int,
                             _ obj: ([Tensor], Double, [Float]) throws -> (Double, [Float])) rethrows
        -> (Double, [Float], Double, Int) {
        let gtd = Double(gtd0)
        let dNorm = Double(absMax(d))
        var t = t0
        var (fNew, gNew) = try obj(x, t, d)
        var evals = 1
        var gtdNew = Double(dot(gNew, d))
        var tPrev = 0.0, fPrev = f, gPrev = g, gtdPrev = gtd
        var done = false
        var lsIter = 0
        var bracket: [Double] = [], bf: [Double] = [], bg: [[Float]] = [], bgtd: [Double] = []
        while lsIter < maxLS {
            if fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev) {
                bracket = [tPrev, t]; bf = [fPrev, fNew]; bg = [gPrev, gNew]; bgtd = [gtdPrev, gtdNew]
                break
            }
            if Swift.abs(gtdNew) <= -c2 * gtd {
                bracket = [t]; bf = [fNew]; bg = [gNew]
                done = true
                break
            }
            if gtdNew >= 0 {
                bracket = [tPrev, t]; bf = [fPrev, fNew]; bg = [gPrev, gNew]; bgtd = [gtdPrev, gtdNew]
                break
            }
            let minStep = t + 0.01 * (t - tPrev), maxStep = t * 10
            let tmp = t
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, bounds: (minStep, maxStep))
            tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew
            (fNew, gNew) = try obj(x, t, d)
            evals += 1
            gtdNew = Double(dot(gNew, d))
            lsIter += 1
        }
        if lsIter == maxLS || bracket.isEmpty {
            bracket = [0, t]; bf = [f, fNew]; bg = [g, gNew]
        }
        var insufficient = false
        var (low, high) = bf[0] <= bf[bf.count - 1] ? (0, 1) : (1, 0)
        while !done && lsIter < maxLS && bracket.count == 2 && bgtd.count == 2 {
            if Swift.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange { break }
            t = cubicInterpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1])
            let hiB = Swift.max(bracket[0], bracket[1]), loB = Swift.min(bracket[0], bracket[1])
            let eps = 0.1 * (hiB - loB)
            if Swift.min(hiB - t, t - loB) < eps {
                if insufficient || t >= hiB || t <= loB {
                    t = Swift.abs(t - hiB) < Swift.abs(t - loB) ? hiB - eps : loB + eps
                    insufficient = false
                } else {
                    insufficient = true
                }
            } else {
                insufficient = false
            }
            (fNew, gNew) = try obj(x, t, d)
            evals += 1
            gtdNew = Double(dot(gNew, d))
            lsIter += 1
            if fNew > f + c1 * t * gtd || fNew >= bf[low] {
                bracket[high] = t; bf[high] = fNew; bg[high] = gNew; bgtd[high] = gtdNew
                (low, high) = bf[0] <= bf[1] ? (0, 1) : (1, 0)
            } else {
                if Swift.abs(gtdNew) <= -c2 * gtd {
                    done = true
                } else if gtdNew * (bracket[high] - bracket[low]) >= 0 {
                    bracket[high] = bracket[low]; bf[high] = bf[low]; bg[high] = bg[low]; bgtd[high] = bgtd[low]
                }
                bracket[low] = t; bf[low] = fNew; bg[low] = gNew; bgtd[low] = gtdNew
            }
        }
        let i = Swift.min(low, bracket.count - 1)
        return (bf[i], bg[i], bracket[i], evals)
    }
}
