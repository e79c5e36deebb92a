import Foundation

/// Base class for neural-network modules, like `torch.nn.Module`.
///
/// A module holds its state in ordinary stored properties. Reflection
/// (walking superclasses, base class first, then declaration order; see
/// `Module+Reflection.swift`) finds:
/// - parameters: properties marked `@Parameter` (`Tensor` or `Tensor?`);
/// - buffers: properties marked `@Buffer` (saved in the state dict, not optimised);
/// - child modules: properties of a `Module` type (nil optionals are skipped),
///   arrays of modules (keys `name.0`, `name.1`, … printed like a `ModuleList`)
///   and `[String: Module]` dictionaries (keys `name.key` in **sorted key order**,
///   since Swift dictionaries are unordered; use `ModuleDict` for insertion order).
///
/// Keys follow PyTorch (`features.0.weight`), so a PyTorch state dict of the
/// equivalent model loads by key. Parameters of a module come before its
/// buffers, then its children, as in `state_dict()`.
///
/// ```swift
/// final class Net: Module, UnaryLayer {
///     let fc1 = Linear(4, 8)
///     let fc2 = Linear(8, 2)
///     func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
/// }
/// let net = Net()
/// print(net)                         // Net(\n  (fc1): Linear(in_features=4, …
/// net.namedParameters().map(\.0)     // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
open class Module: CustomStringConvertible {
    /// Whether the module is in training mode (`module.training`); see `train(_:)` and `eval()`.
    public internal(set) var isTraining = true
    /// The name under which the parent holds this module, for error paths.
    var localName: String?
    var childNamesAssigned = false

    /// A module with no parameters; subclasses set their stored properties, then call it.
    public init() {}

    /// Calls this module on `inputs` when its signature is not known statically
    /// (shape validation, export, serving, the model pane). Unary layers take
    /// one tensor and return one; layers with other signatures (recurrent,
    /// attention, losses) override it to map the list onto their typed call
    /// (an LSTM takes `[input]` or `[input, h0, c0]` and returns
    /// `[output, h_n, c_n]`). Throws `ShapeError` when the count does not fit.
    open func forward(tensors inputs: [Tensor]) throws -> [Tensor] {
        if let unary = self as? any UnaryLayer {
            guard inputs.count == 1 else {
                throw ShapeError(op: typeName, "expected 1 input tensor, got \(inputs.count)")
            }
            return [unary(inputs[0])]
        }
        throw ShapeError(op: typeName, "this module has no tensor-list call; call it with its own signature")
    }

    /// The type's name as printed (`Linear`), like `_get_name()`.
    open var typeName: String { String(describing: type(of: self)) }

    /// The text inside the parentheses of the printed form, like `extra_repr()`.
    open func extraRepr() -> String { "" }

    /// The members of this module itself (not of its children). The default
    /// reflects over stored properties; containers override it.
    open func ownMembers() -> ModuleMembers { reflectMembers() }

    // MARK: Calling

    /// Runs `body(input)` as a call of this module: named in shape errors and
    /// recorded (input and output shapes) while `validate` runs. Unary layers
    /// get it through `UnaryLayer.callAsFunction`.
    public func call(_ input: Tensor, _ body: (Tensor) -> Tensor) -> Tensor {
        call(inputs: [input], outputs: { [$0] }) { body(input) }
    }

    /// Runs `body` as a call of this module with any signature: `inputs` and
    /// `outputs` (the tensors of the result) are recorded while `validate`
    /// runs, and shape errors inside name this module.
    ///
    /// ```swift
    /// public func callAsFunction(_ x: Tensor, _ h0: Tensor?) -> (Tensor, Tensor) {
    ///     call(inputs: [x] + (h0.map { [$0] } ?? []), outputs: { [$0.0, $0.1] }) { forward(x, h0) }
    /// }
    /// ```
    public func call<Output>(inputs: [Tensor], outputs: (Output) -> [Tensor], _ body: () -> Output) -> Output {
        let ctx = ModuleContext.current
        let parent = ctx.stack.last
        if localName == nil, let parent { parent.assignChildNames() }
        if !childNamesAssigned { assignChildNames() }
        ctx.stack.append(self)
        defer { ctx.stack.removeLast() }
        guard let name = parent == nil ? nil : localName else {
            return runRecorded(inputs, outputs, ctx, body)
        }
        return ShapeCheck.withModule(name) { runRecorded(inputs, outputs, ctx, body) }
    }

    @inline(__always)
    private func runRecorded<Output>(_ inputs: [Tensor], _ outputs: (Output) -> [Tensor], _ ctx: ModuleContext,
                                     _ body: () -> Output) -> Output {
        guard let recorder = ctx.recorder else { return body() }
        let slot = recorder.begin(path: ShapeCheck.currentModulePath, typeName: typeName, depth: ctx.stack.count - 1,
                                  inputShapes: inputs.map(\.shape), parameterCount: parameterCount)
        let out = body()
        recorder.end(slot, outputShapes: outputs(out).map(\.shape), failed: ShapeCheck.state.firstError != nil)
        return out
    }

    func assignChildNames() {
        childNamesAssigned = true
        for (name, child) in ownMembers().children where child !== self { child.localName = name }
    }

    // MARK: Discovery

    /// Direct children with their names, like `named_children()`. Children
    /// from an array or dictionary property have dotted names (`blocks.0`).
    public func namedChildren() -> [(String, Module)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(String, Module)] = []
        for (name, child) in ownMembers().children where seen.insert(ObjectIdentifier(child)).inserted {
            child.localName = name
            out.append((name, child))
        }
        childNamesAssigned = true
        return out
    }

    /// Direct children, like `children()`.
    public func children() -> [Module] { namedChildren().map { $0.1 } }

    /// This module and all descendants in pre-order with dotted paths (this
    /// module is `""`), each module once, like `named_modules()`.
    public func namedModules() -> [(String, Module)] {
        var out: [(String, Module)] = []
        var seen = Set<ObjectIdentifier>()
        func visit(_ m: Module, _ prefix: String) {
            guard seen.insert(ObjectIdentifier(m)).inserted else { return }
            out.append((prefix, m))
            for (name, child) in m.namedChildren() { visit(child, prefix.isEmpty ? name : prefix + "." + name) }
        }
        visit(self, "")
        return out
    }

    /// This module and all descendants, like `modules()`.
    public func modules() -> [Module] { namedModules().map { $0.1 } }

    /// All parameters with dotted names (`conv1.weight`), each tensor once, like `named_parameters()`.
    public func namedParameters() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        var seen = Set<ObjectIdentifier>()
        for (prefix, m) in namedModules() {
            for (name, t) in m.ownMembers().parameters where seen.insert(ObjectIdentifier(t)).inserted {
                out.append((prefix.isEmpty ? name : prefix + "." + name, t))
            }
        }
        return out
    }

    /// All parameters, like `parameters()`.
    public func parameters() -> [Tensor] { namedParameters().map { $0.1 } }

    /// All buffers with dotted names (`bn1.running_mean`), like `named_buffers()`.
    public func namedBuffers() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        var seen = Set<ObjectIdentifier>()
        for (prefix, m) in namedModules() {
            for (name, t, _) in m.ownMembers().buffers where seen.insert(ObjectIdentifier(t)).inserted {
                out.append((prefix.isEmpty ? name : prefix + "." + name, t))
            }
        }
        return out
    }

    /// All buffers, like `buffers()`.
    public func buffers() -> [Tensor] { namedBuffers().map { $0.1 } }

    /// Number of elements over all parameters (each shared tensor once).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Number of elements over parameters that require grad.
    public var trainableParameterCount: Int { parameters().reduce(0) { $0 + ($1.requiresGrad ? $1.count : 0) } }

    // MARK: Modes and gradients

    /// Sets training mode on this module and all descendants, like `train(mode)`.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for m in modules() { m.isTraining = mode }
        return self
    }

    /// Evaluation mode (dropout off, batch norm uses running statistics), like `eval()`.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Drops every parameter's gradient (`grad = nil`), like `zero_grad(set_to_none=True)`.
    public func zeroGrad() {
        for p in parameters() { p.grad = nil }
    }

    /// Turns gradient tracking of every parameter on or off (freezing), like `requires_grad_()`.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Self {
        for p in parameters() { p.requiresGrad = flag }
        return self
    }

    /// Calls `body` on every descendant (children first) and then this module, like `apply(fn)`.
    @discardableResult
    public func apply(_ body: (Module) -> Void) -> Self {
        for child in children() { child.apply(body) }
        body(self)
        return self
    }

    // MARK: Printing

    /// The PyTorch `print(model)` form.
    open var description: String {
        let extra = extraRepr()
        let extraLines = extra.isEmpty ? [] : extra.components(separatedBy: "\n")
        var childLines: [String] = []
        let members = ownMembers()
        for item in members.printLayout {
            switch item {
            case .single(let key, let m):
                childLines.append("(\(key)): " + addIndent(m.description, 2))
            case .list(let key, let ms):
                childLines.append("(\(key)): " + addIndent(ModuleList.listDescription(ms), 2))
            case .dict(let key, let ms):
                childLines.append("(\(key)): " + addIndent(Module.plainDescription("ModuleDict", [], ms), 2))
            }
        }
        return Module.assembleDescription(typeName, extraLines, childLines)
    }

    static func plainDescription(_ name: String, _ extraLines: [String], _ children: [(String, Module)]) -> String {
        let childLines = children.map { "(\($0.0)): " + addIndent($0.1.description, 2) }
        return assembleDescription(name, extraLines, childLines)
    }

    static func assembleDescription(_ name: String, _ extraLines: [String], _ childLines: [String]) -> String {
        let lines = extraLines + childLines
        var s = name + "("
        if !lines.isEmpty {
            if extraLines.count == 1 && childLines.isEmpty {
                s += extraLines[0]
            } else {
                s += "\n  " + lines.joined(separator: "\n  ") + "\n"
            }
        }
        return s + ")"
    }
}

/// Indents every line but the first, like PyTorch's `_addindent`.
func addIndent(_ s: String, _ spaces: Int) -> String {
    let lines = s.components(separatedBy: "\n")
    if lines.count == 1 { return s }
    let pad = String(repeating: " ", count: spaces)
    return lines[0] + "\n" + lines.dropFirst().map { pad + $0 }.joined(separator: "\n")
}

/// What a module holds directly: parameters, buffers and child modules in order.
public struct ModuleMembers {
    /// Parameters by local name.
    public var parameters: [(String, Tensor)] = []
    /// Buffers with their `persistent` flag (non-persistent ones are not in the state dict).
    public var buffers: [(String, Tensor, Bool)] = []
    /// Child modules by local name.
    public var children: [(String, Module)] = []
    /// How children print: single properties, or array/dictionary properties
    /// shown as a `ModuleList`/`ModuleDict`. Empty means all single.
    var layout: [ChildLayout] = []

    /// Members in the order they print and appear in the state dict.
    public init(parameters: [(String, Tensor)] = [], buffers: [(String, Tensor, Bool)] = [],
                children: [(String, Module)] = []) {
        self.parameters = parameters
        self.buffers = buffers
        self.children = children
    }

    var printLayout: [ChildLayout] { layout.isEmpty ? children.map { .single($0.0, $0.1) } : layout }
}

enum ChildLayout {
    case single(String, Module)
    case list(String, [Module])
    case dict(String, [(String, Module)])
}

/// Per-thread state of module calls: the stack of running modules and the
/// shape recorder of `validate(inputShape:)`.
final class ModuleContext {
    var stack: [Module] = []
    var recorder: ShapeRecorder?

    private static let local = ThreadLocal { ModuleContext() }

    /// This thread's context.
    static var current: ModuleContext { local.value }
}
