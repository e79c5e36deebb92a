import Tensors
import Foundation
import XCTest
@testable import WorkbenchCore

final class ThemeTests: XCTestCase {
    func testParsesKeysCommentsAndEmptyValues() {
        let text = """
        # a comment
          theme[main_bg]="#102030"
        theme[hi_fg] = "#ABCDEF"   # trailing comment

        theme[main_fg]=""
        """
        let r = ThemeParser.parse(text, name: "t")
        XCTAssertEqual(r.warnings, [])
        XCTAssertEqual(r.theme.name, "t")
        XCTAssertEqual(r.theme[.mainBg], .rgb(RGB(0x10, 0x20, 0x30)))
        XCTAssertEqual(r.theme[.hiFg], .rgb(RGB(0xab, 0xcd, 0xef)))
        XCTAssertEqual(r.theme[.mainFg], .terminalDefault)
        // Missing keys fall back to the built-in default.
        XCTAssertEqual(r.theme[.valLoss], Theme.builtinDefault[.valLoss])
    }

    func testUnknownKeyIsIgnoredWithWarning() {
        let r = ThemeParser.parse("theme[nope]=\"#000000\"\ntheme[title]=\"#010203\"", name: "t")
        XCTAssertEqual(r.theme[.title], .rgb(RGB(1, 2, 3)))
        XCTAssertEqual(r.warnings.count, 1)
        XCTAssertTrue(r.warnings[0].contains("unknown key \"nope\""), r.warnings[0])
    }

    func testMalformedFileGivesDefaultThemeAndWarning() {
        for bad in ["theme[title]=\"#12345\"", "title=#ffffff", "theme[title]=\"#ffffff", "theme[]=\"#ffffff\"", "\u{1}\u{2}garbage"] {
            let r = ThemeParser.parse("theme[main_bg]=\"#000000\"\n" + bad, name: "broken")
            XCTAssertEqual(r.theme.colors, Theme.builtinDefault.colors, bad)
            XCTAssertEqual(r.warnings.count, 1, bad)
            XCTAssertTrue(r.warnings[0].contains("line 2"), r.warnings[0])
            XCTAssertTrue(r.warnings[0].contains("default theme"), r.warnings[0])
        }
    }

    func testShippedThemesParseCleanlyAndDiffer() {
        let lib = ThemeLibrary(directories: [repoThemes])
        XCTAssertEqual(Set(lib.names).isSuperset(of: ["default", "light", "mono"]), true, "\(lib.names)")
        var backgrounds = Set<Color>()
        for name in lib.names {
            let r = lib.load(name)
            XCTAssertEqual(r.warnings, [], name)
            XCTAssertEqual(r.theme.name, name)
            backgrounds.insert(r.theme[.mainBg])
        }
        XCTAssertGreaterThanOrEqual(backgrounds.count, 3)
        // default.theme matches the built-in defaults exactly.
        XCTAssertEqual(lib.load("default").theme.colors, Theme.builtinDefault.colors)
        XCTAssertEqual(lib.load("mono").theme[.mainBg], .terminalDefault)
    }

    /// Text stays readable: WCAG contrast of at least 3:1 between each text colour and the
    /// background it is drawn on, in every shipped theme with colours.
    func testShippedThemesKeepTextReadable() {
        func luminance(_ c: RGB) -> Double {
            func lin(_ v: UInt8) -> Double {
                let x = Double(v) / 255
                return x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
        }
        let pairs: [(ThemeKey, ThemeKey)] = [
            (.mainFg, .mainBg), (.inactiveFg, .mainBg), (.title, .mainBg), (.hiFg, .mainBg), (.errorFg, .mainBg),
            (.warningFg, .mainBg), (.okFg, .mainBg), (.graphText, .mainBg), (.stepLoss, .mainBg), (.valLoss, .mainBg),
            (.valAcc, .mainBg), (.marker, .mainBg), (.selectedFg, .selectedBg), (.statusFg, .statusBg), (.hiFg, .statusBg),
            (.menuFg, .menuBg), (.hiFg, .menuBg), (.inactiveFg, .menuBg), (.errorFg, .menuBg), (.inputFg, .inputBg),
        ]
        let lib = ThemeLibrary(directories: [repoThemes])
        for name in lib.names {
            let t = lib.load(name).theme
            for (fg, bg) in pairs {
                guard case .rgb(let f) = t[fg], case .rgb(let b) = t[bg] else { continue }
                let (lf, lb) = (luminance(f), luminance(b))
                let ratio = (max(lf, lb) + 0.05) / (min(lf, lb) + 0.05)
                XCTAssertGreaterThanOrEqual(ratio, 3, "\(name): \(fg.rawValue) \(f) on \(bg.rawValue) \(b)")
            }
        }
    }

    func testMissingThemeFileWarns() {
        let lib = ThemeLibrary(directories: [repoThemes])
        let r = lib.load("does-not-exist")
        XCTAssertEqual(r.theme.colors, Theme.builtinDefault.colors)
        XCTAssertTrue(r.warnings.first?.contains("no does-not-exist.theme") == true)
    }

    func testMonochromeRolesUseAttributesNotColours() {
        let ctx = RenderContext(theme: .builtinDefault, colorMode: .monochrome)
        XCTAssertEqual(ctx.style(.selected), Style(attrs: .reverse))
        XCTAssertEqual(ctx.style(.titleFocused).attrs, .bold)
        XCTAssertEqual(ctx.style(.normal), Style())
        let color = RenderContext(theme: .builtinDefault, colorMode: .palette256)
        XCTAssertEqual(color.style(.selected).bg, Theme.builtinDefault[.selectedBg])
    }
}
