extension Image {
    /// The image in another PIL mode, like PIL's `Image.convert(mode)`:
    /// `"L"`, `"LA"`, `"RGB"` or `"RGBA"`.
    ///
    /// Gray becomes RGB by repeating the value; colour becomes gray with
    /// Pillow's luma `(19595 R + 38470 G + 7471 B + 2^15) >> 16`; an added
    /// alpha is 255; a removed alpha is dropped without compositing (as PIL's
    /// `convert("RGB")` does). The same mode returns the image unchanged.
    ///
    /// - Throws: `DataError(.invalidArgument)` for another mode name.
    public func convert(to mode: String) throws -> Image {
        let target: Int
        switch mode {
        case "L": target = 1
        case "LA": target = 2
        case "RGB": target = 3
        case "RGBA": target = 4
        default:
            throw DataError(.invalidArgument, "Image.convert: unsupported mode '\(mode)', expected L, LA, RGB or RGBA")
        }
        guard (1...4).contains(channels) else {
            throw DataError(.invalidArgument, "Image.convert: cannot convert a \(channels)-channel image")
        }
        if target == channels { return self }
        let n = width * height, c = channels
        let srcColour = c >= 3, srcAlpha = c == 2 || c == 4
        let out = [UInt8](unsafeUninitializedCapacity: n * target) { dst, initialized in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    let s = i * c, d = i * target
                    let alpha: UInt8 = srcAlpha ? src[s + c - 1] : 255
                    switch target {
                    case 1, 2:
                        dst[d] = srcColour ? lumaByte(src[s], src[s + 1], src[s + 2]) : src[s]
                        if target == 2 { dst[d + 1] = alpha }
                    default:
                        for k in 0..<3 { dst[d + k] = srcColour ? src[s + k] : src[s] }
                        if target == 4 { dst[d + 3] = alpha }
                    }
                }
            }
            initialized = n * target
        }
        return Image(width: width, height: height, channels: target, pixels: out)
    }
}
