/// Crops a random window, like `transforms.RandomCrop`.
///
/// The image is first padded by `padding` (if any), then, with `padIfNeeded`,
/// padded further so it is at least `size`; the window's top-left corner is
/// uniform over all positions. Works on images and on `[..., H, W]` tensors.
///
/// ```swift
/// RandomCrop(32, padding: 4)   // prints RandomCrop(size=(32, 32), padding=4)
/// ```
public struct RandomCrop: GeometricTransform {
    /// Output height.
    public let height: Int
    /// Output width.
    public let width: Int
    /// Padding applied before cropping.
    public let padding: Padding?
    /// Pad an image smaller than the crop.
    public let padIfNeeded: Bool
    /// Value of pixels from outside the image.
    public let fill: Fill
    /// How borders are filled.
    public let paddingMode: PaddingMode

    /// A square `size × size` crop.
    public init(_ size: Int, padding: Padding? = nil, padIfNeeded: Bool = false, fill: Fill = 0, paddingMode: PaddingMode = .constant) {
        self.init((size, size), padding: padding, padIfNeeded: padIfNeeded, fill: fill, paddingMode: paddingMode)
    }

    /// A `(height, width)` crop.
    public init(_ size: (Int, Int), padding: Padding? = nil, padIfNeeded: Bool = false, fill: Fill = 0, paddingMode: PaddingMode = .constant) {
        height = size.0
        width = size.1
        self.padding = padding
        self.padIfNeeded = padIfNeeded
        self.fill = fill
        self.paddingMode = paddingMode
    }

    public func validate() throws {
        guard height > 0 && width > 0 else {
            throw DataError(.invalidArgument, "RandomCrop: size must be positive, got \(sizeString(height, width))")
        }
        try padding?.validate("RandomCrop")
    }

    var fillValues: [Double]? {
        paddingMode == .constant && (padding != nil || padIfNeeded) ? fill.values : nil
    }

    func plan(_ p: inout GeometryPlan, generator: Generator) throws {
        try validate()
        if let pad = padding {
            let (l, t, r, b) = pad.ltrb
            p.pad(left: l, top: t, right: r, bottom: b, mode: paddingMode)
        }
        if padIfNeeded && p.width < width {
            let d = width - p.width
            p.pad(left: d, top: 0, right: d, bottom: 0, mode: paddingMode)
        }
        if padIfNeeded && p.height < height {
            let d = height - p.height
            p.pad(left: 0, top: d, right: 0, bottom: d, mode: paddingMode)
        }
        let h = p.height, w = p.width
        if h < height || w < width {
            throw DataError(.transform, "RandomCrop: required crop size \(sizeString(height, width)) is larger than input image size \(sizeString(h, w))")
        }
        if h == height && w == width { return }
        let i = generator.nextInt(below: h - height + 1)
        let j = generator.nextInt(below: w - width + 1)
        p.window(top: i, left: j, height: height, width: width)
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try applyGeometry(input, generator: generator)
    }

    public var description: String {
        "RandomCrop(size=\(sizeString(height, width)), padding=\(padding.map { "\($0)" } ?? "None"))"
    }
}

/// Crops the centre, like `transforms.CenterCrop`; an image smaller than
/// the crop is padded with zeros first.
public struct CenterCrop: GeometricTransform {
    /// Output height.
    public let height: Int
    /// Output width.
    public let width: Int

    /// A square `size × size` crop.
    public init(_ size: Int) { self.init((size, size)) }
    /// A `(height, width)` crop.
    public init(_ size: (Int, Int)) {
        height = size.0
        width = size.1
    }

    public func validate() throws {
        guard height > 0 && width > 0 else {
            throw DataError(.invalidArgument, "CenterCrop: size must be positive, got \(sizeString(height, width))")
        }
    }

    var fillValues: [Double]? { [0] }

    func plan(_ p: inout GeometryPlan, generator: Generator) throws {
        try validate()
        var h = p.height, w = p.width
        if height > h || width > w {
            let l = width > w ? (width - w) / 2 : 0
            let t = height > h ? (height - h) / 2 : 0
            let r = width > w ? (width - w + 1) / 2 : 0
            let b = height > h ? (height - h + 1) / 2 : 0
            p.pad(left: l, top: t, right: r, bottom: b, mode: .constant)
            h = p.height
            w = p.width
            if h == height && w == width { return }
        }
        let top = pythonRound(Double(h - height) / 2)
        let left = pythonRound(Double(w - width) / 2)
        p.window(top: top, left: left, height: height, width: width)
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try applyGeometry(input, generator: generator)
    }

    public var description: String { "CenterCrop(size=\(sizeString(height, width)))" }
}

/// Pads the borders, like `transforms.Pad`.
///
/// ```swift
/// Pad(4)                                        // 4 on every side, zeros
/// Pad([1, 2, 3, 4], fill: [255, 0, 0])          // left, top, right, bottom in red
/// Pad(2, paddingMode: .reflect)
/// ```
public struct Pad: GeometricTransform {
    /// Padding amounts.
    public let padding: Padding
    /// Value of pixels from outside the image.
    public let fill: Fill
    /// How borders are filled.
    public let paddingMode: PaddingMode

    /// Pads by `padding` with `fill` or by `paddingMode`.
    public init(_ padding: Padding, fill: Fill = 0, paddingMode: PaddingMode = .constant) {
        self.padding = padding
        self.fill = fill
        self.paddingMode = paddingMode
    }

    public func validate() throws { try padding.validate("Pad") }

    var fillValues: [Double]? { paddingMode == .constant ? fill.values : nil }

    func plan(_ p: inout GeometryPlan, generator: Generator) throws {
        try validate()
        let (l, t, r, b) = padding.ltrb
        p.pad(left: l, top: t, right: r, bottom: b, mode: paddingMode)
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try applyGeometry(input, generator: generator)
    }

    public var description: String {
        "Pad(padding=\(padding), fill=\(fill), padding_mode=\(paddingMode.rawValue))"
    }
}

/// Mirrors left–right with probability `p`, like `transforms.RandomHorizontalFlip`.
public struct RandomHorizontalFlip: GeometricTransform {
    /// Probability of applying the transform.
    public let p: Double

    /// Applies with probability `p`.
    public init(p: Double = 0.5) { self.p = p }

    public func validate() throws {
        guard p >= 0 && p <= 1 else {
            throw DataError(.invalidArgument, "RandomHorizontalFlip: p must be in [0, 1], got \(p)")
        }
    }

    var fillValues: [Double]? { nil }

    func plan(_ plan: inout GeometryPlan, generator: Generator) throws {
        if Double(generator.nextFloat()) < p { plan.flipHorizontal() }
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        return try applyGeometry(input, generator: generator)
    }

    public var description: String { "RandomHorizontalFlip(p=\(pythonFloat(p)))" }
}

/// Mirrors top–bottom with probability `p`, like `transforms.RandomVerticalFlip`.
public struct RandomVerticalFlip: GeometricTransform {
    /// Probability of applying the transform.
    public let p: Double

    /// Applies with probability `p`.
    public init(p: Double = 0.5) { self.p = p }

    public func validate() throws {
        guard p >= 0 && p <= 1 else {
            throw DataError(.invalidArgument, "RandomVerticalFlip: p must be in [0, 1], got \(p)")
        }
    }

    var fillValues: [Double]? { nil }

    func plan(_ plan: inout GeometryPlan, generator: Generator) throws {
        if Double(generator.nextFloat()) < p { plan.flipVertical() }
    }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        try validate()
        return try applyGeometry(input, generator: generator)
    }

    public var description: String { "RandomVerticalFlip(p=\(pythonFloat(p)))" }
}
