import Foundation

/// An ONNX graph being built: nodes, initialisers, one input and one output,
/// serialised as a `ModelProto` (field numbers from onnx.proto).
///
/// ```swift
/// var g = ONNXGraph(name: "lenet5")
/// let y = g.node("Relu", inputs: ["x"], name: "relu")
/// let bytes = g.model(input: ("input", ["batch", "3"]), output: (y, ["batch", "10"]))
/// ```
public struct ONNXGraph {
    /// The operator set the graph is written for.
    public static let opset = 17
    /// The IR version matching opset 17 (ONNX 1.12).
    public static let irVersion = 8

    /// A node attribute value.
    public enum Attribute {
        case int(Int)
        case ints([Int])
        case float(Float)
        case string(String)
    }

    /// One node: operator, input and output value names, attributes.
    public struct Node {
        /// The node's name (unique in the graph).
        public var name: String
        /// The operator (`Conv`, `Gemm`).
        public var opType: String
        /// Input value names (empty string: an omitted optional input).
        public var inputs: [String]
        /// Output value names.
        public var outputs: [String]
        /// Attributes in writing order.
        public var attributes: [(String, Attribute)]
    }

    /// A constant tensor stored in the graph (weights).
    public struct Initializer {
        /// Its name (the state-dict key for parameters).
        public var name: String
        /// Its shape.
        public var dims: [Int]
        /// The values as float32 (nil for int64 data).
        public var floats: [Float]?
        /// The values as int64 (nil for float data).
        public var int64s: [Int]?
    }

    /// A dimension of a graph input or output: fixed or symbolic (`batch`).
    public enum Dim: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
        case value(Int)
        case param(String)
        public init(integerLiteral value: Int) { self = .value(value) }
        public init(stringLiteral value: String) { self = .param(value) }
    }

    /// The graph's name.
    public var name: String
    /// Nodes in topological order.
    public private(set) var nodes: [Node] = []
    /// Initialisers in order of first use.
    public private(set) var initializers: [Initializer] = []
    private var initializerNames = Set<String>()
    private var usedNames = Set<String>()

    /// An empty graph called `name`.
    public init(name: String) { self.name = name }

    /// A fresh value or node name based on `base` (`base`, `base_1`, …).
    public mutating func unique(_ base: String) -> String {
        var candidate = base
        var i = 1
        while usedNames.contains(candidate) {
            candidate = "\(base)_\(i)"
            i += 1
        }
        usedNames.insert(candidate)
        return candidate
    }

    /// Adds a node; returns its output value's name (`name` plus `_output`).
    @discardableResult
    public mutating func node(_ opType: String, inputs: [String], name: String,
                              attributes: [(String, Attribute)] = []) -> String {
        let nodeName = unique(name.isEmpty ? opType : name)
        let output = unique(nodeName + "_output")
        nodes.append(Node(name: nodeName, opType: opType, inputs: inputs, outputs: [output], attributes: attributes))
        return output
    }

    /// Renames the output of node `index` (its consumers must not exist yet).
    mutating func renameOutput(at index: Int, to name: String) {
        usedNames.insert(name)
        nodes[index].outputs = [name]
    }

    /// Adds a float initialiser once (by name) and returns its name.
    @discardableResult
    public mutating func initializer(_ name: String, _ tensor: Tensor) -> String {
        if initializerNames.insert(name).inserted {
            usedNames.insert(name)
            initializers.append(Initializer(name: name, dims: tensor.shape, floats: tensor.toArray(), int64s: nil))
        }
        return name
    }

    /// Adds an int64 initialiser (e.g. a Reshape shape) and returns its name.
    @discardableResult
    public mutating func int64Initializer(_ name: String, dims: [Int], _ values: [Int]) -> String {
        let n = unique(name)
        initializerNames.insert(n)
        initializers.append(Initializer(name: n, dims: dims, floats: nil, int64s: values))
        return n
    }

    /// The serialised `ModelProto` with one float input and one float output.
    public func model(input: (name: String, dims: [Dim]), output: (name: String, dims: [Dim]),
                      producerVersion: String = "0.1.0", docString: String? = nil,
                      metadata: [String: String] = [:]) -> [UInt8] {
        var m = ProtobufWriter()
        m.int(1, Self.irVersion)                       // ir_version
        m.string(2, "workbench")                       // producer_name
        m.string(3, producerVersion)                   // producer_version
        if let docString { m.string(6, docString) }    // doc_string
        m.message(7) { g in                            // graph
            for n in nodes { g.message(1) { Self.write(n, &$0) } }
            g.string(2, name)
            for t in initializers { g.message(5) { Self.write(t, &$0) } }
            g.message(11) { Self.writeValueInfo(input.name, input.dims, &$0) }
            g.message(12) { Self.writeValueInfo(output.name, output.dims, &$0) }
        }
        m.message(8) { o in                            // opset_import
            o.string(1, "")
            o.int(2, Self.opset)
        }
        for key in metadata.keys.sorted() {             // metadata_props
            m.message(14) { p in
                p.string(1, key)
                p.string(2, metadata[key] ?? "")
            }
        }
        return m.bytes
    }

    static func write(_ n: Node, _ w: inout ProtobufWriter) {
        for i in n.inputs { w.string(1, i) }
        for o in n.outputs { w.string(2, o) }
        w.string(3, n.name)
        w.string(4, n.opType)
        for (name, value) in n.attributes {
            w.message(5) { a in
                a.string(1, name)
                switch value {
                case .float(let f): a.float(2, f); a.int(20, 1)
                case .int(let i): a.int(3, i); a.int(20, 2)
                case .string(let s): a.string(4, s); a.int(20, 3)
                case .ints(let v): for i in v { a.int(8, i) }; a.int(20, 7)
                }
            }
        }
    }

    static func write(_ t: Initializer, _ w: inout ProtobufWriter) {
        for d in t.dims { w.int(1, d) }
        if let floats = t.floats {
            w.int(2, 1)  // FLOAT
            w.string(8, t.name)
            var raw = [UInt8]()
            raw.reserveCapacity(floats.count * 4)
            for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            w.data(9, raw)
        } else {
            w.int(2, 7)  // INT64
            w.string(8, t.name)
            var raw = [UInt8]()
            for v in t.int64s ?? [] { withUnsafeBytes(of: Int64(v).littleEndian) { raw.append(contentsOf: $0) } }
            w.data(9, raw)
        }
    }

    static func writeValueInfo(_ name: String, _ dims: [Dim], _ w: inout ProtobufWriter) {
        w.string(1, name)
        w.message(2) { type in                 // TypeProto
            type.message(1) { tensor in        // tensor_type
                tensor.int(1, 1)               // elem_type FLOAT
                tensor.message(2) { shape in   // TensorShapeProto
                    for d in dims {
                        shape.message(1) { dim in
                            switch d {
                            case .value(let v): dim.int(1, v)
                            case .param(let p): dim.string(2, p)
                            }
                        }
                    }
                }
            }
        }
    }
}
