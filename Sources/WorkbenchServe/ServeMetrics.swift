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
            descriptor: Self.name("request_duration", "seconds", "Time from receiving a request to sending its response"),
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)])
        batchSize = registry.makeValueHistogram(
            descriptor: Self.name("batch", "size", "Samples per forward pass run by the dynamic batcher"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        batchSeconds = registry.makeDurationHistogram(
            descriptor: Self.name("batch_duration", "seconds", "Time of one batched forward pass"),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .seconds(1)])
    }

    /// Counts one response and records its latency.
    public func request(endpoint: String, status: Int, seconds: TimeInterval) {
        let labels = [("endpoint", endpoint), ("code", String(status))]
        registry.makeCounter(descriptor: Self.name("requests", "total", "HTTP requests by endpoint and status code"),
                             labels: labels).increment()
        if status >= 400 {
            registry.makeCounter(descriptor: Self.name("request_errors", "total", "Requests answered with an error status"),
                                 labels: labels).increment()
        }
        latency.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Records one batch run by the batcher.
    public func batch(size: Int, seconds: TimeInterval) {
        batchSize.record(Double(size))
        batchSeconds.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// `workbench_<metric>_<unit>` with its help text.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "workbench", metricName: metric, unitName: unit, helpText: help)
    }

    /// The Prometheus text exposition of every metric.
    public func text() -> String { registry.emitToString() }
}
