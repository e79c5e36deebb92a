/// A chain of modules applied in order, like `nn.Sequential`.
///
/// Children are keyed `0`, `1`, … (or by the names given), so parameters are
/// `0.weight`, `3.bias` and the model prints like PyTorch's Sequential.
///
/// ```swift
/// let mlp = Sequential(Linear(4, 8), ReLU(), Linear(8, 2))
/// let y = mlp(x)
/// ```
open class Sequential: Module, UnaryLayer {
    /// The modules, in call order.
    public private(set) var layers: [any UnaryLayer]
    /// Each module's key (`0`, `1`, … or the given names).
    public private(set) var keys: [String]

    /// Modules keyed by their position.
    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        keys = layers.indices.map(String.init)
        super.init()
    }

    /// Modules keyed by their position.
    public convenience init(_ layers: any UnaryLayer...) { self.init(layers) }

    /// Named children, like `nn.Sequential(OrderedDict([...]))`.
    public init(named: KeyValuePairs<String, any UnaryLayer>) {
        layers = named.map { $0.value }
        keys = named.map { $0.key }
        super.init()
    }

    open func forward(_ input: Tensor) -> Tensor {
        var x = input
        for layer in layers { x = layer(x) }
        return x
    }

    /// Number of modules.
    public var count: Int { layers.count }

    /// The module at `index`; setting replaces it under the same key.
    public subscript(index: Int) -> any UnaryLayer {
        get { layers[index] }
        set {
            layers[index] = newValue
            childNamesAssigned = false
        }
    }

    /// Appends a module keyed by the next index.
    public func append(_ module: any UnaryLayer) {
        keys.append(String(layers.count))
        layers.append(module)
        childNamesAssigned = false
    }

    open override func ownMembers() -> ModuleMembers {
        ModuleMembers(children: zip(keys, layers).map { ($0, $1 as Module) })
    }
}

/// A list of modules keyed `0`, `1`, …, like `nn.ModuleList`. It has no
/// `forward`; index it from the owner's forward.
public final class ModuleList: Module, RandomAccessCollection {
    /// The modules, in order.
    public private(set) var items: [Module]

    /// A list of `items`.
    public init(_ items: [Module] = []) {
        self.items = items
        super.init()
    }

    /// A list of `items`.
    public convenience init(_ items: Module...) { self.init(items) }

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of modules.
    public var endIndex: Int { items.count }

    /// The module at `index`.
    public subscript(index: Int) -> Module {
        get { items[index] }
        set { items[index] = newValue; childNamesAssigned = false }
    }

    /// Appends a module keyed by the next index.
    public func append(_ module: Module) {
        items.append(module)
        childNamesAssigned = false
    }

    public override func ownMembers() -> ModuleMembers {
        ModuleMembers(children: items.enumerated().map { (String($0.offset), $0.element) })
    }

    public override var description: String { ModuleList.listDescription(items) }

    /// PyTorch's ModuleList form: runs of identical entries print once as
    /// `(0-2): 3 x Linear(…)`.
    static func listDescription(_ items: [Module]) -> String {
        if items.isEmpty { return "ModuleList()" }
        let reprs = items.map(\.description)
        var runs: [(start: Int, end: Int, repr: String)] = [(0, 0, reprs[0])]
        for i in 1..<reprs.count {
            if reprs[i] == runs[runs.count - 1].repr {
                runs[runs.count - 1].end = i
            } else {
                runs.append((i, i, reprs[i]))
            }
        }
        let lines = runs.map { run -> String in
            let local = run.start == run.end ? "(\(run.start)): \(run.repr)"
                : "(\(run.start)-\(run.end)): \(run.end - run.start + 1) x \(run.repr)"
            return addIndent(local, 2)
        }
        return "ModuleList(\n  " + lines.joined(separator: "\n  ") + "\n)"
    }
}

/// Modules by name in insertion order, like `nn.ModuleDict`.
public final class ModuleDict: Module {
    /// The keys, in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: Module] = [:]

    /// A dictionary of `entries`, in order.
    public init(_ entries: KeyValuePairs<String, Module> = [:]) {
        super.init()
        for (k, m) in entries { self[k] = m }
    }

    /// Number of modules.
    public var count: Int { keys.count }
    /// The modules, in key order.
    public var values: [Module] { keys.compactMap { storage[$0] } }

    /// Gets, replaces, inserts (at the end) or removes (with nil) a module.
    public subscript(key: String) -> Module? {
        get { storage[key] }
        set {
            if let m = newValue {
                if storage.updateValue(m, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
            childNamesAssigned = false
        }
    }

    public override func ownMembers() -> ModuleMembers {
        ModuleMembers(children: keys.compactMap { k in storage[k].map { (k, $0) } })
    }
}

/// Describes a parameter like PyTorch's ParameterList lines (ParameterDict
/// prints the type name `torch.FloatTensor` instead of the dtype).
func parameterSummary(_ t: Tensor, typeName: String = "torch.float32") -> String {
    "Parameter containing: [\(typeName) of size \(t.shape.map(String.init).joined(separator: "x"))]"
}

/// A list of parameters keyed `0`, `1`, …, like `nn.ParameterList`.
public final class ParameterList: Module, RandomAccessCollection {
    /// The parameters, in order.
    public private(set) var items: [Tensor]

    /// Marks each tensor as a parameter (leaf, requires grad).
    public init(_ items: [Tensor] = []) {
        self.items = items.map(ParameterList.asParameter)
        super.init()
    }

    static func asParameter(_ t: Tensor) -> Tensor {
        if t.isLeaf { return t.requiringGrad() }
        return t.detach().requiringGrad()
    }

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of parameters.
    public var endIndex: Int { items.count }
    /// The parameter at `index`; a set value is made a parameter.
    public subscript(index: Int) -> Tensor {
        get { items[index] }
        set { items[index] = ParameterList.asParameter(newValue) }
    }

    /// Appends `t` as a parameter.
    public func append(_ t: Tensor) { items.append(ParameterList.asParameter(t)) }

    public override func ownMembers() -> ModuleMembers {
        ModuleMembers(parameters: items.enumerated().map { (String($0.offset), $0.element) })
    }

    public override func extraRepr() -> String {
        items.enumerated().map { "  (\($0.offset)): " + parameterSummary($0.element) }.joined(separator: "\n")
    }
}

/// Parameters by name in insertion order, like `nn.ParameterDict`.
public final class ParameterDict: Module {
    /// The keys, in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: Tensor] = [:]

    /// A dictionary of `entries` (each made a parameter), in order.
    public init(_ entries: KeyValuePairs<String, Tensor> = [:]) {
        super.init()
        for (k, t) in entries { self[k] = t }
    }

    /// Number of parameters.
    public var count: Int { keys.count }

    /// Gets, replaces, inserts (at the end) or removes (with nil) a parameter.
    public subscript(key: String) -> Tensor? {
        get { storage[key] }
        set {
            if let t = newValue {
                if storage.updateValue(ParameterList.asParameter(t), forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public override func ownMembers() -> ModuleMembers {
        ModuleMembers(parameters: keys.compactMap { k in storage[k].map { (k, $0) } })
    }

    public override func extraRepr() -> String {
        keys.compactMap { k in storage[k].map { "  (\(k)): " + parameterSummary($0, typeName: "torch.FloatTensor") } }.joined(separator: "\n")
    }
}
