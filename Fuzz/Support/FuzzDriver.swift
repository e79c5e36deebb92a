/// libFuzzer's driver, for harnesses linked as SwiftPM executables.
///
/// SwiftPM links every executable target with `main` aliased to `<module>_main` (so that test
/// targets can import executables), and a harness built with `-parse-as-library` has no such
/// function: each harness defines it (`@_cdecl("fuzz_NAME_main")`) and hands over to
/// `runFuzzer`, which runs libFuzzer's own driver with the command line and the harness's
/// `LLVMFuzzerTestOneInput`. (This file is linked into every target folder.)
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ body: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> CInt

/// Runs libFuzzer on `body` with the process's arguments; returns its exit status.
func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
               _ body: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> CInt {
    var count = argc
    var values = argv
    return LLVMFuzzerRunDriver(&count, &values, body)
}
