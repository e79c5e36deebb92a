import Foundation

/// Fusion of `maxPool2d(relu(conv2d(x)), 2)` below the module layer.
///
/// Models keep one forward path, written as the ops it means
/// (`maxPool2d(relu(conv1(x)), 2)`); the functional ops recognise the
/// pattern as it is called. `conv2d` returns a deferred output (computed on
/// first read, `DeferredFill`) and leaves a note on its calling thread (its
/// call, and weak references to its output and inputs). When the next op is
/// `relu` of exactly that output, untouched and still unread, its result is
/// deferred too, as the same convolution with a ReLU epilogue, and it records
/// one `ConvolutionReluBackward0` node on the convolution's inputs. A 2×2
/// `maxPool2d` of that ReLU output then runs the convolution once with the
/// `.reluMaxPool2` epilogue: each image's GEMM output, still in cache, is
/// pooled straight into the result, and one `ConvolutionReluMaxPoolBackward0`
/// node keeps only the argmax indices. Neither the convolution output nor the
/// ReLU output is ever written unless something reads it. Backward is one pass
/// per image that scatters the pooled gradient straight into the GEMM layout
/// (`ConvKernels.Prologue`) instead of three ops each writing a full-size
/// gradient. When the intermediate was already read (materialised), the same
/// nodes are recorded and the ReLU / pool run over its values.
///
/// Why this is exact even if the intermediate tensors are used elsewhere:
/// the skipped nodes stay attached to their outputs, and a deferred output
/// read later computes the same values (same kernel, same inputs, which
/// in-place writes cannot change first: `DeferredFill.flushAll`).
/// `y = relu(c) + c` reaches x through the fused node (relu ∘ conv) and
/// through c's own convolution node; autograd adds both contributions, as it
/// would for the unfused graph.
enum ConvPeephole {
    /// What the last fusable op on this thread produced. Every reference is
    /// weak, so a note never keeps a tensor (or its graph) alive; a note whose
    /// tensors are gone does not fuse.
    final class Note {
        enum Stage { case conv, relu, batchNorm }
        let stage: Stage
        /// Per-channel scale and shift of a `.batchNorm` stage.
        var scaleShift: (scale: Tensor, shift: Tensor)?
        weak var output: Tensor?
        let version: Int
        /// The convolution call (kept alive by the deferred outputs that need it).
        weak var call: ConvCall?
        /// The convolution's inputs as the caller passed them (the fused node's inputs).
        weak var input: Tensor?, weight: Tensor?, bias: Tensor?
        let hasBias: Bool
        let geometry: ConvGeometry

        init(stage: Stage, output: Tensor, call: ConvCall?, geometry: ConvGeometry, input: Tensor?, weight: Tensor?,
             bias: Tensor?, hasBias: Bool) {
            self.stage = stage
            self.output = output
            version = output.storage.version
            self.call = call
            self.geometry = geometry
            self.input = input
            self.weight = weight
            self.bias = bias
            self.hasBias = hasBias
        }

        /// The note of a convolution call's output.
        convenience init(output: Tensor, call: ConvCall, input: Tensor, weight: Tensor, bias: Tensor?) {
            self.init(stage: .conv, output: output, call: call, geometry: call.geometry, input: input, weight: weight,
                      bias: bias, hasBias: bias != nil)
        }

        /// The note for `output`, the next stage of the same convolution.
        func next(_ stage: Stage, _ output: Tensor) -> Note {
            Note(stage: stage, output: output, call: call, geometry: geometry, input: input, weight: weight, bias: bias,
                 hasBias: hasBias)
        }

        /// Whether `x` is this note's output, unchanged since, with the convolution's inputs alive.
        func matches(_ x: Tensor, _ s: Stage) -> Bool {
            stage == s && output === x && x.storage.version == version && x.isContiguous
                && input != nil && weight != nil && (!hasBias || bias != nil)
        }
    }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in if let p { Unmanaged<Note>.fromOpaque(UnsafeRawPointer(p)).release() } }
        return k
    }()

    /// This thread's note (nil after any op that cannot fuse with it).
    static var current: Note? {
        get {
            guard let p = pthread_getspecific(key) else { return nil }
            return Unmanaged<Note>.fromOpaque(p).takeUnretainedValue()
        }
        set {
            if let old = pthread_getspecific(key) { Unmanaged<Note>.fromOpaque(old).release() }
            pthread_setspecific(key, newValue.map { UnsafeRawPointer(Unmanaged.passRetained($0).toOpaque()) })
        }
    }

    /// Whether a gradient node on the convolution's inputs is needed.
    static func needsGrad(_ n: Note) -> Bool {
        GradMode.isEnabled
            && ((n.input?.requiresGrad ?? false) || (n.weight?.requiresGrad ?? false) || (n.bias?.requiresGrad ?? false))
    }

    /// `relu(x)` when `x` is the convolution output of this thread's note, else nil.
    static func relu(_ x: Tensor) -> Tensor? {
        if let note = current, note.matches(x, .batchNorm) { return batchNormReLU(x, note) }
        guard let note = current, note.matches(x, .conv) else { return nil }
        current = nil
        let out: Tensor
        if x.isDeferred, let call = note.call {
            out = Tensor(deferred: x.shape) { call.forward(.relu, into: $0) }
        } else {
            out = Tensor(uninitialized: x.shape)
            ConvKernels.relu(x.dataPointer, out.dataPointer, x.count)
            withExtendedLifetime(x) {}
        }
        if needsGrad(note) {
            let yd = out.detach()
            record(out, note, "ConvolutionReluBackward0") { .relu(output: UnsafePointer(yd.dataPointer)) }
        }
        current = note.next(.relu, out)
        return out
    }

    /// `batchNorm(x)` in inference (eval mode, no gradient) as `x · scale + shift` per channel, when `x`
    /// is the unread convolution output of this thread's note: the convolution with the scale and
    /// shift in its output pass (`ConvKernels.Epilogue.scaleShift`), deferred; else nil.
    static func batchNorm(_ x: Tensor, scale: Tensor, shift: Tensor) -> Tensor? {
        guard let note = current, note.matches(x, .conv), x.isDeferred, let call = note.call, !needsGrad(note)
        else { return nil }
        current = nil
        let out = Tensor(deferred: x.shape) {
            call.forward(.scaleShift(scale: scale.dataPointer, shift: shift.dataPointer, relu: false), into: $0)
            withExtendedLifetime((scale, shift)) {}
        }
        let next = note.next(.batchNorm, out)
        next.scaleShift = (scale, shift)
        current = next
        return out
    }

    /// `relu(x)` of the unread fused batch-norm output `x`: the same convolution with ReLU after
    /// the scale and shift; nil when `x` was read (the plain ReLU runs).
    private static func batchNormReLU(_ x: Tensor, _ note: Note) -> Tensor? {
        current = nil
        guard x.isDeferred, let call = note.call, let (scale, shift) = note.scaleShift else { return nil }
        return Tensor(deferred: x.shape) {
            call.forward(.scaleShift(scale: scale.dataPointer, shift: shift.dataPointer, relu: true), into: $0)
            withExtendedLifetime((scale, shift)) {}
        }
    }

    /// `maxPool2d(x, 2)` when `x` is the ReLU output of this thread's note, else nil.
    static func reluMaxPool2(_ x: Tensor) -> Tensor? {
        guard let note = current, note.matches(x, .relu) else { return nil }
        current = nil
        let g = note.geometry
        guard g.oh >= 2 && g.ow >= 2 else { return nil }
        let ph = g.oh / 2, pw = g.ow / 2
        let out = Tensor(uninitialized: [g.n, g.m, ph, pw])
        let indices = IndexBuffer(count: out.count)
        if x.isDeferred, let call = note.call {
            // Pooled straight from each image's GEMM output.
            call.forward(.reluMaxPool2(indices: indices.pointer), into: out.dataPointer)
        } else {
            let planes = g.n * g.m
            let src = UnsafePointer(x.dataPointer), dst = out.dataPointer, ix = indices.pointer
            Parallel.forRange(planes, grain: Swift.max(1, (1 << 14) / Swift.max(g.p, 1))) { lo, hi in
                for plane in lo..<hi {
                    PoolKernels.max2x2Rows(src + plane * g.p, rowStride: g.ow, rowLength: g.ow, ph: ph, pw: pw,
                                           bias: 0, relu: true, out: dst + plane * ph * pw, indices: ix + plane * ph * pw)
                }
            }
            withExtendedLifetime(x) {}
        }
        if needsGrad(note) {
            // The closure keeps `indices` alive as long as the node.
            record(out, note, "ConvolutionReluMaxPoolBackward0") { .reluMaxPool2(indices: UnsafePointer(indices.pointer)) }
        }
        return out
    }

    /// Records on `out` one node over the convolution's inputs whose backward is
    /// `ConvKernels.backward` with the given prologue.
    private static func record(_ out: Tensor, _ note: Note, _ name: String,
                               _ prologue: @escaping () -> ConvKernels.Prologue) {
        guard let input = note.input, let weight = note.weight else { return }
        let g = note.geometry
        let xd = input.isContiguous ? input.detach() : input.contiguousCopy()
        let wd = weight.isContiguous ? weight.detach() : weight.contiguousCopy()
        let needX = input.requiresGrad, needW = weight.requiresGrad
        let needB = note.bias?.requiresGrad ?? false, hasBias = note.hasBias
        var inputs = [input, weight]
        if let b = note.bias { inputs.append(b) }
        let m = g.m
        _ = out.recording(name, inputs) { gy in
            let gyc = gy.isContiguous ? gy : gy.contiguousCopy()
            let dx = needX ? Tensor(uninitialized: xd.shape) : nil
            let dw = needW ? Tensor(uninitialized: wd.shape) : nil
            let db = needB ? Tensor(uninitialized: [m]) : nil
            ConvKernels.backward(gy: gyc.dataPointer, x: xd.dataPointer, weight: wd.dataPointer, prologue: prologue(), g,
                                 dx: dx?.dataPointer, dw: dw?.dataPointer, db: db?.dataPointer)
            withExtendedLifetime((gyc, xd, wd)) {}
            return hasBias ? [dx, dw, db] : [dx, dw]
        }
    }
}
