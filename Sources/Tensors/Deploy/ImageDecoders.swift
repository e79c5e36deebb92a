import Foundation

/// Turns an encoded image file (PNG, JPEG) into an `Image`.
///
/// `predict` and `serve` read image files through this protocol so the
/// decoder can be supplied by whichever module provides one (the libpng /
/// libjpeg-turbo decoder once it is in the build). With none registered,
/// image files get a clear error naming the file.
public protocol ImageDecoding: Sendable {
    /// File extensions handled, lower-case without the dot (`png`, `jpg`).
    var fileExtensions: [String] { get }
    /// Decodes encoded bytes; `name` names the source in errors.
    func decode(_ data: Data, name: String) throws -> Image
}

/// The image decoders available to `predict` and `serve`.
public enum ImageDecoders {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [any ImageDecoding] = [LibraryImageDecoder()]

    /// Adds a decoder (later registrations win for the same extension).
    public static func register(_ decoder: any ImageDecoding) {
        lock.lock()
        defer { lock.unlock() }
        registered.insert(decoder, at: 0)
    }

    /// The decoder for a file extension, or nil.
    public static func decoder(forExtension ext: String) -> (any ImageDecoding)? {
        lock.lock()
        defer { lock.unlock() }
        return registered.first { $0.fileExtensions.contains(ext.lowercased()) }
    }

    /// Whether `ext` names an encoded image format (`png`, `jpg`, `jpeg`).
    public static func isImageExtension(_ ext: String) -> Bool {
        ["png", "jpg", "jpeg"].contains(ext.lowercased())
    }

    /// Decodes `data` with the decoder registered for `ext`, or throws naming `name`.
    public static func decode(_ data: Data, extension ext: String, name: String) throws -> Image {
        guard let d = decoder(forExtension: ext) else {
            throw PredictionError("\(name): no \(ext.uppercased()) decoder in this build (expected a CSV file, "
                                  + "a safetensors file of input tensors or a CIFAR-10 binary batch)")
        }
        return try d.decode(data, name: name)
    }
}

/// PNG and JPEG through libpng and libjpeg-turbo (`Image.decode(data:name:)`), converted to RGB
/// as PIL's `convert("RGB")` does: the decoder `predict` and `serve` use by default.
struct LibraryImageDecoder: ImageDecoding {
    var fileExtensions: [String] { ["png", "jpg", "jpeg"] }
    func decode(_ data: Data, name: String) throws -> Image {
        try Image.decode(data: data, name: name).convert(to: "RGB")
    }
}
