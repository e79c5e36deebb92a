import CYaml
import Foundation
import Yams

/// One value of a model file, with the line it was written on: a scalar
/// (`3`, `auto`, `true`, `same`), a list or a mapping (keys in file order).
///
/// The model file is YAML (JSON is read as the YAML it is); Yams parses it and
/// this tree keeps only what the builder needs, so Yams stays in this file.
///
/// ```swift
/// let root = try DefinitionNode.parse("- Linear: {in_features: auto, out_features: 10}", file: "m.yaml")
/// root.list?.first?.line   // 1
/// ```
public indirect enum DefinitionNode: Equatable, Sendable {
    /// A plain value as written; `quoted` is true for `'…'` / `"…"` strings (never `auto` or a number).
    case scalar(String, quoted: Bool, line: Int)
    /// A list.
    case list([DefinitionNode], line: Int)
    /// A mapping, keys in file order.
    case map([(key: String, value: DefinitionNode)], line: Int)

    /// The line (1-based) the value starts on.
    public var line: Int {
        switch self {
        case .scalar(_, _, let l), .list(_, let l), .map(_, let l): return l
        }
    }

    /// The list's items, or nil.
    public var list: [DefinitionNode]? {
        if case .list(let items, _) = self { return items }
        return nil
    }

    /// The mapping's entries, or nil.
    public var map: [(key: String, value: DefinitionNode)]? {
        if case .map(let entries, _) = self { return entries }
        return nil
    }

    /// The scalar's text, or nil.
    public var scalar: String? {
        if case .scalar(let s, _, _) = self { return s }
        return nil
    }

    /// The value of `key` in a mapping.
    public subscript(key: String) -> DefinitionNode? { map?.first { $0.key == key }?.value }

    /// Parses YAML (or JSON) text; a syntax error names the file and line.
    public static func parse(_ text: String, file: String) throws -> DefinitionNode {
        _ = nestingLimit
        let node: Yams.Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw ModelDefinitionError("\(file): \(Self.describe(e))")
        } catch {
            throw ModelDefinitionError("\(file): not valid YAML (\(error))")
        }
        guard let node else { throw ModelDefinitionError("\(file): the model file is empty") }
        return try convert(node, file: file)
    }

    /// libyaml stops at this many nested collections (its default, 1,000, lets Yams'
    /// recursive composer use more stack than a worker thread has). Set once, before
    /// the first parse; nothing else in the process reads YAML.
    private static let nestingLimit: Void = { yaml_set_max_nest_level(Int32(ModelDefinitionLimits.maxDepth)) }()

    private static func convert(_ node: Yams.Node, file: String) throws -> DefinitionNode {
        let line = node.mark?.line ?? 0
        switch node {
        case .scalar(let s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
            return .scalar(s.string, quoted: quoted, line: line)
        case .sequence(let seq):
            return .list(try seq.map { try convert($0, file: file) }, line: line)
        case .mapping(let m):
            var entries: [(key: String, value: DefinitionNode)] = []
            for (k, v) in m {
                guard let key = k.string else {
                    throw ModelDefinitionError("\(file): line \(k.mark?.line ?? line): a key must be a name")
                }
                entries.append((key, try convert(v, file: file)))
            }
            return .map(entries, line: line)
        case .alias:
            throw ModelDefinitionError("\(file): line \(line): YAML aliases are not supported in model files")
        }
    }

    /// A one-line description of a Yams error: line, column and the problem.
    private static func describe(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        default:
            return "not valid YAML (\(e.description.split(separator: "\n").first ?? ""))"
        }
    }

    public static func == (a: DefinitionNode, b: DefinitionNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x, qx, lx), .scalar(y, qy, ly)): return x == y && qx == qy && lx == ly
        case let (.list(x, lx), .list(y, ly)): return x == y && lx == ly
        case let (.map(x, lx), .map(y, ly)):
            return lx == ly && x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

/// A model file that cannot be read or built; the message names the file,
/// the line, the layer and what was expected.
public struct ModelDefinitionError: TensorsError, Equatable, Sendable {
    /// The whole message.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
