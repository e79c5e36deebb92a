import Foundation
import Tensors

/// Safetensors header and data: any bytes load or throw a `SafetensorsError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    _ = try? Safetensors.load(data: Data(bytes: bytes, count: count), file: "fuzz.safetensors")
    return 0
}
