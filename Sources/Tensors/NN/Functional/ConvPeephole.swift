import Foundation

/// Fusion of `maxPool2d(relu(conv2d(x)), 2)` below the module layer.
///
/// Models keep one forward path, written as the ops it means
/// (`maxPool2d(relu(conv1(x)), 2)`); the functional ops recognise the
/// pattern as it is called. `conv2d` leaves a note on its calling thread
/// (its geometry and inputs, and a weak reference to its output). When the
/// next op is `relu` of exactly that output, untouched since (same storage
/// version), it records one `ConvolutionReluBackward0` node on the
/// convolution's inputs instead of a ReLU node on the convolution's output;
/// a 2×2 `maxPool2d` of that ReLU output likewise records one
/// `ConvolutionReluMaxPoolBackward0` node that keeps only the argmax
/// indices. Backward is then one pass per image that scatters the pooled
/// gradient straight into the GEMM layout (`ConvKernels.Prologue`) instead
/// of three ops each writing a full-size gradient.
///
/// Why this is exact even if the intermediate tensors are used elsewhere:
/// the skipped nodes stay attached to their outputs. `y = relu(c) + c`
/// reaches x through the fused node (relu ∘ conv) and through c's own
/// convolution node; autograd adds both contributions, as it would for the
/// unfused graph.
enum ConvPeephole {
    /// What the last fusable op on this thread produced. Every reference is
    /// weak, so a note never keeps a tensor (or its graph) alive; a note whose
    /// tensors are gone does not fuse.
    final class Note {
        enum Stage { case conv, relu }
        let stage: Stage
        weak var output: Tensor?
        let version: Int
        let geometry: ConvGeometry
        /// The convolution's inputs as the caller passed them (the fused node's inputs).
        weak var input: Tensor?, weight: Tensor?, bias: Tensor?
        let hasBias: Bool

        init(stage: Stage, output: Tensor, geometry: ConvGeometry, input: Tensor?, weight: Tensor?, bias: Tensor?,
             hasBias: Bool) {
            self.stage = stage
            self.output = output
            version = output.storage.version
            self.geometry = geometry
            self.input = input
            self.weight = weight
            self.bias = bias
            self.hasBias = hasBias
        }

        func next(_ stage: Stage, _ output: Tensor) -> Note {
            Note(stage: stage, output: output, geometry: geometry, input: input, weight: weight, bias: bias,
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
        guard let note = current, note.matches(x, .conv) else { return nil }
        current = nil
        let out = Tensor(uninitialized: x.shape)
        ConvKernels.relu(x.dataPointer, out.dataPointer, x.count)
        withExtendedLifetime(x) {}
        if needsGrad(note) {
            let yd = out.detach()
            record(out, note, "ConvolutionReluBackward0") { .relu(output: UnsafePointer(yd.dataPointer)) }
        }
        current = note.next(.relu, out)
        return out
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
        let planes = g.n * g.m
        let src = UnsafePointer(x.dataPointer), dst = out.dataPointer, ix = indices.pointer
        Parallel.forRange(planes, grain: Swift.max(1, (1 << 14) / Swift.max(g.p, 1))) { lo, hi in
            for plane in lo..<hi {
                ConvKernels.maxPool2Rows(src + plane * g.p, rowStride: g.ow, ow: g.ow, ph: ph, pw: pw, bias: 0,
                                         out: dst + plane * ph * pw, indices: ix + plane * ph * pw)
            }
        }
        withExtendedLifetime(x) {}
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
