import Foundation
import Tensors

/// Safetensors header and data: any bytes load or throw a `SafetensorsError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    _ = try? Safetensors.load(data: Data(bytes: bytes, count: count), file: "fuzz.safetensors")
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_safetensors_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
