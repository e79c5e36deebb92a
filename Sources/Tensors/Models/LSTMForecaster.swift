/// An LSTM forecaster: a window of `[N, W, F]` observations → LSTM → the
/// last step's hidden state → linear → the next `horizon` values `[N, horizon]`.
///
/// A `UnaryLayer` (float tensor in, float tensor out), trained with `mseLoss`
/// on `TimeSeriesDataset` batches.
///
/// ```swift
/// let model = LSTMForecaster(horizon: 1)
/// let yHat = model(x)                      // x [32, 48, 1] → [32, 1]
/// ```
public final class LSTMForecaster: Module, UnaryLayer {
    public let lstm: LSTM
    public let head: Linear
    /// Values predicted.
    public let horizon: Int

    /// A forecaster over `inputSize` features per step.
    public init(inputSize: Int = 1, hiddenSize: Int = 64, numLayers: Int = 1, horizon: Int = 1, dropout: Double = 0,
                generator: Generator? = nil) {
        self.horizon = horizon
        lstm = LSTM(inputSize, hiddenSize, numLayers: numLayers, batchFirst: true, dropout: numLayers > 1 ? dropout : 0,
                    generator: generator)
        head = Linear(hiddenSize, horizon, generator: generator)
        super.init()
    }

    public func forward(_ input: Tensor) -> Tensor {
        let out = lstm(input).output                              // [N, W, H]
        guard check(out.rank == 3, "LSTMForecaster", "expected input [N, W, F], got shape \(input.shape)") else {
            return .meta([input.shape.first ?? 1, horizon])
        }
        return head(out.select(1, out.shape[1] - 1))
    }
}
