import XCTest
@testable import Tensors

/// Several images per GEMM for small planes (`ConvImageBlocks`) against the
/// per-image path: forward, dx, dW, db, plain and with the fused ReLU and
/// ReLU + max-pool epilogues, on odd shapes.
final class ConvImageBlocksTests: XCTestCase {
    struct Case {
        var shape: [Int]
        var out: Int, kernel: Int
        var stride = 1, padding = 0, groups = 1, bias = true
    }

    /// Output planes of 1, 4 and 16 pixels (and 36 with padding), batches 1, 3, 5,
    /// channels 1, 3, 17, stride 2, groups 2, 1×1 pointwise.
    let cases: [Case] = [
        Case(shape: [3, 3, 4, 4], out: 5, kernel: 3, padding: 1),             // P = 16
        Case(shape: [5, 17, 6, 6], out: 7, kernel: 3, padding: 1),            // P = 36
        Case(shape: [5, 1, 3, 3], out: 3, kernel: 3),                         // P = 1
        Case(shape: [3, 3, 5, 5], out: 4, kernel: 3, stride: 2, padding: 1),  // P = 9, stride 2
        Case(shape: [5, 4, 4, 4], out: 6, kernel: 3, padding: 1, groups: 2, bias: false),
        Case(shape: [5, 17, 2, 2], out: 9, kernel: 1),                        // P = 4, pointwise
        Case(shape: [3, 6, 4, 4], out: 5, kernel: 1, stride: 2),              // P = 4, strided 1×1
        Case(shape: [1, 3, 4, 4], out: 5, kernel: 3, padding: 1),             // batch 1
        Case(shape: [5, 17, 8, 8], out: 32, kernel: 3, padding: 1),           // two workers
    ]

    enum Fusion: CaseIterable { case none, relu, reluMaxPool }

    /// (y, dx, dW, db) of `fusion(conv(x))` with the loss Σ y·gy.
    func run(_ c: Case, _ fusion: Fusion, x: Tensor, w: Tensor, b: Tensor?, gy: Tensor) -> (Tensor, Tensor, Tensor, Tensor?) {
        x.grad = nil; w.grad = nil; b?.grad = nil
        let conv = conv2d(x, weight: w, bias: b, stride: Size2(c.stride), padding: .size(Size2(c.padding)),
                          groups: c.groups)
        let y: Tensor
        switch fusion {
        case .none: y = conv
        case .relu: y = relu(conv)
        case .reluMaxPool: y = maxPool2d(relu(conv), 2)
        }
        (y * gy).sum().backward()
        return (y.detach(), x.grad!, w.grad!, b?.grad)
    }

    func testImageBlocksMatchPerImage() {
        let saved = (ConvKernels.imageBlocksEnabled, ConvKernels.blockColumns)
        defer { (ConvKernels.imageBlocksEnabled, ConvKernels.blockColumns) = saved }
        let gen = Generator(seed: 17)
        var batched = 0
        for c in cases {
            let x = Tensor.randn(c.shape, generator: gen).requiringGrad()
            let w = Tensor.randn([c.out, c.shape[1] / c.groups, c.kernel, c.kernel], generator: gen).requiringGrad()
            let b = c.bias ? Tensor.randn([c.out], generator: gen).requiringGrad() : nil
            let oh = (c.shape[2] + 2 * c.padding - c.kernel) / c.stride + 1
            // Default width, and two images per block (so batches 3 and 5 end in a partial block).
            for columns in [256, 2 * oh * oh] {
                for fusion in Fusion.allCases {
                    if fusion == .reluMaxPool && oh < 2 { continue }
                    let name = "\(c.shape) → \(c.out) k\(c.kernel) s\(c.stride) g\(c.groups) \(fusion) cols \(columns)"
                    ConvKernels.imageBlocksEnabled = false
                    let side = fusion == .reluMaxPool ? oh / 2 : oh
                    let gy = Tensor.randn([c.shape[0], c.out, side, side], generator: gen)
                    let ref = run(c, fusion, x: x, w: w, b: b, gy: gy)
                    ConvKernels.imageBlocksEnabled = true
                    ConvKernels.blockColumns = columns
                    let geometry = oh * oh
                    if c.shape[0] > 1 && geometry <= ConvKernels.maxBlockPixels { batched += 1 }
                    let got = run(c, fusion, x: x, w: w, b: b, gy: gy)
                    assertClose(got.0, ref.0, "\(name) y")
                    assertClose(got.1, ref.1, "\(name) dx")
                    assertClose(got.2, ref.2, "\(name) dw")
                    if let db = got.3, let rdb = ref.3 { assertClose(db, rdb, "\(name) db") }
                }
            }
        }
        XCTAssertGreaterThan(batched, 20)
    }

    /// The block size: about `blockColumns` columns, within the worker's images and the cache bound;
    /// planes above `maxBlockPixels` (LeNet's, P ≥ 100) keep the per-image path.
    func testImagesPerGemm() {
        func geometry(c: Int, h: Int, k: Int, pad: Int) -> ConvGeometry {
            let o = h + 2 * pad - k + 1
            return ConvGeometry(n: 64, c: c, h: h, w: h, m: 8, kh: k, kw: k, sh: 1, sw: 1,
                                padT: pad, padL: pad, padB: pad, padR: pad, dh: 1, dw: 1, groups: 1, oh: o, ow: o)
        }
        guard ConvKernels.imageBlocksEnabled else { return }
        XCTAssertEqual(ConvKernels.imagesPerGemm(geometry(c: 6, h: 14, k: 5, pad: 0), chunkImages: 64), 1)  // P = 100
        XCTAssertEqual(ConvKernels.imagesPerGemm(geometry(c: 16, h: 8, k: 3, pad: 1), chunkImages: 64), 4)  // P = 64
        XCTAssertEqual(ConvKernels.imagesPerGemm(geometry(c: 16, h: 8, k: 3, pad: 1), chunkImages: 3), 3)
        // [4608, nb·16] under 2 MB: 7 images.
        XCTAssertEqual(ConvKernels.imagesPerGemm(geometry(c: 512, h: 4, k: 3, pad: 1), chunkImages: 64), 7)
        XCTAssertEqual(ConvKernels.imagesPerGemm(geometry(c: 16, h: 8, k: 3, pad: 1), chunkImages: 1), 1)
    }
}
