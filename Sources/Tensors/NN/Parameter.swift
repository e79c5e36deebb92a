/// A value a `@Parameter` or `@Buffer` property can hold: a tensor or an optional tensor.
public protocol TensorSlotValue {
    /// The tensor held, if any.
    var slotTensor: Tensor? { get }
    /// The same kind of value holding `tensor` instead.
    func replacingSlotTensor(_ tensor: Tensor) -> Self
}

extension Tensor: TensorSlotValue {
    public var slotTensor: Tensor? { self }
    public func replacingSlotTensor(_ tensor: Tensor) -> Tensor { tensor }
}

extension Optional: TensorSlotValue where Wrapped == Tensor {
    public var slotTensor: Tensor? { self }
    public func replacingSlotTensor(_ tensor: Tensor) -> Tensor? { tensor }
}

/// What `Module` looks for when it reflects over stored properties.
protocol TensorSlot {
    var tensor: Tensor? { get }
    var keyOverride: String? { get }
}

protocol BufferSlot: TensorSlot {
    var persistent: Bool { get }
}

/// Marks a stored tensor property as a trainable parameter, like `nn.Parameter`.
///
/// The module finds it with reflection: it appears in `parameters()`,
/// `namedParameters()` and `stateDict()` under the property's name (or `name`
/// when given). Assigning a tensor marks it `requiresGrad`, as wrapping a
/// tensor in `nn.Parameter` does (the result of an op is detached first, so a
/// parameter is always a leaf); freezing later (`requiresGrad = false`) keeps
/// it a parameter. An optional parameter that is nil (e.g. `bias` of
/// `Linear(…, bias: false)`) is skipped, like `register_parameter('bias', None)`.
///
/// ```swift
/// final class Scale: Module {
///     @Parameter var gain = Tensor.ones([4])
///     override func forward(_ x: Tensor) -> Tensor { x * gain }
/// }
/// ```
@propertyWrapper
public struct Parameter<Value: TensorSlotValue>: TensorSlot {
    /// The tensor (made a leaf that requires grad when set).
    public var wrappedValue: Value {
        didSet { wrappedValue = Parameter.mark(wrappedValue) }
    }
    /// The state-dict key when it differs from the property name.
    public let name: String?

    /// A parameter keyed by the property name.
    public init(wrappedValue: Value) {
        self.wrappedValue = Parameter.mark(wrappedValue)
        name = nil
    }

    /// A parameter with the state-dict key `name`.
    public init(wrappedValue: Value, name: String?) {
        self.wrappedValue = Parameter.mark(wrappedValue)
        self.name = name
    }

    /// Makes the held tensor a leaf that requires grad.
    static func mark(_ value: Value) -> Value {
        guard let t = value.slotTensor else { return value }
        if t.isLeaf {
            t.requiresGrad = true
            return value
        }
        return value.replacingSlotTensor(t.detach().requiringGrad())
    }

    var tensor: Tensor? { wrappedValue.slotTensor }
    var keyOverride: String? { name }
}

/// Marks a stored tensor property as a buffer: state saved in `stateDict()` but
/// not optimised, like `register_buffer` (BatchNorm's running statistics).
///
/// `persistent: false` keeps it out of the state dict (it still appears in
/// `buffers()`). Use `name:` for PyTorch's snake_case keys:
///
/// ```swift
/// @Buffer(name: "running_mean") var runningMean = Tensor.zeros([n])
/// ```
@propertyWrapper
public struct Buffer<Value: TensorSlotValue>: BufferSlot {
    /// The tensor.
    public var wrappedValue: Value
    /// The state-dict key when it differs from the property name.
    public let name: String?
    /// Whether the buffer is part of `stateDict()`.
    public let persistent: Bool

    /// A persistent buffer keyed by the property name.
    public init(wrappedValue: Value) {
        self.wrappedValue = wrappedValue
        name = nil
        persistent = true
    }

    /// A buffer with the state-dict key `name`.
    public init(wrappedValue: Value, name: String?, persistent: Bool = true) {
        self.wrappedValue = wrappedValue
        self.name = name
        self.persistent = persistent
    }

    var tensor: Tensor? { wrappedValue.slotTensor }
    var keyOverride: String? { name }
}
