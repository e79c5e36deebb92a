import Foundation
import Tensors

/// Model files (YAML or JSON layer lists): parse or throw; a parsed file
/// builds for its declared input (default 3×32×32) and 10 classes, or throws.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: Data(bytes: bytes, count: count), as: UTF8.self)
    guard let def = try? ModelDefinition(text: text, file: "fuzz.model.yaml") else { return 0 }
    // The product allows 2²⁸ parameters (1 GiB) by default; the harness builds with 2²² so
    // libFuzzer's 2 GB RSS limit finds leaks and unbounded sizes, not large legal models.
    _ = try? def.build(outputs: 10, generator: Generator(seed: 0), maxParameters: 1 << 22)
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_modelfile_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
