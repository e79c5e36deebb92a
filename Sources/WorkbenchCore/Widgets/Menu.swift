/// One entry of a menu.
public struct MenuItem<Action>: @unchecked Sendable {
    public var title: String
    /// The letter that picks the item while the menu is open.
    public var hotkey: Character?
    /// The global shortcut shown at the right ("s", "S"), if any.
    public var shortcut: String
    public var action: Action?
    public var enabled: Bool

    public init(_ title: String, hotkey: Character? = nil, shortcut: String = "", action: Action?, enabled: Bool = true) {
        self.title = title
        self.hotkey = hotkey
        self.shortcut = shortcut
        self.action = action
        self.enabled = enabled
    }

    /// A separator line with an optional caption.
    public static func separator(_ caption: String = "") -> MenuItem {
        MenuItem(caption, action: nil, enabled: false)
    }

    public var isSeparator: Bool { action == nil }
}

/// Navigation and drawing for a vertical menu.
public enum Menu {
    public enum Outcome<Action> {
        case none
        case close
        case choose(Action)
    }

    /// Moves the selection or picks an item. Disabled items and separators are skipped.
    public static func handle<A>(_ key: Key, items: [MenuItem<A>], selected: inout Int) -> Outcome<A> {
        switch key {
        case .up: selected = step(items, from: selected, by: -1)
        case .down, .tab: selected = step(items, from: selected, by: 1)
        case .home: selected = step(items, from: -1, by: 1)
        case .end: selected = step(items, from: items.count, by: -1)
        case .escape, .function(2): return .close
        case .enter, .char(" "), .right:
            if selected >= 0, selected < items.count, items[selected].enabled, let a = items[selected].action { return .choose(a) }
        case .char(let c):
            if let i = items.firstIndex(where: { $0.hotkey == c && !$0.isSeparator }) {
                guard items[i].enabled, let a = items[i].action else { return .none }
                selected = i
                return .choose(a)
            }
            if c == "m" { return .close }
        default: break
        }
        return .none
    }

    /// The index reached moving by `delta` from `start`, skipping what cannot be picked.
    public static func step<A>(_ items: [MenuItem<A>], from start: Int, by delta: Int) -> Int {
        var i = start
        for _ in 0..<items.count {
            i += delta
            if i < 0 || i >= items.count { return start < 0 || start >= items.count ? first(items) : start }
            if !items[i].isSeparator && items[i].enabled { return i }
        }
        return start
    }

    public static func first<A>(_ items: [MenuItem<A>]) -> Int {
        items.firstIndex { !$0.isSeparator && $0.enabled } ?? 0
    }

    /// The size the menu needs.
    public static func size<A>(_ items: [MenuItem<A>], title: String) -> (width: Int, height: Int) {
        let w = items.map { TextWidth.of($0.title) + TextWidth.of($0.shortcut) + 8 }.max() ?? 10
        return (max(w, TextWidth.of(title) + 6), items.count + 2)
    }

    /// Draws the menu box at `rect`.
    public static func draw<A>(_ canvas: inout Canvas, _ rect: Rect, title: String, items: [MenuItem<A>], selected: Int, ctx: RenderContext) {
        let inner = Box.draw(&canvas, rect, title: title, focused: true, ctx: ctx)
        canvas.fill(inner, " ", ctx.style(.menu))
        var y = inner.y
        for (i, item) in items.enumerated() where y < inner.maxY {
            if item.isSeparator {
                let style = ctx.style(.border)
                for x in inner.x..<inner.maxX { canvas[x, y] = Cell("─", style) }
                if !item.title.isEmpty { canvas.put(" " + item.title + " ", x: inner.x + 1, y: y, ctx.style(.dim)) }
            } else {
                let isSel = i == selected
                var base = ctx.style(isSel ? .menuSelected : .menu)
                if !item.enabled { base = ctx.style(.dim).with(bg: ctx.style(.menu).bg) }
                canvas.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), " ", base)
                if let hk = item.hotkey {
                    canvas.put(String(hk), x: inner.x + 1, y: y, item.enabled && !isSel ? ctx.style(.menuKey) : base)
                }
                canvas.put(item.title, x: inner.x + 3, y: y, base, maxWidth: inner.width - 4 - TextWidth.of(item.shortcut))
                if !item.shortcut.isEmpty { canvas.putRight(item.shortcut, maxX: inner.maxX - 1, y: y, isSel ? base : ctx.style(.dim).with(bg: base.bg)) }
            }
            y += 1
        }
    }
}

/// Keeps a selection visible in a scrolled list.
public enum Scroll {
    /// The first visible row so that `selected` is inside a window of `visible` rows.
    public static func offset(selected: Int, current: Int, visible: Int, count: Int) -> Int {
        guard visible > 0, count > visible else { return 0 }
        var o = current
        if selected < o { o = selected }
        if selected >= o + visible { o = selected - visible + 1 }
        return max(0, min(o, count - visible))
    }
}
