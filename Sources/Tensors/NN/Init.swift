import Foundation

/// Parameter initialisation, like `torch.nn.init`. Every function fills a
/// tensor in place (without recording gradients) from `generator` (the
/// global default when nil, so `manualSeed` reproduces a model's init), and
/// leaves meta tensors alone.
public enum Init {
    /// Which fan `kaimingUniform`/`kaimingNormal` scale by.
    public enum FanMode: String, Sendable { case fanIn = "fan_in", fanOut = "fan_out" }

    /// Nonlinearities for `calculateGain`.
    public enum Nonlinearity: Sendable, Equatable {
        case linear, sigmoid, tanh, relu, selu
        case leakyRelu(negativeSlope: Float)
    }

    /// The recommended gain for a nonlinearity, like `calculate_gain`.
    public static func calculateGain(_ nonlinearity: Nonlinearity) -> Float {
        switch nonlinearity {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3
        case .relu: return Float(2).squareRoot()
        case .selu: return 3.0 / 4
        case .leakyRelu(let a): return (2 / (1 + a * a)).squareRoot()
        }
    }

    /// (fan_in, fan_out) of a weight shaped [out, in, *kernel], like `_calculate_fan_in_and_fan_out`.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "Init: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape \(shape))")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Fills with U(low, high).
    public static func uniform(_ t: Tensor, low: Float = 0, high: Float = 1, generator: Generator? = nil) {
        fill(t) { p in
            Generator.with(generator) { g in for i in 0..<p.count { p[i] = low + (high - low) * g.nextFloat() } }
        }
    }

    /// Fills with N(mean, std²).
    public static func normal(_ t: Tensor, mean: Float = 0, std: Float = 1, generator: Generator? = nil) {
        fill(t) { p in
            Generator.with(generator) { g in for i in 0..<p.count { p[i] = mean + std * Float(g.nextNormal()) } }
        }
    }

    /// Fills `t` with `value`, like `constant_`.
    public static func constant(_ t: Tensor, _ value: Float) {
        fill(t) { p in p.update(repeating: value) }
    }

    /// Fills `t` with 0, like `zeros_`.
    public static func zeros(_ t: Tensor) { constant(t, 0) }
    /// Fills `t` with 1, like `ones_`.
    public static func ones(_ t: Tensor) { constant(t, 1) }

    /// He uniform: U(-b, b) with b = gain·√(3 / fan), like `kaiming_uniform_`.
    /// PyTorch's layers use `a: √5` (b = 1/√fan_in).
    public static func kaimingUniform(_ t: Tensor, a: Float = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity = .leakyRelu(negativeSlope: 0),
                                      generator: Generator? = nil) {
        let bound = kaimingStd(t.shape, a: a, mode: mode, nonlinearity: nonlinearity) * Float(3).squareRoot()
        uniform(t, low: -bound, high: bound, generator: generator)
    }

    /// He normal: N(0, std²) with std = gain/√fan, like `kaiming_normal_`.
    public static func kaimingNormal(_ t: Tensor, a: Float = 0, mode: FanMode = .fanIn,
                                     nonlinearity: Nonlinearity = .leakyRelu(negativeSlope: 0),
                                     generator: Generator? = nil) {
        normal(t, mean: 0, std: kaimingStd(t.shape, a: a, mode: mode, nonlinearity: nonlinearity), generator: generator)
    }

    static func kaimingStd(_ shape: [Int], a: Float, mode: FanMode, nonlinearity: Nonlinearity) -> Float {
        let (fanIn, fanOut) = fans(shape)
        let fan = mode == .fanIn ? fanIn : fanOut
        var nl = nonlinearity
        if case .leakyRelu = nonlinearity { nl = .leakyRelu(negativeSlope: a) }
        return calculateGain(nl) / Float(Swift.max(fan, 1)).squareRoot()
    }

    /// Glorot uniform: U(-b, b) with b = gain·√(6 / (fan_in + fan_out)).
    public static func xavierUniform(_ t: Tensor, gain: Float = 1, generator: Generator? = nil) {
        let (fi, fo) = fans(t.shape)
        let bound = gain * (6 / Float(fi + fo)).squareRoot()
        uniform(t, low: -bound, high: bound, generator: generator)
    }

    /// Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).
    public static func xavierNormal(_ t: Tensor, gain: Float = 1, generator: Generator? = nil) {
        let (fi, fo) = fans(t.shape)
        normal(t, mean: 0, std: gain * (2 / Float(fi + fo)).squareRoot(), generator: generator)
    }

    /// Writes a contiguous tensor's elements in place (bumps its version).
    static func fill(_ t: Tensor, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        if t.isMeta { return }
        precondition(t.isContiguous, "Init: tensor must be contiguous")
        t.storage.version += 1
        body(UnsafeMutableBufferPointer(start: t.dataPointer, count: t.count))
    }

    // MARK: Meta construction

    /// A new parameter-sized tensor: meta inside `withMetaInit`, else
    /// uninitialised memory for an init function to fill.
    static func empty(_ shape: [Int]) -> Tensor {
        MetaInit.isActive ? Tensor.meta(shape) : Tensor(uninitialized: shape)
    }
}

/// Builds modules whose parameters and buffers are meta tensors (shapes only:
/// no memory, no init), like constructing under `torch.device("meta")`.
/// Useful to print a large model, count its parameters or validate shapes
/// cheaply. Such a model cannot compute until real tensors are loaded.
///
/// ```swift
/// let count = withMetaInit { VGG16() }.parameterCount   // 138,357,544
/// ```
public func withMetaInit<T>(_ body: () throws -> T) rethrows -> T {
    let s = MetaInit.state
    s.depth += 1
    defer { s.depth -= 1 }
    return try body()
}

enum MetaInit {
    final class State { var depth = 0 }

    private static let local = ThreadLocal { State() }

    static var state: State { local.value }

    static var isActive: Bool { state.depth > 0 }
}
