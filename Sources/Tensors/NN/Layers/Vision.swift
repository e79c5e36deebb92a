// Vision layers (torch/nn/modules/pixelshuffle.py and upsampling.py).

/// Rearranges [*, C·r², H, W] into [*, C, H·r, W·r] (sub-pixel convolution), like `nn.PixelShuffle`.
///
/// ```swift
/// let up = PixelShuffle(upscaleFactor: 2)   // PixelShuffle(upscale_factor=2)
/// ```
public final class PixelShuffle: Module, UnaryLayer {
    /// The factor r.
    public let upscaleFactor: Int
    /// A pixel shuffle by `upscaleFactor` (positive).
    public init(upscaleFactor: Int) {
        precondition(upscaleFactor > 0, "PixelShuffle: upscale_factor must be positive, got \(upscaleFactor)")
        self.upscaleFactor = upscaleFactor
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { pixelShuffle(input, upscaleFactor: upscaleFactor) }
    public override func extraRepr() -> String { "upscale_factor=\(upscaleFactor)" }
}

/// Rearranges [*, C, H·r, W·r] into [*, C·r², H, W], like `nn.PixelUnshuffle`.
public final class PixelUnshuffle: Module, UnaryLayer {
    /// The factor r.
    public let downscaleFactor: Int
    /// A pixel unshuffle by `downscaleFactor` (positive).
    public init(downscaleFactor: Int) {
        precondition(downscaleFactor > 0, "PixelUnshuffle: downscale_factor must be positive, got \(downscaleFactor)")
        self.downscaleFactor = downscaleFactor
        super.init()
    }
    public func forward(_ input: Tensor) -> Tensor { pixelUnshuffle(input, downscaleFactor: downscaleFactor) }
    public override func extraRepr() -> String { "downscale_factor=\(downscaleFactor)" }
}

/// Resizes [N, C, *] data to `size` or by `scaleFactor`, like `nn.Upsample` (see `interpolate`).
///
/// ```swift
/// Upsample(scaleFactor: [2])                                   // Upsample(scale_factor=2.0, mode='nearest')
/// Upsample(size: [4, 5], mode: .bilinear, alignCorners: true)   // Upsample(size=(4, 5), mode='bilinear')
/// ```
open class Upsample: Module, UnaryLayer {
    /// Output spatial size (one value or one per dim), or nil.
    public let size: [Int]?
    /// Multiplier of the spatial size (one value or one per dim), or nil.
    public let scaleFactor: [Double]?
    /// The interpolation algorithm.
    public let mode: InterpolationMode
    /// Whether corner pixels are aligned (interpolating modes only; nil: false).
    public let alignCorners: Bool?

    /// An upsampling layer; exactly one of `size` and `scaleFactor` is given.
    public init(size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest, alignCorners: Bool? = nil) {
        let name = String(describing: Self.self)
        precondition((size == nil) != (scaleFactor == nil), "\(name): only one of size or scale_factor should be defined")
        precondition(alignCorners == nil || mode != .nearest,
                     "\(name): align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear")
        self.size = size
        self.scaleFactor = scaleFactor
        self.mode = mode
        self.alignCorners = alignCorners
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        interpolate(input, size: size, scaleFactor: scaleFactor, mode: mode, alignCorners: alignCorners)
    }

    open override func extraRepr() -> String {
        let info: String
        if let sf = scaleFactor {
            info = "scale_factor=" + (sf.count == 1 ? pythonFloat(sf[0]) : "(" + sf.map(pythonFloat).joined(separator: ", ") + ")")
        } else {
            info = "size=" + pythonIntOrTuple(size ?? [])
        }
        return info + ", mode='\(mode.rawValue)'"
    }
}

/// Nearest-neighbour 2-D upsampling, like `nn.UpsamplingNearest2d`.
public final class UpsamplingNearest2d: Upsample {
    /// Upsampling to `size` or by `scaleFactor`.
    public init(size: [Int]? = nil, scaleFactor: [Double]? = nil) {
        super.init(size: size, scaleFactor: scaleFactor, mode: .nearest)
    }
}

/// Bilinear 2-D upsampling with aligned corners, like `nn.UpsamplingBilinear2d`.
public final class UpsamplingBilinear2d: Upsample {
    /// Upsampling to `size` or by `scaleFactor` (align_corners=True).
    public init(size: [Int]? = nil, scaleFactor: [Double]? = nil) {
        super.init(size: size, scaleFactor: scaleFactor, mode: .bilinear, alignCorners: true)
    }
}
