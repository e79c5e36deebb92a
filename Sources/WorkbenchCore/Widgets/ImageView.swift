/// Draws images with half blocks: each cell shows two pixels stacked, `▀` with the upper
/// pixel as foreground and the lower as background, so a 32×32 image is 32 columns × 16 rows.
/// In monochrome the cell is a shaded ASCII character for the two pixels' brightness; in
/// 256 and 8 colours the pixels are dithered to the palette (`Dither`).
public enum ImageView {
    /// Brightness ramp for the ASCII fallback, dark to light.
    public static let asciiRamp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    /// Draws `image` scaled to `columns` × `rows` cells at (`x`, `y`).
    public static func draw(_ canvas: inout Canvas, _ image: RGBImage, x: Int, y: Int, columns: Int, rows: Int) {
        guard columns > 0, rows > 0, image.width > 0, image.height > 0 else { return }
        let img = image.resized(width: columns, height: rows * 2)
        // 256 and 8 colours: error diffusion keeps the colours (see `Dither`).
        let shown = Dither.floydSteinberg((0..<(columns * rows * 2)).map { img.pixel($0 % columns, $0 / columns) },
                                          width: columns, height: rows * 2, mode: canvas.colorMode)
        for r in 0..<rows {
            for c in 0..<columns {
                let top = shown[2 * r * columns + c], bottom = shown[(2 * r + 1) * columns + c]
                if canvas.colorMode == .monochrome {
                    let l = (top.luminance + bottom.luminance) / 2
                    let i = min(asciiRamp.count - 1, Int(l * Double(asciiRamp.count)))
                    canvas[x + c, y + r] = Cell(asciiRamp[i], Style())
                } else {
                    canvas[x + c, y + r] = Cell("▀", Style(fg: .rgb(top), bg: .rgb(bottom)))
                }
            }
        }
    }
}
