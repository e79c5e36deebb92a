import Foundation

/// Theme files (`theme[key]="#rrggbb"` lines): any text parses to a theme
/// with a colour for every key, falling back to the default with a warning.
/// (Theme.swift and Color.swift are WorkbenchCore's own files, linked here so
/// the harness does not need the TUI's ncurses module.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: Data(bytes: bytes, count: count), as: UTF8.self)
    let result = ThemeParser.parse(text, name: "fuzz")
    for key in ThemeKey.allCases { _ = result.theme[key] }
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver.swift).
@_cdecl("fuzz_theme_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
