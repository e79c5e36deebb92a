import Foundation
import Tensors

/// JPEG decoding through the system library: any bytes decode (to a non-empty
/// RGB image) or throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    // Decoding time grows with the pixels a header claims (a 129-byte JPEG claiming 147 million
    // pixels decodes in 0.5 s, in Pillow too): the product caps that with `ImageLimits`, the
    // harness with smaller limits so its 1 s timeout finds parser loops, not large images.
    if let image = try? Image.decode(data: Data(bytes: bytes, count: count), name: "fuzz.jpeg", limits: fuzzLimits) {
        precondition(image.width > 0 && image.height > 0, "decoded an empty image")
    }
    return 0
}

/// 4,096 pixels per side, 16 million in all.
let fuzzLimits = ImageLimits(maxSide: 4_096, maxPixels: 1 << 24)

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_jpeg_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
