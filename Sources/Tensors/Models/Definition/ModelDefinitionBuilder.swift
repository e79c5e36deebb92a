/// Walks a model file's layer list, building each layer for the shape that
/// reaches it (meta tensors: nothing is computed) so `auto` sizes are filled
/// in and every shape error names its line and layer.
struct ModelDefinitionBuilder {
    /// What `classes` stands for.
    let outputs: Int?
    /// Draws the parameters.
    let generator: Generator?
    /// The parameters of the layers built so far, against the definition's limit.
    let budget: ParameterBudget

    init(outputs: Int?, generator: Generator?, maxParameters: Int) {
        self.outputs = outputs
        self.generator = generator
        self.budget = ParameterBudget(limit: maxParameters)
    }

    /// Counts a model's parameters as its layers are built.
    final class ParameterBudget {
        let limit: Int
        private(set) var parameters = 0

        init(limit: Int) { self.limit = limit }

        func add(_ layer: any UnaryLayer, _ args: LayerArguments) throws {
            let (total, overflow) = parameters.addingReportingOverflow(layer.parameterCount)
            guard !overflow, total <= limit else {
                throw args.error("the model would have more than \(limit) parameters "
                                 + "(\(parameters) before this layer, which adds \(layer.parameterCount)); "
                                 + "set \(ModelDefinitionLimits.maxParametersVariable) to allow more")
            }
            parameters = total
        }
    }

    static let containers = ["Sequential", "Residual", "Add", "Concat"]

    /// Builds `items` in order from an input of `input` (with the batch dim).
    func sequence(_ items: [DefinitionNode], input: [Int]) throws -> ([any UnaryLayer], [Int]) {
        var shape = input
        var modules: [any UnaryLayer] = []
        for item in items {
            let (m, out) = try self.item(item, input: shape)
            modules.append(m)
            shape = out
        }
        return (modules, shape)
    }

    /// The sample shape (without the batch dim) for messages.
    static func sample(_ shape: [Int]) -> String { "[" + shape.dropFirst().map(String.init).joined(separator: ", ") + "]" }

    /// One list item: `Name`, `Name: {args}`, `Name: [positional]` or a container.
    func item(_ node: DefinitionNode, input: [Int]) throws -> (any UnaryLayer, [Int]) {
        let name: String
        let value: DefinitionNode?
        switch node {
        case .scalar(let s, _, _):
            name = s
            value = nil
        case .map(let entries, let line):
            guard entries.count == 1, let only = entries.first else {
                throw ModelDefinitionError("line \(line): a layer is written `- Name: {arguments}`, found keys "
                                           + entries.map(\.key).joined(separator: ", "))
            }
            name = only.key
            value = only.value
        case .list(_, let line):
            throw ModelDefinitionError("line \(line): expected a layer (`- Name: {arguments}`), found a list")
        }
        if Self.containers.contains(name) { return try container(name, value, line: node.line, input: input) }
        let args = try arguments(name, value, line: node.line)
        try checkSizes(args, input: input)
        let layer: any UnaryLayer
        if MetaInit.isActive {
            layer = try LayerFactory.make(args, input: input, generator: generator)
            try budget.add(layer, args)
        } else {
            // Counted on a meta copy (no memory) before the real parameters are allocated.
            try budget.add(try withMetaInit { try LayerFactory.make(args, input: input, generator: nil) }, args)
            layer = try LayerFactory.make(args, input: input, generator: generator)
        }
        let out = try output(of: layer, input: input, args.error)
        guard ModelDefinitionLimits.product(out, limit: ModelDefinitionLimits.maxOutputElements) != nil else {
            throw args.error("the output \(Self.sample(out)) is larger than the limit of \(ModelDefinitionLimits.maxOutputElements) elements")
        }
        return (layer, out)
    }

    /// Refuses sizes whose products could overflow in the layer's constructor or shape
    /// checks: the input's elements times every integer argument stays within a bound.
    func checkSizes(_ args: LayerArguments, input: [Int]) throws {
        var values = input
        let limit = ModelDefinitionLimits.maxInteger
        for key in args.values.keys.sorted() {
            let node = args.values[key]!
            for item in node.list ?? [node] {
                guard let s = item.scalar else { continue }
                if let v = Int(s) {
                    guard v.magnitude <= limit else {
                        throw args.error("\(key): \(v) is beyond the limit of ±\(limit) for a model file's integers")
                    }
                    values.append(v)
                } else if let d = Double(s), !d.isNaN {
                    guard d.magnitude <= Double(limit) else {
                        throw args.error("\(key): \(s) is beyond the limit of ±\(limit)")
                    }
                    if d.magnitude > 1 { values.append(Int(d.magnitude.rounded(.up))) }
                }
            }
        }
        guard ModelDefinitionLimits.product(values, limit: ModelDefinitionLimits.maxSizeProduct) != nil else {
            throw args.error("its sizes are too large for an input \(Self.sample(input)) (their product passes 2^56)")
        }
    }

    /// The layer's arguments from a mapping, a positional list or nothing.
    func arguments(_ name: String, _ value: DefinitionNode?, line: Int) throws -> LayerArguments {
        var values: [String: DefinitionNode] = [:]
        let fail = { (m: String) in ModelDefinitionError("line \(line), \(name): \(m)") }
        switch value {
        case nil:
            break
        case .scalar(let s, _, _)?:
            guard s.isEmpty || s == "null" || s == "~" else {
                throw fail("arguments are a mapping (`{kernel_size: 2}`) or a list in PyTorch's order (`[2]`), got '\(s)'")
            }
        case .map(let entries, _)?:
            for (k, v) in entries { values[k] = v }
        case .list(let items, _)?:
            guard let entry = LayerFactory.entry(name) else { break }   // unknown layers fail in LayerFactory.make
            guard items.count <= entry.arguments.count else {
                throw fail("\(items.count) positional arguments, it takes at most \(entry.arguments.count) (\(entry.arguments.joined(separator: ", ")))")
            }
            for (k, v) in zip(entry.arguments, items) { values[k] = v }
        }
        return LayerArguments(layer: name, line: line, values: values, outputs: outputs)
    }

    /// The layer's output shape for `input`, or its shape error naming the line and layer.
    func output(of layer: any UnaryLayer, input: [Int], _ fail: (String) -> ModelDefinitionError) throws -> [Int] {
        do {
            return try layer.validate(inputShape: input).first?.outputShape ?? input
        } catch let e as ModelShapeError {
            throw fail("\(e.error.message) (input \(Self.sample(input)))")
        }
    }

    func container(_ name: String, _ value: DefinitionNode?, line: Int, input: [Int]) throws -> (any UnaryLayer, [Int]) {
        let fail = { (m: String) in ModelDefinitionError("line \(line), \(name): \(m)") }
        switch name {
        case "Sequential", "Residual":
            guard let items = value?.list ?? value?["layers"]?.list, !items.isEmpty else {
                throw fail("expected a list of layers")
            }
            let (modules, out) = try sequence(items, input: input)
            if name == "Sequential" { return (Sequential(modules), out) }
            guard out == input else {
                throw fail("the block's output \(Self.sample(out)) must match its input \(Self.sample(input)) to be added to it")
            }
            return (Residual(modules), out)
        default:
            let branchNodes = value?.list ?? value?["branches"]?.list
            guard let branchNodes, !branchNodes.isEmpty else {
                throw fail("expected a list of branches (each a layer or a list of layers)")
            }
            var dim = 1
            if name == "Concat", let d = value?["dim"]?.scalar {
                guard let v = Int(d), (-input.count..<input.count).contains(v) else {
                    throw fail("dim: expected an integer in \(-input.count)..<\(input.count), got '\(d)'")
                }
                dim = v < 0 ? v + input.count : v
            }
            if let extra = value?.map?.first(where: { !["dim", "branches"].contains($0.key) || (name == "Add" && $0.key == "dim") }) {
                throw fail("unknown argument '\(extra.key)' (expected: \(name == "Add" ? "branches" : "dim, branches"))")
            }
            var branches: [any UnaryLayer] = []
            var shapes: [[Int]] = []
            for b in branchNodes {
                if let items = b.list {
                    let (modules, out) = try sequence(items, input: input)
                    branches.append(Sequential(modules))
                    shapes.append(out)
                } else {
                    let (m, out) = try item(b, input: input)
                    branches.append(m)
                    shapes.append(out)
                }
            }
            if name == "Add" {
                if let i = shapes.firstIndex(where: { $0 != shapes[0] }) {
                    throw fail("branch \(i + 1) gives \(Self.sample(shapes[i])) but branch 1 gives \(Self.sample(shapes[0])); added branches must match")
                }
                return (ParallelBranches(branches, join: .add), shapes[0])
            }
            for (i, s) in shapes.enumerated() where s.count != shapes[0].count
                || zip(s, shapes[0]).enumerated().contains(where: { $0.offset != dim && $0.element.0 != $0.element.1 }) {
                throw fail("branch \(i + 1) gives \(Self.sample(s)) but branch 1 gives \(Self.sample(shapes[0])); "
                           + "concatenated branches must match except in dim \(dim)")
            }
            var out = shapes[0]
            out[dim] = shapes.map { $0[dim] }.reduce(0, +)
            return (ParallelBranches(branches, join: .concat(dim: dim)), out)
        }
    }
}
