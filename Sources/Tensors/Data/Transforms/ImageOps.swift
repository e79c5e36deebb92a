import Foundation

/// The deterministic image operations behind the augmentation transforms,
/// like `torchvision.transforms.functional`: each takes an image (bytes,
/// Pillow's semantics) or a float tensor `[..., C, H, W]` in 0…1 (torchvision's
/// tensor semantics) and returns the same kind.
///
/// ```swift
/// let flipped = try ImageOps.solarize(.image(img), threshold: 128)
/// ```
public enum ImageOps {
    /// Inverts the colours: 255 − x (images), 1 − x (tensors), like `F.invert`.
    public static func invert(_ input: Feature) throws -> Feature {
        var p = try Planes(input, "invert")
        for i in p.data.indices { p.data[i] = p.bound - p.data[i] }
        return p.feature()
    }

    /// Keeps the top `bits` bits of each channel, like `F.posterize` (8-bit images only, as in torchvision).
    public static func posterize(_ input: Feature, bits: Int) throws -> Feature {
        guard (0...8).contains(bits) else {
            throw DataError(.invalidArgument, "posterize: bits must be between 0 and 8, got \(bits)")
        }
        guard case .image(var img) = input else { throw wrongInput("posterize", input, expected: "an 8-bit image") }
        let mask = UInt8(truncatingIfNeeded: ~((1 << (8 - bits)) - 1))
        for i in img.pixels.indices { img.pixels[i] &= mask }
        return .image(img)
    }

    /// Inverts values at or above `threshold` (a byte for images, 0…1 for tensors), like `F.solarize`.
    public static func solarize(_ input: Feature, threshold: Double) throws -> Feature {
        var p = try Planes(input, "solarize")
        guard threshold <= Double(p.bound) else {
            throw DataError(.invalidArgument, "solarize: threshold should be less than bound of img (\(p.bound)), got \(threshold)")
        }
        let t = Float(threshold)
        for i in p.data.indices where p.data[i] >= t { p.data[i] = p.bound - p.data[i] }
        return p.feature()
    }

    /// Stretches each channel to the full range, like `F.autocontrast`
    /// (Pillow's `ImageOps.autocontrast` for images: a lookup table from the
    /// channel's darkest and brightest values).
    public static func autocontrast(_ input: Feature) throws -> Feature {
        var p = try Planes(input, "autocontrast")
        let hw = p.height * p.width
        for c in 0..<p.count {
            let base = c * hw
            var lo = Float.infinity, hi = -Float.infinity
            for i in 0..<hw { lo = Swift.min(lo, p.data[base + i]); hi = Swift.max(hi, p.data[base + i]) }
            guard hi > lo else { continue }
            if p.isImage {
                let scale = 255.0 / Double(hi - lo), offset = -Double(lo) * scale
                var lut = [Float](repeating: 0, count: 256)
                for v in 0..<256 { lut[v] = Float(Swift.min(255, Swift.max(0, Int(Double(v) * scale + offset)))) }
                for i in 0..<hw { p.data[base + i] = lut[Int(p.data[base + i])] }
            } else {
                let scale = p.bound / (hi - lo)
                for i in 0..<hw { p.data[base + i] = Swift.min(p.bound, Swift.max(0, (p.data[base + i] - lo) * scale)) }
            }
        }
        return p.feature()
    }

    /// Equalizes each channel's histogram, like `F.equalize` (Pillow's
    /// `ImageOps.equalize`; 8-bit images only, as in torchvision).
    public static func equalize(_ input: Feature) throws -> Feature {
        guard case .image(var img) = input else { throw wrongInput("equalize", input, expected: "an 8-bit image") }
        let c = img.channels, hw = img.width * img.height
        for k in 0..<c {
            var h = [Int](repeating: 0, count: 256)
            for i in 0..<hw { h[Int(img.pixels[i * c + k])] += 1 }
            let nonzero = h.filter { $0 > 0 }
            guard nonzero.count > 1, let last = nonzero.last else { continue }
            let step = (nonzero.reduce(0, +) - last) / 255
            guard step > 0 else { continue }
            var lut = [UInt8](repeating: 0, count: 256)
            var n = step / 2
            for v in 0..<256 {
                lut[v] = UInt8(Swift.min(255, n / step))
                n += h[v]
            }
            for i in 0..<hw { img.pixels[i * c + k] = lut[Int(img.pixels[i * c + k])] }
        }
        return .image(img)
    }

    /// Sharpens (factor > 1) or blurs (< 1), like `F.adjust_sharpness`: a blend
    /// with the image smoothed by the 3×3 kernel [1 1 1; 1 5 1; 1 1 1]/13
    /// (border pixels kept).
    public static func adjustSharpness(_ input: Feature, factor: Double) throws -> Feature {
        guard factor >= 0 else {
            throw DataError(.invalidArgument, "adjust_sharpness: sharpness_factor (\(factor)) is not non-negative.")
        }
        var p = try Planes(input, "adjust_sharpness")
        let h = p.height, w = p.width, hw = h * w
        guard h > 2 && w > 2 else { return input }
        var smooth = p.data
        for c in 0..<p.count {
            let base = c * hw
            for y in 1..<(h - 1) {
                for x in 1..<(w - 1) {
                    var s: Float = 0
                    for dy in -1...1 { for dx in -1...1 { s += p.data[base + (y + dy) * w + x + dx] } }
                    s += 4 * p.data[base + y * w + x]
                    let v = s / 13
                    smooth[base + y * w + x] = p.isImage ? Swift.min(255, Swift.max(0, v.rounded())) : v
                }
            }
        }
        blend(&p, degenerate: smooth, factor: Float(factor))
        return p.feature()
    }

    /// Scales brightness by `factor` (a blend with black), like `F.adjust_brightness`.
    public static func adjustBrightness(_ input: Feature, factor: Double) throws -> Feature {
        var p = try Planes(input, "adjust_brightness")
        blend(&p, degenerate: [Float](repeating: 0, count: p.data.count), factor: Float(factor))
        return p.feature()
    }

    /// Scales saturation by `factor` (a blend with the grayscale image), like `F.adjust_saturation`.
    public static func adjustSaturation(_ input: Feature, factor: Double) throws -> Feature {
        var p = try Planes(input, "adjust_saturation")
        guard p.channels == 3 else { return input }
        let gray = grayPlanes(p), hw = p.height * p.width
        var deg = [Float](repeating: 0, count: p.data.count)
        for c in 0..<p.count { for i in 0..<hw { deg[c * hw + i] = gray[(c / 3) * hw + i] } }
        blend(&p, degenerate: deg, factor: Float(factor))
        return p.feature()
    }

    /// Scales contrast by `factor` (a blend with the mean gray level), like `F.adjust_contrast`.
    public static func adjustContrast(_ input: Feature, factor: Double) throws -> Feature {
        var p = try Planes(input, "adjust_contrast")
        let gray = grayPlanes(p), hw = p.height * p.width
        var deg = [Float](repeating: 0, count: p.data.count)
        for c in 0..<p.count {
            let g = c / Swift.max(1, p.channels)
            var acc: Double = 0
            for i in 0..<hw { acc += Double(gray[g * hw + i]) }
            var m = Float(acc / Double(Swift.max(1, hw)))
            if p.isImage { m = (m + 0.5).rounded(.down) }
            for i in 0..<hw { deg[c * hw + i] = m }
        }
        blend(&p, degenerate: deg, factor: Float(factor))
        return p.feature()
    }

    /// Pillow's `Image.blend(degenerate, image, factor)` for images (truncated
    /// to bytes), torchvision's `_blend` for tensors; both clamp to the range.
    static func blend(_ p: inout Planes, degenerate d: [Float], factor f: Float) {
        for i in p.data.indices {
            var v = p.isImage ? d[i] + f * (p.data[i] - d[i]) : f * p.data[i] + (1 - f) * d[i]
            v = Swift.min(p.bound, Swift.max(0, v))
            p.data[i] = p.isImage ? v.rounded(.towardZero) : v
        }
    }

    /// Gaussian blur with a `kernelSize` (width, height) kernel of standard
    /// deviations `sigma` (x, y), reflect padding, like `F.gaussian_blur`
    /// (images are blurred as floats and rounded back to bytes).
    public static func gaussianBlur(_ input: Feature, kernelSize: (Int, Int), sigma: (Double, Double)) throws -> Feature {
        guard kernelSize.0 > 0, kernelSize.1 > 0, kernelSize.0 % 2 == 1, kernelSize.1 % 2 == 1 else {
            throw DataError(.invalidArgument, "gaussian_blur: kernel_size should have odd and positive integers. Got \(kernelSize)")
        }
        guard sigma.0 > 0, sigma.1 > 0 else {
            throw DataError(.invalidArgument, "gaussian_blur: sigma should have positive values. Got \(sigma)")
        }
        var p = try Planes(input, "gaussian_blur")
        func kernel1d(_ k: Int, _ s: Double) -> [Float] {
            let half = Float(k - 1) * 0.5
            let xs = (0..<k).map { k == 1 ? -half : -half + Float($0) * (2 * half) / Float(k - 1) }
            let pdf = xs.map { Foundation.exp(-0.5 * ($0 / Float(s)) * ($0 / Float(s))) }
            let sum = pdf.reduce(0, +)
            return pdf.map { $0 / sum }
        }
        let kx = kernel1d(kernelSize.0, sigma.0), ky = kernel1d(kernelSize.1, sigma.1)
        let h = p.height, w = p.width, hw = h * w
        let rx = kernelSize.0 / 2, ry = kernelSize.1 / 2
        guard rx < w, ry < h else {
            throw DataError(.transform, "gaussian_blur: padding (\(rx), \(ry)) must be smaller than the input size (\(w), \(h))")
        }
        func reflect(_ i: Int, _ n: Int) -> Int { n == 1 ? 0 : (i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i)) }
        var out = p.data
        for c in 0..<p.count {
            let base = c * hw
            for y in 0..<h {
                for x in 0..<w {
                    var s: Float = 0
                    for j in 0..<kernelSize.1 {
                        let yy = reflect(y + j - ry, h)
                        var row: Float = 0
                        for i in 0..<kernelSize.0 { row += kx[i] * p.data[base + yy * w + reflect(x + i - rx, w)] }
                        s += ky[j] * row
                    }
                    out[base + y * w + x] = p.isImage ? Swift.min(255, Swift.max(0, s.rounded(.toNearestOrEven))) : s
                }
            }
        }
        p.data = out
        return p.feature()
    }

    /// torchvision's `_get_inverse_affine_matrix`: the output-to-input map of
    /// a rotation by `angle` degrees about `center`, then `translate`, `scale`
    /// and `shear` (degrees along x and y).
    public static func inverseAffineMatrix(center: (Double, Double), angle: Double, translate: (Double, Double),
                                           scale: Double, shear: (Double, Double)) -> [Double] {
        let rot = angle * Double.pi / 180, sx = shear.0 * Double.pi / 180, sy = shear.1 * Double.pi / 180
        let (cx, cy) = center, (tx, ty) = translate
        let a = Foundation.cos(rot - sy) / Foundation.cos(sy)
        let b = -Foundation.cos(rot - sy) * Foundation.tan(sx) / Foundation.cos(sy) - Foundation.sin(rot)
        let c = Foundation.sin(rot - sy) / Foundation.cos(sy)
        let d = -Foundation.sin(rot - sy) * Foundation.tan(sx) / Foundation.cos(sy) + Foundation.cos(rot)
        var m = [d, -b, 0.0, -c, a, 0.0].map { $0 / scale }
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
        m[2] += cx
        m[5] += cy
        return m
    }

    /// Affine transform, like `F.affine` on a Pillow image: each output pixel
    /// centre maps through the inverse matrix into the input; outside it takes `fill`.
    public static func affine(_ input: Feature, angle: Double, translate: (Double, Double), scale: Double,
                              shear: (Double, Double), interpolation: Interpolation = .nearest, fill: Fill = 0,
                              center: (Double, Double)? = nil) throws -> Feature {
        guard scale > 0 else { throw DataError(.invalidArgument, "affine: Argument scale should be positive") }
        let c = center ?? (Double(input.width) * 0.5, Double(input.height) * 0.5)
        let m = inverseAffineMatrix(center: c, angle: angle, translate: translate, scale: scale, shear: shear)
        if interpolation == .nearest && (m[1] != 0 || m[3] != 0) && m.allSatisfy({ Swift.abs($0) < 16384 }) {
            return try affineNearestFixed(input, m, fill: fill)
        }
        return try warp(input, "affine", interpolation: interpolation, fill: fill) { x, y in
            (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5])
        }
    }

    /// Pillow's nearest-neighbour affine fast path (`affine_fixed`): the
    /// matrix in 16.16 fixed point, stepped incrementally per pixel and row,
    /// which decides pixel-centre ties exactly as Pillow does.
    static func affineNearestFixed(_ input: Feature, _ m: [Double], fill: Fill) throws -> Feature {
        let src = try Planes(input, "affine")
        try fill.validate("affine", channels: src.channels)
        func fix(_ v: Double) -> Int { Int((v * 65536 + 0.5).rounded(.down)) }
        let a0 = fix(m[0]), a1 = fix(m[1]), a3 = fix(m[3]), a4 = fix(m[4])
        var a2 = fix(m[2] + m[1] * 0.5 + m[0] * 0.5), a5 = fix(m[5] + m[4] * 0.5 + m[3] * 0.5)
        let w = src.width, h = src.height, hw = w * h
        var out = src.resized(height: h, width: w)
        for y in 0..<h {
            var xi = a2, yi = a5
            for x in 0..<w {
                let xin = xi >> 16, yin = yi >> 16
                let inside = xin >= 0 && xin < w && yin >= 0 && yin < h
                for p in 0..<src.count {
                    out.data[p * hw + y * w + x] = inside ? src.data[p * hw + yin * w + xin]
                                                          : Float(fill.value(p % Swift.max(1, src.channels)))
                }
                xi += a0
                yi += a3
            }
            a2 += a1
            a5 += a4
        }
        return out.feature()
    }

    /// Perspective transform mapping `startpoints` to `endpoints` (corners as
    /// (x, y), top-left first, clockwise), like `F.perspective` on a Pillow image.
    public static func perspective(_ input: Feature, startpoints: [(Double, Double)], endpoints: [(Double, Double)],
                                   interpolation: Interpolation = .bilinear, fill: Fill = 0) throws -> Feature {
        guard startpoints.count == 4, endpoints.count == 4 else {
            throw DataError(.invalidArgument, "perspective: expected 4 start and 4 end points, got \(startpoints.count) and \(endpoints.count)")
        }
        let k = try perspectiveCoefficients(startpoints, endpoints)
        return try warp(input, "perspective", interpolation: interpolation, fill: fill) { x, y in
            let den = k[6] * x + k[7] * y + 1
            return ((k[0] * x + k[1] * y + k[2]) / den, (k[3] * x + k[4] * y + k[5]) / den)
        }
    }

    /// torchvision's `_get_perspective_coeffs`: the 8 coefficients mapping
    /// `endpoints` back to `startpoints` (least squares on the 8×8 system).
    static func perspectiveCoefficients(_ start: [(Double, Double)], _ end: [(Double, Double)]) throws -> [Double] {
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (ex, ey) = end[i], (sx, sy) = start[i]
            a[2 * i] = [ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey, sx]
            a[2 * i + 1] = [0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey, sy]
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..<8 {
            guard let pivot = (col..<8).max(by: { Swift.abs(a[$0][col]) < Swift.abs(a[$1][col]) }),
                  Swift.abs(a[pivot][col]) > 1e-12 else {
                throw DataError(.invalidArgument, "perspective: the points do not define a perspective transform")
            }
            a.swapAt(col, pivot)
            for r in 0..<8 where r != col {
                let f = a[r][col] / a[col][col]
                if f != 0 { for k in col..<9 { a[r][k] -= f * a[col][k] } }
            }
        }
        return (0..<8).map { a[$0][8] / a[$0][$0] }
    }

    /// Resamples `input` through `map` (output pixel centre → input
    /// coordinates), Pillow's convention: nearest takes the pixel the point
    /// falls in, bilinear interpolates between pixel centres.
    static func warp(_ input: Feature, _ name: String, interpolation: Interpolation, fill: Fill,
                     _ map: (Double, Double) -> (Double, Double)) throws -> Feature {
        let src = try Planes(input, name)
        try fill.validate(name, channels: src.channels)
        let w = src.width, h = src.height
        var out = src.resized(height: h, width: w)
        for y in 0..<h {
            for x in 0..<w {
                let (xin, yin) = map(Double(x) + 0.5, Double(y) + 0.5)
                let inside = xin >= 0 && yin >= 0 && xin < Double(w) && yin < Double(h)
                for p in 0..<src.count {
                    let base = p * h * w
                    var v = Float(fill.value(p % Swift.max(1, src.channels)))
                    if inside {
                        if interpolation == .nearest {
                            v = src.data[base + Int(yin) * w + Int(xin)]
                        } else {
                            let fx = xin - 0.5, fy = yin - 0.5
                            let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
                            let dx = Float(fx - Double(x0)), dy = Float(fy - Double(y0))
                            func px(_ yy: Int, _ xx: Int) -> Float {
                                src.data[base + Swift.min(h - 1, Swift.max(0, yy)) * w + Swift.min(w - 1, Swift.max(0, xx))]
                            }
                            let top = px(y0, x0) * (1 - dx) + px(y0, x0 + 1) * dx
                            let bottom = px(y0 + 1, x0) * (1 - dx) + px(y0 + 1, x0 + 1) * dx
                            v = top * (1 - dy) + bottom * dy
                        }
                    }
                    out.data[base + y * w + x] = v
                }
            }
        }
        return out.feature()
    }

    /// The `height × width` window at (`top`, `left`), which must lie inside the input, like `F.crop`.
    public static func crop(_ input: Feature, top: Int, left: Int, height: Int, width: Int) throws -> Feature {
        guard top >= 0, left >= 0, height > 0, width > 0, top + height <= input.height, left + width <= input.width else {
            throw DataError(.invalidArgument, "crop: window (top=\(top), left=\(left), height=\(height), width=\(width)) is not inside the \(input.height)x\(input.width) input")
        }
        var plan = GeometryPlan(height: input.height, width: input.width)
        plan.window(top: top, left: left, height: height, width: width)
        return try plan.render(input, fill: [0])
    }

    /// Crops then resizes to `size` (height, width), like `F.resized_crop`.
    public static func resizedCrop(_ input: Feature, top: Int, left: Int, height: Int, width: Int, size: (Int, Int),
                                   interpolation: Interpolation = .bilinear, antialias: Bool = true) throws -> Feature {
        let c = try crop(input, top: top, left: left, height: height, width: width)
        return try Resize(size, interpolation: interpolation, antialias: antialias).apply(c, generator: Generator(seed: 0))
    }

    /// The four corner crops and the centre crop of `size` (height, width), like `F.five_crop`.
    public static func fiveCrop(_ input: Feature, size: (Int, Int)) throws -> [Feature] {
        let (ch, cw) = size, h = input.height, w = input.width
        guard ch <= h, cw <= w, ch > 0, cw > 0 else {
            throw DataError(.invalidArgument, "five_crop: Requested crop size \(sizeString(ch, cw)) is bigger than input size \(sizeString(h, w))")
        }
        return [try crop(input, top: 0, left: 0, height: ch, width: cw),
                try crop(input, top: 0, left: w - cw, height: ch, width: cw),
                try crop(input, top: h - ch, left: 0, height: ch, width: cw),
                try crop(input, top: h - ch, left: w - cw, height: ch, width: cw),
                try CenterCrop(size).apply(input, generator: Generator(seed: 0))]
    }

    /// `fiveCrop` of the input and of its horizontal (or vertical) flip, like `F.ten_crop`.
    public static func tenCrop(_ input: Feature, size: (Int, Int), verticalFlip: Bool = false) throws -> [Feature] {
        let flip: any Transform = verticalFlip ? RandomVerticalFlip(p: 1) : RandomHorizontalFlip(p: 1)
        return try fiveCrop(input, size: size) + fiveCrop(flip.apply(input, generator: Generator(seed: 0)), size: size)
    }
}
