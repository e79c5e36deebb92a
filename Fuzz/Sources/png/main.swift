import Foundation
import Tensors

/// PNG decoding through the system library: any bytes decode (to a non-empty
/// RGB image) or throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    if let image = try? ImageDecoders.decode(Data(bytes: bytes, count: count), extension: "png", name: "fuzz.png") {
        precondition(image.width > 0 && image.height > 0, "decoded an empty image")
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_png_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
