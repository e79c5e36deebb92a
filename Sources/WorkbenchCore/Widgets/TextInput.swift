/// A one-line text field with a cursor (used for file paths and hyperparameter values).
public struct TextInput: Equatable, Sendable {
    public private(set) var characters: [Character]
    public private(set) var cursor: Int

    public enum Outcome: Equatable, Sendable {
        case editing
        case submitted(String)
        case cancelled
    }

    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    public var text: String { String(characters) }

    /// Applies an editing key: printable characters insert; ←/→, Home/End (^A/^E), Backspace,
    /// Del, ^U (clear), ^K (delete to end); Enter submits; Esc cancels.
    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .char(let c):
            characters.insert(c, at: cursor)
            cursor += 1
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = characters.count
        case .backspace, .ctrl("h"):
            if cursor > 0 {
                characters.remove(at: cursor - 1)
                cursor -= 1
            }
        case .delete, .ctrl("d"):
            if cursor < characters.count { characters.remove(at: cursor) }
        case .ctrl("u"):
            characters.removeAll()
            cursor = 0
        case .ctrl("k"): characters.removeSubrange(cursor...)
        case .enter: return .submitted(text)
        case .escape: return .cancelled
        default: break
        }
        return .editing
    }

    /// Draws the field in `width` columns, scrolled so the cursor is visible; the cursor cell is reversed.
    public func draw(_ canvas: inout Canvas, x: Int, y: Int, width: Int, ctx: RenderContext) {
        guard width > 1 else { return }
        let style = ctx.style(.input)
        canvas.fill(Rect(x: x, y: y, width: width, height: 1), " ", style)
        let start = max(0, cursor - width + 1)
        var col = 0
        var i = start
        while i < characters.count && col < width {
            canvas.put(String(characters[i]), x: x + col, y: y, style, maxWidth: 1)
            col += 1
            i += 1
        }
        let cx = x + cursor - start
        var c = canvas[cx, y]
        if c.char == Cell.continuationScalar { c.char = " " }
        c.style = style.adding(.reverse)
        canvas[cx, y] = c
    }
}
