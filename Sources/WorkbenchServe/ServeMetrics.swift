import Foundation
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`): requests and errors by
/// endpoint and status, request latency, batch sizes and batch run time.
public final class ServeMetrics: Sendable {
    /// The registry the metrics live in.
    public let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram
    private let batchSize: ValueHistogram
    private let batchSeconds: DurationHistogram

    /// Creates the metrics.
    public init() {
        latency = registry.makeDurationHistogram(
            name: "workbench_request_duration_seconds",
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)],
            help: "Time from receiving a request to sending its response")
        batchSize = registry.makeValueHistogram(name: "workbench_batch_size", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
                                                help: "Samples per forward pass run by the dynamic batcher")
        batchSeconds = registry.makeDurationHistogram(
            name: "workbench_batch_duration_seconds",
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .seconds(1)],
            help: "Time of one batched forward pass")
    }

    /// Counts one response and records its latency.
    public func request(endpoint: String, status: Int, seconds: TimeInterval) {
        registry.makeCounter(name: "workbench_requests_total", labels: [("endpoint", endpoint), ("code", String(status))],
                             help: "HTTP requests by endpoint and status code").increment()
        if status >= 400 {
            registry.makeCounter(name: "workbench_request_errors_total", labels: [("endpoint", endpoint), ("code", String(status))],
                                 help: "Requests answered with an error status").increment()
        }
        latency.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Records one batch run by the batcher.
    public func batch(size: Int, seconds: TimeInterval) {
        batchSize.record(Double(size))
        batchSeconds.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The Prometheus text exposition of every metric.
    public func text() -> String { registry.emitToString() }
}
