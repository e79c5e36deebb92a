// Crops, pads and flips as index maps.
//
// Each of these transforms moves whole rows and columns, so it is described
// by two tables: for every output row the source row (or −1 for fill), and
// the same for columns. A chain of them composes into one pair of tables and
// the image is resampled once. The DataLoader's fused path renders the same
// tables straight into the batch tensor through a per-channel lookup table
// that holds ToTensor + Normalize.

/// How `Pad` and `RandomCrop` fill the border, like torchvision's `padding_mode`.
public enum PaddingMode: String, Sendable, CaseIterable {
    /// A constant value (`fill`).
    case constant
    /// The last value on the edge, repeated.
    case edge
    /// Reflection without repeating the edge value: `[1, 2, 3]` padded by 2 is `[3, 2, 1, 2, 3, 2, 1]`.
    case reflect
    /// Reflection repeating the edge value: `[1, 2, 3]` padded by 2 is `[2, 1, 1, 2, 3, 3, 2]`.
    case symmetric
}

/// Padding amounts, like torchvision's `padding` argument: one number for all
/// sides, two for (left/right, top/bottom), or four for (left, top, right, bottom).
///
/// `Pad(4)`, `Pad([4, 2])`, `Pad([1, 2, 3, 4])`.
public struct Padding: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The values as given (1, 2 or 4 of them).
    public var values: [Int]

    /// 1, 2 or 4 padding amounts.
    public init(_ values: [Int]) { self.values = values }
    public init(integerLiteral value: Int) { values = [value] }
    public init(arrayLiteral elements: Int...) { values = elements }

    /// (left, top, right, bottom).
    public var ltrb: (left: Int, top: Int, right: Int, bottom: Int) {
        switch values.count {
        case 1: return (values[0], values[0], values[0], values[0])
        case 2: return (values[0], values[1], values[0], values[1])
        case 4: return (values[0], values[1], values[2], values[3])
        default: return (0, 0, 0, 0)
        }
    }

    func validate(_ name: String) throws {
        guard [1, 2, 4].contains(values.count) else {
            throw DataError(.invalidArgument, "\(name): padding must be 1, 2 or 4 numbers, got \(values.count)")
        }
        if let v = values.first(where: { $0 < 0 }) {
            throw DataError(.invalidArgument, "\(name): padding must be non-negative, got \(v)")
        }
    }

    public var description: String { values.count == 1 ? "\(values[0])" : pythonTuple(values) }
}

/// A fill value for padded or uncovered pixels: one number for every channel
/// or one per channel. Image fills are pixel values (0–255), tensor fills are
/// tensor values.
public struct Fill: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// One value for all channels or one per channel.
    public var values: [Double]

    /// One value for all channels or one per channel.
    public init(_ values: [Double]) { self.values = values }
    public init(integerLiteral value: Int) { values = [Double(value)] }
    public init(floatLiteral value: Double) { values = [value] }
    public init(arrayLiteral elements: Double...) { values = elements }

    public var description: String { fillString(values) }

    func validate(_ name: String, channels: Int) throws {
        guard values.count == 1 || values.count == channels else {
            throw DataError(.invalidArgument, "\(name): fill has \(values.count) values, expected 1 or \(channels) (one per channel)")
        }
    }

    /// The fill for channel `c`.
    @inline(__always) func value(_ c: Int) -> Double { values.count == 1 ? values[0] : values[c] }
}

/// A crop, pad or flip that can be composed into a `GeometryPlan`.
protocol GeometricTransform: Transform {
    /// The fill this transform may introduce, nil if it never pads.
    var fillValues: [Double]? { get }
    /// Appends this transform to `plan`, drawing random numbers exactly as `apply` does.
    func plan(_ plan: inout GeometryPlan, generator: Generator) throws
}

extension GeometricTransform {
    /// Applies the transform alone: plan, then one resampling pass.
    func applyGeometry(_ input: Feature, generator: Generator) throws -> Feature {
        var p = GeometryPlan(height: input.height, width: input.width)
        try plan(&p, generator: generator)
        return try p.render(input, fill: fillValues ?? [0])
    }
}

/// Merges the fill of the next transform into a running group; false if
/// the fills differ (the group must end there).
func fillsCompatible(_ fill: inout [Double]?, _ next: [Double]?) -> Bool {
    guard let n = next else { return true }
    guard let f = fill else { fill = n; return true }
    return f == n
}

/// Source row and column for every output row and column (−1: fill).
struct GeometryPlan {
    var rows: [Int]
    var cols: [Int]
    private var scratch: [Int] = []

    init(height: Int, width: Int) {
        rows = Array(0..<height)
        cols = Array(0..<width)
    }

    /// Starts over for a new source size, keeping the arrays' capacity.
    mutating func reset(height: Int, width: Int) {
        rows.removeAll(keepingCapacity: true)
        cols.removeAll(keepingCapacity: true)
        for i in 0..<height { rows.append(i) }
        for i in 0..<width { cols.append(i) }
    }

    var height: Int { rows.count }
    var width: Int { cols.count }

    private static func remap(_ a: inout [Int], _ scratch: inout [Int], count: Int, _ f: (Int) -> Int) {
        scratch.removeAll(keepingCapacity: true)
        let n = a.count
        for i in 0..<count {
            let k = f(i)
            scratch.append(k >= 0 && k < n ? a[k] : -1)
        }
        swap(&a, &scratch)
    }

    /// Keeps the `height × width` window at (`top`, `left`); parts outside the canvas become fill.
    mutating func window(top: Int, left: Int, height: Int, width: Int) {
        GeometryPlan.remap(&rows, &scratch, count: height) { top + $0 }
        GeometryPlan.remap(&cols, &scratch, count: width) { left + $0 }
    }

    /// Pads the canvas; non-constant modes take their values from the canvas itself.
    mutating func pad(left: Int, top: Int, right: Int, bottom: Int, mode: PaddingMode) {
        if mode == .constant {
            window(top: -top, left: -left, height: height + top + bottom, width: width + left + right)
            return
        }
        let h = height, w = width
        GeometryPlan.remap(&rows, &scratch, count: h + top + bottom) { padIndex($0 - top, h, mode) }
        GeometryPlan.remap(&cols, &scratch, count: w + left + right) { padIndex($0 - left, w, mode) }
    }

    mutating func flipHorizontal() { cols.reverse() }
    mutating func flipVertical() { rows.reverse() }

    /// Resamples `input` through the tables.
    func render(_ input: Feature, fill: [Double]) throws -> Feature {
        switch input {
        case .image(let img):
            try Fill(fill).validate("fill", channels: img.channels)
            return .image(renderImage(img, fill: fill))
        case .tensor(let t):
            try requireImageTensor("crop/pad/flip", t)
            let c = input.channels
            try Fill(fill).validate("fill", channels: c)
            return .tensor(renderTensor(t, fill: fill))
        }
    }

    func renderImage(_ img: Image, fill: [Double]) -> Image {
        let c = img.channels, h = height, w = width
        let fillBytes = (0..<c).map { UInt8(clamping: Int(Fill(fill).value($0).rounded())) }
        let pixels = [UInt8](unsafeUninitializedCapacity: h * w * c) { out, initialized in
            img.pixels.withUnsafeBufferPointer { src in
                rows.withUnsafeBufferPointer { r in
                    cols.withUnsafeBufferPointer { cl in
                        fillBytes.withUnsafeBufferPointer { f in
                            guard let o = out.baseAddress, let s = src.baseAddress, let rp = r.baseAddress,
                                  let cp = cl.baseAddress, let fp = f.baseAddress else { return }
                            renderBytes(rows: rp, height: h, cols: cp, width: w, image: s, srcWidth: img.width,
                                        channels: c, fill: fp, out: o)
                        }
                    }
                }
            }
            initialized = h * w * c
        }
        return Image(width: w, height: h, channels: c, pixels: pixels)
    }

    func renderTensor(_ t: Tensor, fill: [Double]) -> Tensor {
        let shape = t.shape
        let r = shape.count
        let sh = shape[r - 2], sw = shape[r - 1]
        let planes = sh * sw == 0 ? 0 : t.count / (sh * sw)
        let channels = r >= 3 ? shape[r - 3] : 1
        let h = height, w = width
        var outShape = shape
        outShape[r - 2] = h
        outShape[r - 1] = w
        let src = t.contiguous()
        let fills = (0..<Swift.max(1, channels)).map { Float(Fill(fill).value($0 % Swift.max(1, channels))) }
        return Tensor(shape: outShape) { out in
            rows.withUnsafeBufferPointer { rb in
                cols.withUnsafeBufferPointer { cb in
                    fills.withUnsafeBufferPointer { fb in
                        guard let o = out.baseAddress, let rp = rb.baseAddress, let cp = cb.baseAddress,
                              let fp = fb.baseAddress else { return }
                        renderFloatPlanes(rows: rp, height: h, cols: cp, width: w, planes: planes,
                                          src: UnsafePointer(src.dataPointer), srcHeight: sh, srcWidth: sw,
                                          fill: fp, fillCount: fills.count, out: o)
                    }
                }
            }
        }
    }
}

/// Index `i` of a padded axis of length `n` in `mode` (−1 for constant fill).
@inline(__always)
func padIndex(_ i: Int, _ n: Int, _ mode: PaddingMode) -> Int {
    if i >= 0 && i < n { return i }
    if n == 0 { return -1 }
    switch mode {
    case .constant:
        return -1
    case .edge:
        return i < 0 ? 0 : n - 1
    case .reflect:
        if n == 1 { return 0 }
        let period = 2 * (n - 1)
        var m = i % period
        if m < 0 { m += period }
        return m >= n ? period - m : m
    case .symmetric:
        let period = 2 * n
        var m = i % period
        if m < 0 { m += period }
        return m >= n ? period - 1 - m : m
    }
}
