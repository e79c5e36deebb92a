import Tensors
@testable import WorkbenchCore
import Foundation

/// A small procedurally drawn dataset of 32×32 coloured shapes in 10 classes.
///
/// Every image is a pure function of (split, index), so it opens instantly, is safe to
/// read from any thread and costs no memory. The app uses `Tensors`' Shapes10; the tests
/// use this.
public final class SyntheticShapesDataset: DatasetSource, @unchecked Sendable {
    public static let classes = ["circle", "square", "triangle", "cross", "ring",
                                 "hstripes", "vstripes", "checker", "diagonal", "dots"]
    public let name: String
    public let classNames = SyntheticShapesDataset.classes
    public let inputShape = [3, 32, 32]
    private let counts: [DatasetSplit: Int]

    public init(trainCount: Int = 5000, testCount: Int = 1000, name: String = "shapes") {
        counts = [.train: trainCount, .test: testCount]
        self.name = name
    }

    public func count(_ split: DatasetSplit) -> Int { counts[split] ?? 0 }

    public func label(_ split: DatasetSplit, _ index: Int) -> Int {
        // Classes cycle through a seeded permutation of each block of 10 so every class is
        // equally common but neighbours differ.
        var h = Hash(seed: UInt64(index / 10) &+ (split == .train ? 0 : 0x9e37_79b9))
        var perm = Array(0..<10)
        for i in stride(from: 9, to: 0, by: -1) {
            let j = Int(h.next() % UInt64(i + 1))
            perm.swapAt(i, j)
        }
        return perm[index % 10]
    }

    public func image(_ split: DatasetSplit, _ index: Int) -> RGBImage {
        let cls = label(split, index)
        var h = Hash(seed: UInt64(index) &* 0x2545_f491_4f6c_dd1d &+ (split == .train ? 1 : 2))
        let bg = RGB(UInt8(h.next() % 140), UInt8(h.next() % 140), UInt8(h.next() % 140))
        let fg = RGB(UInt8(70 + h.next() % 186), UInt8(70 + h.next() % 186), UInt8(70 + h.next() % 186))
        let cx = 16 + Int(h.next() % 11) - 5, cy = 16 + Int(h.next() % 11) - 5
        let r = 6 + Int(h.next() % 8)
        var img = RGBImage(width: 32, height: 32, fill: bg)
        for y in 0..<32 {
            for x in 0..<32 {
                let dx = x - cx, dy = y - cy
                let d2 = dx * dx + dy * dy
                let on: Bool
                switch cls {
                case 0: on = d2 <= r * r
                case 1: on = abs(dx) <= r - 1 && abs(dy) <= r - 1
                case 2: on = dy >= -r && dy <= r && abs(dx) * 2 <= (dy + r)
                case 3: on = (abs(dx) <= 2 && abs(dy) <= r) || (abs(dy) <= 2 && abs(dx) <= r)
                case 4: on = d2 <= r * r && d2 >= (r - 3) * (r - 3)
                case 5: on = (y / 3) % 2 == 0
                case 6: on = (x / 3) % 2 == 0
                case 7: on = ((x / 4) + (y / 4)) % 2 == 0
                case 8: on = abs((x - y) % 8) < 3
                default: on = ((x + 2) % 7 < 3) && ((y + 2) % 7 < 3)
                }
                var c = on ? fg : bg
                let noise = Int(h.next() % 81) - 40
                c = RGB(clamp(Int(c.r) + noise), clamp(Int(c.g) + noise), clamp(Int(c.b) + noise))
                img.setPixel(x, y, c)
            }
        }
        return img
    }

    /// The CIFAR-style training transforms: random crop 32 with 4 pixels of zero padding and
    /// a random horizontal flip (p = 0.5).
    public func augmentedImage(_ split: DatasetSplit, _ index: Int, variant: UInt64) -> RGBImage {
        SyntheticShapesDataset.augment(image(split, index), seed: variant &* 31 &+ UInt64(index))
    }

    /// Random crop (padding 4) and horizontal flip of `img`, seeded.
    public static func augment(_ img: RGBImage, seed: UInt64) -> RGBImage {
        var h = Hash(seed: seed)
        let ox = Int(h.next() % 9) - 4, oy = Int(h.next() % 9) - 4
        let flip = h.next() % 2 == 0
        var out = RGBImage(width: img.width, height: img.height, fill: RGB(0, 0, 0))
        for y in 0..<img.height {
            for x in 0..<img.width {
                let sx0 = x + ox, sy = y + oy
                guard sx0 >= 0, sy >= 0, sx0 < img.width, sy < img.height else { continue }
                let sx = flip ? img.width - 1 - sx0 : sx0
                out.setPixel(x, y, img.pixel(sx, sy))
            }
        }
        return out
    }

    private func clamp(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v))) }
}

/// SplitMix64: a tiny seeded hash stream for procedural data.
struct Hash {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// An error with a user-facing message.
public struct DemoError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ m: String) { description = m }
}

/// The synthetic embedded dataset (instant, for tests) with the file datasets of `Tensors/Data`.
public final class DemoDatasetProvider: DatasetProvider {
    let real = TensorsDatasetProvider()
    public init() {}
    public func embeddedDefault() -> DatasetSource { SyntheticShapesDataset() }
    public func openCIFAR10(path: String) throws -> DatasetSource { try real.openCIFAR10(path: path) }
    public func openDataset(path: String) throws -> DatasetSource { try real.openDataset(path: path) }
    public func openSequence(task: TaskKind, path: String?, target: String?) throws -> DatasetSource {
        try real.openSequence(task: task, path: path, target: target)
    }
    public func open(_ kind: ImageDatasetKind, path: String) throws -> DatasetSource { try real.open(kind, path: path) }
    public func csvColumns(path: String) throws -> [String] { try real.csvColumns(path: path) }
    public func openCSV(path: String, target: String, task: TaskKind) throws -> DatasetSource {
        try real.openCSV(path: path, target: target, task: task)
    }
}
