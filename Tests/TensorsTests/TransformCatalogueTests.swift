import Foundation
import XCTest
@testable import Tensors

/// The augmentation transforms against torchvision
/// (Tests/Fixtures/transforms_catalogue/generate_transforms_catalogue.py): the
/// deterministic ops on Pillow images and float tensors, printed forms, seeding.
final class TransformCatalogueTests: XCTestCase {
    private static let root: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/transforms_catalogue/transforms_catalogue.json")
        guard let data = try? Data(contentsOf: url),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return obj
    }()

    private func image(_ key: String) throws -> Image {
        let imgs = try XCTUnwrap(Self.root["images"] as? [String: Any], "fixture missing")
        let px = try XCTUnwrap(imgs[key] as? [Int])
        return Image(width: imgs["width"] as? Int ?? 0, height: imgs["height"] as? Int ?? 0, channels: 3,
                     pixels: px.map { UInt8($0) })
    }

    private var rgb: Feature { get throws { .image(try image("rgb")) } }
    private var low: Feature { get throws { .image(try image("low")) } }

    private func reference(_ name: String) throws -> (shape: [Int], data: [Double]) {
        let cases = try XCTUnwrap(Self.root["cases"] as? [String: Any])
        let c = try XCTUnwrap(cases[name] as? [String: Any], "no fixture \(name)")
        return (c["shape"] as? [Int] ?? [], (c["data"] as? [NSNumber] ?? []).map(\.doubleValue))
    }

    /// Compares an image with a fixture: at most `fraction` of the bytes may differ, by at most `tol`.
    private func assertImage(_ out: Feature, _ name: String, tol: Int = 0, fraction: Double = 0,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let ref = try reference(name)
        let img = try XCTUnwrap(out.image, "\(name): not an image", file: file, line: line)
        XCTAssertEqual([img.height, img.width, img.channels], ref.shape, name, file: file, line: line)
        guard img.pixels.count == ref.data.count else { return }
        var bad = 0, worst = 0
        for (a, b) in zip(img.pixels, ref.data) {
            let d = abs(Int(a) - Int(b))
            worst = max(worst, d)
            if d > tol { bad += 1 }
            if d > tol + 2 { bad += ref.data.count }  // never more than a rounding step or two off
        }
        XCTAssertLessThanOrEqual(Double(bad), fraction * Double(ref.data.count),
                                 "\(name): \(bad) bytes differ by more than \(tol) (worst \(worst))", file: file, line: line)
    }

    private func assertTensorFeature(_ out: Feature, _ name: String, tol: Float = 1e-5,
                                     file: StaticString = #filePath, line: UInt = #line) throws {
        let ref = try reference(name)
        let t = try XCTUnwrap(out.tensor, "\(name): not a tensor", file: file, line: line)
        assertTensor(t, ref.data.map { Float($0) }, shape: ref.shape, accuracy: tol, file: file, line: line)
    }

    func testPixelOpsMatchTorchvision() throws {
        try assertImage(ImageOps.invert(rgb), "invert")
        try assertImage(ImageOps.posterize(rgb, bits: 3), "posterize3")
        try assertImage(ImageOps.solarize(rgb, threshold: 100), "solarize100")
        try assertImage(ImageOps.autocontrast(low), "autocontrast_low")
        try assertImage(ImageOps.equalize(rgb), "equalize")
        try assertImage(ImageOps.equalize(low), "equalize_low")
        try assertImage(ImageOps.adjustSharpness(rgb, factor: 2), "sharpness2", tol: 1, fraction: 0.05)
        try assertImage(ImageOps.adjustSharpness(rgb, factor: 0.3), "sharpness03", tol: 1, fraction: 0.05)
        try assertImage(ImageOps.adjustBrightness(rgb, factor: 1.4), "brightness14", tol: 1, fraction: 0.02)
        try assertImage(ImageOps.adjustSaturation(rgb, factor: 0.4), "saturation04", tol: 1, fraction: 0.02)
        try assertImage(ImageOps.adjustContrast(rgb, factor: 1.6), "contrast16", tol: 1, fraction: 0.02)
        try assertImage(ImageOps.gaussianBlur(rgb, kernelSize: (3, 5), sigma: (0.8, 1.3)), "blur_3x5", tol: 1, fraction: 0.02)
    }

    func testTensorOpsMatchTorchvision() throws {
        let t = try ToTensor().apply(rgb, generator: Generator(seed: 0))
        try assertTensorFeature(ImageOps.invert(t), "t_invert")
        try assertTensorFeature(ImageOps.solarize(t, threshold: 0.4), "t_solarize")
        try assertTensorFeature(ImageOps.autocontrast(ToTensor().apply(low, generator: Generator(seed: 0))), "t_autocontrast", tol: 1e-5)
        try assertTensorFeature(ImageOps.adjustSharpness(t, factor: 1.7), "t_sharpness")
        try assertTensorFeature(ImageOps.gaussianBlur(t, kernelSize: (5, 3), sigma: (1.1, 0.7)), "t_blur")
        XCTAssertThrowsError(try ImageOps.posterize(t, bits: 2))
        XCTAssertThrowsError(try ImageOps.equalize(t))
    }

    func testGeometricOpsMatchTorchvision() throws {
        try assertImage(ImageOps.affine(rgb, angle: 12, translate: (1, -2), scale: 0.9, shear: (5, -3), fill: [10, 20, 30]),
                        "affine_nearest")
        try assertImage(ImageOps.affine(rgb, angle: -20, translate: (0, 1), scale: 1.1, shear: (0, 0), interpolation: .bilinear),
                        "affine_bilinear", tol: 1, fraction: 0.1)
        let starts: [(Double, Double)] = [(0, 0), (10, 0), (10, 8), (0, 8)]
        let ends: [(Double, Double)] = [(1, 2), (9, 0), (10, 7), (2, 8)]
        try assertImage(ImageOps.perspective(rgb, startpoints: starts, endpoints: ends), "perspective_bilinear", tol: 1, fraction: 0.1)
        try assertImage(ImageOps.perspective(rgb, startpoints: starts, endpoints: ends, interpolation: .nearest, fill: [5, 6, 7]),
                        "perspective_nearest")
        try assertImage(ImageOps.resizedCrop(rgb, top: 1, left: 2, height: 5, width: 7, size: (6, 6)), "resized_crop", tol: 1, fraction: 0.05)
        for (i, c) in try FiveCrop((4, 5)).crops(rgb).enumerated() { try assertImage(c, "five_crop_\(i)") }
        let ten = try TenCrop((4, 5), verticalFlip: true).crops(rgb)
        XCTAssertEqual(ten.count, 10)
        for (i, c) in ten.enumerated() { try assertImage(c, "ten_crop_v_\(i)") }
        XCTAssertThrowsError(try FiveCrop(20).crops(rgb)) { e in XCTAssertTrue("\(e)".contains("bigger than input size"), "\(e)") }
        // Tensors come back stacked.
        let t = try ToTensor().apply(rgb, generator: Generator(seed: 0))
        XCTAssertEqual(try FiveCrop(3).apply(t, generator: Generator(seed: 0)).tensor?.shape, [5, 3, 3, 3])
    }

    func testAugmentOpsMatchTorchvision() throws {
        let ops: [(String, AugmentOp, Double, Int, Double)] = [
            ("shear_x", .shearX, 0.2, 0, 0), ("shear_y", .shearY, -0.25, 0, 0), ("translate_x", .translateX, 3.7, 0, 0),
            ("translate_y", .translateY, -2, 0, 0), ("rotate", .rotate, 25, 0, 0), ("posterize", .posterize, 4, 0, 0),
            ("solarize", .solarize, 140, 0, 0), ("sharpness", .sharpness, 0.5, 1, 0.05), ("color", .color, -0.3, 1, 0.02),
            ("contrast", .contrast, 0.4, 1, 0.02), ("brightness", .brightness, -0.2, 1, 0.02),
        ]
        for (name, op, m, tol, fraction) in ops {
            try assertImage(op.apply(rgb, magnitude: m, interpolation: .nearest, fill: 0), "op_\(name)", tol: tol, fraction: fraction)
        }
        XCTAssertEqual(AutoAugment.cifar10.count, 25)
        XCTAssertEqual(linspace32(0, 0.3, 10)[3], Double(Float(0.1)), accuracy: 1e-9)
        XCTAssertEqual(posterizeBits(10, top: 8, div: 4), [8, 8, 7, 7, 6, 6, 5, 5, 4, 4])
    }

    func testPrintedFormsMatchTorchvision() throws {
        let reprs = try XCTUnwrap(Self.root["reprs"] as? [String: String])
        let ours: [String: any Transform] = [
            "invert": RandomInvert(), "posterize": RandomPosterize(bits: 2), "solarize": RandomSolarize(threshold: 128),
            "solarize_float": RandomSolarize(threshold: 0.5, p: 0.3), "autocontrast": RandomAutocontrast(),
            "equalize": RandomEqualize(p: 0.7), "sharpness": RandomAdjustSharpness(sharpnessFactor: 2),
            "sharpness_p": RandomAdjustSharpness(sharpnessFactor: 0.5, p: 0.2), "grayscale": RandomGrayscale(),
            "blur": GaussianBlur(kernelSize: 3), "blur_rect": GaussianBlur(kernelSize: (3, 5), sigma: (0.5, 1.5)),
            "blur_fixed": GaussianBlur(kernelSize: 5, sigma: 1.0), "rrc": RandomResizedCrop(32),
            "rrc_args": RandomResizedCrop((8, 6), scale: (0.5, 1.0), ratio: (1.0 / 3, 3.0), interpolation: .nearest),
            "five": FiveCrop(4), "ten": TenCrop((4, 3), verticalFlip: true), "affine": RandomAffine(degrees: 10),
            "affine_all": RandomAffine(degrees: (-5, 15), translate: (0.1, 0.2), scale: (0.9, 1.1), shear: [1, 2, 3, 4], fill: 3),
            "affine_shear": RandomAffine(degrees: 0, shear: [5], interpolation: .bilinear, center: (1, 2)),
            "perspective": RandomPerspective(), "apply": RandomApply([RandomInvert(), RandomEqualize()], p: 0.3),
            "choice": RandomChoice([RandomInvert(), RandomEqualize()]), "choice_p": RandomChoice([RandomInvert()], p: [1.0]),
            "order": RandomOrder([RandomInvert(), RandomEqualize()]), "autoaugment": AutoAugment(policy: .cifar10),
            "randaugment": RandAugment(),
            "randaugment_args": RandAugment(numOps: 3, magnitude: 5, numMagnitudeBins: 21, interpolation: .bilinear, fill: [1, 2, 3]),
            "trivial": TrivialAugmentWide(), "trivial_bins": TrivialAugmentWide(numMagnitudeBins: 11),
        ]
        XCTAssertEqual(Set(ours.keys), Set(reprs.keys))
        for (k, t) in ours { XCTAssertEqual(t.description, reprs[k], k) }
    }

    func testRandomTransformsAreSeededAndValidated() throws {
        let all: [any Transform] = [
            RandomInvert(), RandomPosterize(bits: 3), RandomSolarize(threshold: 100), RandomAutocontrast(), RandomEqualize(),
            RandomAdjustSharpness(sharpnessFactor: 2), RandomGrayscale(p: 0.5), GaussianBlur(kernelSize: 3),
            RandomResizedCrop(6), RandomAffine(degrees: 30, translate: (0.2, 0.2), scale: (0.8, 1.2), shear: [-10, 10, -5, 5]),
            RandomPerspective(p: 1), RandomApply([RandomInvert(p: 1)]), RandomChoice([RandomInvert(p: 1), RandomEqualize(p: 1)]),
            RandomOrder([RandomInvert(p: 1), RandomSolarize(threshold: 90, p: 1)]), AutoAugment(), RandAugment(),
            TrivialAugmentWide(),
        ]
        let input = try low  // a low-contrast image: equalize and autocontrast change it
        for t in all {
            let a = try t.apply(input, generator: Generator(seed: 42)).image
            let b = try t.apply(input, generator: Generator(seed: 42)).image
            XCTAssertEqual(a, b, "\(t) is not reproducible from its seed")
            // Over several seeds the transform changes the image at least once.
            // (Equalize is the identity on images this small, as in Pillow: a 20×20 one then.)
            let x: Feature = t is RandomEqualize
                ? .image(Image(width: 20, height: 20, channels: 1, pixels: (0..<400).map { UInt8(100 + $0 % 40) })) : input
            var changed = false
            for s in 0..<8 where try t.apply(x, generator: Generator(seed: UInt64(s))).image != x.image { changed = true }
            XCTAssertTrue(changed, "\(t) never changed the image")
        }
        XCTAssertEqual(try RandomResizedCrop((5, 4)).apply(input, generator: Generator(seed: 1)).image?.height, 5)
        XCTAssertThrowsError(try GaussianBlur(kernelSize: 4).validate())
        XCTAssertThrowsError(try RandomPosterize(bits: 9).validate())
        XCTAssertThrowsError(try RandomInvert(p: 2).validate())
        XCTAssertThrowsError(try RandomChoice([RandomInvert()], p: [0.5, 0.5]).validate())
        XCTAssertThrowsError(try RandAugment(magnitude: 31).validate())
        // p = 0 never applies; p = 1 always does.
        XCTAssertEqual(try RandomInvert(p: 0).apply(input, generator: Generator(seed: 3)).image, input.image)
        try assertImage(RandomInvert(p: 1).apply(rgb, generator: Generator(seed: 3)), "invert")
    }
}
