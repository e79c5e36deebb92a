/// The elementwise part of an LSTM step, eight hidden units at a time: gate
/// nonlinearities and cell update forward, the gate derivatives backward.
///
/// One row (one sequence of the batch) per call, gate order i, f, g, o as in
/// PyTorch, each gate a block of `h` floats. Shared by the per-step cell
/// primitive (`lstmGates`) and the fused layer recurrence (`recurrentLayer`),
/// which lay out their saved tensors differently and pass pointers into them.
/// The transcendentals are `VectorMath`'s; the derivative arithmetic is the
/// same expressions as a scalar loop, lane by lane.
enum LSTMGateKernel {
    typealias Vector = SIMD8<Float>

    /// `count` (≤ 8) floats from `p`, the other lanes 0.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ count: Int) -> Vector {
        if count == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector()
        for l in 0..<count { v[l] = p[l] }
        return v
    }

    /// Stores the first `count` (≤ 8) lanes of `v` at `p`.
    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
            return
        }
        for l in 0..<count { p[l] = v[l] }
    }

    /// Forward of one row: from the pre-activations `pre` (`[4h]`, plus
    /// `pre2` when the hidden projection is separate) and the previous cell
    /// state `cPrev` (`[h]`), writes the activated gates (`[4h]`), the cell
    /// state `c = f·cPrev + i·g`, `tanh(c)` and `hOut = o·tanh(c)` (`[h]` each).
    ///
    /// `gates` may be `pre` and `c` may be `cPrev` (each element is read before
    /// it is written).
    @inline(__always)
    static func forward(h: Int, pre: UnsafePointer<Float>, pre2: UnsafePointer<Float>?, cPrev: UnsafePointer<Float>,
                        gates: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>,
                        tanhC: UnsafeMutablePointer<Float>, hOut: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < h {
            let n = Swift.min(8, h - j)
            var xi = load(pre + j, n), xf = load(pre + h + j, n)
            var xg = load(pre + 2 * h + j, n), xo = load(pre + 3 * h + j, n)
            if let pre2 {
                xi += load(pre2 + j, n); xf += load(pre2 + h + j, n)
                xg += load(pre2 + 2 * h + j, n); xo += load(pre2 + 3 * h + j, n)
            }
            let i = VectorMath.sigmoid(xi), f = VectorMath.sigmoid(xf)
            let g = VectorMath.tanh(xg), o = VectorMath.sigmoid(xo)
            let cv = f * load(cPrev + j, n) + i * g
            let tc = VectorMath.tanh(cv)
            store(i, gates + j, n); store(f, gates + h + j, n)
            store(g, gates + 2 * h + j, n); store(o, gates + 3 * h + j, n)
            store(cv, c + j, n)
            store(tc, tanhC + j, n)
            store(o * tc, hOut + j, n)
            j += 8
        }
    }

    /// Backward of one row: from the saved activated `gates` (`[4h]`),
    /// `tanhC` and `cPrev`, and the incoming gradients of h (`dh`) and c
    /// (`dcIn`), writes the pre-activation gradients `dGates` (`[4h]`) and the
    /// gradient of the previous cell state `dcOut` (may be `dcIn`).
    @inline(__always)
    static func backward(h: Int, gates: UnsafePointer<Float>, tanhC: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
                         dh: UnsafePointer<Float>, dcIn: UnsafePointer<Float>,
                         dGates: UnsafeMutablePointer<Float>, dcOut: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < h {
            let n = Swift.min(8, h - j)
            let i = load(gates + j, n), f = load(gates + h + j, n)
            let g = load(gates + 2 * h + j, n), o = load(gates + 3 * h + j, n)
            let tc = load(tanhC + j, n), dhv = load(dh + j, n)
            let dc = load(dcIn + j, n) + dhv * o * (1 - tc * tc)
            store(dc * g * i * (1 - i), dGates + j, n)
            store(dc * load(cPrev + j, n) * f * (1 - f), dGates + h + j, n)
            store(dc * i * (1 - g * g), dGates + 2 * h + j, n)
            store(dhv * tc * o * (1 - o), dGates + 3 * h + j, n)
            store(dc * f, dcOut + j, n)
            j += 8
        }
    }
}
