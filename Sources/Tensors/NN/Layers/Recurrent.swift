import Foundation

/// The shared machinery of `RNN`, `LSTM` and `GRU`, like `nn.RNNBase`.
///
/// Parameters are named as in PyTorch, per layer `k` and direction
/// (`_reverse` for the backward one): `weight_ih_l{k}` `[G·H, in]`,
/// `weight_hh_l{k}` `[G·H, H_out]`, `bias_ih_l{k}`, `bias_hh_l{k}` `[G·H]`
/// and, for an LSTM with `projSize > 0`, `weight_hr_l{k}` `[proj, H]`; G is
/// 1 (RNN), 4 (LSTM, gates i f g o) or 3 (GRU, gates r z n). All start
/// U(−1/√H, 1/√H), as in PyTorch.
///
/// Input is `[T, B, in]` (`[B, T, in]` with `batchFirst`), `[T, in]`
/// unbatched, or a `PackedSequence`. The input projection of all time steps
/// is one GEMM per layer and direction; the recurrence applies one fused gate
/// primitive per step (see `RecurrentFunctional.swift`).
open class RNNBase: Module {
    /// The cell kind.
    public enum Mode: String, Sendable {
        case rnnTanh = "RNN_TANH", rnnRelu = "RNN_RELU", lstm = "LSTM", gru = "GRU"
        var gates: Int {
            switch self {
            case .rnnTanh, .rnnRelu: 1
            case .lstm: 4
            case .gru: 3
            }
        }
    }

    /// The cell kind.
    public let mode: Mode
    /// Features of the input.
    public let inputSize: Int
    /// Features of the hidden state.
    public let hiddenSize: Int
    /// Stacked layers.
    public let numLayers: Int
    /// Whether the layers have `bias_ih`/`bias_hh`.
    public let bias: Bool
    /// Whether input and output are `[B, T, F]`.
    public let batchFirst: Bool
    /// Dropout probability on the outputs of every layer but the last (training only).
    public let dropout: Double
    /// Whether each layer also runs backwards in time (outputs concatenated).
    public let bidirectional: Bool
    /// LSTM projection size (0 = none).
    public let projSize: Int
    /// The source of the dropout masks (the global default when nil).
    public var generator: Generator?

    /// Parameters in PyTorch's order (`_flat_weights_names`).
    public private(set) var flatWeights: [(String, Tensor)] = []

    /// Number of directions (1 or 2).
    public var numDirections: Int { bidirectional ? 2 : 1 }
    /// Features of the output per direction (`projSize` when projecting).
    public var outputHiddenSize: Int { projSize > 0 ? projSize : hiddenSize }

    /// A recurrent layer with PyTorch's arguments and initialisation.
    public init(mode: Mode, inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true,
                batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false, projSize: Int = 0,
                generator: Generator? = nil) {
        let name = mode == .lstm ? "LSTM" : mode == .gru ? "GRU" : "RNN"
        precondition(dropout >= 0 && dropout <= 1,
                     "\(name): dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got \(dropout)")
        precondition(inputSize >= 0, "\(name): input_size must be non-negative, got \(inputSize)")
        precondition(hiddenSize > 0, "\(name): hidden_size must be greater than zero, got \(hiddenSize)")
        precondition(numLayers > 0, "\(name): num_layers must be greater than zero, got \(numLayers)")
        precondition(projSize >= 0, "\(name): proj_size should be a positive integer or zero to disable projections")
        precondition(projSize < hiddenSize, "\(name): proj_size has to be smaller than hidden_size")
        precondition(projSize == 0 || mode == .lstm, "\(name): proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bias = bias
        self.batchFirst = batchFirst
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.projSize = projSize
        self.generator = generator
        super.init()
        let g = mode.gates * hiddenSize
        let realH = outputHiddenSize
        for layer in 0..<numLayers {
            for dir in 0..<numDirections {
                let suffix = "_l\(layer)" + (dir == 1 ? "_reverse" : "")
                let layerIn = layer == 0 ? inputSize : realH * numDirections
                var ws: [(String, Tensor)] = [("weight_ih" + suffix, Init.empty([g, layerIn])),
                                              ("weight_hh" + suffix, Init.empty([g, realH]))]
                if bias { ws += [("bias_ih" + suffix, Init.empty([g])), ("bias_hh" + suffix, Init.empty([g]))] }
                if projSize > 0 { ws.append(("weight_hr" + suffix, Init.empty([projSize, hiddenSize]))) }
                flatWeights += ws
            }
        }
        for (_, t) in flatWeights { t.requiresGrad = true }
        resetParameters(generator: generator)
    }

    /// Re-draws every parameter from U(−1/√H, 1/√H), like `reset_parameters()`.
    public func resetParameters(generator: Generator? = nil) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for (_, t) in flatWeights { Init.uniform(t, low: -bound, high: bound, generator: generator) }
    }

    public override func ownMembers() -> ModuleMembers {
        var m = reflectMembers()
        m.parameters = flatWeights + m.parameters
        return m
    }

    /// The parameter `name` (`weight_ih_l0`).
    public func weight(_ name: String) -> Tensor? { flatWeights.first { $0.0 == name }?.1 }

    public override func extraRepr() -> String {
        var s = "\(inputSize), \(hiddenSize)"
        if projSize != 0 { s += ", proj_size=\(projSize)" }
        if numLayers != 1 { s += ", num_layers=\(numLayers)" }
        if !bias { s += ", bias=False" }
        if batchFirst { s += ", batch_first=True" }
        if dropout != 0 { s += ", dropout=\(pythonFloat(dropout))" }
        if bidirectional { s += ", bidirectional=True" }
        return s
    }

    // MARK: Running

    /// Runs all layers over packed data `[sum, in]` with `batchSizes`; `h0`
    /// (and `c0` for LSTM) are `[L·D, B, H_out]` in sorted batch order.
    /// Returns the packed output `[sum, D·H_out]` and the final states.
    func run(data: Tensor, batchSizes: [Int], h0: Tensor?, c0: Tensor?) -> (Tensor, Tensor, Tensor?) {
        let b = batchSizes.first ?? 0
        let dirs = numDirections, hOut = outputHiddenSize
        let total = batchSizes.reduce(0, +)
        let stateCount = numLayers * dirs
        if data.isMeta || flatWeights.contains(where: { $0.1.isMeta }) || h0?.isMeta == true {
            _ = checkRealParameters(typeName, data, flatWeights.first?.1)
            return (.meta([total, dirs * hOut]), .meta([stateCount, b, hOut]),
                    mode == .lstm ? .meta([stateCount, b, hiddenSize]) : nil)
        }
        let h0 = h0 ?? Tensor.zeros([stateCount, b, hOut])
        let c0 = mode == .lstm ? (c0 ?? Tensor.zeros([stateCount, b, hiddenSize])) : nil
        var layerInput = data
        var hN: [Tensor] = [], cN: [Tensor] = []
        let perDir = flatWeights.count / stateCount
        for layer in 0..<numLayers {
            var outs: [Tensor] = []
            for dir in 0..<dirs {
                let k = layer * dirs + dir
                let ws = flatWeights[(k * perDir)..<((k + 1) * perDir)].map(\.1)
                let (wIH, wHH) = (ws[0], ws[1])
                let (bIH, bHH): (Tensor?, Tensor?) = bias ? (ws[2], ws[3]) : (nil, nil)
                let wHR: Tensor? = projSize > 0 ? ws[bias ? 4 : 2] : nil
                let (o, h, c) = runDirection(layerInput, batchSizes: batchSizes, reverse: dir == 1,
                                             h0: h0.select(0, k), c0: c0?.select(0, k),
                                             wIH: wIH, wHH: wHH, bIH: bIH, bHH: bHH, wHR: wHR)
                outs.append(o)
                hN.append(h)
                if let c { cN.append(c) }
            }
            layerInput = dirs == 1 ? outs[0] : Tensor.cat(outs, dim: 1)
            if layer < numLayers - 1 && dropout > 0 && isTraining {
                layerInput = Tensors.dropout(layerInput, p: Float(dropout), training: true, generator: generator)
            }
        }
        return (layerInput, Tensor.stack(hN, dim: 0), cN.isEmpty ? nil : Tensor.stack(cN, dim: 0))
    }

    /// One layer in one direction over packed data: the input projection of
    /// every step as one GEMM, then the fused recurrence (`recurrentLayer`).
    private func runDirection(_ x: Tensor, batchSizes: [Int], reverse: Bool, h0: Tensor, c0: Tensor?,
                              wIH: Tensor, wHH: Tensor, bIH: Tensor?, bHH: Tensor?, wHR: Tensor?)
    -> (Tensor, Tensor, Tensor?) {
        recurrentLayer(mode, x: x, wIH: wIH, bIH: bIH, wHH: wHH, bHH: bHH, wHR: wHR, h0: h0, c0: c0,
                       batchSizes: batchSizes, reverse: reverse)
    }

    /// Runs on a padded tensor or packed data; checks shapes as PyTorch does.
    func forwardTensor(_ input: Tensor, _ h0: Tensor?, _ c0: Tensor?) -> (Tensor, Tensor, Tensor?) {
        let name = typeName
        guard check(input.rank == 2 || input.rank == 3, name,
                    "input must have 3 dimensions ([T, B, F], or [B, T, F] with batch_first) or 2 unbatched, got \(input.rank)")
        else { return (.meta([1]), .meta([1]), nil) }
        let batched = input.rank == 3
        var x = batched ? (batchFirst ? input.transpose(0, 1) : input) : input.unsqueeze(1)
        guard check(x.shape[2] == inputSize, name, "input.size(-1) must be equal to input_size. Expected \(inputSize), got \(x.shape[2])")
        else { return (.meta([1]), .meta([1]), nil) }
        let t = x.shape[0], b = x.shape[1]
        let stateCount = numLayers * numDirections
        var h = h0, c = c0
        if !batched {
            if let hh = h, !check(hh.rank == 2, name, "For unbatched 2-D input, hx should also be 2-D but got \(hh.rank)-D tensor") {
                return (.meta([1]), .meta([1]), nil)
            }
            h = h?.unsqueeze(1); c = c?.unsqueeze(1)
        }
        guard checkHidden(h, [stateCount, b, outputHiddenSize], "hidden[0]" ),
              checkHidden(c, [stateCount, b, hiddenSize], "hidden[1]") else { return (.meta([1]), .meta([1]), nil) }
        if !x.isContiguous { x = x.contiguous() }
        let data = x.reshape([t * b, inputSize])
        let (out, hN, cN) = run(data: data, batchSizes: Array(repeating: b, count: t), h0: h, c0: c)
        var y = out.reshape([t, b, numDirections * outputHiddenSize])
        if !batched { return (y.squeeze(1), hN.squeeze(1), cN?.squeeze(1)) }
        if batchFirst { y = y.transpose(0, 1) }
        return (y, hN, cN)
    }

    func forwardPacked(_ input: PackedSequence, _ h0: Tensor?, _ c0: Tensor?) -> (PackedSequence, Tensor, Tensor?) {
        let name = typeName
        let b = input.batchCount
        guard check(input.data.rank == 2 && input.data.shape[1] == inputSize, name,
                    "input.size(-1) must be equal to input_size. Expected \(inputSize), got \(input.data.shape.last ?? 0)"),
              checkHidden(h0, [numLayers * numDirections, b, outputHiddenSize], "hidden[0]"),
              checkHidden(c0, [numLayers * numDirections, b, hiddenSize], "hidden[1]")
        else { return (input, .meta([1]), nil) }
        // States are given in the original batch order; the packed data is sorted.
        let perm = input.sortedIndices.map { IntTensor($0) }
        let h = perm.flatMap { p in h0.map { $0.indexSelect(1, p) } } ?? h0
        let c = perm.flatMap { p in c0.map { $0.indexSelect(1, p) } } ?? c0
        let (out, hN0, cN0) = run(data: input.data, batchSizes: input.batchSizes, h0: h, c0: c)
        var hN = hN0, cN = cN0
        if let u = input.unsortedIndices, input.sortedIndices != nil {
            hN = hN.indexSelect(1, IntTensor(u))
            cN = cN?.indexSelect(1, IntTensor(u))
        }
        return (input.replacing(data: out), hN, cN)
    }

    private func checkHidden(_ h: Tensor?, _ expected: [Int], _ what: String) -> Bool {
        guard let h else { return true }
        return check(h.shape == expected, typeName, "Expected \(what) size \(pythonTuple(expected)), got \(h.shape)")
    }
}


/// A multi-layer Elman RNN with tanh or ReLU, like `nn.RNN`:
/// `h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)`.
///
/// ```swift
/// let rnn = RNN(10, 20, numLayers: 2)        // RNN(10, 20, num_layers=2)
/// let (output, hN) = rnn(Tensor.randn([5, 3, 10]))   // [5, 3, 20], [2, 3, 20]
/// ```
public final class RNN: RNNBase {
    /// An RNN with PyTorch's arguments and defaults.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, nonlinearity: RNNNonlinearity = .tanh,
                bias: Bool = true, batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false,
                generator: Generator? = nil) {
        super.init(mode: nonlinearity == .tanh ? .rnnTanh : .rnnRelu, inputSize: inputSize, hiddenSize: hiddenSize,
                   numLayers: numLayers, bias: bias, batchFirst: batchFirst, dropout: dropout,
                   bidirectional: bidirectional, generator: generator)
    }

    /// Runs the RNN: `output` `[T, B, D·H]` and `hN` `[L·D, B, H]`; `hx` defaults to zeros.
    public func callAsFunction(_ input: Tensor, _ hx: Tensor? = nil) -> (output: Tensor, hN: Tensor) {
        call(inputs: [input] + (hx.map { [$0] } ?? []), outputs: { [$0.0, $0.1] }) {
            let (o, h, _) = forwardTensor(input, hx, nil)
            return (o, h)
        }
    }

    /// Runs the RNN on a packed batch; the output has the same packing.
    public func callAsFunction(_ input: PackedSequence, _ hx: Tensor? = nil) -> (output: PackedSequence, hN: Tensor) {
        call(inputs: [input.data] + (hx.map { [$0] } ?? []), outputs: { [$0.0.data, $0.1] }) {
            let (o, h, _) = forwardPacked(input, hx, nil)
            return (o, h)
        }
    }

    /// `[input]` or `[input, h0]` → `[output, h_n]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 || inputs.count == 2 else {
            throw ShapeError(op: typeName, "expected [input] or [input, h0], got \(inputs.count) tensors")
        }
        let (o, h) = self(inputs[0], inputs.count > 1 ? inputs[1] : nil)
        return [o, h]
    }
}

/// A multi-layer long short-term memory RNN, like `nn.LSTM` (gates i, f, g, o;
/// `projSize` adds `h_t = W_hr · (o ⊙ tanh c_t)`).
///
/// ```swift
/// let lstm = LSTM(10, 20, numLayers: 2, bidirectional: true)
/// let (output, (hN, cN)) = lstm(Tensor.randn([5, 3, 10]))  // [5, 3, 40], [4, 3, 20] ×2
/// ```
public final class LSTM: RNNBase {
    /// An LSTM with PyTorch's arguments and defaults.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, projSize: Int = 0, generator: Generator? = nil) {
        super.init(mode: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, projSize: projSize,
                   generator: generator)
    }

    /// Runs the LSTM: `output` `[T, B, D·H_out]`, `h` `[L·D, B, H_out]`, `c`
    /// `[L·D, B, H]`; the state defaults to zeros.
    public func callAsFunction(_ input: Tensor, _ state: (h: Tensor, c: Tensor)? = nil)
    -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        call(inputs: [input] + (state.map { [$0.h, $0.c] } ?? []), outputs: { [$0.0, $0.1.h, $0.1.c] }) {
            let (o, h, c) = forwardTensor(input, state?.h, state?.c)
            return (o, (h, c ?? .meta([1])))
        }
    }

    /// Runs the LSTM on a packed batch; the output has the same packing.
    public func callAsFunction(_ input: PackedSequence, _ state: (h: Tensor, c: Tensor)? = nil)
    -> (output: PackedSequence, state: (h: Tensor, c: Tensor)) {
        call(inputs: [input.data] + (state.map { [$0.h, $0.c] } ?? []), outputs: { [$0.0.data, $0.1.h, $0.1.c] }) {
            let (o, h, c) = forwardPacked(input, state?.h, state?.c)
            return (o, (h, c ?? .meta([1])))
        }
    }

    /// `[input]` or `[input, h0, c0]` → `[output, h_n, c_n]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 || inputs.count == 3 else {
            throw ShapeError(op: typeName, "expected [input] or [input, h0, c0], got \(inputs.count) tensors")
        }
        let (o, s) = self(inputs[0], inputs.count == 3 ? (inputs[1], inputs[2]) : nil)
        return [o, s.h, s.c]
    }
}

/// A multi-layer gated recurrent unit RNN, like `nn.GRU` (gates r, z, n;
/// `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`).
///
/// ```swift
/// let gru = GRU(10, 20, batchFirst: true)
/// let (output, hN) = gru(Tensor.randn([3, 5, 10]))   // [3, 5, 20], [1, 3, 20]
/// ```
public final class GRU: RNNBase {
    /// A GRU with PyTorch's arguments and defaults.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, generator: Generator? = nil) {
        super.init(mode: .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, generator: generator)
    }

    /// Runs the GRU: `output` `[T, B, D·H]` and `hN` `[L·D, B, H]`; `hx` defaults to zeros.
    public func callAsFunction(_ input: Tensor, _ hx: Tensor? = nil) -> (output: Tensor, hN: Tensor) {
        call(inputs: [input] + (hx.map { [$0] } ?? []), outputs: { [$0.0, $0.1] }) {
            let (o, h, _) = forwardTensor(input, hx, nil)
            return (o, h)
        }
    }

    /// Runs the GRU on a packed batch; the output has the same packing.
    public func callAsFunction(_ input: PackedSequence, _ hx: Tensor? = nil) -> (output: PackedSequence, hN: Tensor) {
        call(inputs: [input.data] + (hx.map { [$0] } ?? []), outputs: { [$0.0.data, $0.1] }) {
            let (o, h, _) = forwardPacked(input, hx, nil)
            return (o, h)
        }
    }

    /// `[input]` or `[input, h0]` → `[output, h_n]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 || inputs.count == 2 else {
            throw ShapeError(op: typeName, "expected [input] or [input, h0], got \(inputs.count) tensors")
        }
        let (o, h) = self(inputs[0], inputs.count > 1 ? inputs[1] : nil)
        return [o, h]
    }
}

// MARK: - Cells

/// The shared state of `RNNCell`, `LSTMCell` and `GRUCell`, like `nn.RNNCellBase`:
/// `weight_ih` `[G·H, in]`, `weight_hh` `[G·H, H]`, `bias_ih`, `bias_hh`
/// `[G·H]`, all U(−1/√H, 1/√H).
open class RNNCellBase: Module {
    /// Features of the input.
    public let inputSize: Int
    /// Features of the hidden state.
    public let hiddenSize: Int
    /// Whether the cell has biases.
    public let bias: Bool
    /// Input-hidden weights.
    @Parameter(name: "weight_ih") public var weightIH: Tensor = .meta([0])
    /// Hidden-hidden weights.
    @Parameter(name: "weight_hh") public var weightHH: Tensor = .meta([0])
    /// Input-hidden bias.
    @Parameter(name: "bias_ih") public var biasIH: Tensor? = nil
    /// Hidden-hidden bias.
    @Parameter(name: "bias_hh") public var biasHH: Tensor? = nil

    init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool, gates: Int, generator: Generator?) {
        precondition(inputSize >= 0, "\(Self.self): input_size must be non-negative, got \(inputSize)")
        precondition(hiddenSize > 0, "\(Self.self): hidden_size must be greater than zero, got \(hiddenSize)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.bias = bias
        weightIH = Init.empty([gates * hiddenSize, inputSize])
        weightHH = Init.empty([gates * hiddenSize, hiddenSize])
        biasIH = bias ? Init.empty([gates * hiddenSize]) : nil
        biasHH = bias ? Init.empty([gates * hiddenSize]) : nil
        super.init()
        resetParameters(generator: generator)
    }

    /// Re-draws every parameter from U(−1/√H, 1/√H).
    public func resetParameters(generator: Generator? = nil) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for t in [weightIH, weightHH] + [biasIH, biasHH].compactMap({ $0 }) {
            Init.uniform(t, low: -bound, high: bound, generator: generator)
        }
    }

    public override func extraRepr() -> String {
        var s = "\(inputSize), \(hiddenSize)"
        if !bias { s += ", bias=False" }
        if let cell = self as? RNNCell, cell.nonlinearity != .tanh { s += ", nonlinearity=\(cell.nonlinearity.rawValue)" }
        return s
    }

    /// Checks a `[B, in]` or unbatched `[in]` input and returns it batched.
    func batchedInput(_ input: Tensor) -> (Tensor, Bool)? {
        guard check(input.rank == 1 || input.rank == 2, typeName,
                    "Expected input to be 1D or 2D, got \(input.rank)D instead"),
              check(input.shape.last == inputSize, typeName,
                    "input has inconsistent input_size: got \(input.shape.last ?? 0) expected \(inputSize)") else { return nil }
        return input.rank == 1 ? (input.unsqueeze(0), false) : (input, true)
    }

    func checkState(_ h: Tensor, _ b: Int, _ what: String) -> Bool {
        check(h.shape == [b, hiddenSize], typeName, "\(what) has inconsistent size: got \(h.shape) expected [\(b), \(hiddenSize)]")
    }
}

/// An Elman RNN cell with tanh or ReLU, like `nn.RNNCell`.
///
/// ```swift
/// let cell = RNNCell(10, 20)
/// var h = Tensor.zeros([3, 20])
/// for x in steps { h = cell(x, h) }
/// ```
public final class RNNCell: RNNCellBase {
    /// The nonlinearity.
    public let nonlinearity: RNNNonlinearity

    /// An RNN cell with PyTorch's arguments and defaults.
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, nonlinearity: RNNNonlinearity = .tanh,
                generator: Generator? = nil) {
        self.nonlinearity = nonlinearity
        super.init(inputSize, hiddenSize, bias: bias, gates: 1, generator: generator)
    }

    /// One step: `h'` `[B, H]` (`hx` defaults to zeros).
    public func callAsFunction(_ input: Tensor, _ hx: Tensor? = nil) -> Tensor {
        call(inputs: [input] + (hx.map { [$0] } ?? []), outputs: { [$0] }) {
            guard let (x, batched) = batchedInput(input) else { return .meta([hiddenSize]) }
            let h = hx.map { batched ? $0 : $0.unsqueeze(0) } ?? Tensor.zeros([x.shape[0], hiddenSize])
            guard checkState(h, x.shape[0], "hidden") else { return .meta([hiddenSize]) }
            let out = rnnCell(x, h, weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH,
                              nonlinearity: nonlinearity)
            return batched ? out : out.squeeze(0)
        }
    }

    /// `[input]` or `[input, hx]` → `[h']`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 || inputs.count == 2 else {
            throw ShapeError(op: typeName, "expected [input] or [input, hx], got \(inputs.count) tensors")
        }
        return [self(inputs[0], inputs.count > 1 ? inputs[1] : nil)]
    }
}

/// A long short-term memory cell, like `nn.LSTMCell`.
public final class LSTMCell: RNNCellBase {
    /// An LSTM cell with PyTorch's arguments and defaults.
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, generator: Generator? = nil) {
        super.init(inputSize, hiddenSize, bias: bias, gates: 4, generator: generator)
    }

    /// One step: `(h', c')`, each `[B, H]` (the state defaults to zeros).
    public func callAsFunction(_ input: Tensor, _ state: (h: Tensor, c: Tensor)? = nil) -> (h: Tensor, c: Tensor) {
        call(inputs: [input] + (state.map { [$0.h, $0.c] } ?? []), outputs: { [$0.h, $0.c] }) {
            guard let (x, batched) = batchedInput(input) else { return (.meta([hiddenSize]), .meta([hiddenSize])) }
            let b = x.shape[0]
            let h = state.map { batched ? $0.h : $0.h.unsqueeze(0) } ?? Tensor.zeros([b, hiddenSize])
            let c = state.map { batched ? $0.c : $0.c.unsqueeze(0) } ?? Tensor.zeros([b, hiddenSize])
            guard checkState(h, b, "hidden[0]"), checkState(c, b, "hidden[1]") else {
                return (.meta([hiddenSize]), .meta([hiddenSize]))
            }
            let (h1, c1) = lstmCell(x, (h, c), weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)
            return batched ? (h1, c1) : (h1.squeeze(0), c1.squeeze(0))
        }
    }

    /// `[input]` or `[input, h, c]` → `[h', c']`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 || inputs.count == 3 else {
            throw ShapeError(op: typeName, "expected [input] or [input, h, c], got \(inputs.count) tensors")
        }
        let (h, c) = self(inputs[0], inputs.count == 3 ? (inputs[1], inputs[2]) : nil)
        return [h, c]
    }
}

/// A gated recurrent unit cell, like `nn.GRUCell`.
public final class GRUCell: RNNCellBase {
    /// A GRU cell with PyTorch's arguments and defaults.
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, generator: Generator? = nil) {
        super.init(inputSize, hiddenSize, bias: bias, gates: 3, generator: generator)
    }

    /// One step: `h'` `[B, H]` (`hx` defaults to zeros).
    public func callAsFunction(_ input: Tensor, _ hx: Tensor? = nil) -> Tensor {
        call(inputs: [input] + (hx.map { [$0] } ?? []), outputs: { [$0] }) {
            guard let (x, batched) = batchedInput(input) else { return .meta([hiddenSize]) }
            let h = hx.map { batched ? $0 : $0.unsqueeze(0) } ?? Tensor.zeros([x.shape[0], hiddenSize])
            guard checkState(h, x.shape[0], "hidden") else { return .meta([hiddenSize]) }
            let out = gruCell(x, h, weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)
            return batched ? out : out.squeeze(0)
        }
    }

    /// `[input]` or `[input, hx]` → `[h']`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 || inputs.count == 2 else {
            throw ShapeError(op: typeName, "expected [input] or [input, hx], got \(inputs.count) tensors")
        }
        return [self(inputs[0], inputs.count > 1 ? inputs[1] : nil)]
    }
}
