import Foundation

/// Hard limits on what a model file may ask for. A model file comes from
/// strangers (weights files carry their definition's text), so its sizes are
/// bounded before anything is computed or allocated from them: no arithmetic
/// on them can overflow and no model can ask for more memory than a CPU
/// workbench has. Each limit's error names the line, the layer and the limit.
public enum ModelDefinitionLimits {
    /// Every integer argument (sizes, strides, dims): at most 2²⁴ in magnitude.
    public static let maxInteger = 1 << 24
    /// The elements of one layer's output for the builder's batch of 2 (2³⁶).
    public static let maxOutputElements = 1 << 36
    /// The product of a layer's input elements and its integer arguments, checked
    /// before the layer is constructed; a bound on every size its constructor and
    /// shape checks compute (2⁵⁶), far above any real layer (VGG's largest: 2⁴⁷).
    public static let maxSizeProduct = 1 << 56
    /// A model's parameters by default: 2²⁸ (1 GiB of Float32; VGG-19 has 144 million).
    public static let defaultMaxParameters = 1 << 28
    /// The environment variable that raises (or lowers) `maxParameters`.
    public static let maxParametersVariable = "WORKBENCH_MAX_PARAMETERS"
    /// A model's parameters: `WORKBENCH_MAX_PARAMETERS` when it is a positive
    /// integer of at most 2³⁶, else `defaultMaxParameters`. Counted on meta
    /// tensors before any layer allocates, so a 29-byte file cannot ask for a
    /// gigabyte.
    public static var maxParameters: Int {
        guard let text = ProcessInfo.processInfo.environment[maxParametersVariable],
              let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0, n <= 1 << 36 else { return defaultMaxParameters }
        return n
    }
    /// Lists and mappings nested in each other (the YAML reader's limit), hence
    /// also containers (Sequential, Residual, Add, Concat) nested in each other.
    public static let maxDepth = 64

    /// `values`' product, or nil when it overflows or exceeds `limit`.
    static func product<S: Sequence>(_ values: S, limit: Int) -> Int? where S.Element == Int {
        var p = 1
        for v in values {
            let (r, overflow) = p.multipliedReportingOverflow(by: Swift.max(1, v.magnitude > UInt(Int.max) ? Int.max : Int(v.magnitude)))
            guard !overflow, r <= limit else { return nil }
            p = r
        }
        return p
    }
}
