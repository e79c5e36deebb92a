/// What a cell is for; the theme and colour mode turn a role into a `Style`.
public enum Role: Hashable, Sendable {
    case normal, dim, title, titleFocused, border, borderFocused
    case selected, selectedUnfocused, highlight, error, warning, ok
    case status, statusKey, axis, menu, menuSelected, menuKey, input, help, helpKey
    /// A data series or chart colour taken from the theme key.
    case series(ThemeKey)
}

/// The theme and the terminal's colour mode, passed to every renderer.
public struct RenderContext: Sendable {
    public var theme: Theme
    public var colorMode: ColorMode

    public init(theme: Theme = .builtinDefault, colorMode: ColorMode = .truecolor) {
        self.theme = theme
        self.colorMode = colorMode
    }

    /// The style for `role`. In monochrome, colours are dropped and roles are told apart by
    /// attributes (reverse for selections and bars, bold for titles and focus).
    public func style(_ role: Role) -> Style {
        if colorMode == .monochrome {
            switch role {
            case .titleFocused, .borderFocused, .highlight, .error, .statusKey, .menuKey, .helpKey, .title: return Style(attrs: .bold)
            case .selected, .status, .menuSelected: return Style(attrs: .reverse)
            case .selectedUnfocused: return Style(attrs: .underline)
            case .dim, .border, .axis: return Style(attrs: .dim)
            case .input: return Style(attrs: .underline)
            case .warning: return Style(attrs: [.bold, .underline])
            default: return Style()
            }
        }
        let t = theme
        let bg = t[.mainBg]
        switch role {
        case .normal: return Style(fg: t[.mainFg], bg: bg)
        case .dim: return Style(fg: t[.inactiveFg], bg: bg)
        case .title: return Style(fg: t[.mainFg], bg: bg, attrs: .bold)
        case .titleFocused: return Style(fg: t[.title], bg: bg, attrs: .bold)
        case .border: return Style(fg: t[.divLine], bg: bg)
        case .borderFocused: return Style(fg: t[.focusBorder], bg: bg, attrs: .bold)
        case .selected: return Style(fg: t[.selectedFg], bg: t[.selectedBg], attrs: .bold)
        case .selectedUnfocused: return Style(fg: t[.mainFg], bg: t[.selectedBg].dimmedToward(bg))
        case .highlight: return Style(fg: t[.hiFg], bg: bg, attrs: .bold)
        case .error: return Style(fg: t[.errorFg], bg: bg, attrs: .bold)
        case .warning: return Style(fg: t[.warningFg], bg: bg)
        case .ok: return Style(fg: t[.okFg], bg: bg)
        case .status: return Style(fg: t[.statusFg], bg: t[.statusBg])
        case .statusKey: return Style(fg: t[.hiFg], bg: t[.statusBg], attrs: .bold)
        case .axis: return Style(fg: t[.graphText], bg: bg)
        case .menu: return Style(fg: t[.menuFg], bg: t[.menuBg])
        case .menuSelected: return Style(fg: t[.selectedFg], bg: t[.selectedBg], attrs: .bold)
        case .menuKey: return Style(fg: t[.hiFg], bg: t[.menuBg], attrs: .bold)
        case .input: return Style(fg: t[.inputFg], bg: t[.inputBg])
        case .help: return Style(fg: t[.inactiveFg], bg: bg)
        case .helpKey: return Style(fg: t[.hiFg], bg: bg, attrs: .bold)
        case .series(let key): return Style(fg: t[key], bg: bg)
        }
    }

    /// The colour behind panes.
    public var background: Color { colorMode == .monochrome ? .terminalDefault : theme[.mainBg] }
}

extension Color {
    /// Halfway to `other` (used for the selection of an unfocused pane).
    func dimmedToward(_ other: Color) -> Color {
        guard case .rgb(let a) = self, case .rgb(let b) = other else { return self }
        return .rgb(a.mixed(with: b, 0.45))
    }
}
