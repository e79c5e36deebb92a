/// A key press or terminal event, independent of ncurses.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case char(Character)
    /// Control + letter (lower case), e.g. `.ctrl("s")`.
    case ctrl(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, tab, backTab, escape, backspace, delete, insert
    case function(Int)
    /// The terminal changed size.
    case resize
    case mouse(MouseEvent)

    /// How the key is written in help text.
    public var description: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "^" + String(c).uppercased()
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .insert: return "Ins"
        case .function(let n): return "F\(n)"
        case .resize: return "resize"
        case .mouse: return "mouse"
        }
    }
}

/// A mouse event in screen coordinates.
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press, release, scrollUp, scrollDown }
    public var x: Int
    public var y: Int
    public var kind: Kind

    public init(x: Int, y: Int, kind: Kind) {
        self.x = x
        self.y = y
        self.kind = kind
    }
}

/// A key binding as data: the keys, what they do, and how help text shows them.
///
/// Panes return their bindings; the help line and the `?` overlay are generated from them.
public struct KeyBinding<Action>: @unchecked Sendable {
    public var keys: [Key]
    /// The key label in help text (default: the keys joined by "/").
    public var label: String
    public var action: Action
    public var description: String
    /// Whether the one-line help bar shows it (the overlay shows all).
    public var inHelpLine: Bool
    /// A shorter key label for the help bar (default: `label`).
    public var shortLabel: String
    /// Whether the `?` overlay lists it; false for a key that another binding's label
    /// already names (← of "←↑↓→ move").
    public var listed: Bool

    public init(_ keys: [Key], _ description: String, _ action: Action, label: String? = nil,
                shortLabel: String? = nil, inHelpLine: Bool = true, listed: Bool = true) {
        self.keys = keys
        self.label = label ?? keys.map(\.description).joined(separator: "/")
        self.shortLabel = shortLabel ?? self.label
        self.action = action
        self.description = description
        // An unlisted key stays out of the help line too, unless the binding has no keys:
        // then it is a label for the help line alone ("a/t/v/c series").
        self.inHelpLine = inHelpLine && (listed || keys.isEmpty)
        self.listed = listed
    }

    public func matches(_ key: Key) -> Bool { keys.contains(key) }
}

/// A binding without its action, for help text.
public struct HelpEntry: Hashable, Sendable {
    public var label: String
    public var description: String
    public var inHelpLine: Bool
    public var shortLabel: String

    public init(label: String, description: String, inHelpLine: Bool = true, shortLabel: String? = nil) {
        self.label = label
        self.description = description
        self.inHelpLine = inHelpLine
        self.shortLabel = shortLabel ?? label
    }
}

extension KeyBinding {
    public var help: HelpEntry { HelpEntry(label: label, description: description, inHelpLine: inHelpLine, shortLabel: shortLabel) }
}

extension Array {
    /// The action bound to `key`, if any.
    public func action<A>(for key: Key) -> A? where Element == KeyBinding<A> {
        first { $0.matches(key) }?.action
    }

    /// The help entries of the bindings the `?` overlay lists.
    public func helpEntries<A>() -> [HelpEntry] where Element == KeyBinding<A> {
        filter(\.listed).map(\.help)
    }
}
