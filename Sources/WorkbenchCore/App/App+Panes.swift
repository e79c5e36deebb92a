import Tensors

extension App {
    /// Runs `body` with the pane `id` (read and written back through its key path), so
    /// routing keys and drawing is the same code for every pane.
    func withPane<R>(_ id: PaneID, _ body: (inout any Pane) -> R) -> R {
        switch id {
        case .dataset: return visit(\.datasetPane, body)
        case .model: return visit(\.modelPane, body)
        case .charts: return visit(\.chartsPane, body)
        case .hyperparameters: return visit(\.hyperPane, body)
        }
    }

    private func visit<P: Pane, R>(_ path: ReferenceWritableKeyPath<App, P>, _ body: (inout any Pane) -> R) -> R {
        var pane: any Pane = self[keyPath: path]
        let r = body(&pane)
        if let p = pane as? P { self[keyPath: path] = p }
        return r
    }

    /// Gives the key to the focused pane; returns whether it used it.
    func handlePaneKey(_ key: Key) -> Bool {
        let inner = innerRect(focus)
        let (used, command): (Bool, AppCommand?) = withPane(focus) { pane in
            Self.route(&pane, key, app: self, inner: inner)
        }
        if let command { run(command) }
        return used
    }

    private static func route<P: Pane>(_ pane: inout P, _ key: Key, app: App, inner: Rect) -> (Bool, AppCommand?) {
        let captured = pane.capturesKeys
        guard let a = pane.action(for: key) else { return (captured, nil) }
        return (true, pane.perform(a, app: app, inner: inner))
    }

    /// Draws pane `id` (border with titles, then its content) into `rect`.
    func renderPane(_ id: PaneID, _ rect: Rect, _ canvas: inout Canvas) {
        let focused = focus == id
        withPane(id) { pane in
            let (left, right) = pane.titles(app: self, width: rect.width)
            let title = "\(id.rawValue) \(left)" + (zoomed ? " (zoomed, z restores)" : "")
            let inner = Box.draw(&canvas, rect, title: title, rightTitle: right, focused: focused, ctx: ctx)
            canvas.clipped(to: inner) { pane.render(&$0, inner: inner, focused: focused, app: self) }
        }
    }

    /// The focused pane's help-line entries.
    var focusedPaneHelp: [HelpEntry] { withPane(focus) { $0.helpLine } }
}
