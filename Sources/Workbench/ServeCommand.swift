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
        With --token (or WORKBENCH_SERVE_TOKEN, which `ps` does not show) every route but
        /v2/health/live and /v2/health/ready needs `Authorization: Bearer TOKEN` (401 otherwise).
        Limits: --max-body-bytes (413), --max-header-bytes (400), --request-timeout (408),
        --idle-timeout (close), --max-connections (503, Retry-After, close), --max-queue (503, Retry-After).
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
    @Option(help: "Bearer token needed by every route but the health checks (default: $WORKBENCH_SERVE_TOKEN; none: open).")
    var token: String?
    @Option(name: .customLong("max-header-bytes"), help: "Largest request head (request line + headers).") var maxHeaderBytes: Int = 16 << 10
    @Option(name: .customLong("request-timeout"), help: "Seconds a client may take to send a request's body (408 after).")
    var requestTimeout: Double = 10
    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may stay open without sending a request (closed after).")
    var idleTimeout: Double = 30
    @Option(name: .customLong("max-connections"), help: "Connections served at once; more get 503 + Retry-After and are closed.")
    var maxConnections: Int = 4096
    @Option(name: .customLong("max-queue"), help: "Requests waiting for inference per model; more get 503 + Retry-After.")
    var maxQueue: Int = 1024

    func validate() throws {
        guard !weights.isEmpty else { throw ValidationError("give at least one --weights FILE") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1, got \(maxBatch)") }
        guard maxDelayMs >= 0 else { throw ValidationError("--max-delay-ms must not be negative, got \(maxDelayMs)") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard maxHeaderBytes >= 256 else { throw ValidationError("--max-header-bytes must be at least 256, got \(maxHeaderBytes)") }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout must be positive, got \(requestTimeout)") }
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive, got \(idleTimeout)") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1, got \(maxConnections)") }
        guard maxQueue >= 1 else { throw ValidationError("--max-queue must be at least 1, got \(maxQueue)") }
        if let token = resolvedToken {
            guard !token.isEmpty, token.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
                throw ValidationError("the token (--token or WORKBENCH_SERVE_TOKEN) must be non-empty printable ASCII without spaces")
            }
        }
    }

    /// --token, else $WORKBENCH_SERVE_TOKEN (an empty variable counts as unset).
    var resolvedToken: String? {
        if let token { return token }
        if let env = ProcessInfo.processInfo.environment["WORKBENCH_SERVE_TOKEN"], !env.isEmpty { return env }
        return nil
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
        options.token = resolvedToken
        options.maxHeaderBytes = maxHeaderBytes
        options.requestTimeoutSeconds = requestTimeout
        options.idleTimeoutSeconds = idleTimeout
        options.maxConnections = maxConnections
        options.maxQueue = maxQueue
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
            print("Serving \(names.joined(separator: ", ")) on http://\(settings.host):\(port) (max batch \(settings.maxBatch), max delay \(settings.maxDelayMs) ms\(settings.token == nil ? "" : ", bearer token required"))")
            fflush(stdout)
        }
        print("Server stopped")
    }
}
