import Foundation

/// Converts an HWC UInt8 image into a CHW float tensor in [0, 1], like
/// `transforms.ToTensor`: `out[c, y, x] = pixel[y, x, c] / 255`.
public struct ToTensor: Transform {
    /// Converts HWC UInt8 images to CHW float tensors in [0, 1].
    public init() {}

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        guard case .image(let img) = input else {
            throw wrongInput("ToTensor", input, expected: "an Image (HWC UInt8)")
        }
        return .tensor(imageToTensor(img))
    }

    public var description: String { "ToTensor()" }
}

/// `pixel / 255` for every byte value, the exact floats `ToTensor` produces.
let byteToUnit: [Float] = (0..<256).map { Float($0) / 255 }

/// HWC UInt8 → CHW Float in [0, 1].
func imageToTensor(_ img: Image) -> Tensor {
    let c = img.channels, hw = img.width * img.height
    return Tensor(shape: [c, img.height, img.width]) { out in
        img.pixels.withUnsafeBufferPointer { src in
            byteToUnit.withUnsafeBufferPointer { lut in
                guard let o = out.baseAddress, let s = src.baseAddress, let l = lut.baseAddress else { return }
                bytesToPlanes(s, count: hw, channels: c, table: l, out: o)
            }
        }
    }
}

/// Normalizes each channel of a `[..., C, H, W]` tensor: `(x − mean[c]) / std[c]`,
/// like `transforms.Normalize`.
///
/// ```swift
/// Normalize(mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010])
/// ```
public struct Normalize: Transform {
    /// Per-channel means (one value for all channels, or one per channel).
    public let mean: [Float]
    /// Per-channel standard deviations.
    public let std: [Float]
    /// Overwrite the input tensor instead of returning a new one.
    public let inplace: Bool

    /// `(x − mean[c]) / std[c]` per channel.
    public init(mean: [Float], std: [Float], inplace: Bool = false) {
        self.mean = mean
        self.std = std
        self.inplace = inplace
    }

    public func validate() throws {
        guard !mean.isEmpty, !std.isEmpty else {
            throw DataError(.invalidArgument, "Normalize: mean and std must not be empty")
        }
        if std.contains(0) {
            throw DataError(.invalidArgument, "Normalize: std evaluated to zero, leading to division by zero (std=\(pythonTuple(std.map(pythonFloat))))")
        }
    }

    /// Checks the argument counts against the number of channels.
    func validate(channels: Int) throws {
        try validate()
        for (name, v) in [("mean", mean), ("std", std)] where v.count != 1 && v.count != channels {
            throw DataError(.invalidArgument, "Normalize: \(name) has \(v.count) values, expected 1 or \(channels) (one per channel)")
        }
    }

    @inline(__always) func meanOf(_ c: Int) -> Float { mean.count == 1 ? mean[0] : mean[c] }
    @inline(__always) func stdOf(_ c: Int) -> Float { std.count == 1 ? std[0] : std[c] }

    public func apply(_ input: Feature, generator: Generator) throws -> Feature {
        guard case .tensor(let t) = input else {
            throw wrongInput("Normalize", input, expected: "a Tensor (apply ToTensor first)")
        }
        guard t.rank >= 3 else {
            throw DataError(.transform, "Normalize: expected a tensor image of shape [..., C, H, W], got shape \(t.shape)")
        }
        try requireImageTensor("Normalize", t)
        let r = t.rank
        let c = t.shape[r - 3], hw = t.shape[r - 2] * t.shape[r - 1]
        try validate(channels: c)
        let planes = hw == 0 ? 0 : t.count / hw
        let body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>) -> Void = { o, s in
            mean.withUnsafeBufferPointer { mb in
                std.withUnsafeBufferPointer { sb in
                    guard let m = mb.baseAddress, let sd = sb.baseAddress else { return }
                    normalizePlanes(s, o, planes: planes, hw: hw, channels: c, mean: m, meanCount: mean.count,
                                    std: sd, stdCount: std.count)
                }
            }
        }
        if inplace && t.isContiguous {
            t.withUnsafeMutableBufferPointer { buf in
                if let b = buf.baseAddress { body(b, UnsafePointer(b)) }
            }
            return .tensor(t)
        }
        let src = t.contiguous()
        return .tensor(Tensor(shape: t.shape) { out in
            if let o = out.baseAddress { body(o, UnsafePointer(src.dataPointer)) }
        })
    }

    public var description: String {
        "Normalize(mean=\(pythonTuple(mean.map(pythonFloat))), std=\(pythonTuple(std.map(pythonFloat))))"
    }
}

/// Erases a random rectangle of a `[..., C, H, W]` tensor with probability `p`,
/// like `transforms.RandomErasing` (Zhong et al., 2017).
///
/// The rectangle covers a fraction of the area drawn from `scale` and has an
/// aspect ratio drawn log-uniformly from `ratio`; up to 10 tries, otherwise
/// the input is returned unchanged.
public struct RandomErasing: Transform {
    /// What the erased pixels become.
    public enum Value: Equatable, Sendable, CustomStringConvertible {
        /// One value for every channel, or one per channel.
        case constant([Float])
        /// Standard-normal noise.
        case random

        public var description: String {
            switch self {
            case .constant(let v): return v.count == 1 ? fillString([Double(v[0])]) : fillString(v.map { Double($0) })
            case .random: return "random"
            }
        }
    }

    /// Probability of applying the transform.
    public let p: Double
    /// Range of the erased area as a fraction of the image.
    public let scale: (Double, Double)
    /// Range of the erased rectangle's aspect ratio.
    public let ratio: (Double, Double)
    /// What erased pixels become.
    public let value: Value
    /// Overwrite the input tensor instead of returning a new one.
    public let inplace: Bool

    /// Erases with probability `p`; defaults as torchvision's.
    public init(p: Double = 0.5, scale: (Double, Double) = (0.02, 0.33), ratio: (Double, Double) = (0.3, 3.3),
                value: Value = .constant([0]), inplace: Bool = false) {
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace
    }

    public func validate() throws {
        guard p >= 0 && p <= 1 else {
            throw DataError(.invalidArgument, "RandomErasing: p must be in [0, 1], got \(p)")
        }
        guard scale.0 <= scale.1, ratio.0 <= ratio.1 else {
            throw DataError(.invalidArgument, "RandomErasing: scale and ratio should be of kind (min, max)")
        }
        guard scale.0 >= 0 && scale.1 <= 1 else {
            throw DataError(.invalidArgument, "RandomErasing: scale should be between 0 and 1, got \(scale)")
        }
        guard ratio.0 > 0 else {
            throw DataError(.invalidArgument, "RandomErasing: ratio should be positive, got \(ratio)")
        }
    }

    public func apply(_ input: Feature, generator g: Generator) throws -> Feature {
        guard case .tensor(let t) = input else {
            throw wrongInput("RandomErasing", input, expected: "a Tensor (apply ToTensor first)")
        }
        try validate()
        guard t.rank >= 3 else {
            throw DataError(.transform, "RandomErasing: expected a tensor image of shape [..., C, H, W], got shape \(t.shape)")
        }
        try requireImageTensor("RandomErasing", t)
        let r = t.rank
        let c = t.shape[r - 3], h = t.shape[r - 2], w = t.shape[r - 1]
        if case .constant(let v) = value, v.count != 1 && v.count != c {
            throw DataError(.invalidArgument, "RandomErasing: value has \(v.count) values, expected 1 or \(c) (one per channel)")
        }
        guard Double(g.nextFloat()) < p else { return input }
        let area = Double(h * w)
        let logRatio = (Foundation.log(ratio.0), Foundation.log(ratio.1))
        for _ in 0..<10 {
            let eraseArea = area * (scale.0 + (scale.1 - scale.0) * Double(g.nextFloat()))
            let aspect = Foundation.exp(logRatio.0 + (logRatio.1 - logRatio.0) * Double(g.nextFloat()))
            let eh = pythonRound((eraseArea * aspect).squareRoot())
            let ew = pythonRound((eraseArea / aspect).squareRoot())
            guard eh < h && ew < w else { continue }
            var noise: [Float] = []
            if value == .random {
                noise = (0..<(c * eh * ew)).map { _ in Float(g.nextNormal()) }
            }
            let top = g.nextInt(below: h - eh + 1)
            let left = g.nextInt(below: w - ew + 1)
            let out: Tensor
            if inplace && t.isContiguous {
                out = t
            } else {
                let src = t.contiguous()
                out = Tensor(shape: t.shape) { buf in buf.baseAddress?.update(from: src.dataPointer, count: src.count) }
            }
            let planes = t.count / (h * w)
            out.withUnsafeMutableBufferPointer { buf in
                guard let o = buf.baseAddress else { return }
                for pl in 0..<planes {
                    let ch = pl % c
                    let op = o + pl * h * w
                    for y in 0..<eh {
                        for x in 0..<ew {
                            let v: Float
                            switch value {
                            case .random: v = noise[(ch * eh + y) * ew + x]
                            case .constant(let vals): v = vals.count == 1 ? vals[0] : vals[ch]
                            }
                            op[(top + y) * w + left + x] = v
                        }
                    }
                }
            }
            return .tensor(out)
        }
        return input
    }

    public var description: String {
        "RandomErasing(p=\(pythonFloat(p)), scale=(\(scale.0), \(scale.1)), ratio=(\(ratio.0), \(ratio.1)), value=\(value), inplace=\(pythonBool(inplace)))"
    }
}

