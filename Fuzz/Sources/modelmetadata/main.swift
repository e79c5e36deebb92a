import Foundation
import Tensors

/// Model metadata (the `workbench` entry of a weights file): parse or throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    let json = String(decoding: Data(bytes: bytes, count: count), as: UTF8.self)
    _ = try? ModelMetadata.parse(json, file: "fuzz.safetensors")
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_modelmetadata_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
