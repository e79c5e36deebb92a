/// One visible row of a tree.
public struct TreeRow: Equatable, Sendable {
    /// Dotted path, unique in the tree ("features.0").
    public var path: String
    public var depth: Int
    public var hasChildren: Bool
    public var expanded: Bool
    /// The tree column text (name and type).
    public var label: String
    /// Right-hand columns (e.g. output shape, parameters).
    public var columns: [String]
    public var isError: Bool

    public init(path: String, depth: Int, hasChildren: Bool, expanded: Bool, label: String, columns: [String], isError: Bool = false) {
        self.path = path
        self.depth = depth
        self.hasChildren = hasChildren
        self.expanded = expanded
        self.label = label
        self.columns = columns
        self.isError = isError
    }
}

/// Draws a tree with ▸/▾ markers and right-aligned columns.
public enum TreeView {
    /// Draws `rows[offset...]` into `rect`; `columnWidths` are the right-hand column widths.
    public static func draw(_ canvas: inout Canvas, _ rect: Rect, rows: [TreeRow], selected: Int, offset: Int,
                            header: [String], columnWidths: [Int], focused: Bool, ctx: RenderContext) {
        guard rect.height > 1 else { return }
        let colsW = columnWidths.reduce(0) { $0 + $1 + 1 }
        let treeW = max(4, rect.width - colsW)
        // Header.
        canvas.put(TextWidth.pad(header.first ?? "", to: treeW), x: rect.x, y: rect.y, ctx.style(.dim))
        var hx = rect.x + treeW
        for (i, w) in columnWidths.enumerated() {
            let h = i + 1 < header.count ? header[i + 1] : ""
            canvas.putRight(TextWidth.truncate(h, to: w), maxX: hx + 1 + w, y: rect.y, ctx.style(.dim))
            hx += w + 1
        }
        for (vi, ri) in (offset..<rows.count).enumerated() where vi + 1 < rect.height {
            let row = rows[ri]
            let y = rect.y + 1 + vi
            let isSel = ri == selected
            var style = ctx.style(row.isError ? .error : .normal)
            if isSel { style = ctx.style(focused ? .selected : .selectedUnfocused) }
            canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), " ", style)
            let marker = row.hasChildren ? (row.expanded ? "▾ " : "▸ ") : "  "
            let indent = String(repeating: "  ", count: row.depth)
            canvas.put(indent + marker + row.label, x: rect.x, y: y, style, maxWidth: treeW - 1)
            var cx = rect.x + treeW
            for (i, w) in columnWidths.enumerated() {
                let t = i < row.columns.count ? row.columns[i] : ""
                canvas.putRight(TextWidth.truncate(t, to: w), maxX: cx + 1 + w, y: y, isSel ? style : ctx.style(row.isError ? .error : .dim))
                cx += w + 1
            }
        }
    }
}
