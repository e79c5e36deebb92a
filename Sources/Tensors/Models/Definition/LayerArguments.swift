/// The arguments of one layer in a model file, read by PyTorch's names with
/// PyTorch's defaults; every error names the line, the layer and the argument.
///
/// Two words stand for values the builder knows: `auto` (for `in_features`,
/// `in_channels`, `num_features`, … — the input's size, like `LazyLinear`)
/// and `classes` (the number of outputs the data asks for: classes, or
/// regression targets).
///
/// ```swift
/// // - Conv2d: {in_channels: auto, out_channels: 32, kernel_size: 3, padding: 1}
/// let k = try args.size2("kernel_size")             // Size2(3)
/// let inC = try args.count("in_channels", auto: 3)   // 3 from the input
/// ```
public struct LayerArguments {
    /// The layer's name as written (`Conv2d`).
    public let layer: String
    /// The line the layer is written on.
    public let line: Int
    /// The arguments by name.
    public let values: [String: DefinitionNode]
    /// What `classes` stands for (nil: no data at hand, `classes` is an error).
    public let outputs: Int?

    /// Arguments of `layer` on `line`.
    public init(layer: String, line: Int, values: [String: DefinitionNode], outputs: Int?) {
        self.layer = layer
        self.line = line
        self.values = values
        self.outputs = outputs
    }

    /// An error naming the line and the layer.
    public func error(_ message: String) -> ModelDefinitionError {
        ModelDefinitionError("line \(line), \(layer): \(message)")
    }

    func text(_ name: String) throws -> String? {
        guard let node = values[name] else { return nil }
        guard let s = node.scalar else { throw error("\(name): expected a single value, got a \(node.list != nil ? "list" : "mapping")") }
        return s
    }

    func parseInt(_ name: String, _ s: String) throws -> Int {
        if s == "classes" {
            guard let outputs else { throw error("\(name): `classes` needs data (the number of classes is not known here)") }
            return outputs
        }
        guard let v = Int(s) else { throw error("\(name): expected an integer, got '\(s)'") }
        guard v.magnitude <= ModelDefinitionLimits.maxInteger else {
            throw error("\(name): \(v) is beyond the limit of ±\(ModelDefinitionLimits.maxInteger) for a model file's integers")
        }
        return v
    }

    /// Whether the argument is given.
    public func has(_ name: String) -> Bool { values[name] != nil && values[name]?.scalar != "null" }

    /// An integer argument (`classes` allowed), `fallback` when absent; nil when absent without fallback.
    public func int(_ name: String, _ fallback: Int? = nil) throws -> Int? {
        guard let s = try text(name), s != "null" else { return fallback }
        return try parseInt(name, s)
    }

    /// A required integer argument.
    public func required(_ name: String) throws -> Int {
        guard let v = try int(name) else { throw error("missing argument \(name)") }
        return v
    }

    /// A size that may be `auto` (or absent): the input's size `auto`; a
    /// given value must equal it, else the error says which was expected.
    public func count(_ name: String, auto: Int, unit: String) throws -> Int {
        guard let s = try text(name), s != "auto", s != "null" else { return auto }
        let v = try parseInt(name, s)
        guard v == auto else { throw error("\(name) \(v) expected, input has \(auto) \(unit)") }
        return v
    }

    /// A positive integer argument.
    public func positive(_ name: String, _ fallback: Int? = nil) throws -> Int {
        guard let v = try int(name, fallback) else { throw error("missing argument \(name)") }
        guard v > 0 else { throw error("\(name) must be a positive integer, got \(v)") }
        return v
    }

    /// A number argument.
    public func double(_ name: String, _ fallback: Double) throws -> Double {
        guard let s = try text(name), s != "null" else { return fallback }
        guard let v = Double(s), v.isFinite else { throw error("\(name): expected a number, got '\(s)'") }
        return v
    }

    /// An optional number argument (`null` or absent: nil).
    public func optionalDouble(_ name: String, _ fallback: Double?) throws -> Double? {
        guard let s = try text(name) else { return fallback }
        if s == "null" || s == "None" { return nil }
        guard let v = Double(s), v.isFinite else { throw error("\(name): expected a number or null, got '\(s)'") }
        return v
    }

    /// A boolean argument (`true`/`false`, also Python's `True`/`False`).
    public func bool(_ name: String, _ fallback: Bool) throws -> Bool {
        guard let s = try text(name), s != "null" else { return fallback }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("\(name): expected true or false, got '\(s)'")
        }
    }

    /// A word from `choices` (`padding_mode: reflect`).
    public func choice(_ name: String, _ fallback: String, _ choices: [String]) throws -> String {
        guard let s = try text(name), s != "null" else { return fallback }
        guard choices.contains(s) else { throw error("\(name): expected one of \(choices.joined(separator: ", ")), got '\(s)'") }
        return s
    }

    /// One integer or a list of them (`kernel_size: 3`, `kernel_size: [3, 5]`); nil when absent.
    public func ints(_ name: String) throws -> [Int]? {
        guard let node = values[name], node.scalar != "null" else { return nil }
        if let items = node.list {
            guard !items.isEmpty else { throw error("\(name): expected an integer or a list of integers, got []") }
            return try items.map { item in
                guard let s = item.scalar else { throw error("\(name): expected a list of integers") }
                return try parseInt(name, s)
            }
        }
        return [try parseInt(name, try text(name) ?? "")]
    }

    /// A list of numbers (`scale_factor: [2, 2]` or `2`); nil when absent.
    public func doubles(_ name: String) throws -> [Double]? {
        guard let node = values[name], node.scalar != "null" else { return nil }
        let items = node.list ?? [node]
        return try items.map { item in
            guard let s = item.scalar, let v = Double(s), v.isFinite else { throw error("\(name): expected a number or a list of numbers") }
            guard v.magnitude <= Double(ModelDefinitionLimits.maxInteger) else {
                throw error("\(name): \(s) is beyond the limit of ±\(ModelDefinitionLimits.maxInteger)")
            }
            return v
        }
    }

    /// Integers of which each is at least `minimum`, with 1 or `dims` values.
    public func sizes(_ name: String, dims: Int, minimum: Int, _ fallback: [Int]?) throws -> [Int]? {
        guard let v = try ints(name) ?? fallback else { return nil }
        guard v.count == 1 || v.count == dims else {
            throw error("\(name): expected 1 or \(dims) values, got \(v.count)")
        }
        if let bad = v.first(where: { $0 < minimum }) {
            throw error("\(name) must be \(minimum == 0 ? "non-negative" : "positive"), got \(bad)")
        }
        return v
    }

    /// A 2-D size (`3` or `[3, 5]`), each at least `minimum`.
    public func size2(_ name: String, minimum: Int = 1, _ fallback: Size2? = nil) throws -> Size2? {
        guard let v = try sizes(name, dims: 2, minimum: minimum, nil) else { return fallback }
        return v.count == 1 ? Size2(v[0]) : Size2(v[0], v[1])
    }

    /// A required positive 2-D size.
    public func requiredSize2(_ name: String) throws -> Size2 {
        guard let v = try size2(name) else { throw error("missing argument \(name)") }
        return v
    }
}
