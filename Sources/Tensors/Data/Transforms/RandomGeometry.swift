import Foundation

// Random geometric transforms (RandomResizedCrop, RandomAffine,
// RandomPerspective), GaussianBlur, and the multi-crop FiveCrop/TenCrop.
// Parameters are drawn from the generator (reproducible from its seed, not
// torch's RNG); the operations they parameterise are `ImageOps`' and match torchvision's.

/// A uniform draw in [lo, hi).
@inline(__always)
func drawUniform(_ g: Generator, _ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * g.nextDouble() }

/// Python's `round(x, 4)` printed like Python.
func round4(_ x: Double) -> String { pythonFloat((x * 1e4).rounded(.toNearestOrEven) / 1e4) }

/// Blurs with a Gaussian kernel whose sigma is drawn uniformly from `sigma`, like `transforms.GaussianBlur`.
///
/// ```swift
/// GaussianBlur(kernelSize: 5, sigma: (0.1, 2.0))
/// ```
public struct GaussianBlur: Transform {
    /// Kernel width and height (odd, positive).
    public let kernelSize: (Int, Int)
    /// Range of the standard deviation.
    public let sigma: (Double, Double)

    /// A square kernel.
    public init(kernelSize: Int, sigma: (Double, Double) = (0.1, 2.0)) { self.init(kernelSize: (kernelSize, kernelSize), sigma: sigma) }
    /// A square kernel with a fixed sigma.
    public init(kernelSize: Int, sigma: Double) { self.init(kernelSize: (kernelSize, kernelSize), sigma: (sigma, sigma)) }
    /// A (width, height) kernel.
    public init(kernelSize: (Int, Int), sigma: (Double, Double) = (0.1, 2.0)) {
        self.kernelSize = kernelSize
        self.sigma = sigma
    }

    public func validate() throws {
        guard kernelSize.0 > 0, kernelSize.1 > 0, kernelSize.0 % 2 == 1, kernelSize.1 % 2 == 1 else {
            throw DataError(.invalidArgument, "GaussianBlur: Kernel size value should be an odd and positive number.")
        }
        guard sigma.0 > 0, sigma.0 <= sigma.1 else {
            throw DataError(.invalidArgument, "GaussianBlur: sigma values should be positive and of the form (min, max).")
        }
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        let s = drawUniform(generator, sigma.0, sigma.1)
        return try ImageOps.gaussianBlur(input, kernelSize: kernelSize, sigma: (s, s))
    }

    public var description: String {
        "GaussianBlur(kernel_size=\(sizeString(kernelSize.0, kernelSize.1)), sigma=(\(pythonFloat(sigma.0)), \(pythonFloat(sigma.1))))"
    }
}

/// A random crop of random area and aspect ratio, resized to `size`, like `transforms.RandomResizedCrop`.
///
/// Tries 10 times to find a window whose area is a `scale` fraction of the
/// image and whose aspect ratio (log-uniform) lies in `ratio`; falls back to
/// the largest centred window within `ratio`.
public struct RandomResizedCrop: Transform {
    /// Output (height, width).
    public let size: (Int, Int)
    /// Range of the window's area as a fraction of the image's.
    public let scale: (Double, Double)
    /// Range of the window's aspect ratio (width / height).
    public let ratio: (Double, Double)
    /// How pixels are resampled.
    public let interpolation: Interpolation
    /// Widen the filter when downscaling.
    public let antialias: Bool

    /// A square output.
    public init(_ size: Int, scale: (Double, Double) = (0.08, 1.0), ratio: (Double, Double) = (3.0 / 4, 4.0 / 3),
                interpolation: Interpolation = .bilinear, antialias: Bool = true) {
        self.init((size, size), scale: scale, ratio: ratio, interpolation: interpolation, antialias: antialias)
    }

    /// A (height, width) output.
    public init(_ size: (Int, Int), scale: (Double, Double) = (0.08, 1.0), ratio: (Double, Double) = (3.0 / 4, 4.0 / 3),
                interpolation: Interpolation = .bilinear, antialias: Bool = true) {
        self.size = size
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
        self.antialias = antialias
    }

    public func validate() throws {
        guard size.0 > 0, size.1 > 0 else { throw DataError(.invalidArgument, "RandomResizedCrop: size must be positive, got \(size)") }
        guard scale.0 <= scale.1, ratio.0 <= ratio.1, scale.0 > 0, ratio.0 > 0 else {
            throw DataError(.invalidArgument, "RandomResizedCrop: Scale and ratio should be of kind (min, max)")
        }
    }

    /// The window (top, left, height, width) for an image of `height × width`, like `get_params`.
    public func window(height: Int, width: Int, generator g: Generator) -> (Int, Int, Int, Int) {
        let area = Double(height * width)
        let logRatio = (Foundation.log(ratio.0), Foundation.log(ratio.1))
        for _ in 0..<10 {
            let target = area * drawUniform(g, scale.0, scale.1)
            let aspect = Foundation.exp(drawUniform(g, logRatio.0, logRatio.1))
            let w = pythonRound((target * aspect).squareRoot()), h = pythonRound((target / aspect).squareRoot())
            if w > 0 && w <= width && h > 0 && h <= height {
                let i = g.nextInt(in: 0...(height - h)), j = g.nextInt(in: 0...(width - w))
                return (i, j, h, w)
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.0 {
            h = pythonRound(Double(w) / ratio.0)
        } else if inRatio > ratio.1 {
            w = pythonRound(Double(h) * ratio.1)
        }
        return ((height - h) / 2, (width - w) / 2, h, w)
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        let (i, j, h, w) = window(height: input.height, width: input.width, generator: generator)
        return try ImageOps.resizedCrop(input, top: i, left: j, height: h, width: w, size: size,
                                        interpolation: interpolation, antialias: antialias)
    }

    public var description: String {
        "RandomResizedCrop(size=\(sizeString(size.0, size.1)), scale=(\(round4(scale.0)), \(round4(scale.1))), ratio=(\(round4(ratio.0)), \(round4(ratio.1))), interpolation=\(interpolation.rawValue), antialias=\(pythonBool(antialias)))"
    }
}

/// A random rotation, translation, scale and shear, like `transforms.RandomAffine`.
///
/// ```swift
/// RandomAffine(degrees: 15, translate: (0.1, 0.1), scale: (0.9, 1.1), shear: [10])
/// ```
public struct RandomAffine: Transform {
    /// Range of the rotation angle in degrees.
    public let degrees: (Double, Double)
    /// Maximal horizontal and vertical shift as fractions of the width and height.
    public let translate: (Double, Double)?
    /// Range of the scale factor.
    public let scale: (Double, Double)?
    /// Ranges of the x shear (2 values) and the y shear (4 values), in degrees.
    public let shear: [Double]?
    /// How pixels are resampled.
    public let interpolation: Interpolation
    /// Value of pixels from outside the image.
    public let fill: Fill
    /// Centre (x, y) in pixels; nil for the image centre.
    public let center: (Double, Double)?

    /// Angles in [−degrees, degrees]; `shear` is one value s (x shear in
    /// [−s, s]), two (an x range) or four (x and y ranges), as in torchvision.
    public init(degrees: Double, translate: (Double, Double)? = nil, scale: (Double, Double)? = nil,
                shear: [Double]? = nil, interpolation: Interpolation = .nearest, fill: Fill = 0,
                center: (Double, Double)? = nil) {
        self.init(degrees: (0 - degrees, degrees), translate: translate, scale: scale, shear: shear,
                  interpolation: interpolation, fill: fill, center: center)
    }

    /// Angles in [degrees.0, degrees.1].
    public init(degrees: (Double, Double), translate: (Double, Double)? = nil, scale: (Double, Double)? = nil,
                shear: [Double]? = nil, interpolation: Interpolation = .nearest, fill: Fill = 0,
                center: (Double, Double)? = nil) {
        self.degrees = degrees
        self.translate = translate
        self.scale = scale
        self.shear = shear.map { $0.count == 1 ? [0 - $0[0], $0[0]] : $0 }
        self.interpolation = interpolation
        self.fill = fill
        self.center = center
    }

    public func validate() throws {
        guard degrees.0 <= degrees.1 else { throw DataError(.invalidArgument, "RandomAffine: degrees should be (min, max), got \(degrees)") }
        if let t = translate, !(0...1).contains(t.0) || !(0...1).contains(t.1) {
            throw DataError(.invalidArgument, "RandomAffine: translation values should be between 0 and 1")
        }
        if let s = scale, !(s.0 > 0 && s.1 > 0) {
            throw DataError(.invalidArgument, "RandomAffine: scale values should be positive")
        }
        if let s = shear, s.count != 2 && s.count != 4 {
            throw DataError(.invalidArgument, "RandomAffine: shear should be a sequence of length 2 or 4, got \(s.count) values")
        }
    }

    /// The drawn (angle, translation, scale, shear), like `get_params` (translations rounded to pixels).
    public func parameters(width: Int, height: Int, generator g: Generator) -> (Double, (Double, Double), Double, (Double, Double)) {
        let angle = drawUniform(g, degrees.0, degrees.1)
        var tr = (0.0, 0.0)
        if let t = translate {
            let dx = t.0 * Double(width), dy = t.1 * Double(height)
            tr = (Double(pythonRound(drawUniform(g, -dx, dx))), Double(pythonRound(drawUniform(g, -dy, dy))))
        }
        let s = scale.map { drawUniform(g, $0.0, $0.1) } ?? 1
        var sh = (0.0, 0.0)
        if let r = shear {
            sh.0 = drawUniform(g, r[0], r[1])
            if r.count == 4 { sh.1 = drawUniform(g, r[2], r[3]) }
        }
        return (angle, tr, s, sh)
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        let (angle, tr, s, sh) = parameters(width: input.width, height: input.height, generator: generator)
        return try ImageOps.affine(input, angle: angle, translate: tr, scale: s, shear: sh, interpolation: interpolation,
                                   fill: fill, center: center)
    }

    public var description: String {
        var s = "RandomAffine(degrees=[\(pythonFloat(degrees.0)), \(pythonFloat(degrees.1))]"
        if let t = translate { s += ", translate=(\(pythonFloat(t.0)), \(pythonFloat(t.1)))" }
        if let v = scale { s += ", scale=(\(pythonFloat(v.0)), \(pythonFloat(v.1)))" }
        if let v = shear { s += ", shear=[" + v.map(pythonFloat).joined(separator: ", ") + "]" }
        if interpolation != .nearest { s += ", interpolation=\(interpolation.rawValue)" }
        if fill.values != [0] { s += ", fill=\(fill)" }
        if let c = center { s += ", center=(\(pythonNumber(c.0)), \(pythonNumber(c.1)))" }
        return s + ")"
    }
}

/// A random perspective distortion with probability `p`, like `transforms.RandomPerspective`.
public struct RandomPerspective: Transform {
    /// How far (0…1) the corners may move inwards.
    public let distortionScale: Double
    /// Probability of applying the transform.
    public let p: Double
    /// How pixels are resampled.
    public let interpolation: Interpolation
    /// Value of pixels from outside the image.
    public let fill: Fill

    /// Distorts with probability `p`.
    public init(distortionScale: Double = 0.5, p: Double = 0.5, interpolation: Interpolation = .bilinear, fill: Fill = 0) {
        self.distortionScale = distortionScale
        self.p = p
        self.interpolation = interpolation
        self.fill = fill
    }

    public func validate() throws {
        try checkProbability("RandomPerspective", p)
        guard (0...1).contains(distortionScale) else {
            throw DataError(.invalidArgument, "RandomPerspective: distortion_scale should be between 0 and 1, got \(distortionScale)")
        }
    }

    /// The corners (top-left, top-right, bottom-right, bottom-left) and where they move, like `get_params`.
    public func points(width: Int, height: Int, generator g: Generator) -> ([(Double, Double)], [(Double, Double)]) {
        let bh = Int(distortionScale * Double(height / 2)) + 1, bw = Int(distortionScale * Double(width / 2)) + 1
        func r(_ lo: Int, _ hi: Int) -> Double { Double(g.nextInt(in: lo..<Swift.max(hi, lo + 1))) }
        let tl = (r(0, bw), r(0, bh)), tr = (r(width - bw, width), r(0, bh))
        let br = (r(width - bw, width), r(height - bh, height)), bl = (r(0, bw), r(height - bh, height))
        let start = [(0.0, 0.0), (Double(width - 1), 0.0), (Double(width - 1), Double(height - 1)), (0.0, Double(height - 1))]
        return (start, [tl, tr, br, bl])
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        guard Double(generator.nextFloat()) < p else { return input }
        let (start, end) = points(width: input.width, height: input.height, generator: generator)
        return try ImageOps.perspective(input, startpoints: start, endpoints: end, interpolation: interpolation, fill: fill)
    }

    public var description: String { "RandomPerspective(p=\(pythonFloat(p)))" }
}

/// The four corner crops and the centre crop, like `transforms.FiveCrop`.
///
/// torchvision returns a tuple; here `crops(_:)` returns the five features
/// and `apply` stacks tensor crops into one `[5, …]` tensor (images: call
/// `crops` or put `ToTensor()` first).
public struct FiveCrop: Transform {
    /// Crop (height, width).
    public let size: (Int, Int)
    /// Square crops.
    public init(_ size: Int) { self.size = (size, size) }
    /// (height, width) crops.
    public init(_ size: (Int, Int)) { self.size = size }

    /// The five crops: top-left, top-right, bottom-left, bottom-right, centre.
    public func crops(_ input: Feature) throws -> [Feature] { try ImageOps.fiveCrop(input, size: size) }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature { try stackCrops("FiveCrop", crops(input)) }

    public var description: String { "FiveCrop(size=\(sizeString(size.0, size.1)))" }
}

/// `FiveCrop` of the image and of its flip (horizontal, or vertical), like `transforms.TenCrop`.
public struct TenCrop: Transform {
    /// Crop (height, width).
    public let size: (Int, Int)
    /// Flip vertically instead of horizontally.
    public let verticalFlip: Bool
    /// Square crops.
    public init(_ size: Int, verticalFlip: Bool = false) { self.init((size, size), verticalFlip: verticalFlip) }
    /// (height, width) crops.
    public init(_ size: (Int, Int), verticalFlip: Bool = false) {
        self.size = size
        self.verticalFlip = verticalFlip
    }

    /// The ten crops: five of the image, then five of its flip.
    public func crops(_ input: Feature) throws -> [Feature] { try ImageOps.tenCrop(input, size: size, verticalFlip: verticalFlip) }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature { try stackCrops("TenCrop", crops(input)) }

    public var description: String { "TenCrop(size=\(sizeString(size.0, size.1)), vertical_flip=\(pythonBool(verticalFlip)))" }
}

/// Stacks tensor crops along a new first dimension; images cannot be stacked.
private func stackCrops(_ name: String, _ crops: [Feature]) throws -> Feature {
    let tensors = crops.compactMap(\.tensor)
    guard tensors.count == crops.count, let first = crops.first else {
        throw DataError(.transform, "\(name): returns several images; call crops(_:) for images, or convert with ToTensor() first to get them stacked")
    }
    _ = first
    return .tensor(Tensor.stack(tensors))
}
