/// An 8-bit image in height × width × channels (HWC) order, the counterpart
/// of the PIL image a torchvision dataset returns before `ToTensor`.
///
/// Pixels are row-major, channels interleaved (`RGBRGB…`): the value of
/// channel `c` at row `y`, column `x` is `pixels[(y * width + x) * channels + c]`.
/// Copies are cheap (the array is copy-on-write).
///
/// ```swift
/// var img = Image(width: 32, height: 32, channels: 3)
/// img[0, 0, 0] = 255          // top-left pixel red
/// let t = try ToTensor()(img).tensor!   // [3, 32, 32] in [0, 1]
/// ```
public struct Image: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Channels per pixel (1 gray, 3 RGB, 4 RGBA).
    public var channels: Int
    /// HWC bytes, `height * width * channels` of them.
    public var pixels: [UInt8]

    /// An image over existing pixels (HWC order).
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && channels > 0, "Image: invalid size \(width)x\(height)x\(channels)")
        precondition(pixels.count == width * height * channels,
                     "Image: \(pixels.count) bytes cannot fill \(height)x\(width)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image filled with one value.
    public init(width: Int, height: Int, channels: Int = 3, fill: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: fill, count: width * height * channels))
    }

    /// Channel `c` of the pixel at row `y`, column `x`.
    @inline(__always)
    public subscript(y: Int, x: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }

    /// PIL's mode name: `L`, `LA`, `RGB`, `RGBA`.
    public var mode: String {
        switch channels {
        case 1: return "L"
        case 2: return "LA"
        case 3: return "RGB"
        case 4: return "RGBA"
        default: return "\(channels)-channel"
        }
    }

    /// The image's shape as torchvision reports it for a tensor image: `[C, H, W]`.
    public var shape: [Int] { [channels, height, width] }

    public var description: String { "Image(mode=\(mode), size=\(width)x\(height))" }
}

/// What flows through a transform pipeline: an 8-bit HWC `Image` before
/// `ToTensor`, a float `Tensor` after it.
///
/// Datasets return `(Feature, Int)` pairs (input and class index). The
/// default collate of `DataLoader` stacks tensor features into one batch.
public enum Feature: CustomStringConvertible {
    case image(Image)
    case tensor(Tensor)

    /// The image, if this is one.
    public var image: Image? {
        if case .image(let i) = self { return i }
        return nil
    }

    /// The tensor, if this is one.
    public var tensor: Tensor? {
        if case .tensor(let t) = self { return t }
        return nil
    }

    /// `[C, H, W]` for an image, the tensor's shape otherwise.
    public var shape: [Int] {
        switch self {
        case .image(let i): return i.shape
        case .tensor(let t): return t.shape
        }
    }

    /// A short description for error messages: `Image 32x32 RGB`, `Tensor [3, 32, 32]`.
    public var summary: String {
        switch self {
        case .image(let i): return "an Image (\(i.mode), \(i.width)x\(i.height))"
        case .tensor(let t): return "a Tensor of shape \(t.shape)"
        }
    }

    public var description: String {
        switch self {
        case .image(let i): return i.description
        case .tensor(let t): return "\(t)"
        }
    }
}
