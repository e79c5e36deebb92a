/// Factory functions, like `torch.zeros`, `torch.randn` …
extension Tensor {
    /// A tensor of zeros, like `torch.zeros`.
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    /// A tensor of ones, like `torch.ones`.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// A tensor filled with `value`, like `torch.full`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.storage.pointer.initialize(repeating: value, count: t.count)
        return t
    }

    /// Zeros with the shape of `t`.
    public static func zerosLike(_ t: Tensor) -> Tensor { zeros(t.shape) }
    /// Ones with the shape of `t`.
    public static func onesLike(_ t: Tensor) -> Tensor { ones(t.shape) }

    /// Values from `start` up to (not including) `end` in steps of `step`.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must be nonzero")
        let n = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        return Tensor(shape: [n]) { p in for i in 0..<n { p[i] = start + Float(i) * step } }
    }

    /// 0, 1, …, end − 1 as floats, like `torch.arange(end)`.
    public static func arange(_ end: Int) -> Tensor { arange(0, Float(end)) }

    /// `steps` evenly spaced values from `start` to `end` inclusive.
    public static func linspace(_ start: Float, _ end: Float, steps: Int) -> Tensor {
        precondition(steps >= 0, "linspace: number of steps must be non-negative, got \(steps)")
        let step = steps > 1 ? (end - start) / Float(steps - 1) : 0
        return Tensor(shape: [steps]) { p in
            // Like PyTorch: fill the second half from the end for symmetric rounding.
            let half = steps / 2
            for i in 0..<steps { p[i] = i < half ? start + step * Float(i) : end - step * Float(steps - 1 - i) }
        }
    }

    /// Identity matrix n×m (m defaults to n).
    public static func eye(_ n: Int, _ m: Int? = nil) -> Tensor {
        let cols = m ?? n
        let t = zeros([n, cols])
        for i in 0..<Swift.min(n, cols) { t.storage.pointer[i * cols + i] = 1 }
        return t
    }

    /// Uniform in [0, 1).
    public static func rand(_ shape: [Int], generator: Generator? = nil) -> Tensor {
        Generator.with(generator) { g in Tensor(shape: shape) { p in for i in 0..<p.count { p[i] = g.nextFloat() } } }
    }

    /// Uniform in [low, high).
    public static func uniform(_ shape: [Int], low: Float, high: Float, generator: Generator? = nil) -> Tensor {
        Generator.with(generator) { g in
            Tensor(shape: shape) { p in for i in 0..<p.count { p[i] = low + (high - low) * g.nextFloat() } }
        }
    }

    /// Standard normal.
    public static func randn(_ shape: [Int], generator: Generator? = nil) -> Tensor {
        Generator.with(generator) { g in Tensor(shape: shape) { p in for i in 0..<p.count { p[i] = Float(g.nextNormal()) } } }
    }

    /// Normal with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: Generator? = nil) -> Tensor {
        Generator.with(generator) { g in
            Tensor(shape: shape) { p in for i in 0..<p.count { p[i] = mean + std * Float(g.nextNormal()) } }
        }
    }

    /// Integers uniform in [low, high) stored as floats; see `IntTensor.randint` for labels.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], generator: Generator? = nil) -> Tensor {
        precondition(high > low, "randint: expected high > low, got low=\(low), high=\(high)")
        return Generator.with(generator) { g in
            Tensor(shape: shape) { p in for i in 0..<p.count { p[i] = Float(g.nextInt(in: low..<high)) } }
        }
    }
}
