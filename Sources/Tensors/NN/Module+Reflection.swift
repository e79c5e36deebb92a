@_spi(Reflection) import Swift
import Foundation

// Discovery of a module's parameters, buffers and children from its stored
// properties.
//
// `Mirror` does this but is slow: each access demangles the field's type and
// every candidate needs a protocol-conformance cast, about 30 µs per module —
// a quarter of a LeNet5 training step for one `zeroGrad()`. Instead the
// fields of each module *type* are classified once, with the standard
// library's field enumeration (`_forEachField`, offsets and declared types,
// superclass fields included), into typed accessors that read a field
// straight from the object. Per instance a discovery is then a few loads.
// `Mirror` remains the fallback if the enumeration is unavailable.

/// What a field holds, read from an instance.
enum FieldValue {
    case parameter(Tensor?, key: String?)
    case buffer(Tensor?, key: String?, persistent: Bool)
    case module(Module?)
    case list([Module])
    case dict([(String, Module)])
}

/// Field types that hold members, with a typed reader for a field at `offset`.
protocol ModuleFieldKind {
    static func reader(offset: Int) -> (UnsafeRawPointer) -> FieldValue
    /// The same value held in an `Any` (the `Mirror` fallback).
    static func value(of any: Any) -> FieldValue?
}

extension Parameter: ModuleFieldKind {
    static func reader(offset: Int) -> (UnsafeRawPointer) -> FieldValue {
        { base in
            let p = (base + offset).load(as: Parameter<Value>.self)
            return .parameter(p.tensor, key: p.keyOverride)
        }
    }
    static func value(of any: Any) -> FieldValue? {
        (any as? Parameter<Value>).map { .parameter($0.tensor, key: $0.keyOverride) }
    }
}

extension Buffer: ModuleFieldKind {
    static func reader(offset: Int) -> (UnsafeRawPointer) -> FieldValue {
        { base in
            let b = (base + offset).load(as: Buffer<Value>.self)
            return .buffer(b.tensor, key: b.keyOverride, persistent: b.persistent)
        }
    }
    static func value(of any: Any) -> FieldValue? {
        (any as? Buffer<Value>).map { .buffer($0.tensor, key: $0.keyOverride, persistent: $0.persistent) }
    }
}

extension Optional: ModuleFieldKind where Wrapped: Module {
    static func reader(offset: Int) -> (UnsafeRawPointer) -> FieldValue {
        { base in .module((base + offset).load(as: Wrapped?.self)) }
    }
    static func value(of any: Any) -> FieldValue? { (any as? Wrapped?).map { .module($0) } }
}

extension Array: ModuleFieldKind where Element: Module {
    static func reader(offset: Int) -> (UnsafeRawPointer) -> FieldValue {
        { base in .list((base + offset).load(as: [Element].self)) }
    }
    static func value(of any: Any) -> FieldValue? { (any as? [Element]).map { .list($0) } }
}

extension Dictionary: ModuleFieldKind where Key == String, Value: Module {
    static func reader(offset: Int) -> (UnsafeRawPointer) -> FieldValue {
        { base in .dict(Dictionary.sortedEntries((base + offset).load(as: [String: Value].self))) }
    }
    static func value(of any: Any) -> FieldValue? { (any as? [String: Value]).map { .dict(sortedEntries($0)) } }
    static func sortedEntries(_ d: [String: Value]) -> [(String, Module)] {
        d.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// The member-holding fields of one module type.
struct ModuleTypeLayout {
    struct Field {
        let label: String
        let read: (UnsafeRawPointer) -> FieldValue
    }
    let fields: [Field]

    /// Classifies the stored fields of `type` (nil if they cannot be enumerated).
    static func make(for type: Module.Type) -> ModuleTypeLayout? {
        var fields: [Field] = []
        let ok = _forEachField(of: type, options: .classType) { name, offset, fieldType, _ in
            let label = String(cString: name)
            if label.hasPrefix("$") { return true }  // lazy storage
            if let kind = fieldType as? ModuleFieldKind.Type {
                fields.append(Field(label: label, read: kind.reader(offset: offset)))
            } else if fieldType is Module.Type {
                fields.append(Field(label: label, read: { base in .module((base + offset).load(as: Module.self)) }))
            } else if let read = unaryLayerReader(fieldType, offset: offset) {
                fields.append(Field(label: label, read: read))
            }
            return true
        }
        return ok ? ModuleTypeLayout(fields: fields) : nil
    }

    /// Readers for fields typed by the `UnaryLayer` existential (`any UnaryLayer`,
    /// its optional and array), which hold a module but are not `Module` types.
    static func unaryLayerReader(_ fieldType: Any.Type, offset: Int) -> ((UnsafeRawPointer) -> FieldValue)? {
        if fieldType == (any UnaryLayer).self {
            return { base in .module((base + offset).load(as: (any UnaryLayer).self)) }
        }
        if fieldType == (any UnaryLayer)?.self {
            return { base in .module((base + offset).load(as: (any UnaryLayer)?.self)) }
        }
        if fieldType == [any UnaryLayer].self {
            return { base in .list((base + offset).load(as: [any UnaryLayer].self).map { $0 as Module }) }
        }
        return nil
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [ObjectIdentifier: ModuleTypeLayout?] = [:]

    /// The cached layout of `type`.
    static func of(_ type: Module.Type) -> ModuleTypeLayout? {
        let key = ObjectIdentifier(type)
        lock.lock()
        if let cached = cache[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let layout = make(for: type)
        lock.lock()
        cache[key] = layout
        lock.unlock()
        return layout
    }
}

extension Module {
    /// Members found by reflecting over stored properties (base class first).
    func reflectMembers() -> ModuleMembers {
        var values: [(String, FieldValue)] = []
        if let layout = ModuleTypeLayout.of(type(of: self)) {
            let base = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
            withExtendedLifetime(self) {
                for f in layout.fields { values.append((f.label, f.read(base))) }
            }
        } else {
            values = mirrorFieldValues()
        }
        var members = ModuleMembers()
        var anyCollection = false
        for (label, value) in values {
            let plain = label.hasPrefix("_") ? String(label.dropFirst()) : label
            switch value {
            case .parameter(let t, let key):
                if let t { members.parameters.append((key ?? plain, t)) }
            case .buffer(let t, let key, let persistent):
                if let t { members.buffers.append((key ?? plain, t, persistent)) }
            case .module(let m):
                if let m {
                    members.children.append((label, m))
                    members.layout.append(.single(label, m))
                }
            case .list(let ms):
                for (i, m) in ms.enumerated() { members.children.append(("\(label).\(i)", m)) }
                members.layout.append(.list(label, ms))
                anyCollection = true
            case .dict(let entries):
                for (k, m) in entries { members.children.append(("\(label).\(k)", m)) }
                members.layout.append(.dict(label, entries))
                anyCollection = true
            }
        }
        if !anyCollection { members.layout = [] }
        return members
    }

    /// The same classification with `Mirror` (slow; used only if field enumeration fails).
    func mirrorFieldValues() -> [(String, FieldValue)] {
        var mirrors: [Mirror] = []
        var next: Mirror? = Mirror(reflecting: self)
        while let m = next {
            mirrors.append(m)
            next = m.superclassMirror
        }
        var out: [(String, FieldValue)] = []
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label, !label.hasPrefix("$") else { continue }
                let valueType = type(of: child.value)
                if let kind = valueType as? ModuleFieldKind.Type, let v = kind.value(of: child.value) {
                    out.append((label, v))
                } else if let m = child.value as? Module {
                    out.append((label, .module(m)))
                } else if let ms = child.value as? [any UnaryLayer] {
                    out.append((label, .list(ms.map { $0 as Module })))
                } else if let m = child.value as? (any UnaryLayer)? {
                    out.append((label, .module(m)))
                }
            }
        }
        return out
    }
}
