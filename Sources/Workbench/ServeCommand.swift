import ArgumentParser
import Foundation
import Tensors
import WorkbenchServe

/// `workbench serve`: an HTTP inference server (KServe v2 + predict + metrics).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve saved weights over HTTP: KServe v2 endpoints, top-k predict, Prometheus metrics, dynamic batching.",
        discussion: """
        Each --weights is FILE or NAME=FILE (the name in /v2/models/NAME; default: the file name without extension).
        SIGTERM/SIGINT finish in-flight requests and stop; SIGHUP reloads the weights files.
        Example: workbench serve --weights lenet5=lenet5.safetensors --port 8080
        """
    )

    @Option(help: ArgumentHelp("Weights to serve: FILE or NAME=FILE (repeatable).", valueName: "file")) var weights: [String]
    @Option(help: "Zoo model for weights files without metadata.") var model: String?
    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "Port (0: a free port, printed at start).") var port: Int = 8080
    @Option(name: .customLong("max-batch"), help: "Most samples per batched forward pass.") var maxBatch: Int = 32
    @Option(name: .customLong("max-delay-ms"), help: "How long a batch waits for more requests (ms).") var maxDelayMs: Double = 2
    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted.") var maxBodyBytes: Int = 8 << 20
    @Option(help: "Seconds a request may wait for inference before a 503.") var timeout: Double = 30
    @Option(help: "Inference threads.") var workers: Int = 1

    func validate() throws {
        guard !weights.isEmpty else { throw ValidationError("give at least one --weights FILE") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1, got \(maxBatch)") }
        guard maxDelayMs >= 0 else { throw ValidationError("--max-delay-ms must not be negative, got \(maxDelayMs)") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        var options = ServeOptions()
        options.host = host
        options.port = port
        options.maxBatch = maxBatch
        options.maxDelayMs = maxDelayMs
        options.maxBodyBytes = maxBodyBytes
        options.timeoutSeconds = timeout
        options.workers = workers
        let models = weights.map { spec -> (name: String, weights: URL, modelName: String?) in
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            let path = parts.count == 2 ? parts[1] : spec
            let url = URL(fileURLWithPath: path)
            return (parts.count == 2 ? parts[0] : url.deletingPathExtension().lastPathComponent, url, model)
        }
        let metrics = ServeMetrics()
        let repository: ModelRepository
        do {
            repository = try ModelRepository(models: models, options: options) { n, s in metrics.batch(size: n, seconds: s) }
        } catch {
            throw UserError("\(error)")
        }
        let server = InferenceServer(repository: repository, metrics: metrics, options: options)
        let names = repository.names
        let settings = options
        try await server.run { port in
            print("Serving \(names.joined(separator: ", ")) on http://\(settings.host):\(port) (max batch \(settings.maxBatch), max delay \(settings.maxDelayMs) ms)")
            fflush(stdout)
        }
        print("Server stopped")
    }
}
