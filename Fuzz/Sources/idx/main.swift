import Foundation
import Tensors

/// IDX files (MNIST), plain or gzip-compressed: read or throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzFile.path("idx")
    FuzzFile.write(bytes, count, to: path)
    _ = try? readIDX(path)
    return 0
}

/// One scratch file per process (the IDX reader takes a path).
enum FuzzFile {
    static func path(_ ext: String) -> String {
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(dir)/workbench-fuzz-\(getpid()).\(ext)"
    }
    static func write(_ bytes: UnsafeRawPointer, _ count: Int, to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes: bytes, count: count))
    }
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_idx_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
