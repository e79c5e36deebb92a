import Tensors

/// A pane of the workbench, like a lazygit panel: its own state, key bindings as
/// data (the help line and the `?` overlay are built from them), actions applied
/// to itself, and a renderer from the app's state to cells.
///
/// An action that reaches beyond the pane (choose another model, commit a
/// hyperparameter) comes back as an `AppCommand` for the app to run. The app
/// routes keys and drawing to the panes through this protocol
/// (`App+Panes.swift`); adding a pane is a type conforming to it, a `PaneID`
/// case with its place in `Layout`, and its line in `App.panes(…)`.
public protocol Pane {
    associatedtype Action
    /// The pane's key bindings.
    static var bindings: [KeyBinding<Action>] { get }
    /// The bindings in force now (an open editor has its own); the help line shows these.
    var activeBindings: [KeyBinding<Action>] { get }
    /// Whether the pane takes every key now (an open text editor), bound or not.
    var capturesKeys: Bool { get }
    /// The action for `key`, if the pane uses it (an editor may consume keys without one).
    mutating func action(for key: Key) -> Action?
    /// Applies `action` with the app's state at hand; returns a command for the app, if any.
    mutating func perform(_ action: Action, app: App, inner: Rect) -> AppCommand?
    /// The pane's title (left, after its number) and the text at the right of its border.
    func titles(app: App, width: Int) -> (left: String, right: String)
    /// Draws the pane's inner rectangle.
    func render(_ canvas: inout Canvas, inner: Rect, focused: Bool, app: App)
}

extension Pane {
    public var activeBindings: [KeyBinding<Action>] { Self.bindings }
    public var capturesKeys: Bool { false }
    public mutating func action(for key: Key) -> Action? { Self.bindings.action(for: key) }
    /// The help line's entries for this pane.
    public var helpLine: [HelpEntry] { activeBindings.map(\.help).filter(\.inHelpLine) }
}

extension DatasetPane: Pane {
    /// Sequence data have no augmentation and one split; only labelled texts have a class filter.
    public var activeBindings: [KeyBinding<Action>] {
        guard isSequence else { return DatasetPane.bindings }
        let unused: [Action] = [.toggleAugment, .reroll, .toggleSplit] + (classCount > 0 ? [] : [.nextFilter, .previousFilter])
        return DatasetPane.bindings.filter { !unused.contains($0.action) }
    }

    public mutating func perform(_ action: Action, app: App, inner: Rect) -> AppCommand? {
        if view == .confusion && action == .toggleEnlarge && app.evaluation?.confusion != nil {
            return .showGallery(truth: confusionCell.truth, predicted: confusionCell.predicted)
        }
        apply(action, dataset: app.dataset, inner: inner)
        return nil
    }

    public func titles(app: App, width: Int) -> (left: String, right: String) {
        let right = title(app.dataset)
        let full = PaneID.dataset.title + ": " + app.dataset.name
        return (TextWidth.of(full) + TextWidth.of(right) + 12 <= width ? full : PaneID.dataset.title, right)
    }

    public func render(_ canvas: inout Canvas, inner: Rect, focused: Bool, app: App) {
        render(&canvas, inner: inner, focused: focused, dataset: app.dataset, evaluation: app.evaluation, ctx: app.ctx)
    }
}

extension ModelPane: Pane {
    public var activeBindings: [KeyBinding<Action>] { ModelPane.bindings + ModelPane.editorBindings }

    public mutating func perform(_ action: Action, app: App, inner: Rect) -> AppCommand? {
        if action == .chooseModel { return .chooseModel }
        guard let d = app.modelDescription else {
            if case .edit(let e) = action { return .editModel(e, paths: []) }
            return nil
        }
        let selectedPath = selectedPath(d).map(ModelPane.draftPath) ?? []
        switch action {
        case .edit(.wrap):
            let paths = marked.isEmpty ? [selectedPath] : marked.sorted().map(ModelPane.draftPath)
            return .editModel(.wrap, paths: paths)
        case .edit(let e):
            return .editModel(e, paths: [selectedPath])
        case .toggle where app.modelEditor != nil && app.modelEditor?.draft.layer(at: selectedPath)?.isContainer == false:
            // Enter on a layer of a design opens its arguments.
            return .editModel(.arguments, paths: [selectedPath])
        default: break
        }
        apply(action, description: d, visibleRows: ModelPane.treeHeight(inner: inner, description: d))
        return nil
    }

    public func titles(app: App, width: Int) -> (left: String, right: String) {
        var right = title(app.modelDescription)
        if TextWidth.of(PaneID.model.title) + TextWidth.of(right) + 10 > width { right = title(app.modelDescription, compact: true) }
        return (PaneID.model.title, right)
    }

    public func render(_ canvas: inout Canvas, inner: Rect, focused: Bool, app: App) {
        render(&canvas, inner: inner, focused: focused, description: app.modelDescription, error: app.modelError, ctx: app.ctx)
    }
}

extension ChartsPane: Pane {
    public mutating func perform(_ action: Action, app: App, inner: Rect) -> AppCommand? {
        apply(action)
        return nil
    }

    public func titles(app: App, width: Int) -> (left: String, right: String) { (PaneID.charts.title, title) }

    public func render(_ canvas: inout Canvas, inner: Rect, focused: Bool, app: App) {
        render(&canvas, inner: inner, history: app.chartData, ctx: app.ctx)
    }
}

extension HyperparameterPane: Pane {
    public var activeBindings: [KeyBinding<Action>] { isEditing ? HyperparameterPane.editorBindings : HyperparameterPane.bindings }
    public var capturesKeys: Bool { isEditing }

    /// Edits change the app's settings: the app applies them (`App.applyHyper`).
    public mutating func perform(_ action: Action, app: App, inner: Rect) -> AppCommand? { .editHyperparameter(action) }

    public func titles(app: App, width: Int) -> (left: String, right: String) {
        (PaneID.hyperparameters.title, app.runState.isActive ? "running" : "")
    }

    public func render(_ canvas: inout Canvas, inner: Rect, focused: Bool, app: App) {
        render(&canvas, inner: inner, focused: focused, values: app.shownHyper, runActive: app.runState.isActive,
               pending: app.pendingNextRun, stepsPerEpoch: app.plan?.stepsPerEpoch, ctx: app.ctx)
    }
}
