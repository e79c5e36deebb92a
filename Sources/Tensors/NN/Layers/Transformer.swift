/// The feed-forward activation of the Transformer layers (PyTorch's
/// `activation="relu"` / `"gelu"`).
public enum TransformerActivation: String, Sendable {
    case relu
    case gelu

    func callAsFunction(_ x: Tensor) -> Tensor { self == .relu ? x.relu() : Tensors.gelu(x) }
}

/// One Transformer encoder block, like `nn.TransformerEncoderLayer`: self
/// attention and a feed-forward network, each with dropout, a residual
/// connection and a layer norm (after the residual by default, before the
/// sublayer with `normFirst`).
///
/// State keys as in PyTorch: `self_attn.in_proj_weight`, `linear1.weight`,
/// `norm1.weight`, ….
///
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 64, nhead: 4, dimFeedforward: 128, batchFirst: true)
/// let y = layer(x, srcKeyPaddingMask: .bool(pads))   // [N, T, 64]
/// ```
public final class TransformerEncoderLayer: Module {
    public let selfAttn: MultiheadAttention
    public let linear1: Linear
    public let dropout: Dropout
    public let linear2: Linear
    /// Whether the norms come before the sublayers (pre-LN).
    public let normFirst: Bool
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let dropout1: Dropout
    public let dropout2: Dropout
    /// The feed-forward activation.
    public let activation: TransformerActivation
    let config: Config

    struct Config {
        var dModel, nhead, dimFeedforward: Int
        var dropout: Double
        var activation: TransformerActivation
        var layerNormEps: Double
        var batchFirst, normFirst, bias: Bool
    }

    /// An encoder layer with PyTorch's arguments and defaults.
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, generator: Generator? = nil) {
        config = Config(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                        activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                        normFirst: normFirst, bias: bias)
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                      batchFirst: batchFirst, generator: generator)
        linear1 = Linear(dModel, dimFeedforward, bias: bias, generator: generator)
        self.dropout = Dropout(p: dropout, generator: generator)
        linear2 = Linear(dimFeedforward, dModel, bias: bias, generator: generator)
        self.normFirst = normFirst
        norm1 = LayerNorm([dModel], eps: layerNormEps, bias: bias)
        norm2 = LayerNorm([dModel], eps: layerNormEps, bias: bias)
        dropout1 = Dropout(p: dropout, generator: generator)
        dropout2 = Dropout(p: dropout, generator: generator)
        self.activation = activation
        super.init()
    }

    public override func ownMembers() -> ModuleMembers { reflectMembers().renamingChildren(["selfAttn": "self_attn"]) }

    /// A new layer with the same arguments and a copy of this one's weights
    /// (what PyTorch's `TransformerEncoder` does with `copy.deepcopy`).
    public func copy() -> TransformerEncoderLayer {
        let c = config
        let l = TransformerEncoderLayer(dModel: c.dModel, nhead: c.nhead, dimFeedforward: c.dimFeedforward,
                                        dropout: c.dropout, activation: c.activation, layerNormEps: c.layerNormEps,
                                        batchFirst: c.batchFirst, normFirst: c.normFirst, bias: c.bias)
        copyState(from: self, to: l)
        return l
    }

    /// `src` `[S, N, E]` (`[N, S, E]` with `batchFirst`) → same shape.
    public func callAsFunction(_ src: Tensor, srcMask: AttentionMask? = nil, srcKeyPaddingMask: AttentionMask? = nil,
                               isCausal: Bool = false) -> Tensor {
        call(inputs: [src], outputs: { [$0] }) {
            var x = src
            if normFirst {
                x = x + selfAttentionBlock(norm1(x), srcMask, srcKeyPaddingMask, isCausal)
                x = x + feedForwardBlock(norm2(x))
            } else {
                x = norm1(x + selfAttentionBlock(x, srcMask, srcKeyPaddingMask, isCausal))
                x = norm2(x + feedForwardBlock(x))
            }
            return x
        }
    }

    private func selfAttentionBlock(_ x: Tensor, _ mask: AttentionMask?, _ kpm: AttentionMask?, _ causal: Bool) -> Tensor {
        dropout1(selfAttn(x, x, x, keyPaddingMask: kpm, needWeights: false, attnMask: mask, isCausal: causal).output)
    }

    private func feedForwardBlock(_ x: Tensor) -> Tensor {
        dropout2(linear2(dropout(activation(linear1(x)))))
    }

    /// `[src]` → `[output]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw ShapeError(op: typeName, "expected [src], got \(inputs.count) tensors") }
        return [self(inputs[0])]
    }
}

/// A stack of `numLayers` encoder layers (copies of one) with an optional
/// final norm, like `nn.TransformerEncoder`.
public final class TransformerEncoder: Module {
    /// The layers (`layers.0`, …; printed as a `ModuleList`).
    public let layers: [TransformerEncoderLayer]
    /// The final norm.
    public let norm: LayerNorm?
    /// Number of layers.
    public let numLayers: Int

    /// `numLayers` copies of `encoderLayer` (same initial weights, as
    /// PyTorch's deep copies), then `norm`.
    public init(_ encoderLayer: TransformerEncoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        precondition(numLayers > 0, "TransformerEncoder: num_layers must be positive, got \(numLayers)")
        layers = (0..<numLayers).map { _ in encoderLayer.copy() }
        self.norm = norm
        self.numLayers = numLayers
        super.init()
    }

    /// Runs every layer, then the norm.
    public func callAsFunction(_ src: Tensor, mask: AttentionMask? = nil, srcKeyPaddingMask: AttentionMask? = nil,
                               isCausal: Bool = false) -> Tensor {
        call(inputs: [src], outputs: { [$0] }) {
            var x = src
            for layer in layers {
                x = layer(x, srcMask: mask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: isCausal)
            }
            if let norm { x = norm(x) }
            return x
        }
    }

    /// `[src]` → `[output]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw ShapeError(op: typeName, "expected [src], got \(inputs.count) tensors") }
        return [self(inputs[0])]
    }
}

/// One Transformer decoder block, like `nn.TransformerDecoderLayer`: self
/// attention, cross attention over `memory`, and a feed-forward network.
public final class TransformerDecoderLayer: Module {
    public let selfAttn: MultiheadAttention
    public let multiheadAttn: MultiheadAttention
    public let linear1: Linear
    public let dropout: Dropout
    public let linear2: Linear
    /// Whether the norms come before the sublayers (pre-LN).
    public let normFirst: Bool
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let norm3: LayerNorm
    public let dropout1: Dropout
    public let dropout2: Dropout
    public let dropout3: Dropout
    /// The feed-forward activation.
    public let activation: TransformerActivation
    let config: TransformerEncoderLayer.Config

    /// A decoder layer with PyTorch's arguments and defaults.
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, generator: Generator? = nil) {
        config = .init(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                       activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                       normFirst: normFirst, bias: bias)
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                      batchFirst: batchFirst, generator: generator)
        multiheadAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, bias: bias,
                                           batchFirst: batchFirst, generator: generator)
        linear1 = Linear(dModel, dimFeedforward, bias: bias, generator: generator)
        self.dropout = Dropout(p: dropout, generator: generator)
        linear2 = Linear(dimFeedforward, dModel, bias: bias, generator: generator)
        self.normFirst = normFirst
        norm1 = LayerNorm([dModel], eps: layerNormEps, bias: bias)
        norm2 = LayerNorm([dModel], eps: layerNormEps, bias: bias)
        norm3 = LayerNorm([dModel], eps: layerNormEps, bias: bias)
        dropout1 = Dropout(p: dropout, generator: generator)
        dropout2 = Dropout(p: dropout, generator: generator)
        dropout3 = Dropout(p: dropout, generator: generator)
        self.activation = activation
        super.init()
    }

    public override func ownMembers() -> ModuleMembers {
        reflectMembers().renamingChildren(["selfAttn": "self_attn", "multiheadAttn": "multihead_attn"])
    }

    /// A new layer with the same arguments and a copy of this one's weights.
    public func copy() -> TransformerDecoderLayer {
        let c = config
        let l = TransformerDecoderLayer(dModel: c.dModel, nhead: c.nhead, dimFeedforward: c.dimFeedforward,
                                        dropout: c.dropout, activation: c.activation, layerNormEps: c.layerNormEps,
                                        batchFirst: c.batchFirst, normFirst: c.normFirst, bias: c.bias)
        copyState(from: self, to: l)
        return l
    }

    /// `tgt` `[T, N, E]` attending to `memory` `[S, N, E]` → `[T, N, E]`
    /// (batch first with `batchFirst`).
    public func callAsFunction(_ tgt: Tensor, _ memory: Tensor, tgtMask: AttentionMask? = nil,
                               memoryMask: AttentionMask? = nil, tgtKeyPaddingMask: AttentionMask? = nil,
                               memoryKeyPaddingMask: AttentionMask? = nil, tgtIsCausal: Bool = false,
                               memoryIsCausal: Bool = false) -> Tensor {
        call(inputs: [tgt, memory], outputs: { [$0] }) {
            var x = tgt
            if normFirst {
                x = x + selfAttentionBlock(norm1(x), tgtMask, tgtKeyPaddingMask, tgtIsCausal)
                x = x + crossAttentionBlock(norm2(x), memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal)
                x = x + feedForwardBlock(norm3(x))
            } else {
                x = norm1(x + selfAttentionBlock(x, tgtMask, tgtKeyPaddingMask, tgtIsCausal))
                x = norm2(x + crossAttentionBlock(x, memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal))
                x = norm3(x + feedForwardBlock(x))
            }
            return x
        }
    }

    private func selfAttentionBlock(_ x: Tensor, _ mask: AttentionMask?, _ kpm: AttentionMask?, _ causal: Bool) -> Tensor {
        dropout1(selfAttn(x, x, x, keyPaddingMask: kpm, needWeights: false, attnMask: mask, isCausal: causal).output)
    }

    private func crossAttentionBlock(_ x: Tensor, _ mem: Tensor, _ mask: AttentionMask?, _ kpm: AttentionMask?,
                                     _ causal: Bool) -> Tensor {
        dropout2(multiheadAttn(x, mem, mem, keyPaddingMask: kpm, needWeights: false, attnMask: mask, isCausal: causal).output)
    }

    private func feedForwardBlock(_ x: Tensor) -> Tensor {
        dropout3(linear2(dropout(activation(linear1(x)))))
    }

    /// `[tgt, memory]` → `[output]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw ShapeError(op: typeName, "expected [tgt, memory], got \(inputs.count) tensors") }
        return [self(inputs[0], inputs[1])]
    }
}

/// A stack of `numLayers` decoder layers (copies of one) with an optional
/// final norm, like `nn.TransformerDecoder`.
public final class TransformerDecoder: Module {
    /// The layers (`layers.0`, …; printed as a `ModuleList`).
    public let layers: [TransformerDecoderLayer]
    /// The final norm.
    public let norm: LayerNorm?
    /// Number of layers.
    public let numLayers: Int

    /// `numLayers` copies of `decoderLayer`, then `norm`.
    public init(_ decoderLayer: TransformerDecoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        precondition(numLayers > 0, "TransformerDecoder: num_layers must be positive, got \(numLayers)")
        layers = (0..<numLayers).map { _ in decoderLayer.copy() }
        self.norm = norm
        self.numLayers = numLayers
        super.init()
    }

    /// Runs every layer over `tgt` with `memory`, then the norm.
    public func callAsFunction(_ tgt: Tensor, _ memory: Tensor, tgtMask: AttentionMask? = nil,
                               memoryMask: AttentionMask? = nil, tgtKeyPaddingMask: AttentionMask? = nil,
                               memoryKeyPaddingMask: AttentionMask? = nil, tgtIsCausal: Bool = false,
                               memoryIsCausal: Bool = false) -> Tensor {
        call(inputs: [tgt, memory], outputs: { [$0] }) {
            var x = tgt
            for layer in layers {
                x = layer(x, memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                          memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal,
                          memoryIsCausal: memoryIsCausal)
            }
            if let norm { x = norm(x) }
            return x
        }
    }

    /// `[tgt, memory]` → `[output]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw ShapeError(op: typeName, "expected [tgt, memory], got \(inputs.count) tensors") }
        return [self(inputs[0], inputs[1])]
    }
}

/// The encoder-decoder Transformer of "Attention Is All You Need", like
/// `nn.Transformer`: an encoder and a decoder stack, each with a final
/// layer norm; every parameter of rank > 1 is re-drawn xavier-uniform.
///
/// ```swift
/// let model = Transformer(dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64)
/// let mask = Transformer.generateSquareSubsequentMask(tgt.shape[0])
/// let y = model(src, tgt, tgtMask: .additive(mask))
/// ```
public final class Transformer: Module {
    public let encoder: TransformerEncoder
    public let decoder: TransformerDecoder
    /// Model dimension.
    public let dModel: Int
    /// Number of heads.
    public let nhead: Int
    /// Whether inputs are `[N, T, E]`.
    public let batchFirst: Bool

    /// A Transformer with PyTorch's arguments and defaults.
    public init(dModel: Int = 512, nhead: Int = 8, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6,
                dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                customEncoder: TransformerEncoder? = nil, customDecoder: TransformerDecoder? = nil,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, bias: Bool = true,
                generator: Generator? = nil) {
        encoder = customEncoder ?? TransformerEncoder(
            TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                    activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                    normFirst: normFirst, bias: bias, generator: generator),
            numLayers: numEncoderLayers, norm: LayerNorm([dModel], eps: layerNormEps, bias: bias))
        decoder = customDecoder ?? TransformerDecoder(
            TransformerDecoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                    activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                    normFirst: normFirst, bias: bias, generator: generator),
            numLayers: numDecoderLayers, norm: LayerNorm([dModel], eps: layerNormEps, bias: bias))
        self.dModel = dModel
        self.nhead = nhead
        self.batchFirst = batchFirst
        super.init()
        for p in parameters() where p.rank > 1 { Init.xavierUniform(p, generator: generator) }
    }

    /// `src` `[S, N, E]` and `tgt` `[T, N, E]` → `[T, N, E]`.
    public func callAsFunction(_ src: Tensor, _ tgt: Tensor, srcMask: AttentionMask? = nil, tgtMask: AttentionMask? = nil,
                               memoryMask: AttentionMask? = nil, srcKeyPaddingMask: AttentionMask? = nil,
                               tgtKeyPaddingMask: AttentionMask? = nil, memoryKeyPaddingMask: AttentionMask? = nil,
                               srcIsCausal: Bool = false, tgtIsCausal: Bool = false,
                               memoryIsCausal: Bool = false) -> Tensor {
        call(inputs: [src, tgt], outputs: { [$0] }) {
            let memory = encoder(src, mask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: srcIsCausal)
            return decoder(tgt, memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                           memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal,
                           memoryIsCausal: memoryIsCausal)
        }
    }

    /// `[src, tgt]` → `[output]`.
    public override func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw ShapeError(op: typeName, "expected [src, tgt], got \(inputs.count) tensors") }
        return [self(inputs[0], inputs[1])]
    }

    /// `[size, size]` with −inf above the diagonal and 0 elsewhere: position
    /// i may attend to positions ≤ i, like `generate_square_subsequent_mask`.
    public static func generateSquareSubsequentMask(_ size: Int) -> Tensor { causalMask(size, size) }
}

/// Copies every parameter and buffer of `src` into `dst` (same architecture).
func copyState(from src: Module, to dst: Module) {
    let s = src.stateDict()
    let d = dst.stateDict()
    noGrad {
        for ((_, a), (_, b)) in zip(s, d) where !a.isMeta && !b.isMeta { b.copy(from: a) }
    }
}

extension ModuleMembers {
    /// The same members with children renamed by `names` (Swift property name →
    /// PyTorch's snake_case key, e.g. `selfAttn` → `self_attn`).
    func renamingChildren(_ names: [String: String]) -> ModuleMembers {
        var m = self
        m.children = children.map { (names[$0.0] ?? $0.0, $0.1) }
        m.layout = layout.map { item in
            switch item {
            case .single(let k, let v): return .single(names[k] ?? k, v)
            case .list(let k, let v): return .list(names[k] ?? k, v)
            case .dict(let k, let v): return .dict(names[k] ?? k, v)
            }
        }
        return m
    }
}
