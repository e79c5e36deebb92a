import Foundation

/// A seeded pseudo-random number generator, the counterpart of `torch.Generator`.
///
/// The stream is xoshiro256** seeded through SplitMix64, so a given seed gives
/// the same numbers on every run and machine. A generator is a reference type
/// (like `torch.Generator`): pass the same instance around to draw one stream.
/// It is not thread-safe; the global default generator (`Generator.default`)
/// is guarded by a lock.
///
/// ```swift
/// let g = Generator(seed: 42)
/// let x = Tensor.randn([2, 3], generator: g)
/// ```
public final class Generator: @unchecked Sendable {
    /// The seed this generator was created with or last reseeded to.
    public private(set) var initialSeed: UInt64
    private var s: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// A second normal deviate from Box–Muller, kept for the next call.
    private var spareNormal: Double?
    let lock = NSLock()

    /// A generator whose stream is determined by `seed`.
    public init(seed: UInt64 = 0) {
        initialSeed = seed
        manualSeed(seed)
    }

    /// Reseeds the generator: the stream restarts as if newly created with `seed`.
    public func manualSeed(_ seed: UInt64) {
        initialSeed = seed
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
        spareNormal = nil
    }

    /// The full state, for checkpoints: restoring it continues the exact stream.
    public var state: [UInt64] {
        get { [s.0, s.1, s.2, s.3, initialSeed, spareNormal.map { $0.bitPattern } ?? 0, spareNormal == nil ? 0 : 1] }
        set {
            precondition(newValue.count == 7, "Generator.state: expected 7 words, got \(newValue.count)")
            s = (newValue[0], newValue[1], newValue[2], newValue[3])
            initialSeed = newValue[4]
            spareNormal = newValue[6] == 1 ? Double(bitPattern: newValue[5]) : nil
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// The next 64 random bits.
    @inline(__always)
    public func nextUInt64() -> UInt64 {
        let result = Generator.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = Generator.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public func nextDouble() -> Double { Double(nextUInt64() >> 11) * 0x1.0p-53 }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public func nextFloat() -> Float { Float(nextUInt64() >> 40) * 0x1.0p-24 }

    /// Uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "Generator.nextInt: bound must be positive, got \(bound)")
        let b = UInt64(bound)
        var m = nextUInt64().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = nextUInt64().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Uniform integer in `range`.
    public func nextInt(in range: Range<Int>) -> Int { range.lowerBound + nextInt(below: range.count) }
    /// Uniform integer in a closed `range`.
    public func nextInt(in range: ClosedRange<Int>) -> Int { range.lowerBound + nextInt(below: range.count) }

    /// Standard normal deviate (Box–Muller, both values used).
    public func nextNormal() -> Double {
        if let v = spareNormal { spareNormal = nil; return v }
        var u1 = nextDouble()
        while u1 <= Double.leastNormalMagnitude { u1 = nextDouble() }
        let u2 = nextDouble()
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }

    /// A random permutation of `0..<n` (Fisher–Yates), like `torch.randperm`.
    public func randperm(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = nextInt(below: i + 1)
                p.swapAt(i, j)
            }
        }
        return p
    }

    /// A generator seeded from this one's stream: for workers and sub-streams.
    public func fork() -> Generator { Generator(seed: nextUInt64()) }

    /// The process-wide default generator, used when an API takes no generator.
    public static let `default` = Generator(seed: 0)

    /// Runs `body` with exclusive access to `generator` if it is the shared default.
    @inline(__always)
    static func with<T>(_ generator: Generator?, _ body: (Generator) -> T) -> T {
        if let g = generator { return body(g) }
        let g = Generator.default
        g.lock.lock(); defer { g.lock.unlock() }
        return body(g)
    }
}

/// Seeds the default generator, like `torch.manual_seed`.
public func manualSeed(_ seed: UInt64) {
    let g = Generator.default
    g.lock.lock(); defer { g.lock.unlock() }
    g.manualSeed(seed)
}
