/// A data transform, like a torchvision transform: maps an image (before
/// `ToTensor`) or a tensor (after it) to a new one.
///
/// Transforms are values: immutable after construction, safe to share
/// between `DataLoader` workers. Random transforms draw every random number
/// from the `generator` argument, so one seed reproduces an augmented epoch.
/// `description` is torchvision's printed form (`RandomCrop(size=(32, 32), padding=4)`).
///
/// Argument errors (a negative size, a zero std) are reported by
/// `validate()` and, at the latest, by `apply`, as a `DataError` naming the
/// transform; constructing a transform never traps.
public protocol Transform: CustomStringConvertible {
    /// Applies the transform; random choices draw from `generator`.
    func apply(_ input: Feature, generator: Generator) throws -> Feature
    /// Checks the transform's arguments; throws a `DataError` naming the bad one.
    func validate() throws
}

extension Transform {
    public func validate() throws {}

    /// Applies the transform; without a generator, random choices draw from a
    /// generator forked from the global default.
    public func callAsFunction(_ input: Feature, generator: Generator? = nil) throws -> Feature {
        try apply(input, generator: generator ?? Generator.with(nil) { $0.fork() })
    }

    /// Applies the transform to an image.
    public func callAsFunction(_ image: Image, generator: Generator? = nil) throws -> Feature {
        try callAsFunction(.image(image), generator: generator)
    }

    /// Applies the transform to a tensor.
    public func callAsFunction(_ tensor: Tensor, generator: Generator? = nil) throws -> Feature {
        try callAsFunction(.tensor(tensor), generator: generator)
    }
}

/// Transforms applied one after another, like `transforms.Compose`.
///
/// Prints like torchvision:
/// ```
/// Compose(
///     RandomCrop(size=(32, 32), padding=4)
///     RandomHorizontalFlip(p=0.5)
///     ToTensor()
///     Normalize(mean=(0.4914, 0.4822, 0.4465), std=(0.2023, 0.1994, 0.201))
/// )
/// ```
/// Consecutive crops, pads and flips run as one resampling pass over the
/// image, with the same random draws and results as one at a time.
public struct Compose: Transform {
    /// The transforms, applied in order.
    public let transforms: [any Transform]

    /// Applies `transforms` in order.
    public init(_ transforms: [any Transform]) { self.transforms = transforms }
    /// Applies `transforms` in order.
    public init(_ transforms: any Transform...) { self.transforms = transforms }

    public func validate() throws {
        for t in transforms { try t.validate() }
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        var x = input
        var i = 0
        while i < transforms.count {
            // Group a run of crops/pads/flips with compatible fills into one pass.
            if let first = transforms[i] as? GeometricTransform {
                var group = [first]
                var fill = first.fillValues
                while i + group.count < transforms.count,
                      let next = transforms[i + group.count] as? GeometricTransform,
                      fillsCompatible(&fill, next.fillValues) { group.append(next) }
                if group.count > 1 {
                    var plan = GeometryPlan(height: x.height, width: x.width)
                    for t in group { try t.plan(&plan, generator: generator) }
                    x = try plan.render(x, fill: fill ?? [0])
                    i += group.count
                    continue
                }
            }
            x = try transforms[i].apply(x, generator: generator)
            i += 1
        }
        return x
    }

    public var description: String {
        var s = "Compose("
        for t in transforms {
            for (k, line) in t.description.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                s += k == 0 ? "\n    \(line)" : "\n\(line)"
            }
        }
        return s + "\n)"
    }
}

/// A user-defined transform from a closure, like `transforms.Lambda`.
///
/// ```swift
/// let invert = Lambda { x in
///     guard case .image(var img) = x else { return x }
///     for i in img.pixels.indices { img.pixels[i] = 255 - img.pixels[i] }
///     return .image(img)
/// }
/// ```
public struct Lambda: Transform {
    private let body: (Feature, Generator) throws -> Feature

    /// A deterministic transform.
    public init(_ body: @escaping (Feature) throws -> Feature) {
        self.body = { x, _ in try body(x) }
    }

    /// A random transform that draws from the generator it is given.
    public init(random body: @escaping (Feature, Generator) throws -> Feature) {
        self.body = body
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try body(input, generator)
    }

    public var description: String { "Lambda()" }
}

// MARK: - Helpers shared by transforms

extension Feature {
    /// Height of the image or of the tensor's last-but-one dimension.
    var height: Int {
        switch self {
        case .image(let i): return i.height
        case .tensor(let t): return t.rank >= 2 ? t.shape[t.rank - 2] : 1
        }
    }

    var width: Int {
        switch self {
        case .image(let i): return i.width
        case .tensor(let t): return t.rank >= 1 ? t.shape[t.rank - 1] : 1
        }
    }

    /// Channels of the image, or the tensor's dimension −3 (1 for 2-D tensors).
    var channels: Int {
        switch self {
        case .image(let i): return i.channels
        case .tensor(let t): return t.rank >= 3 ? t.shape[t.rank - 3] : 1
        }
    }
}

/// Throws the error a transform gives for an input it cannot handle.
func wrongInput(_ name: String, _ input: Feature, expected: String) -> DataError {
    DataError(.transform, "\(name): expected \(expected), got \(input.summary)")
}

/// Checks that a tensor is a (…, H, W) image tensor.
func requireImageTensor(_ name: String, _ t: Tensor) throws {
    if t.rank < 2 {
        throw DataError(.transform, "\(name): expected a tensor image of shape [..., H, W], got shape \(t.shape)")
    }
    if t.isMeta {
        throw DataError(.transform, "\(name): cannot transform a meta tensor (it holds no data)")
    }
}

/// Python's `round` (half to even), used by torchvision's centre crops.
@inline(__always)
func pythonRound(_ x: Double) -> Int { Int(x.rounded(.toNearestOrEven)) }

/// Formats a size pair like torchvision: `(32, 32)`.
func sizeString(_ h: Int, _ w: Int) -> String { "(\(h), \(w))" }

/// Fill values printed like torchvision (`0`, `(1, 2, 3)`).
func fillString(_ fill: [Double]) -> String {
    func num(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? "\(Int(v))" : "\(v)" }
    if fill.count == 1 { return num(fill[0]) }
    return "(" + fill.map(num).joined(separator: ", ") + ")"
}
