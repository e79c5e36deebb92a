import Foundation

// Fused kernels of the recurrent layers.
//
// `RNN`/`LSTM`/`GRU` run each layer and direction as one primitive,
// `recurrentLayer` (bottom of this file): the input projection of every time
// step is one GEMM, the per-step hidden products are GEMMs on the running
// rows, and backward has its own rule. The cells (`LSTMCell`, `GRUCell`) use
// the per-step gate primitives `lstmGates` / `gruGates`: built from
// `sigmoid`/`tanh`/`mul`/`add` an LSTM step is about 15 graph nodes and as
// many temporary tensors, fused it is one node that saves the activated
// gates once.

@inline(__always) private func sigm(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }

/// tanh through `exp` (glibc's `tanhf` goes through the slower `expm1f`);
/// absolute error below 1e-7.
@inline(__always) private func fastTanh(_ x: Float) -> Float { 1 - 2 / (Foundation.exp(2 * x) + 1) }

/// One LSTM step's gates, fused: from the input projection `gx` and the hidden
/// projection `gh` (both `[B, 4H]`, gate order i, f, g, o as in PyTorch, biases
/// included) and the previous cell state `cPrev` `[B, H]`, returns
/// `h = o · tanh(c)` and `c = f · cPrev + i · g`.
///
/// A primitive (one backward rule) for speed; see the comment at the top of
/// this file. The result is one `[2, B, H]` tensor; `h` and `c` are its two
/// planes, so gradients reaching either flow through the same node.
public func lstmGates(_ gx: Tensor, _ gh: Tensor, _ cPrev: Tensor) -> (h: Tensor, c: Tensor) {
    let b = cPrev.rank == 2 ? cPrev.shape[0] : 0, h = cPrev.rank == 2 ? cPrev.shape[1] : 0
    guard check(cPrev.rank == 2, "lstm_cell", "cell state must be 2-D [batch, hidden], got shape \(cPrev.shape)"),
          check(gx.shape == [b, 4 * h] && gh.shape == [b, 4 * h], "lstm_cell",
                "gate pre-activations must have shape [\(b), \(4 * h)], got \(gx.shape) and \(gh.shape)") else {
        return (.meta([b, h]), .meta([b, h]))
    }
    if gx.isMeta || gh.isMeta || cPrev.isMeta { return (.meta([b, h]), .meta([b, h])) }
    let xc = gx.isContiguous ? gx : gx.contiguousCopy()
    let hc = gh.isContiguous ? gh : gh.contiguousCopy()
    let cc = cPrev.isContiguous ? cPrev : cPrev.contiguousCopy()
    let out = Tensor(uninitialized: [2, b, h])
    // Saved for backward: i, f, g, o (activated) and tanh(c), [B, 5H].
    let saved = Tensor(uninitialized: [b, 5 * h])
    let xp = UnsafePointer(xc.dataPointer), hp = UnsafePointer(hc.dataPointer), cp = UnsafePointer(cc.dataPointer)
    let op = out.dataPointer, sp = saved.dataPointer
    let plane = b * h
    for r in 0..<b {
        let s = sp + r * 5 * h
        LSTMGateKernel.forward(h: h, pre: xp + r * 4 * h, pre2: hp + r * 4 * h, cPrev: cp + r * h, gates: s,
                               c: op + plane + r * h, tanhC: s + 4 * h, hOut: op + r * h)
    }
    withExtendedLifetime((xc, hc, cc)) {}
    let cSaved = cc.detach()
    let res = out.recording("LstmCellBackward0", [gx, gh, cPrev]) { grad in
        let gc = grad.isContiguous ? grad : grad.contiguousCopy()
        let gp = UnsafePointer(gc.dataPointer), s = UnsafePointer(saved.dataPointer), c0 = UnsafePointer(cSaved.dataPointer)
        let dGates = Tensor(uninitialized: [b, 4 * h]), dC = Tensor(uninitialized: [b, h])
        let dg = dGates.dataPointer, dc0 = dC.dataPointer
        for r in 0..<b {
            let sr = s + r * 5 * h
            LSTMGateKernel.backward(h: h, gates: sr, tanhC: sr + 4 * h, cPrev: c0 + r * h, dh: gp + r * h,
                                    dcIn: gp + plane + r * h, dGates: dg + r * 4 * h, dcOut: dc0 + r * h)
        }
        withExtendedLifetime(gc) {}
        return [dGates, dGates, dC]
    }
    return (res.select(0, 0), res.select(0, 1))
}

/// One GRU step's gates, fused: from the input projection `gx` and the hidden
/// projection `gh` (both `[B, 3H]`, gate order r, z, n as in PyTorch, biases
/// included) and the previous hidden state `hPrev` `[B, H]`, returns
/// `h = (1 − z) · n + z · hPrev` with `n = tanh(gx_n + r · gh_n)`.
///
/// A primitive for speed (see the top of this file).
public func gruGates(_ gx: Tensor, _ gh: Tensor, _ hPrev: Tensor) -> Tensor {
    let b = hPrev.rank == 2 ? hPrev.shape[0] : 0, h = hPrev.rank == 2 ? hPrev.shape[1] : 0
    guard check(hPrev.rank == 2, "gru_cell", "hidden state must be 2-D [batch, hidden], got shape \(hPrev.shape)"),
          check(gx.shape == [b, 3 * h] && gh.shape == [b, 3 * h], "gru_cell",
                "gate pre-activations must have shape [\(b), \(3 * h)], got \(gx.shape) and \(gh.shape)") else {
        return .meta([b, h])
    }
    if gx.isMeta || gh.isMeta || hPrev.isMeta { return .meta([b, h]) }
    let xc = gx.isContiguous ? gx : gx.contiguousCopy()
    let hc = gh.isContiguous ? gh : gh.contiguousCopy()
    let pc = hPrev.isContiguous ? hPrev : hPrev.contiguousCopy()
    let out = Tensor(uninitialized: [b, h])
    // Saved: r, z, n, gh_n, [B, 4H].
    let saved = Tensor(uninitialized: [b, 4 * h])
    let xp = UnsafePointer(xc.dataPointer), hp = UnsafePointer(hc.dataPointer), pp = UnsafePointer(pc.dataPointer)
    let op = out.dataPointer, sp = saved.dataPointer
    for row in 0..<b {
        let gxr = xp + row * 3 * h, ghr = hp + row * 3 * h, s = sp + row * 4 * h
        for j in 0..<h {
            let r = sigm(gxr[j] + ghr[j])
            let z = sigm(gxr[h + j] + ghr[h + j])
            let ghn = ghr[2 * h + j]
            let n = Foundation.tanh(gxr[2 * h + j] + r * ghn)
            op[row * h + j] = (1 - z) * n + z * pp[row * h + j]
            s[j] = r; s[h + j] = z; s[2 * h + j] = n; s[3 * h + j] = ghn
        }
    }
    withExtendedLifetime((xc, hc)) {}
    let pSaved = pc.detach()
    return out.recording("GruCellBackward0", [gx, gh, hPrev]) { grad in
        let gc = grad.isContiguous ? grad : grad.contiguousCopy()
        let gp = UnsafePointer(gc.dataPointer), s = UnsafePointer(saved.dataPointer), p0 = UnsafePointer(pSaved.dataPointer)
        let dX = Tensor(uninitialized: [b, 3 * h]), dH = Tensor(uninitialized: [b, 3 * h]), dP = Tensor(uninitialized: [b, h])
        let dx = dX.dataPointer, dhh = dH.dataPointer, dp = dP.dataPointer
        for row in 0..<b {
            let sr = s + row * 4 * h, ddx = dx + row * 3 * h, ddh = dhh + row * 3 * h
            for j in 0..<h {
                let r = sr[j], z = sr[h + j], n = sr[2 * h + j], ghn = sr[3 * h + j]
                let dh = gp[row * h + j]
                let dnPre = dh * (1 - z) * (1 - n * n)
                let dzPre = dh * (p0[row * h + j] - n) * z * (1 - z)
                let drPre = dnPre * ghn * r * (1 - r)
                ddx[j] = drPre; ddx[h + j] = dzPre; ddx[2 * h + j] = dnPre
                ddh[j] = drPre; ddh[h + j] = dzPre; ddh[2 * h + j] = dnPre * r
                dp[row * h + j] = dh * z
            }
        }
        withExtendedLifetime(gc) {}
        return [dX, dH, dP]
    }
}

/// One step of an Elman RNN cell, like `torch.rnn_tanh_cell` / `rnn_relu_cell`:
/// `h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`.
public func rnnCell(_ input: Tensor, _ hx: Tensor, weightIH: Tensor, weightHH: Tensor, biasIH: Tensor? = nil,
                    biasHH: Tensor? = nil, nonlinearity: RNNNonlinearity = .tanh) -> Tensor {
    let pre = linear(input, weight: weightIH, bias: biasIH) + linear(hx, weight: weightHH, bias: biasHH)
    return nonlinearity == .tanh ? pre.tanh() : pre.relu()
}

/// One LSTM cell step, like `torch.lstm_cell`: returns `(h', c')`.
public func lstmCell(_ input: Tensor, _ state: (h: Tensor, c: Tensor), weightIH: Tensor, weightHH: Tensor,
                     biasIH: Tensor? = nil, biasHH: Tensor? = nil) -> (h: Tensor, c: Tensor) {
    lstmGates(linear(input, weight: weightIH, bias: biasIH), linear(state.h, weight: weightHH, bias: biasHH), state.c)
}

/// One GRU cell step, like `torch.gru_cell`.
public func gruCell(_ input: Tensor, _ hx: Tensor, weightIH: Tensor, weightHH: Tensor, biasIH: Tensor? = nil,
                    biasHH: Tensor? = nil) -> Tensor {
    gruGates(linear(input, weight: weightIH, bias: biasIH), linear(hx, weight: weightHH, bias: biasHH), hx)
}

/// The nonlinearity of `RNN` and `RNNCell`.
public enum RNNNonlinearity: String, Sendable {
    case tanh
    case relu
}

// MARK: - Fused layer recurrence

/// The whole recurrence of one layer in one direction as one primitive:
/// from the layer input `x` `[sum, in]` (packed, with `batchSizes`), the
/// weights `wIH` `[G·H, in]`, `bIH`, `wHH` `[G·H, P]`, `bHH`, the LSTM
/// projection `wHR` `[P, H]` and the initial states `h0` `[B, P]` / `c0`
/// `[B, H]`, returns the outputs `[sum, P]` and the final states (P = H
/// without projection). The input projection of all steps is one GEMM.
///
/// Why one primitive per layer rather than per step: a step taking a slice
/// of `gx` would get a full-size `[sum, G·H]` zero gradient back through that
/// slice at every step (quadratic in the sequence length), and the graph would
/// hold ~5 nodes per step. Here backward walks the steps once, writing each
/// step's gate gradients into one `[sum, G·H]` buffer, and computes
/// `dW_hh = dGatesᵀ · H_prev` as a single GEMM at the end. The per-step hidden
/// products (forward and backward) are GEMMs on the running batch rows, split
/// over the workers by output columns (`BLAS.sgemm`); the LSTM's accumulate
/// onto the projected input in place, and its gate loops (`LSTMGateKernel`)
/// split over the rows.
///
/// Packed semantics: at step t only rows `0..<batchSizes[t]` run; the other
/// rows keep their state, so the final buffer holds each sequence's last
/// state in either direction.
func recurrentLayer(_ mode: RNNBase.Mode, x: Tensor, wIH: Tensor, bIH: Tensor?, wHH: Tensor, bHH: Tensor?, wHR: Tensor?,
                    h0: Tensor, c0: Tensor?, batchSizes: [Int], reverse: Bool) -> (output: Tensor, h: Tensor, c: Tensor?) {
    let g = mode.gates
    let gh = wHH.shape[0], h = gh / g, p = wHH.shape[1]
    let b = h0.shape[0], total = x.shape[0], inF = x.shape[1]
    let steps = batchSizes.count
    var offsets = [Int](repeating: 0, count: steps)
    for t in 1..<max(steps, 1) where steps > 0 { offsets[t] = offsets[t - 1] + batchSizes[t - 1] }
    let order: [Int] = reverse ? Array((0..<steps).reversed()) : Array(0..<steps)
    let isLSTM = mode == .lstm
    // Rows per chunk when a step's LSTM gate loop is split over the workers: at
    // least 2048 hidden units (about 18 µs of vector work forward), so a batch of
    // 32 × 256 splits in two and small layers stay on the calling thread.
    let gateRowGrain = Swift.max(1, 2048 / Swift.max(h, 1))

    func contiguous(_ t: Tensor) -> Tensor { t.isContiguous ? t : t.contiguousCopy() }
    let xc = contiguous(x), wic = contiguous(wIH), bic = bIH.map(contiguous)
    let wc = contiguous(wHH), bc = bHH.map(contiguous), rc = wHR.map(contiguous)
    let h0c = contiguous(h0), c0c = c0.map(contiguous)

    // Saved for backward.
    let gates = Tensor(uninitialized: [total, isLSTM ? gh : (mode == .gru ? 4 * h : h)])  // activated gates (GRU: r z n gh_n; RNN: h)

    // The input projection of every step: one GEMM. The LSTM's goes straight
    // into `gates` with b_hh folded in: each step adds its hidden product onto
    // its rows and the gate kernel activates them in place.
    let gxw = isLSTM ? nil : Workspace.acquire(total * gh)
    let gxPointer = gxw?.pointer ?? gates.dataPointer
    var bias = bic.map { Array(UnsafeBufferPointer(start: $0.dataPointer, count: gh)) }
    if isLSTM, let bc { bias = (0..<gh).map { (bias?[$0] ?? 0) + bc.dataPointer[$0] } }
    if let bias { for r in 0..<total { (gxPointer + r * gh).update(from: bias, count: gh) } }
    if total > 0 && inF > 0 {
        BLAS.sgemm(transA: false, transB: true, m: total, n: gh, k: inF, a: xc.dataPointer, lda: inF, b: wic.dataPointer,
                   ldb: inF, beta: bias == nil ? 0 : 1, c: gxPointer, ldc: gh)
    } else if bias == nil {
        gxPointer.update(repeating: 0, count: total * gh)
    }
    // Each step's h_prev, saved for dW_hh. LSTM and RNN (whose hidden-projection gradient is the
    // input projection's) keep it beside a copy of the layer input, [X | H_prev] rows, so that
    // backward gets dW_ih and dW_hh from one GEMM (one pass over the large gate gradients).
    let joint = mode != .gru && inF > 0
    let ldh = joint ? inF + p : p
    let hPrev = Tensor(uninitialized: [total, ldh])
    if joint {
        for r in 0..<total { (hPrev.dataPointer + r * ldh).update(from: xc.dataPointer + r * inF, count: inF) }
    }
    let cPrev = isLSTM ? Tensor(uninitialized: [total, h]) : nil
    let tanhC = isLSTM ? Tensor(uninitialized: [total, h]) : nil
    let hRaw = (isLSTM && wHR != nil) ? Tensor(uninitialized: [total, h]) : nil
    // One flat result: outputs, then h_n, then c_n.
    let outCount = total * p + b * p + (isLSTM ? b * h : 0)
    let result = Tensor(uninitialized: [outCount])
    let outP = result.dataPointer, hBuf = outP + total * p, cBuf = isLSTM ? hBuf + b * p : nil
    hBuf.update(from: h0c.dataPointer, count: b * p)
    if let cBuf, let c0c { cBuf.update(from: c0c.dataPointer, count: b * h) }

    let gxp = UnsafePointer(gxPointer), wp = UnsafePointer(wc.dataPointer)
    let bp = bc.map { UnsafePointer($0.dataPointer) }, rp = rc.map { UnsafePointer($0.dataPointer) }
    let sp = gates.dataPointer, hpp = hPrev.dataPointer + (joint ? inF : 0)   // row r's h_prev at hpp + r·ldh
    let pre = isLSTM ? nil : Workspace.acquire(b * gh)  // GRU/RNN: this step's hidden projection + b_hh
    let raw = Workspace.acquire(b * h)
    let sw = gates.shape[1]
    let parts = recurrentRowBlocks(b)
    // Each worker runs every step for its own block of batch rows: a row's state
    // depends on no other row, so the steps need no hand-off between the workers
    // (with one block, the step's products and gate loop split over them instead).
    Parallel.forEach(parts.count) { part in
        let block = parts[part]
        for t in order {
            let bs = batchSizes[t], off = offsets[t]
            let lo = block.lowerBound, hi = Swift.min(block.upperBound, bs), n = hi - lo
            if n <= 0 { continue }
            for r in lo..<hi { (hpp + (off + r) * ldh).update(from: hBuf + r * p, count: p) }
            // LSTM: gates rows += h_prev · W_hhᵀ; GRU/RNN: pre = h_prev · W_hhᵀ + b_hh
            // (W_hh read as is: no transposed copy).
            let pr = pre?.pointer ?? (gxPointer + off * gh)
            if let pre, let bp { for r in lo..<hi { (pre.pointer + r * gh).update(from: bp, count: gh) } }
            BLAS.sgemm(transA: false, transB: true, m: n, n: gh, k: p, a: hBuf + lo * p, lda: p, b: wp, ldb: p,
                       beta: isLSTM || bp != nil ? 1 : 0, c: pr + lo * gh, ldc: gh)
            switch mode {
            case .lstm:
                let cb = cBuf!, cpp = cPrev!.dataPointer + off * h, tcp = tanhC!.dataPointer + off * h
                (cpp + lo * h).update(from: cb + lo * h, count: n * h)
                let hOut = rp == nil ? hBuf : raw.pointer
                Parallel.forRange(n, grain: gateRowGrain) { r0, r1 in
                    for r in (lo + r0)..<(lo + r1) {
                        let s = sp + (off + r) * gh
                        LSTMGateKernel.forward(h: h, pre: s, pre2: nil, cPrev: cb + r * h, gates: s, c: cb + r * h,
                                               tanhC: tcp + r * h, hOut: hOut + r * h)
                    }
                }
                if let rp {
                    (hRaw!.dataPointer + (off + lo) * h).update(from: raw.pointer + lo * h, count: n * h)
                    BLAS.sgemm(transA: false, transB: true, m: n, n: p, k: h, a: raw.pointer + lo * h, lda: h, b: rp, ldb: h,
                               c: hBuf + lo * p, ldc: p)
                }
            case .gru:
                for r in lo..<hi {
                    let x = gxp + (off + r) * gh, q = pr + r * gh, s = sp + (off + r) * sw
                    for j in 0..<h {
                        let rr = sigm(x[j] + q[j]), z = sigm(x[h + j] + q[h + j])
                        let nn = fastTanh(x[2 * h + j] + rr * q[2 * h + j])
                        s[j] = rr; s[h + j] = z; s[2 * h + j] = nn; s[3 * h + j] = q[2 * h + j]
                        hBuf[r * h + j] = (1 - z) * nn + z * hBuf[r * h + j]
                    }
                }
            case .rnnTanh, .rnnRelu:
                let relu = mode == .rnnRelu
                for r in lo..<hi {
                    let x = gxp + (off + r) * gh, q = pr + r * gh, s = sp + (off + r) * sw
                    for j in 0..<h {
                        let v = x[j] + q[j]
                        let y = relu ? Swift.max(v, 0) : fastTanh(v)
                        s[j] = y
                        hBuf[r * h + j] = y
                    }
                }
            }
            (outP + (off + lo) * p).update(from: hBuf + lo * p, count: n * p)
        }
    }
    withExtendedLifetime((xc, wic, bic, gxw, wc, bc, rc, h0c, c0c, pre, raw)) {}

    var inputs = [x, wIH]
    if let bIH { inputs.append(bIH) }
    inputs.append(wHH)
    if let bHH { inputs.append(bHH) }
    if let wHR { inputs.append(wHR) }
    inputs.append(h0)
    if let c0 { inputs.append(c0) }
    let hasB = bHH != nil, hasR = wHR != nil, hasC0 = c0 != nil, hasBI = bIH != nil
    let wSaved = wc.detach(), rSaved = rc?.detach(), xSaved = xc.detach(), wiSaved = wic.detach()
    let needX = x.requiresGrad
    let node = result.recording(isLSTM ? "LstmBackward0" : mode == .gru ? "GruBackward0" : "RnnBackward0", inputs) { grad in
        let gcont = grad.isContiguous ? grad : grad.contiguousCopy()
        let gp = UnsafePointer(gcont.dataPointer)
        let dGx = Tensor(uninitialized: [total, gh])
        let dGh = mode == .gru ? Tensor(uninitialized: [total, gh]) : dGx   // gradient of the hidden projection
        let dHraw = hasR ? Tensor(uninitialized: [total, p]) : nil          // gradient of each step's projected h
        let dh = Tensor(uninitialized: [b, p]), dc = Tensor(uninitialized: [b, h])
        let dhp = dh.dataPointer, dcp = dc.dataPointer
        dhp.update(from: gp + total * p, count: b * p)
        if isLSTM { dcp.update(from: gp + total * p + b * p, count: b * h) }
        let dgx = dGx.dataPointer, dgh = dGh.dataPointer
        let s = UnsafePointer(gates.dataPointer), w = UnsafePointer(wSaved.dataPointer)
        let dRaw = Workspace.acquire(b * h)
        let hp = UnsafePointer(hPrev.dataPointer + (joint ? inF : 0))
        Parallel.forEach(parts.count) { part in
            let block = parts[part]
            for t in order.reversed() {
                let bs = batchSizes[t], off = offsets[t]
                let lo = block.lowerBound, hi = Swift.min(block.upperBound, bs), n = hi - lo
                if n <= 0 { continue }
                // dh (this block's active rows) += dOutput_t
                let go = gp + off * p
                for k in (lo * p)..<(hi * p) { dhp[k] += go[k] }
                switch mode {
                case .lstm:
                    var dhr = UnsafePointer(dhp)
                    if let rSaved {
                        (dHraw!.dataPointer + (off + lo) * p).update(from: dhp + lo * p, count: n * p)
                        // d(o·tanh c) = dh · W_hr
                        BLAS.sgemm(transA: false, transB: false, m: n, n: h, k: p, a: dhp + lo * p, lda: p,
                                   b: rSaved.dataPointer, ldb: h, c: dRaw.pointer + lo * h, ldc: h)
                        dhr = UnsafePointer(dRaw.pointer)
                    }
                    let cpp = UnsafePointer(cPrev!.dataPointer + off * h), tcp = UnsafePointer(tanhC!.dataPointer + off * h)
                    let dhRows = dhr
                    Parallel.forRange(n, grain: gateRowGrain) { r0, r1 in
                        for r in (lo + r0)..<(lo + r1) {
                            LSTMGateKernel.backward(h: h, gates: s + (off + r) * gh, tanhC: tcp + r * h, cPrev: cpp + r * h,
                                                    dh: dhRows + r * h, dcIn: dcp + r * h, dGates: dgx + (off + r) * gh,
                                                    dcOut: dcp + r * h)
                        }
                    }
                    // dh_prev = dGates · W_hh
                    BLAS.sgemm(transA: false, transB: false, m: n, n: p, k: gh, a: dgx + (off + lo) * gh, lda: gh, b: w,
                               ldb: p, c: dhp + lo * p, ldc: p)
                case .gru:
                    for r in lo..<hi {
                        let sr = s + (off + r) * sw, dx = dgx + (off + r) * gh, dq = dgh + (off + r) * gh
                        let hprev = hp + (off + r) * ldh
                        for j in 0..<h {
                            let rr = sr[j], z = sr[h + j], nn = sr[2 * h + j], ghn = sr[3 * h + j]
                            let dhv = dhp[r * h + j]
                            let dn = dhv * (1 - z) * (1 - nn * nn)
                            let dz = dhv * (hprev[j] - nn) * z * (1 - z)
                            let dr = dn * ghn * rr * (1 - rr)
                            dx[j] = dr; dx[h + j] = dz; dx[2 * h + j] = dn
                            dq[j] = dr; dq[h + j] = dz; dq[2 * h + j] = dn * rr
                            dhp[r * h + j] = dhv * z
                        }
                    }
                    BLAS.sgemm(transA: false, transB: false, m: n, n: p, k: gh, a: dgh + (off + lo) * gh, lda: gh, b: w,
                               ldb: p, beta: 1, c: dhp + lo * p, ldc: p)
                case .rnnTanh, .rnnRelu:
                    let relu = mode == .rnnRelu
                    for r in lo..<hi {
                        let sr = s + (off + r) * sw, d = dgx + (off + r) * gh
                        for j in 0..<h {
                            let y = sr[j]
                            d[j] = dhp[r * h + j] * (relu ? (y > 0 ? 1 : 0) : 1 - y * y)
                        }
                    }
                    BLAS.sgemm(transA: false, transB: false, m: n, n: p, k: gh, a: dgx + (off + lo) * gh, lda: gh, b: w,
                               ldb: p, c: dhp + lo * p, ldc: p)
                }
            }
        }
        // Parameter gradients: one GEMM over all steps, [dW_ih | dW_hh] = dGᵀ · [X | H_prev]
        // (two for GRU, whose hidden-projection gradient differs).
        let dW = Tensor(uninitialized: [gh, p]), dWi = Tensor.zeros([gh, inF])
        if total == 0 {
            dW.dataPointer.update(repeating: 0, count: gh * p)
        } else if joint {
            let both = Workspace.acquire(gh * ldh)
            BLAS.sgemm(transA: true, transB: false, m: gh, n: ldh, k: total, a: dgx, lda: gh, b: hPrev.dataPointer,
                       ldb: ldh, c: both.pointer, ldc: ldh)
            for r in 0..<gh {
                (dWi.dataPointer + r * inF).update(from: both.pointer + r * ldh, count: inF)
                (dW.dataPointer + r * p).update(from: both.pointer + r * ldh + inF, count: p)
            }
            withExtendedLifetime(both) {}
        } else {
            BLAS.sgemm(transA: true, transB: false, m: gh, n: p, k: total, a: dgh, lda: gh, b: hp, ldb: p,
                       c: dW.dataPointer, ldc: p)
            if inF > 0 {
                BLAS.sgemm(transA: true, transB: false, m: gh, n: inF, k: total, a: dgx, lda: gh, b: xSaved.dataPointer,
                           ldb: inF, c: dWi.dataPointer, ldc: inF)
            }
        }
        // The input projection's gradient: dX = dGx · W_ih.
        var dX: Tensor?
        if needX {
            let t = Tensor.zeros([total, inF])
            if total > 0 && inF > 0 {
                BLAS.sgemm(transA: false, transB: false, m: total, n: inF, k: gh, a: dgx, lda: gh, b: wiSaved.dataPointer,
                           ldb: inF, c: t.dataPointer, ldc: inF)
            }
            dX = t
        }
        var grads: [Tensor?] = [dX, dWi]
        // db_ih = Σ dGx and db_hh = Σ dGh: one sum when they are the same (LSTM, RNN), copied so the
        // two parameters never share a gradient tensor.
        let biasIH = hasBI ? columnSums(dgx, rows: total, cols: gh) : nil
        if let biasIH { grads.append(biasIH) }
        grads.append(dW)
        if hasB {
            grads.append(mode != .gru ? (biasIH?.contiguousCopy() ?? columnSums(dgh, rows: total, cols: gh))
                                      : columnSums(dgh, rows: total, cols: gh))
        }
        if hasR {
            let dR = Tensor(uninitialized: [p, h])
            if total > 0 {
                BLAS.sgemm(transA: true, transB: false, m: p, n: h, k: total, a: dHraw!.dataPointer, lda: p,
                           b: hRaw!.dataPointer, ldb: h, c: dR.dataPointer, ldc: h)
            } else {
                dR.dataPointer.update(repeating: 0, count: p * h)
            }
            grads.append(dR)
        }
        grads.append(dh)
        if hasC0 { grads.append(dc) }
        withExtendedLifetime((gcont, dRaw, gates, hPrev, cPrev, tanhC, hRaw, xSaved, wiSaved)) {}
        return grads
    }
    let output = node.narrow(0, start: 0, length: total * p).view([total, p])
    let hN = node.narrow(0, start: total * p, length: b * p).view([b, p])
    let cN = isLSTM ? node.narrow(0, start: total * p + b * p, length: b * h).view([b, h]) : nil
    return (output, hN, cN)
}

/// The blocks of batch rows `recurrentLayer` runs on separate workers: one per
/// worker when each gets at least `RecurrentRowSplit.minimumRows` rows (and the
/// split is not turned off with `WORKBENCH_RNN_SPLIT=0`), else the whole batch
/// as one block.
func recurrentRowBlocks(_ batch: Int) -> [Range<Int>] {
    let w = Parallel.workers
    guard RecurrentRowSplit.enabled, w > 1, batch >= w * RecurrentRowSplit.minimumRows, !ParallelRegion.isInside else {
        return [0..<batch]
    }
    let per = (batch + w - 1) / w
    return stride(from: 0, to: batch, by: per).map { $0..<Swift.min(batch, $0 + per) }
}

/// Settings of the batch-row split of the recurrent layers.
enum RecurrentRowSplit {
    /// Rows per worker below which a layer runs its batch as one block.
    static let minimumRows = 4
    /// Off with `WORKBENCH_RNN_SPLIT=0` (for A/B measurements); tests switch it.
    nonisolated(unsafe) static var enabled: Bool = ProcessInfo.processInfo.environment["WORKBENCH_RNN_SPLIT"] != "0"
}
