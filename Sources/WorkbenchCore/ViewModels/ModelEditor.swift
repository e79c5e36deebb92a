/// One change to a draft model, as the model pane asks for it.
public enum DraftEdit: Equatable, Sendable {
    /// Insert a layer below `path` (its next sibling); `nil`: at the end of the top level.
    case insert(DraftLayer, below: [Int]?)
    /// Insert a layer as the first one inside the container at `path`.
    case insertFirst(DraftLayer, into: [Int])
    case delete([Int])
    /// Move a layer among its siblings (-1 up, +1 down).
    case move([Int], by: Int)
    case duplicate([Int])
    /// Replace a layer's arguments.
    case setArguments([Int], [DraftArgument])
    /// Put sibling layers into a `Residual` block (x + block(x)) at the first one's place.
    case wrapInResidual([[Int]])
}

/// Why an edit cannot be made; the draft is unchanged.
public struct DraftEditError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The model editor's state: the draft and its undo and redo stacks. Each edit
/// is all or nothing; `apply` returns the path to select afterwards.
///
/// ```swift
/// var e = ModelEditor(ModelDraft(name: "m", layers: [DraftLayer("Flatten")]))
/// let at = try e.apply(.insert(DraftLayer("Linear", [DraftArgument("out_features", "classes")]), below: [0]))   // [1]
/// e.undo()   // back to [Flatten]
/// ```
public struct ModelEditor: Equatable, Sendable {
    public private(set) var draft: ModelDraft
    private var undoStack: [ModelDraft] = []
    private var redoStack: [ModelDraft] = []
    /// Whether the draft changed since it was opened or last saved.
    public private(set) var isModified = false
    /// How many steps are kept.
    public static let undoLimit = 200

    public init(_ draft: ModelDraft) { self.draft = draft }

    public var canUndo: Bool { !undoStack.isEmpty }
    public var canRedo: Bool { !redoStack.isEmpty }

    /// Makes `edit`; returns the path of the layer to select. Throws (draft unchanged) when it cannot be made.
    @discardableResult
    public mutating func apply(_ edit: DraftEdit) throws -> [Int] {
        var d = draft
        let selected = try Self.make(edit, on: &d)
        undoStack.append(draft)
        if undoStack.count > Self.undoLimit { undoStack.removeFirst() }
        redoStack = []
        draft = d
        isModified = true
        return selected
    }

    /// Goes back one edit; false when there is none.
    @discardableResult
    public mutating func undo() -> Bool {
        guard let d = undoStack.popLast() else { return false }
        redoStack.append(draft)
        draft = d
        isModified = true
        return true
    }

    /// Makes the last undone edit again; false when there is none.
    @discardableResult
    public mutating func redo() -> Bool {
        guard let d = redoStack.popLast() else { return false }
        undoStack.append(draft)
        draft = d
        isModified = true
        return true
    }

    /// Marks the draft as saved (and renames it).
    public mutating func saved(name: String) {
        draft.name = name
        isModified = false
    }

    static func make(_ edit: DraftEdit, on d: inout ModelDraft) throws -> [Int] {
        func parentAndIndex(_ path: [Int]) throws -> ([Int], Int) {
            guard let last = path.last, d.layer(at: path) != nil else { throw DraftEditError("select a layer first") }
            return (Array(path.dropLast()), last)
        }
        switch edit {
        case .insert(let layer, let below):
            guard let below, !below.isEmpty else {
                d.layers.append(layer)
                return [d.layers.count - 1]
            }
            let (parent, i) = try parentAndIndex(below)
            d.withSiblings(of: parent) { $0.insert(layer, at: i + 1) }
            return parent + [i + 1]
        case .insertFirst(let layer, let path):
            guard d.withSiblings(of: path, { $0.insert(layer, at: 0) }) else { throw DraftEditError("layers go inside a container (Sequential, Residual)") }
            return path + [0]
        case .delete(let path):
            let (parent, i) = try parentAndIndex(path)
            var left = 0
            d.withSiblings(of: parent) {
                $0.remove(at: i)
                left = $0.count
            }
            if left == 0 { return parent }
            return parent + [min(i, left - 1)]
        case .move(let path, let by):
            let (parent, i) = try parentAndIndex(path)
            var moved: Int?
            d.withSiblings(of: parent) {
                let j = i + by
                guard $0.indices.contains(j) else { return }
                $0.swapAt(i, j)
                moved = j
            }
            guard let j = moved else { throw DraftEditError(by < 0 ? "already the first layer here" : "already the last layer here") }
            return parent + [j]
        case .duplicate(let path):
            let (parent, i) = try parentAndIndex(path)
            guard let l = d.layer(at: path) else { throw DraftEditError("select a layer first") }
            d.withSiblings(of: parent) { $0.insert(l, at: i + 1) }
            return parent + [i + 1]
        case .setArguments(let path, let args):
            let (parent, i) = try parentAndIndex(path)
            d.withSiblings(of: parent) { $0[i].arguments = args }
            return path
        case .wrapInResidual(let paths):
            guard let first = paths.first else { throw DraftEditError("select or mark (v) the layers to wrap") }
            let parent = Array(first.dropLast())
            guard paths.allSatisfy({ !$0.isEmpty && Array($0.dropLast()) == parent && d.layer(at: $0) != nil }) else {
                throw DraftEditError("the marked layers must be in the same block to be wrapped together")
            }
            let indices = Set(paths.compactMap(\.last)).sorted()
            guard let at = indices.first else { throw DraftEditError("select a layer first") }
            d.withSiblings(of: parent) { siblings in
                let block = DraftLayer("Residual", children: indices.map { siblings[$0] })
                for i in indices.reversed() { siblings.remove(at: i) }
                siblings.insert(block, at: at)
            }
            return parent + [at]
        }
    }
}
