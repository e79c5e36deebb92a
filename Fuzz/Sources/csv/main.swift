import Foundation
import Tensors

/// CSV files: the classification and regression loaders read any text or throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let path = "\(dir)/workbench-fuzz-\(getpid()).csv"
    FileManager.default.createFile(atPath: path, contents: Data(bytes: bytes, count: count))
    if let set = try? CSVDataset(path: path, labelColumn: "label"), set.count > 0 {
        _ = try? set[0]
    }
    if let columns = try? CSVRegressionDataset.columns(path: path), let last = columns.last,
       let set = try? CSVRegressionDataset(path: path, targetColumns: [last]), set.count > 0 {
        _ = try? set[set.count - 1]
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_csv_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
