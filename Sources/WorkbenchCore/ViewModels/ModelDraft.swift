import Tensors

/// One layer of a model being designed: its catalogue name (`Conv2d`, or a
/// container `Sequential`, `Residual`, `Add`, `Concat`), its arguments as a
/// model file writes them, and a container's children (a join's branches).
public struct DraftLayer: Equatable, Sendable {
    /// The layer's name in the catalogue (`LayerFactory`) or a container's.
    public var type: String
    /// Arguments in the order written; values are YAML flow text (`3`, `[3, 5]`, `auto`, `same`).
    public var arguments: [DraftArgument]
    /// A `Sequential`/`Residual`'s layers, an `Add`/`Concat`'s branches.
    public var children: [DraftLayer]

    /// A layer of `type` with `arguments` and `children`.
    public init(_ type: String, _ arguments: [DraftArgument] = [], children: [DraftLayer] = []) {
        self.type = type
        self.arguments = arguments
        self.children = children
    }

    /// Whether the layer holds others.
    public var isContainer: Bool { ModelDraft.containers.contains(type) }

    /// The value written for argument `name`, or nil.
    public func argument(_ name: String) -> String? { arguments.first { $0.name == name }?.value }

    /// `out_channels=6, kernel_size=5` (the model file's arguments as the tree shows them).
    public var argumentSummary: String { arguments.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") }
}

/// One argument of a draft layer: PyTorch's name and its value as YAML flow text.
public struct DraftArgument: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A model being designed in the model pane: a tree of `DraftLayer`s that reads
/// and writes the model-file format (`ModelDefinition`), so what the editor
/// shows is what `workbench train --model FILE` builds.
///
/// Layers are addressed by index paths (`[3, 1]`: the second layer inside the
/// fourth top-level one), which are also the built `Sequential`'s module paths
/// (`3.1`).
///
/// ```swift
/// var d = ModelDraft(name: "mynet", layers: [DraftLayer("Flatten"), DraftLayer("Linear", [DraftArgument("out_features", "classes")])])
/// d.yaml().text   // "name: mynet\nlayers:\n  - Flatten\n  - Linear: {out_features: classes}\n"
/// ```
public struct ModelDraft: Equatable, Sendable {
    /// The containers a model file knows.
    public static let containers = ["Sequential", "Residual", "Add", "Concat"]

    /// The model's name (`name:` in the file).
    public var name: String
    /// One sample's shape the file declares (`input:`), or nil.
    public var input: [Int]?
    /// The top-level layers.
    public var layers: [DraftLayer]

    public init(name: String, input: [Int]? = nil, layers: [DraftLayer]) {
        self.name = name
        self.input = input
        self.layers = layers
    }

    /// The draft of a model file's text; errors name the file and the line (as `ModelDefinition`'s).
    public init(text: String, file: String) throws {
        let def = try ModelDefinition(text: text, file: file)
        let root = try DefinitionNode.parse(text, file: file)
        let items = root.list ?? root["layers"]?.list ?? []
        self.init(name: def.name, input: def.declaredInputShape, layers: try items.map { try Self.layer($0, file: file) })
    }

    // MARK: Reading

    private static func layer(_ node: DefinitionNode, file: String) throws -> DraftLayer {
        switch node {
        case .scalar(let s, _, _): return DraftLayer(s)
        case .list(_, let line):
            throw ModelDefinitionError("\(file): line \(line): expected a layer (`- Name: {arguments}`), found a list")
        case .map(let entries, let line):
            guard entries.count == 1, let only = entries.first else {
                throw ModelDefinitionError("\(file): line \(line): a layer is written `- Name: {arguments}`")
            }
            let (name, value) = (only.key, only.value)
            switch name {
            case "Sequential", "Residual":
                let items = value.list ?? value["layers"]?.list ?? []
                return DraftLayer(name, children: try items.map { try layer($0, file: file) })
            case "Add", "Concat":
                let branches = value.list ?? value["branches"]?.list ?? []
                let args = value["dim"].map { [DraftArgument("dim", flow($0))] } ?? []
                return DraftLayer(name, args, children: try branches.map { b in
                    if let items = b.list { return DraftLayer("Sequential", children: try items.map { try layer($0, file: file) }) }
                    return try layer(b, file: file)
                })
            default:
                if let entries = value.map { return DraftLayer(name, entries.map { DraftArgument($0.key, flow($0.value)) }) }
                if let items = value.list {
                    let names = LayerFactory.entry(name)?.arguments ?? []
                    return DraftLayer(name, zip(names, items).map { DraftArgument($0, flow($1)) })
                }
                return DraftLayer(name)
            }
        }
    }

    /// A value as YAML flow text.
    static func flow(_ node: DefinitionNode) -> String {
        switch node {
        case .scalar(let s, let quoted, _): return quoted ? "'" + s.replacingOccurrences(of: "'", with: "''") + "'" : s
        case .list(let items, _): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case .map(let entries, _): return "{" + entries.map { "\($0.key): \(flow($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    // MARK: Writing

    /// The model file's YAML and, for each line that starts a layer, that layer's index path.
    public func yaml() -> (text: String, paths: [Int: [Int]]) {
        var lines = ["name: \(name)"]
        if let input { lines.append("input: [" + input.map(String.init).joined(separator: ", ") + "]") }
        lines.append("layers:")
        var paths: [Int: [Int]] = [:]
        func write(_ l: DraftLayer, path: [Int], indent: Int) {
            let pad = String(repeating: " ", count: indent)
            paths[lines.count + 1] = path
            switch l.type {
            case "Sequential", "Residual":
                lines.append(pad + "- \(l.type):")
                for (i, c) in l.children.enumerated() { write(c, path: path + [i], indent: indent + 4) }
            case "Add", "Concat":
                lines.append(pad + "- \(l.type):")
                let inner = String(repeating: " ", count: indent + 4)
                for a in l.arguments { lines.append(inner + "\(a.name): \(a.value)") }
                lines.append(inner + "branches:")
                for (i, c) in l.children.enumerated() { write(c, path: path + [i], indent: indent + 6) }
            default:
                lines.append(pad + "- " + l.type + (l.arguments.isEmpty ? "" : ": {" + l.arguments.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "}"))
            }
        }
        for (i, l) in layers.enumerated() { write(l, path: [i], indent: 2) }
        return (lines.joined(separator: "\n") + "\n", paths)
    }

    // MARK: Access

    /// The layer at `path`, or nil.
    public func layer(at path: [Int]) -> DraftLayer? {
        guard let first = path.first, layers.indices.contains(first) else { return nil }
        var l = layers[first]
        for i in path.dropFirst() {
            guard l.children.indices.contains(i) else { return nil }
            l = l.children[i]
        }
        return l
    }

    /// The layers under `parent` (`[]`: the top level), changed by `body`; false when `parent` is no container.
    @discardableResult
    mutating func withSiblings(of parent: [Int], _ body: (inout [DraftLayer]) -> Void) -> Bool {
        guard let first = parent.first else { body(&layers); return true }
        guard layers.indices.contains(first) else { return false }
        func go(_ l: inout DraftLayer, _ rest: ArraySlice<Int>) -> Bool {
            guard let i = rest.first else {
                guard l.isContainer else { return false }
                body(&l.children)
                return true
            }
            guard l.children.indices.contains(i) else { return false }
            return go(&l.children[i], rest.dropFirst())
        }
        return go(&layers[first], parent.dropFirst())
    }
}
