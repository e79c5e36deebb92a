/// Per-parameter state kept between steps.
final class ParamState {
    var step = 0
    var buffers: [String: Tensor] = [:]
}
