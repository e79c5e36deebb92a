import Tensors
/// The model pane: a collapsible module tree with output shapes and parameter counts.
public struct ModelPane: Sendable {
    public enum Action: Equatable, Sendable {
        case up, down, pageUp, pageDown, expand, collapse, toggle, expandAll, collapseAll, chooseModel
        /// An edit of the model (the live editor, `App+ModelEditor.swift`).
        case edit(ModelEditAction)
        /// Mark or unmark the selected layer (for wrapping several in a block).
        case mark
    }

    /// Paths of expanded nodes ("" is the root).
    public var expanded: Set<String> = [""]
    public var selected = 0
    public var offset = 0
    /// Layers marked (v) for the next wrap in a residual block.
    public var marked: Set<String> = []

    public init() {}

    public static let bindings: [KeyBinding<Action>] = [
        KeyBinding([.up], "select", .up, label: "↑↓"),
        KeyBinding([.down], "select next", .down, listed: false),
        KeyBinding([.char("o")], "other model", .chooseModel),
        KeyBinding([.right], "open/close", .expand, label: "→←"),
        KeyBinding([.left], "close", .collapse, listed: false),
        KeyBinding([.char("e")], "expand all", .expandAll),
        KeyBinding([.char("c")], "collapse all", .collapseAll, inHelpLine: false),
        KeyBinding([.enter, .char(" ")], "toggle", .toggle, label: "Enter", inHelpLine: false),
        KeyBinding([.pageUp], "page", .pageUp, label: "PgUp/PgDn", inHelpLine: false),
        KeyBinding([.pageDown], "next page", .pageDown, listed: false),
    ]

    /// The live editor's keys (a model file or a new design; on a zoo model the first offers a new model file).
    public static let editorBindings: [KeyBinding<Action>] = [
        KeyBinding([.char("a")], "add layer below", .edit(.add)),
        KeyBinding([.char("d"), .delete], "delete layer", .edit(.delete), label: "d/Del"),
        KeyBinding([.char("K")], "move up", .edit(.moveUp), label: "K/J", inHelpLine: false),
        KeyBinding([.char("J")], "move down", .edit(.moveDown), listed: false),
        KeyBinding([.char("y")], "duplicate layer", .edit(.duplicate), inHelpLine: false),
        KeyBinding([.char("f")], "edit arguments (also Enter on a layer)", .edit(.arguments), label: "f", shortLabel: "f args"),
        KeyBinding([.char("v")], "mark layer (to wrap several)", .mark, inHelpLine: false),
        KeyBinding([.char("r")], "wrap in residual block", .edit(.wrap), inHelpLine: false),
        KeyBinding([.char("u")], "undo", .edit(.undo)),
        KeyBinding([.char("U")], "redo", .edit(.redo), inHelpLine: false),
        KeyBinding([.char("W")], "save as model file…", .edit(.save), inHelpLine: false),
    ]

    /// The action bound to `key`.
    public func action(for key: Key) -> Action? { (ModelPane.bindings + ModelPane.editorBindings).action(for: key) }

    /// The draft path (`[3, 1]`) of a row's dotted path ("3.1"); the root's is `[]`.
    public static func draftPath(_ rowPath: String) -> [Int] { rowPath.split(separator: ".").compactMap { Int($0) } }

    /// Selects the row of `path` (expanding its parents), keeping it in view.
    public mutating func select(path: [Int], description d: ModelDescription, visibleRows: Int) {
        var p = ""
        for i in path.dropLast() {
            p = p.isEmpty ? "\(i)" : p + ".\(i)"
            expanded.insert(p)
        }
        let target = path.map(String.init).joined(separator: ".")
        let rs = rows(d)
        selected = rs.firstIndex { $0.path == target } ?? min(selected, max(0, rs.count - 1))
        offset = Scroll.offset(selected: selected, current: offset, visible: visibleRows, count: rs.count)
    }

    /// Keeps the selected row inside the tree (after it changed) and in view.
    public mutating func keepSelection(description d: ModelDescription, visibleRows: Int) {
        let n = rows(d).count
        selected = max(0, min(selected, n - 1))
        offset = Scroll.offset(selected: selected, current: offset, visible: visibleRows, count: n)
    }

    /// The selected row's path, or nil when the tree is empty.
    public func selectedPath(_ d: ModelDescription) -> String? {
        let rs = rows(d)
        return rs.isEmpty ? nil : rs[min(selected, rs.count - 1)].path
    }

    /// Expands the root and its direct children, and the path to a failing layer.
    public mutating func resetExpansion(_ d: ModelDescription) {
        expanded = [""]
        for c in d.root.children where !c.children.isEmpty { expanded.insert(c.name) }
        if let f = d.failure {
            var parts: [String] = []
            for p in f.layerPath.split(separator: ".") {
                expanded.insert(parts.joined(separator: "."))
                parts.append(String(p))
            }
        }
        selected = 0
        offset = 0
        // Select the failing layer so it is in view.
        if let f = d.failure, let i = rows(d).firstIndex(where: { $0.path == f.layerPath }) { selected = i }
    }

    /// The visible rows for the current expansion.
    public func rows(_ d: ModelDescription) -> [TreeRow] {
        var out: [TreeRow] = []
        func visit(_ m: ModelInfo, path: String, depth: Int) {
            let isErr = d.failure?.layerPath == path && !path.isEmpty
            let label = (marked.contains(path) ? "● " : "") + (m.name.isEmpty ? m.type : "\(m.name): \(m.type)")
            let shape = m.outputShape.map(Format.dims) ?? (isErr ? "✗" : "—")
            let params = m.children.isEmpty ? (m.ownParameters > 0 ? Format.params(m.ownParameters) : "") : Format.params(m.totalParameters)
            let flops = m.totalFLOPs.map(Format.params) ?? ""
            let memory = m.totalActivationBytes.map(Format.bytes) ?? ""
            let isOpen = expanded.contains(path)
            out.append(TreeRow(path: path, depth: depth, hasChildren: !m.children.isEmpty, expanded: isOpen,
                               label: label, columns: [shape, params, flops, memory], isError: isErr))
            guard isOpen else { return }
            for c in m.children { visit(c, path: path.isEmpty ? c.name : path + "." + c.name, depth: depth + 1) }
        }
        visit(d.root, path: "", depth: 0)
        return out
    }

    /// Applies a navigation action (`chooseModel` is handled by the app).
    public mutating func apply(_ action: Action, description d: ModelDescription, visibleRows: Int) {
        let rs = rows(d)
        guard !rs.isEmpty else { return }
        selected = min(selected, rs.count - 1)
        let row = rs[selected]
        switch action {
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(rs.count - 1, selected + 1)
        case .pageUp: selected = max(0, selected - max(1, visibleRows))
        case .pageDown: selected = min(rs.count - 1, selected + max(1, visibleRows))
        case .expand:
            if row.hasChildren { expanded.insert(row.path) }
        case .collapse:
            if row.hasChildren && row.expanded {
                expanded.remove(row.path)
            } else if let parent = rs[..<selected].lastIndex(where: { $0.depth < row.depth }) {
                selected = parent
            }
        case .toggle:
            if row.hasChildren {
                if row.expanded { expanded.remove(row.path) } else { expanded.insert(row.path) }
            }
        case .expandAll:
            func all(_ m: ModelInfo, _ p: String) {
                if !m.children.isEmpty { expanded.insert(p) }
                for c in m.children { all(c, p.isEmpty ? c.name : p + "." + c.name) }
            }
            all(d.root, "")
        case .collapseAll:
            expanded = [""]
            selected = 0
        case .mark:
            if !row.path.isEmpty {
                if marked.contains(row.path) { marked.remove(row.path) } else { marked.insert(row.path) }
                selected = min(rs.count - 1, selected + 1)
            }
        case .chooseModel, .edit: break
        }
        let n = rows(d).count
        selected = min(selected, n - 1)
        offset = Scroll.offset(selected: selected, current: offset, visible: visibleRows, count: n)
    }

    /// Rows available for the tree in a pane's inner rectangle (header and footer excluded).
    public static func treeHeight(inner: Rect, description d: ModelDescription?) -> Int {
        max(1, inner.height - 1 - footerHeight(inner: inner, description: d))
    }

    static func footerHeight(inner: Rect, description d: ModelDescription?) -> Int {
        guard let d = d else { return 0 }
        if d.failure != nil { return min(3, max(1, inner.height - 3)) }
        return inner.height >= 8 ? (d.hasCosts && inner.height >= 12 ? 2 : 1) : 0
    }

    /// "LeNet5 · 62,006 params" (`compact`: "LeNet5 · 62k params").
    public func title(_ d: ModelDescription?, compact: Bool = false) -> String {
        guard let d = d else { return "" }
        return "\(d.name) · \(compact ? Format.params(d.totalParameters) : Format.grouped(d.totalParameters)) params"
    }

    public func render(_ canvas: inout Canvas, inner: Rect, focused: Bool, description: ModelDescription?,
                       error: String?, ctx: RenderContext) {
        guard !inner.isEmpty else { return }
        guard let d = description else {
            canvas.put(error ?? "no model", x: inner.x, y: inner.y, ctx.style(.error), maxWidth: inner.width)
            return
        }
        let footer = ModelPane.footerHeight(inner: inner, description: d)
        let treeRect = Rect(x: inner.x, y: inner.y, width: inner.width, height: inner.height - footer)
        let shapeW = min(14, max(8, inner.width / 4))
        let paramW = 7
        // FLOPs and memory when there is room for them beside a readable tree.
        let costs = d.hasCosts && inner.width >= 58
        let rs = rows(d)
        let off = Scroll.offset(selected: selected, current: offset, visible: treeRect.height - 1, count: rs.count)
        TreeView.draw(&canvas, treeRect, rows: costs ? rs : rs.map { var r = $0; r.columns = Array(r.columns.prefix(2)); return r },
                      selected: selected, offset: off,
                      header: ["layer", "output", "params"] + (costs ? ["FLOPs", "mem"] : []),
                      columnWidths: [shapeW, paramW] + (costs ? [7, 8] : []), focused: focused, ctx: ctx)
        guard footer > 0 else { return }
        let fy = inner.maxY - footer
        if let f = d.failure {
            let text = "✗ \(f.layerPath): \(f.message) — cannot train this model on this dataset"
            let lines = wrap(text, width: inner.width)
            for (i, line) in lines.prefix(footer).enumerated() {
                canvas.put(line, x: inner.x, y: fy + i, ctx.style(.error))
            }
        } else {
            var t = "input \(Format.dims(d.inputShape)) · total \(Format.grouped(d.totalParameters)) params"
            if TextWidth.of(t) > inner.width { t = "total \(Format.grouped(d.totalParameters)) params" }
            canvas.putRight(TextWidth.truncate(t, to: inner.width), maxX: inner.maxX, y: fy, ctx.style(.highlight))
            if footer > 1, let flops = d.root.totalFLOPs {
                let weights = Format.bytes(d.totalParameters * MemoryLayout<Float>.size)
                let acts = d.root.totalActivationBytes.map(Format.bytes) ?? "?"
                let c = "\(Format.params(flops)) FLOPs · weights \(weights) · activations \(acts) per sample"
                canvas.putRight(TextWidth.truncate(c, to: inner.width), maxX: inner.maxX, y: fy + 1, ctx.style(.dim))
            }
        }
    }
}

/// Word-wraps `text` to lines of at most `width` columns.
func wrap(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
        let w = String(word)
        if line.isEmpty {
            line = w
        } else if TextWidth.of(line) + 1 + TextWidth.of(w) <= width {
            line += " " + w
        } else {
            lines.append(line)
            line = w
        }
        while TextWidth.of(line) > width {
            let head = String(line.prefix(width))
            lines.append(head)
            line = String(line.dropFirst(width))
        }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
}
