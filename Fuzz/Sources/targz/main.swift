import Foundation
import Tensors

/// The tar + gzip reader: every member of any (maybe gzip-compressed) byte
/// string is listed and read, or an error is thrown.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = [UInt8](UnsafeRawBufferPointer(start: bytes, count: count))
    do {
        let source: ByteSource = input.starts(with: [0x1F, 0x8B]) ? try GzipSource(MemorySource(input), name: "fuzz.tar.gz")
                                                                  : MemorySource(input)
        let tar = TarReader(source, archiveName: "fuzz.tar.gz")
        var members = 0
        while try tar.next() != nil, members < 10_000 {
            _ = try tar.readEntry()
            members += 1
        }
    } catch {}
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_targz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
