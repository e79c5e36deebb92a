import CImageCodecs
import Foundation

// Images from files: PNG (libpng) and JPEG (libjpeg-turbo), decoded in the
// C target CImageCodecs so that the libraries' longjmp-based error handling
// never crosses Swift frames. Pixel values follow Pillow's `Image.open`, so
// an `ImageFolder` here sees the numbers torchvision's `pil_loader` sees.

/// A file format `Image.decode` reads, recognised by its first bytes (not by
/// the file name, as Pillow does).
public enum ImageFormat: String, Sendable, CaseIterable {
    /// `89 50 4E 47 0D 0A 1A 0A`.
    case png = "PNG"
    /// `FF D8 FF`.
    case jpeg = "JPEG"

    /// The format whose signature `bytes` start with, nil for anything else.
    public static func detect<C: Collection>(_ bytes: C) -> ImageFormat? where C.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF { return .jpeg }
        return nil
    }
}

/// Limits on what `Image.decode` accepts, checked from the file's header
/// before any pixel memory is allocated: image files may come from strangers
/// (a 100-byte PNG can claim to be 100,000 × 100,000 pixels).
public struct ImageLimits: Equatable, Sendable {
    /// Largest width or height (default 16,384).
    public var maxSide: Int
    /// Largest width × height (default 89,478,485: Pillow's `MAX_IMAGE_PIXELS`, above which
    /// Pillow warns of a decompression bomb; here the file is refused). A 129-byte JPEG can
    /// claim 12,226 × 12,044 pixels and decodes, as in Pillow, in about 0.5 s.
    public var maxPixels: Int
    /// Largest file read into memory (default 1 GiB).
    public var maxFileBytes: Int

    /// Limits; the defaults are generous for photographs and strict for bombs.
    public init(maxSide: Int = 16_384, maxPixels: Int = 89_478_485, maxFileBytes: Int = 1 << 30) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
    }

    /// The default limits.
    public static let `default` = ImageLimits()
}

extension Image {
    /// Decodes a PNG or JPEG file, detecting the format from its first bytes.
    ///
    /// The image keeps the channels the file stores: 1 (gray), 2 (gray +
    /// alpha), 3 (RGB) or 4 (RGBA). As Pillow reads them: palette PNGs are
    /// expanded to RGB (RGBA when the palette has transparency), gray below 8
    /// bits is scaled to 8, 16-bit samples keep their high byte, gamma and
    /// colour-profile chunks are ignored; CMYK JPEGs become RGB. Call
    /// `convert(to: "RGB")` for what torchvision's loader returns.
    ///
    /// ```swift
    /// let img = try Image(contentsOf: URL(fileURLWithPath: "cat.jpg")).convert(to: "RGB")
    /// let x = try ToTensor()(img).tensor!      // [3, H, W]
    /// ```
    /// - Throws: `DataError` naming the file: `.notFound`, `.io`, or
    ///   `.badFormat` for a file that is not a PNG or JPEG, is corrupt or
    ///   truncated, or exceeds `limits`.
    public init(contentsOf url: URL, limits: ImageLimits = .default) throws {
        let path = url.path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DataError(.notFound, "\(path): no such image file")
        }
        if isDir.boolValue {
            throw DataError(.badFormat, "\(path): is a folder, expected a PNG or JPEG file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > limits.maxFileBytes {
            throw DataError(.badFormat, "\(path): file is \(size) bytes, more than the limit of \(limits.maxFileBytes) for an image")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataError(.io, "\(path): cannot read the file (\(error.localizedDescription))")
        }
        self = try Image.decode(data: data, name: path, limits: limits)
    }

    /// Decodes a PNG or JPEG file at `path` (see `init(contentsOf:limits:)`).
    public init(contentsOfFile path: String, limits: ImageLimits = .default) throws {
        try self.init(contentsOf: URL(fileURLWithPath: path), limits: limits)
    }

    /// Decodes PNG or JPEG bytes; `name` (a file name) starts error messages.
    ///
    /// - Throws: `DataError(.badFormat)` naming `name` for bytes that are not
    ///   a PNG or JPEG, are corrupt or truncated, or exceed `limits`.
    public static func decode(data: Data, name: String = "image", limits: ImageLimits = .default) throws -> Image {
        guard let format = ImageFormat.detect(data) else {
            let head = data.prefix(8).map { String(format: "%02X", $0) }.joined(separator: " ")
            let what = data.isEmpty ? "the file is empty" : "it starts with \(head)"
            throw DataError(.badFormat, "\(name): not a PNG or JPEG image (\(what))")
        }
        if data.count > limits.maxFileBytes {
            throw DataError(.badFormat, "\(name): \(data.count) bytes, more than the limit of \(limits.maxFileBytes) for an image")
        }
        let cLimits = wb_limits(max_side: Int32(clamping: limits.maxSide), max_pixels: Int64(limits.maxPixels))
        var decoded = wb_image()
        let status: Int32 = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress else { return -1 }
            switch format {
            case .png: return wb_decode_png(base, bytes.count, cLimits, &decoded)
            case .jpeg: return wb_decode_jpeg(base, bytes.count, cLimits, &decoded)
            }
        }
        defer { wb_image_free(&decoded) }
        guard status == 0, let pixels = decoded.pixels else {
            let reason = withUnsafeBytes(of: decoded.error) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            throw DataError(.badFormat, "\(name): \(reason.isEmpty ? "cannot decode the \(format.rawValue) image" : reason)")
        }
        let w = Int(decoded.width), h = Int(decoded.height), c = Int(decoded.channels)
        return Image(width: w, height: h, channels: c,
                     pixels: Array(UnsafeBufferPointer(start: pixels, count: w * h * c)))
    }
}
