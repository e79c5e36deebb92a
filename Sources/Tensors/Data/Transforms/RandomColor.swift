import Foundation

// Random pixel-value transforms: each applies its `ImageOps` operation with
// probability p (one draw from the generator), printed like torchvision.

/// Checks a probability argument.
func checkProbability(_ name: String, _ p: Double) throws {
    guard p >= 0 && p <= 1 else { throw DataError(.invalidArgument, "\(name): p must be in [0, 1], got \(p)") }
}

/// A number printed like Python prints the value it was given (`2`, `0.5`).
func pythonNumber(_ v: Double) -> String { v == v.rounded() && Swift.abs(v) < 1e15 ? "\(Int(v))" : pythonFloat(v) }

/// Inverts the colours with probability `p`, like `transforms.RandomInvert`.
public struct RandomInvert: Transform {
    /// Probability of applying the transform.
    public let p: Double
    /// Applies with probability `p`.
    public init(p: Double = 0.5) { self.p = p }
    public func validate() throws { try checkProbability("RandomInvert", p) }
    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        return Double(generator.nextFloat()) < p ? try ImageOps.invert(input) : input
    }
    public var description: String { "RandomInvert(p=\(pythonFloat(p)))" }
}

/// Keeps the top `bits` bits of each channel with probability `p`, like `transforms.RandomPosterize`.
public struct RandomPosterize: Transform {
    /// Bits kept per channel (0…8).
    public let bits: Int
    /// Probability of applying the transform.
    public let p: Double
    /// Posterizes with probability `p`.
    public init(bits: Int, p: Double = 0.5) {
        self.bits = bits
        self.p = p
    }
    public func validate() throws {
        try checkProbability("RandomPosterize", p)
        guard (0...8).contains(bits) else { throw DataError(.invalidArgument, "RandomPosterize: bits must be between 0 and 8, got \(bits)") }
    }
    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        return Double(generator.nextFloat()) < p ? try ImageOps.posterize(input, bits: bits) : input
    }
    public var description: String { "RandomPosterize(bits=\(bits),p=\(pythonFloat(p)))" }
}

/// Inverts values at or above `threshold` with probability `p`, like `transforms.RandomSolarize`.
public struct RandomSolarize: Transform {
    /// Values at or above it are inverted (a byte for images, 0…1 for tensors).
    public let threshold: Double
    /// Probability of applying the transform.
    public let p: Double
    /// Solarizes with probability `p`.
    public init(threshold: Double, p: Double = 0.5) {
        self.threshold = threshold
        self.p = p
    }
    public func validate() throws { try checkProbability("RandomSolarize", p) }
    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        return Double(generator.nextFloat()) < p ? try ImageOps.solarize(input, threshold: threshold) : input
    }
    public var description: String { "RandomSolarize(threshold=\(pythonNumber(threshold)),p=\(pythonFloat(p)))" }
}

/// Stretches each channel to the full range with probability `p`, like `transforms.RandomAutocontrast`.
public struct RandomAutocontrast: Transform {
    /// Probability of applying the transform.
    public let p: Double
    /// Applies with probability `p`.
    public init(p: Double = 0.5) { self.p = p }
    public func validate() throws { try checkProbability("RandomAutocontrast", p) }
    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        return Double(generator.nextFloat()) < p ? try ImageOps.autocontrast(input) : input
    }
    public var description: String { "RandomAutocontrast(p=\(pythonFloat(p)))" }
}

/// Equalizes the histogram with probability `p`, like `transforms.RandomEqualize` (8-bit images).
public struct RandomEqualize: Transform {
    /// Probability of applying the transform.
    public let p: Double
    /// Applies with probability `p`.
    public init(p: Double = 0.5) { self.p = p }
    public func validate() throws { try checkProbability("RandomEqualize", p) }
    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        return Double(generator.nextFloat()) < p ? try ImageOps.equalize(input) : input
    }
    public var description: String { "RandomEqualize(p=\(pythonFloat(p)))" }
}

/// Adjusts sharpness by `sharpnessFactor` with probability `p`, like `transforms.RandomAdjustSharpness`.
public struct RandomAdjustSharpness: Transform {
    /// 0 blurs, 1 keeps, 2 doubles the sharpness.
    public let sharpnessFactor: Double
    /// Probability of applying the transform.
    public let p: Double
    /// Adjusts with probability `p`.
    public init(sharpnessFactor: Double, p: Double = 0.5) {
        self.sharpnessFactor = sharpnessFactor
        self.p = p
    }
    public func validate() throws {
        try checkProbability("RandomAdjustSharpness", p)
        guard sharpnessFactor >= 0 else {
            throw DataError(.invalidArgument, "RandomAdjustSharpness: sharpness_factor (\(sharpnessFactor)) is not non-negative.")
        }
    }
    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        return Double(generator.nextFloat()) < p ? try ImageOps.adjustSharpness(input, factor: sharpnessFactor) : input
    }
    public var description: String { "RandomAdjustSharpness(sharpness_factor=\(pythonNumber(sharpnessFactor)),p=\(pythonFloat(p)))" }
}

/// Converts to grayscale (keeping the channel count) with probability `p`, like `transforms.RandomGrayscale`.
public struct RandomGrayscale: Transform {
    /// Probability of applying the transform.
    public let p: Double
    /// Applies with probability `p` (torchvision's default 0.1).
    public init(p: Double = 0.1) { self.p = p }
    public func validate() throws { try checkProbability("RandomGrayscale", p) }
    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        guard Double(generator.nextFloat()) < p else { return input }
        return try Grayscale(numOutputChannels: input.channels == 1 ? 1 : 3).apply(input, generator: generator)
    }
    public var description: String { "RandomGrayscale(p=\(pythonFloat(p)))" }
}
