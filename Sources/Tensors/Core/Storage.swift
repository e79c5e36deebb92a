/// A flat, owned buffer of `Float` shared by a tensor and all of its views.
///
/// A storage with `isMeta == true` holds no memory: tensors on it carry only a
/// shape. Meta tensors let a model check the shapes of a forward pass without
/// computing anything (see `ShapeCheck`).
public final class Storage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    public let isMeta: Bool
    /// Bumped by every in-place write; autograd uses it to detect a saved
    /// tensor that was modified after it was saved.
    public internal(set) var version: Int = 0

    public init(count: Int) {
        self.count = count
        isMeta = false
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
    }

    /// A storage filled with zeros.
    public convenience init(zeros count: Int) {
        self.init(count: count)
        pointer.initialize(repeating: 0, count: count)
    }

    private init(meta: Void) {
        count = 0
        isMeta = true
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    }

    static let meta = Storage(meta: ())

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    deinit { pointer.deallocate() }
}
