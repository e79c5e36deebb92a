/// Error-diffusion dithering of image pixels to what the terminal shows, so
/// images keep their colours in 256- and 8-colour modes.
///
/// Mapping each pixel to its nearest palette entry turns low-saturation
/// pictures (most photos, CIFAR-10) grey in the 256-colour palette and into
/// a few flat blocks in 8 colours. Floyd–Steinberg diffusion quantises each
/// pixel in scan order and pushes its error (7/16 right, 3/16 down-left,
/// 5/16 down, 1/16 down-right) onto the pixels not yet visited, so the
/// colours averaged over a few cells — what the eye sees — match the source.
/// The output pixels are palette colours exactly, so the screen's own
/// nearest-colour mapping leaves them as they are. Truecolor and monochrome
/// images pass through unchanged.
///
/// ```swift
/// let shown = Dither.floydSteinberg(pixels, width: 32, height: 32, mode: .palette256)
/// ```
public enum Dither {
    /// The palette colour the terminal shows for `c` in `mode` (`c` itself in truecolor and monochrome).
    public static func displayed(_ c: RGB, mode: ColorMode) -> RGB {
        switch mode {
        case .truecolor, .monochrome: return c
        case .palette256: return Palette.rgb256(Palette.index256(c))
        case .ansi8: return Palette.ansi8Reference[Palette.index8(c)]
        }
    }

    /// `pixels` (row-major, `width` × `height`) dithered to `mode`'s palette.
    public static func floydSteinberg(_ pixels: [RGB], width: Int, height: Int, mode: ColorMode) -> [RGB] {
        guard mode == .palette256 || mode == .ansi8, width > 0, height > 0, pixels.count == width * height else { return pixels }
        // Work in floats with the accumulated error; clamp what is quantised.
        var work = pixels.map { SIMD3<Float>(Float($0.r), Float($0.g), Float($0.b)) }
        var out = pixels
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                let v = simd_clamp(work[i], 0, 255)
                let q = displayed(RGB(UInt8(v.x.rounded()), UInt8(v.y.rounded()), UInt8(v.z.rounded())), mode: mode)
                out[i] = q
                let err = v - SIMD3<Float>(Float(q.r), Float(q.g), Float(q.b))
                if x + 1 < width { work[i + 1] += err * (7.0 / 16) }
                if y + 1 < height {
                    if x > 0 { work[i + width - 1] += err * (3.0 / 16) }
                    work[i + width] += err * (5.0 / 16)
                    if x + 1 < width { work[i + width + 1] += err * (1.0 / 16) }
                }
            }
        }
        return out
    }

    private static func simd_clamp(_ v: SIMD3<Float>, _ lo: Float, _ hi: Float) -> SIMD3<Float> {
        v.replacing(with: SIMD3(repeating: lo), where: v .< lo).replacing(with: SIMD3(repeating: hi), where: v .> hi)
    }
}
