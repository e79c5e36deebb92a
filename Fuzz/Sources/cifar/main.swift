import Foundation
@testable import Tensors

/// CIFAR records: CIFAR-10 (1 label byte) and CIFAR-100 (2) batches read or throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = [UInt8](UnsafeRawBufferPointer(start: bytes, count: count))
    var ten = CIFARRecordReader(labelBytes: 1, labelLimits: [10])
    try? ten.read(MemorySource(input), size: input.count, file: "data_batch_1.bin")
    var hundred = CIFARRecordReader(labelBytes: 2, labelLimits: [20, 100])
    try? hundred.read(MemorySource(input), size: input.count, file: "train.bin")
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_cifar_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
