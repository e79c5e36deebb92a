import Foundation

/// The colour keys a theme file may set, `theme[key]="#rrggbb"`.
public enum ThemeKey: String, CaseIterable, Sendable {
    case mainBg = "main_bg"
    case mainFg = "main_fg"
    case title
    case hiFg = "hi_fg"
    case inactiveFg = "inactive_fg"
    case selectedBg = "selected_bg"
    case selectedFg = "selected_fg"
    case divLine = "div_line"
    case focusBorder = "focus_border"
    case statusBg = "status_bg"
    case statusFg = "status_fg"
    case errorFg = "error_fg"
    case warningFg = "warning_fg"
    case okFg = "ok_fg"
    case graphText = "graph_text"
    case stepLoss = "step_loss"
    case trainLoss = "train_loss"
    case valLoss = "val_loss"
    case valAcc = "val_acc"
    case marker
    case histBar = "hist_bar"
    case heatLow = "heat_low"
    case heatHigh = "heat_high"
    case menuBg = "menu_bg"
    case menuFg = "menu_fg"
    case inputBg = "input_bg"
    case inputFg = "input_fg"
}

/// A colour theme: a value for every `ThemeKey` (`.terminalDefault` where the file
/// gave an empty value).
public struct Theme: Sendable, Equatable {
    public var name: String
    public var colors: [ThemeKey: Color]

    public subscript(key: ThemeKey) -> Color { colors[key] ?? Theme.builtinDefault.colors[key] ?? .terminalDefault }

    /// The built-in dark theme; every other theme falls back to it key by key.
    public static let builtinDefault: Theme = {
        let hex: [ThemeKey: String] = [
            .mainBg: "#1a1b26", .mainFg: "#c0caf5", .title: "#e0af68", .hiFg: "#7aa2f7",
            .inactiveFg: "#737aa2", .selectedBg: "#33467c", .selectedFg: "#ffffff",
            .divLine: "#3b4261", .focusBorder: "#7aa2f7", .statusBg: "#24283b", .statusFg: "#c0caf5",
            .errorFg: "#f7768e", .warningFg: "#e0af68", .okFg: "#9ece6a", .graphText: "#737aa2",
            .stepLoss: "#7dcfff", .trainLoss: "#7aa2f7", .valLoss: "#ff9e64", .valAcc: "#9ece6a",
            .marker: "#bb9af7", .histBar: "#7aa2f7", .heatLow: "#1f2335", .heatHigh: "#7dcfff",
            .menuBg: "#24283b", .menuFg: "#c0caf5", .inputBg: "#2f3549", .inputFg: "#ffffff",
        ]
        var colors: [ThemeKey: Color] = [:]
        for (k, v) in hex { colors[k] = RGB(hex: v).map(Color.rgb) ?? .terminalDefault }
        return Theme(name: "default", colors: colors)
    }()
}

/// The result of reading a theme file: the theme and any warnings (shown to the user).
public struct ThemeLoadResult: Sendable {
    public var theme: Theme
    public var warnings: [String]
}

/// Reads `theme[key]="#rrggbb"` files.
public enum ThemeParser {
    /// Parses theme text. Missing keys fall back to the built-in default; unknown keys are
    /// ignored with a warning; a malformed line or colour makes the whole file fall back to
    /// the default theme with a warning naming the line.
    public static func parse(_ text: String, name: String) -> ThemeLoadResult {
        var theme = Theme.builtinDefault
        theme.name = name
        var warnings: [String] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let parsed = parseLine(line) else {
                return fallback(name, "theme \(name): line \(i + 1) is not theme[key]=\"#rrggbb\": \(line)")
            }
            guard let key = ThemeKey(rawValue: parsed.key) else {
                warnings.append("theme \(name): line \(i + 1): unknown key \"\(parsed.key)\" ignored")
                continue
            }
            if parsed.value.isEmpty {
                theme.colors[key] = .terminalDefault
            } else if let c = RGB(hex: parsed.value) {
                theme.colors[key] = .rgb(c)
            } else {
                return fallback(name, "theme \(name): line \(i + 1): \"\(parsed.value)\" is not a colour #rrggbb")
            }
        }
        return ThemeLoadResult(theme: theme, warnings: warnings)
    }

    private static func fallback(_ name: String, _ message: String) -> ThemeLoadResult {
        ThemeLoadResult(theme: Theme.builtinDefault, warnings: [message + "; using the default theme"])
    }

    /// `theme[key]="value"` → (key, value); value may be unquoted.
    static func parseLine(_ line: String) -> (key: String, value: String)? {
        guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]") else { return nil }
        let key = String(line[line.index(line.startIndex, offsetBy: 6)..<close]).trimmingCharacters(in: .whitespaces)
        var rest = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, rest.hasPrefix("=") else { return nil }
        rest = String(rest.dropFirst()).trimmingCharacters(in: .whitespaces)
        // Allow a trailing comment after the value.
        if rest.hasPrefix("\"") {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: "\"") else { return nil }
            let after = body[body.index(after: end)...].trimmingCharacters(in: .whitespaces)
            guard after.isEmpty || after.hasPrefix("#") else { return nil }
            return (key, String(body[..<end]).trimmingCharacters(in: .whitespaces))
        }
        let value = rest.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        return (key, value)
    }
}

/// Finds theme files in a list of directories (first match wins).
public struct ThemeLibrary: Sendable {
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// The usual places: `$WORKBENCH_THEMES`, `./themes`, and `themes/` next to or above
    /// the executable (so `.build/release/workbench`, or a sanitizer build's, finds the repository's themes).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ThemeLibrary {
        var dirs: [String] = []
        if let d = environment["WORKBENCH_THEMES"], !d.isEmpty { dirs.append(d) }
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        var dir = exe
        // Six levels: `.build/asan/x86_64-unknown-linux-gnu/debug/workbench` (a sanitizer build
        // folder) is five below the repository; `.build/release` resolves to four.
        for _ in 0..<6 {
            dirs.append(dir.appendingPathComponent("themes").path)
            dir = dir.deletingLastPathComponent()
        }
        if let home = environment["HOME"] { dirs.append(home + "/.config/workbench/themes") }
        var seen = Set<String>()
        return ThemeLibrary(directories: dirs.filter { seen.insert($0).inserted })
    }

    /// Theme names available: "default" plus every `*.theme` file found.
    public var names: [String] {
        var names = ["default"]
        for dir in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for f in files.sorted() where f.hasSuffix(".theme") {
                let n = String(f.dropLast(6))
                if !names.contains(n) { names.append(n) }
            }
        }
        return names
    }

    /// Loads theme `name`; an unknown name or unreadable file gives the default theme and a warning.
    public func load(_ name: String) -> ThemeLoadResult {
        for dir in directories {
            let path = dir + "/" + name + ".theme"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                return ThemeLoadResult(theme: .builtinDefault, warnings: ["theme \(name): cannot read \(path) as UTF-8 text; using the default theme"])
            }
            return ThemeParser.parse(text, name: name)
        }
        if name == "default" { return ThemeLoadResult(theme: .builtinDefault, warnings: []) }
        return ThemeLoadResult(theme: .builtinDefault, warnings: ["theme \(name): no \(name).theme in \(directories.joined(separator: ", ")); using the default theme"])
    }
}
