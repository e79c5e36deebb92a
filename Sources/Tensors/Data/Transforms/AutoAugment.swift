import Foundation

// Learned and random augmentation policies: AutoAugment (CIFAR-10 policy),
// RandAugment and TrivialAugmentWide, over the ops of torchvision's `_apply_op`.

/// One augmentation operation of the policies, named as in torchvision.
public enum AugmentOp: String, Sendable, CaseIterable {
    case identity = "Identity", shearX = "ShearX", shearY = "ShearY", translateX = "TranslateX", translateY = "TranslateY"
    case rotate = "Rotate", brightness = "Brightness", color = "Color", contrast = "Contrast", sharpness = "Sharpness"
    case posterize = "Posterize", solarize = "Solarize", autoContrast = "AutoContrast", equalize = "Equalize"
    case invert = "Invert"

    /// Applies the op with `magnitude`, like torchvision's `_apply_op`.
    /// Posterize and Equalize need 8-bit images; Solarize's magnitude is a
    /// byte threshold (scaled to 0…1 for float tensors).
    public func apply(_ img: Feature, magnitude: Double, interpolation: Interpolation, fill: Fill) throws -> Feature {
        switch self {
        case .identity: return img
        case .shearX:
            return try ImageOps.affine(img, angle: 0, translate: (0, 0), scale: 1,
                                       shear: (Foundation.atan(magnitude) * 180 / Double.pi, 0), interpolation: interpolation,
                                       fill: fill, center: (0, 0))
        case .shearY:
            return try ImageOps.affine(img, angle: 0, translate: (0, 0), scale: 1,
                                       shear: (0, Foundation.atan(magnitude) * 180 / Double.pi), interpolation: interpolation,
                                       fill: fill, center: (0, 0))
        case .translateX:
            return try ImageOps.affine(img, angle: 0, translate: (Double(Int(magnitude)), 0), scale: 1, shear: (0, 0),
                                       interpolation: interpolation, fill: fill)
        case .translateY:
            return try ImageOps.affine(img, angle: 0, translate: (0, Double(Int(magnitude))), scale: 1, shear: (0, 0),
                                       interpolation: interpolation, fill: fill)
        case .rotate:
            return try RandomRotation(0, interpolation: interpolation, fill: fill).rotate(img, angle: magnitude)
        case .brightness: return try ImageOps.adjustBrightness(img, factor: 1 + magnitude)
        case .color: return try ImageOps.adjustSaturation(img, factor: 1 + magnitude)
        case .contrast: return try ImageOps.adjustContrast(img, factor: 1 + magnitude)
        case .sharpness: return try ImageOps.adjustSharpness(img, factor: 1 + magnitude)
        case .posterize: return try ImageOps.posterize(img, bits: Int(magnitude))
        case .solarize:
            return try ImageOps.solarize(img, threshold: img.image != nil ? magnitude : magnitude / 255)
        case .autoContrast: return try ImageOps.autocontrast(img)
        case .equalize: return try ImageOps.equalize(img)
        case .invert: return try ImageOps.invert(img)
        }
    }
}

/// `torch.linspace(start, end, n)` in float32, read back as Double.
func linspace32(_ start: Double, _ end: Double, _ n: Int) -> [Double] {
    guard n > 1 else { return [start] }
    let step = (end - start) / Double(n - 1)
    return (0..<n).map { i in Double(Float(i < n / 2 ? start + step * Double(i) : end - step * Double(n - 1 - i))) }
}

/// `8 - (arange(n) / ((n - 1) / div)).round()`, the posterize bits per bin.
func posterizeBits(_ n: Int, top: Double, div: Double) -> [Double] {
    (0..<n).map { top - (Double(Float(Double($0) / (Double(n - 1) / div)))).rounded(.toNearestOrEven) }
}

/// Magnitudes per op (nil: the op takes none) and whether they are signed.
typealias AugmentSpace = [(AugmentOp, [Double]?, Bool)]

/// The fill printed like torchvision's `fill=None` / `fill=[1, 2, 3]`.
func policyFillString(_ fill: Fill?) -> String {
    guard let f = fill else { return "None" }
    return "[" + f.values.map(pythonNumber).joined(separator: ", ") + "]"
}

/// AutoAugment with the policy learned on CIFAR-10, like `transforms.AutoAugment(AutoAugmentPolicy.CIFAR10)`.
///
/// Each call picks one of the 25 sub-policies; each of its two ops runs with
/// its probability, at its magnitude bin (of 10), with a random sign.
/// Expects 8-bit images (Posterize and Equalize do).
public struct AutoAugment: Transform {
    /// The learned policies; only CIFAR-10's is provided.
    public enum Policy: String, Sendable { case cifar10 = "CIFAR10" }

    /// The policy.
    public let policy: Policy
    /// How geometric ops resample.
    public let interpolation: Interpolation
    /// Fill for pixels from outside the image (nil: 0).
    public let fill: Fill?

    /// AutoAugment with `policy`.
    public init(policy: Policy = .cifar10, interpolation: Interpolation = .nearest, fill: Fill? = nil) {
        self.policy = policy
        self.interpolation = interpolation
        self.fill = fill
    }

    /// The CIFAR-10 sub-policies: (op, probability, magnitude bin).
    static let cifar10: [[(AugmentOp, Double, Int?)]] = [
        [(.invert, 0.1, nil), (.contrast, 0.2, 6)], [(.rotate, 0.7, 2), (.translateX, 0.3, 9)],
        [(.sharpness, 0.8, 1), (.sharpness, 0.9, 3)], [(.shearY, 0.5, 8), (.translateY, 0.7, 9)],
        [(.autoContrast, 0.5, nil), (.equalize, 0.9, nil)], [(.shearY, 0.2, 7), (.posterize, 0.3, 7)],
        [(.color, 0.4, 3), (.brightness, 0.6, 7)], [(.sharpness, 0.3, 9), (.brightness, 0.7, 9)],
        [(.equalize, 0.6, nil), (.equalize, 0.5, nil)], [(.contrast, 0.6, 7), (.sharpness, 0.6, 5)],
        [(.color, 0.7, 7), (.translateX, 0.5, 8)], [(.equalize, 0.3, nil), (.autoContrast, 0.4, nil)],
        [(.translateY, 0.4, 3), (.sharpness, 0.2, 6)], [(.brightness, 0.9, 6), (.color, 0.2, 8)],
        [(.solarize, 0.5, 2), (.invert, 0.0, nil)], [(.equalize, 0.2, nil), (.autoContrast, 0.6, nil)],
        [(.equalize, 0.2, nil), (.equalize, 0.6, nil)], [(.color, 0.9, 9), (.equalize, 0.6, nil)],
        [(.autoContrast, 0.8, nil), (.solarize, 0.2, 8)], [(.brightness, 0.1, 3), (.color, 0.7, 0)],
        [(.solarize, 0.4, 5), (.autoContrast, 0.9, nil)], [(.translateY, 0.9, 9), (.translateY, 0.7, 9)],
        [(.autoContrast, 0.9, nil), (.solarize, 0.8, 3)], [(.equalize, 0.8, nil), (.invert, 0.1, nil)],
        [(.translateY, 0.7, 9), (.autoContrast, 0.9, nil)],
    ]

    /// Magnitudes for `numBins` bins on an image of `height × width`, like `_augmentation_space`.
    static func space(_ numBins: Int, height: Int, width: Int) -> [AugmentOp: ([Double]?, Bool)] {
        [.shearX: (linspace32(0, 0.3, numBins), true), .shearY: (linspace32(0, 0.3, numBins), true),
         .translateX: (linspace32(0, 150.0 / 331.0 * Double(width), numBins), true),
         .translateY: (linspace32(0, 150.0 / 331.0 * Double(height), numBins), true),
         .rotate: (linspace32(0, 30, numBins), true), .brightness: (linspace32(0, 0.9, numBins), true),
         .color: (linspace32(0, 0.9, numBins), true), .contrast: (linspace32(0, 0.9, numBins), true),
         .sharpness: (linspace32(0, 0.9, numBins), true), .posterize: (posterizeBits(numBins, top: 8, div: 4), false),
         .solarize: (linspace32(255, 0, numBins), false), .autoContrast: (nil, false), .equalize: (nil, false),
         .invert: (nil, false)]
    }

    public func apply(_ input: Feature, generator g: Generator) throws -> Feature {
        let policies = Self.cifar10
        let id = g.nextInt(below: policies.count)
        let probs = [Double(g.nextFloat()), Double(g.nextFloat())]
        let signs = [g.nextInt(below: 2), g.nextInt(below: 2)]
        let space = Self.space(10, height: input.height, width: input.width)
        var img = input
        for (i, (op, p, bin)) in policies[id].enumerated() where probs[i] <= p {
            let (mags, signed) = space[op] ?? (nil, false)
            var m = bin.flatMap { b in mags.map { $0[b] } } ?? 0
            if signed && signs[i] == 0 { m = -m }
            img = try op.apply(img, magnitude: m, interpolation: interpolation, fill: fill ?? 0)
        }
        return img
    }

    public var description: String { "AutoAugment(policy=AutoAugmentPolicy.\(policy.rawValue), fill=\(policyFillString(fill)))" }
}

/// RandAugment, like `transforms.RandAugment`: `numOps` ops drawn uniformly,
/// each at bin `magnitude` of `numMagnitudeBins`, with a random sign.
public struct RandAugment: Transform {
    /// Ops per image.
    public let numOps: Int
    /// Magnitude bin (0 ..< numMagnitudeBins).
    public let magnitude: Int
    /// Number of magnitude bins.
    public let numMagnitudeBins: Int
    /// How geometric ops resample.
    public let interpolation: Interpolation
    /// Fill for pixels from outside the image (nil: 0).
    public let fill: Fill?

    /// RandAugment with torchvision's defaults.
    public init(numOps: Int = 2, magnitude: Int = 9, numMagnitudeBins: Int = 31, interpolation: Interpolation = .nearest,
                fill: Fill? = nil) {
        self.numOps = numOps
        self.magnitude = magnitude
        self.numMagnitudeBins = numMagnitudeBins
        self.interpolation = interpolation
        self.fill = fill
    }

    public func validate() throws {
        guard numOps >= 0, numMagnitudeBins >= 2, (0..<numMagnitudeBins).contains(magnitude) else {
            throw DataError(.invalidArgument, "RandAugment: need num_ops >= 0, num_magnitude_bins >= 2 and 0 <= magnitude < num_magnitude_bins, got \(numOps), \(numMagnitudeBins), \(magnitude)")
        }
    }

    func space(height: Int, width: Int) -> AugmentSpace {
        let n = numMagnitudeBins
        return [(.identity, nil, false), (.shearX, linspace32(0, 0.3, n), true), (.shearY, linspace32(0, 0.3, n), true),
                (.translateX, linspace32(0, 150.0 / 331.0 * Double(width), n), true),
                (.translateY, linspace32(0, 150.0 / 331.0 * Double(height), n), true),
                (.rotate, linspace32(0, 30, n), true), (.brightness, linspace32(0, 0.9, n), true),
                (.color, linspace32(0, 0.9, n), true), (.contrast, linspace32(0, 0.9, n), true),
                (.sharpness, linspace32(0, 0.9, n), true), (.posterize, posterizeBits(n, top: 8, div: 4), false),
                (.solarize, linspace32(255, 0, n), false), (.autoContrast, nil, false), (.equalize, nil, false)]
    }

    public func apply(_ input: Feature, generator g: Generator) throws -> Feature {
        try validate()
        var img = input
        let ops = space(height: input.height, width: input.width)
        for _ in 0..<numOps {
            let (op, mags, signed) = ops[g.nextInt(below: ops.count)]
            var m = mags?[magnitude] ?? 0
            if signed && g.nextInt(below: 2) == 1 { m = -m }
            img = try op.apply(img, magnitude: m, interpolation: interpolation, fill: fill ?? 0)
        }
        return img
    }

    public var description: String {
        "RandAugment(num_ops=\(numOps), magnitude=\(magnitude), num_magnitude_bins=\(numMagnitudeBins), interpolation=InterpolationMode.\(interpolation.rawValue.uppercased()), fill=\(policyFillString(fill)))"
    }
}

/// TrivialAugment Wide, like `transforms.TrivialAugmentWide`: one op drawn
/// uniformly at a uniformly drawn magnitude bin, with a random sign.
public struct TrivialAugmentWide: Transform {
    /// Number of magnitude bins.
    public let numMagnitudeBins: Int
    /// How geometric ops resample.
    public let interpolation: Interpolation
    /// Fill for pixels from outside the image (nil: 0).
    public let fill: Fill?

    /// TrivialAugmentWide with torchvision's defaults.
    public init(numMagnitudeBins: Int = 31, interpolation: Interpolation = .nearest, fill: Fill? = nil) {
        self.numMagnitudeBins = numMagnitudeBins
        self.interpolation = interpolation
        self.fill = fill
    }

    public func validate() throws {
        guard numMagnitudeBins >= 2 else {
            throw DataError(.invalidArgument, "TrivialAugmentWide: num_magnitude_bins must be at least 2, got \(numMagnitudeBins)")
        }
    }

    var space: AugmentSpace {
        let n = numMagnitudeBins
        return [(.identity, nil, false), (.shearX, linspace32(0, 0.99, n), true), (.shearY, linspace32(0, 0.99, n), true),
                (.translateX, linspace32(0, 32, n), true), (.translateY, linspace32(0, 32, n), true),
                (.rotate, linspace32(0, 135, n), true), (.brightness, linspace32(0, 0.99, n), true),
                (.color, linspace32(0, 0.99, n), true), (.contrast, linspace32(0, 0.99, n), true),
                (.sharpness, linspace32(0, 0.99, n), true), (.posterize, posterizeBits(n, top: 8, div: 6), false),
                (.solarize, linspace32(255, 0, n), false), (.autoContrast, nil, false), (.equalize, nil, false)]
    }

    public func apply(_ input: Feature, generator g: Generator) throws -> Feature {
        try validate()
        let ops = space
        let (op, mags, signed) = ops[g.nextInt(below: ops.count)]
        var m = mags.map { $0[g.nextInt(below: $0.count)] } ?? 0
        if signed && g.nextInt(below: 2) == 1 { m = -m }
        return try op.apply(input, magnitude: m, interpolation: interpolation, fill: fill ?? 0)
    }

    public var description: String {
        "TrivialAugmentWide(num_magnitude_bins=\(numMagnitudeBins), interpolation=InterpolationMode.\(interpolation.rawValue.uppercased()), fill=\(policyFillString(fill)))"
    }
}
