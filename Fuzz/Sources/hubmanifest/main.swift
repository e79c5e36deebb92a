import Foundation
import Tensors

/// Hub manifests (`hub.json`): parse or throw; every file path of a parsed
/// manifest stays inside the hub.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let m = try? HubManifest.parse(Data(bytes: bytes, count: count), source: "fuzz") else { return 0 }
    for e in m.entries {
        for f in e.files where f.path.hasPrefix("/") || f.path.split(separator: "/").contains("..") {
            fatalError("manifest file path \(f.path) leaves the hub")
        }
    }
    _ = try? m.json()
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_hubmanifest_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
