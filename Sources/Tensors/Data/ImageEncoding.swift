import CImageCodecs
import Foundation

// PNG encoding through libpng's simplified write API (no longjmp), for
// tests, `data show --out` and exporting samples.

extension Image {
    /// The image as a PNG file's bytes (8 bits per sample; L, LA, RGB or RGBA).
    ///
    /// ```swift
    /// try AtomicFile.write(try img.pngData(), to: URL(fileURLWithPath: "sample.png"))
    /// ```
    /// - Throws: `DataError(.invalidArgument)` for an empty image or more than 4 channels.
    public func pngData() throws -> Data {
        guard width > 0, height > 0, (1...4).contains(channels) else {
            throw DataError(.invalidArgument, "Image.pngData: cannot encode a \(width)x\(height) image with \(channels) channels as PNG (expected a non-empty image with 1–4 channels)")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = pixels.withUnsafeBufferPointer { px in
            message.withUnsafeMutableBufferPointer { msg in
                wb_encode_png(px.baseAddress, Int32(width), Int32(height), Int32(channels), &out, &size,
                              msg.baseAddress, msg.count)
            }
        }
        defer { wb_buffer_free(out) }
        guard status == 0, let out else {
            let reason = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DataError(.invalidArgument, "Image.pngData: \(reason)")
        }
        return Data(bytes: out, count: size)
    }

    /// Writes the image as a PNG file, atomically.
    public func writePNG(to url: URL) throws {
        try AtomicFile.write(try pngData(), to: url)
    }
}
