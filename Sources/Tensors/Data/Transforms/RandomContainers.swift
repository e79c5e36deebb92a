import Foundation

// Containers that apply other transforms at random: RandomApply, RandomChoice, RandomOrder.

/// Indents every line after the first by four spaces, as torchvision's reprs nest.
private func childLines(_ transforms: [any Transform]) -> String {
    transforms.map { "\n    \($0)" }.joined()
}

/// Applies all `transforms` in order with probability `p`, like `transforms.RandomApply`.
///
/// ```swift
/// RandomApply([ColorJitter(brightness: 0.4, contrast: 0.4)], p: 0.8)
/// ```
public struct RandomApply: Transform {
    /// The transforms, applied together or not at all.
    public let transforms: [any Transform]
    /// Probability of applying them.
    public let p: Double

    /// Applies `transforms` with probability `p`.
    public init(_ transforms: [any Transform], p: Double = 0.5) {
        self.transforms = transforms
        self.p = p
    }

    public func validate() throws {
        try checkProbability("RandomApply", p)
        for t in transforms { try t.validate() }
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try checkProbability("RandomApply", p)
        if p < Double(generator.nextFloat()) { return input }
        return try Compose(transforms).apply(input, generator: generator)
    }

    public var description: String { "RandomApply(\n    p=\(pythonFloat(p))\(childLines(transforms))\n)" }
}

/// Applies one of `transforms`, picked at random (weighted by `p` when given), like `transforms.RandomChoice`.
public struct RandomChoice: Transform {
    /// The candidates.
    public let transforms: [any Transform]
    /// Relative weights of the candidates, or nil for equal ones.
    public let p: [Double]?

    /// Picks one of `transforms` per call.
    public init(_ transforms: [any Transform], p: [Double]? = nil) {
        self.transforms = transforms
        self.p = p
    }

    public func validate() throws {
        guard !transforms.isEmpty else { throw DataError(.invalidArgument, "RandomChoice: needs at least one transform") }
        if let p {
            guard p.count == transforms.count else {
                throw DataError(.invalidArgument, "RandomChoice: Length of p doesn't match the number of transforms: \(p.count) != \(transforms.count)")
            }
            guard p.allSatisfy({ $0 >= 0 }), p.reduce(0, +) > 0 else {
                throw DataError(.invalidArgument, "RandomChoice: p must hold non-negative weights with a positive sum, got \(p)")
            }
        }
        for t in transforms { try t.validate() }
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        let weights = p ?? Array(repeating: 1, count: transforms.count)
        let total = weights.reduce(0, +)
        var r = Double(generator.nextFloat()) * total
        var pick = transforms.count - 1
        for (i, w) in weights.enumerated() {
            if r < w { pick = i; break }
            r -= w
        }
        return try transforms[pick].apply(input, generator: generator)
    }

    public var description: String {
        let weights = p.map { "[" + $0.map(pythonFloat).joined(separator: ", ") + "]" } ?? "None"
        return "RandomChoice(\(childLines(transforms))\n)(p=\(weights))"
    }
}

/// Applies all `transforms` in a random order, like `transforms.RandomOrder`.
public struct RandomOrder: Transform {
    /// The transforms.
    public let transforms: [any Transform]

    /// Applies `transforms`, shuffled per call.
    public init(_ transforms: [any Transform]) { self.transforms = transforms }

    public func validate() throws { for t in transforms { try t.validate() } }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        var x = input
        for i in generator.randperm(transforms.count) { x = try transforms[i].apply(x, generator: generator) }
        return x
    }

    public var description: String { "RandomOrder(\(childLines(transforms))\n)" }
}
