import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Tensors

/// The HTTP inference server of `workbench serve` (Hummingbird 2).
///
/// Endpoints (Open Inference Protocol / KServe v2, JSON):
/// - `GET /v2/health/live`, `GET /v2/health/ready`
/// - `GET /v2/models/{name}` (metadata), `GET /v2/models/{name}/ready`
/// - `POST /v2/models/{name}/infer`: `{"inputs": [{"name", "shape", "datatype": "FP32", "data"}]}`
/// - `POST /v2/models/{name}/predict?top_k=K`: the same JSON, a CIFAR-10 binary
///   record, or an image file (with a decoder); top-k classes with names
/// - `POST /v2/repository/models/{name}/load`: reload the weights file
/// - `GET /metrics`: Prometheus text
///
/// Bad input gets a JSON `{"error": "..."}` with a 4xx status; the server never
/// stops for one. Every resource a client can hold is bounded (`ServeOptions`):
/// a body over the limit gets 413 from its Content-Length before it is read,
/// an oversized head 400, a request not received in time 408, a full inference
/// queue 503 with `Retry-After`; idle connections are closed, and a connection
/// beyond `maxConnections` is answered 503 with `Retry-After` and closed. With a token, every route but the
/// health checks needs `Authorization: Bearer TOKEN` (401 otherwise). SIGTERM/SIGINT finish in-flight requests, then stop; SIGHUP
/// reloads every model's weights.
public final class InferenceServer: Sendable {
    /// The models.
    public let repository: ModelRepository
    /// The metrics.
    public let metrics: ServeMetrics
    /// The settings.
    public let options: ServeOptions

    /// A server for `repository` with `options`.
    public init(repository: ModelRepository, metrics: ServeMetrics, options: ServeOptions) {
        self.repository = repository
        self.metrics = metrics
        self.options = options
    }

    /// An error answered as JSON with a status code.
    struct APIError: Error {
        var status: HTTPResponse.Status
        var message: String
        var retryAfter: Int?
    }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Wraps a handler: JSON errors, metrics.
    func handle(_ endpoint: String, _ body: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response)
        -> @Sendable (Request, BasicRequestContext) async throws -> Response {
        let metrics = self.metrics
        return { request, context in
            let start = Date()
            let response: Response
            do {
                response = try await body(request, context)
            } catch let e as APIError {
                var r = Self.json(["error": e.message], status: e.status)
                if let after = e.retryAfter { r.headers[.retryAfter] = String(after) }
                response = r
            } catch let e as HTTPError where e.status == .contentTooLarge {
                response = Self.json(["error": "request body is larger than the limit"], status: .contentTooLarge)
            } catch is NIOTooManyBytesError {
                response = Self.json(["error": "request body is larger than the limit"], status: .contentTooLarge)
            } catch {
                response = Self.json(["error": "\(error)"], status: .badRequest)
            }
            metrics.request(endpoint: endpoint, status: Int(response.status.code), seconds: Date().timeIntervalSince(start))
            return response
        }
    }

    func entry(_ context: BasicRequestContext) throws -> ModelRepository.Entry {
        let name = context.parameters.get("name") ?? ""
        guard let e = repository.entry(name) else {
            throw APIError(status: .notFound, message: "unknown model '\(name)' (serving: \(repository.names.joined(separator: ", ")))")
        }
        return e
    }

    /// The metrics label of a request refused before routing, named like the handler's.
    static func endpoint(ofPath path: String) -> String {
        let parts = path.split(separator: "/")
        switch parts.last {
        case "infer", "predict", "load": return String(parts.last!)
        case "ready" where parts.count == 4: return "model_ready"
        case "live", "ready": return String(parts.last!)
        case "metrics": return "metrics"
        case _ where parts.count == 3 && parts[1] == "models": return "model"
        default: return "other"
        }
    }

    /// Every route, as the 404 for an unmatched request lists them.
    static let endpoints = ["GET /v2/health/live", "GET /v2/health/ready", "GET /v2/models/{name}", "GET /v2/models/{name}/ready",
                            "POST /v2/models/{name}/infer", "POST /v2/models/{name}/predict",
                            "POST /v2/repository/models/{name}/load", "GET /metrics"]

    /// The router with every endpoint.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let repo = repository
        let options = self.options
        let metrics = self.metrics
        if let token = options.token {
            router.add(middleware: BearerAuthMiddleware(token: token) {
                metrics.request(endpoint: "auth", status: 401, seconds: 0)
            })
        }
        router.add(middleware: BodySizeMiddleware(maxBytes: options.maxBodyBytes) { path, status in
            metrics.request(endpoint: Self.endpoint(ofPath: path), status: status, seconds: 0)
        })
        router.add(middleware: NotFoundMiddleware(endpoints: Self.endpoints) { status in
            metrics.request(endpoint: "other", status: status, seconds: 0)
        })
        router.get("/v2/health/live", use: handle("live") { _, _ in Self.json(["live": true]) })
        router.get("/v2/health/ready", use: handle("ready") { _, _ in Self.json(["ready": true]) })
        router.get("/v2/models/:name", use: handle("model") { _, c in
            let e = try self.entry(c)
            return Self.json(Self.modelMetadata(e))
        })
        router.get("/v2/models/:name/ready", use: handle("model_ready") { _, c in
            let e = try self.entry(c)
            return Self.json(["name": e.name, "ready": true])
        })
        router.post("/v2/models/:name/infer", use: handle("infer") { request, c in
            let e = try self.entry(c)
            var req = request
            let body = try await req.collectBody(upTo: options.maxBodyBytes)
            let (id, input) = try InferenceJSON.parseInfer(Data(buffer: body), inputShape: e.batcher.current.inputShape)
            let out = try await self.run(e, input)
            var resp: [String: Any] = [
                "model_name": e.name, "model_version": "1",
                "outputs": [["name": "output", "datatype": "FP32", "shape": out.shape, "data": out.toArray().map(Double.init)]],
            ]
            if let id { resp["id"] = id }
            return Self.json(resp)
        })
        router.post("/v2/models/:name/predict", use: handle("predict") { request, c in
            let e = try self.entry(c)
            let topK = request.uri.queryParameters.get("top_k").flatMap { Int($0) } ?? 3
            guard topK >= 1 else { throw APIError(status: .badRequest, message: "top_k must be at least 1") }
            var req = request
            let body = Data(buffer: try await req.collectBody(upTo: options.maxBodyBytes))
            let predictor = e.batcher.current
            let input = try InferenceJSON.parsePredictBody(body, contentType: request.headers[.contentType], predictor: predictor)
            let out = try await self.run(e, input)
            let ranked = predictor.rank(out, topK: topK)
            return Self.json(["model_name": e.name, "predictions": ranked.map { row in
                row.map { ["index": $0.index, "label": $0.label, "score": $0.score] as [String: Any] }
            }])
        })
        router.post("/v2/repository/models/:name/load", use: handle("load") { _, c in
            let e = try self.entry(c)
            do { try repo.reload(e.name) } catch {
                throw APIError(status: .badRequest, message: "reload of \(e.name) failed, still serving the previous weights: \(error)")
            }
            return Self.json(["name": e.name, "reloaded": true])
        })
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: self.metrics.text())))
        }
        return router
    }

    func run(_ e: ModelRepository.Entry, _ input: Tensor) async throws -> Tensor {
        do {
            return try await e.batcher.submit(input, timeout: options.timeoutSeconds)
        } catch DynamicBatcher.Failure.timedOut {
            throw APIError(status: .serviceUnavailable, message: "timed out after \(options.timeoutSeconds) s waiting for inference")
        } catch DynamicBatcher.Failure.closed {
            throw APIError(status: .serviceUnavailable, message: "the server is shutting down")
        } catch DynamicBatcher.Failure.overloaded(let n) {
            throw APIError(status: .serviceUnavailable,
                           message: "\(e.name) already has \(n) requests waiting (--max-queue); retry later", retryAfter: 1)
        } catch DynamicBatcher.Failure.model(let m) {
            throw APIError(status: .badRequest, message: m)
        }
    }

    static func modelMetadata(_ e: ModelRepository.Entry) -> [String: Any] {
        let m = e.batcher.current.metadata
        return [
            "name": e.name, "versions": ["1"], "platform": "workbench",
            "architecture": m.architecture.name, "task": m.task.rawValue, "classes": m.classes,
            "inputs": [["name": "input", "datatype": "FP32", "shape": [-1] + m.architecture.inputShape]],
            "outputs": [["name": "output", "datatype": "FP32", "shape": [-1, m.architecture.outputs]]],
        ]
    }

    /// Runs until SIGTERM/SIGINT; `onListening` gets the bound port. SIGHUP reloads the weights.
    public func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        signal(SIGHUP, SIG_IGN)
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let repo = repository
        hup.setEventHandler {
            let failures = repo.reloadAll()
            let line = failures.isEmpty ? "reloaded \(repo.names.joined(separator: ", "))\n"
                                        : "reload failed (previous weights still served): \(failures.joined(separator: "; "))\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        hup.resume()
        defer { hup.cancel() }
        let metrics = self.metrics
        let timeoutSeconds = options.requestTimeoutSeconds
        let requestTimeout = TimeAmount.nanoseconds(Int64(timeoutSeconds * 1e9))
        let connections = ConnectionLimit(maximum: options.maxConnections) {
            metrics.request(endpoint: "connection_limit", status: 503, seconds: 0)
        }
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                ConnectionLimitHandler(limit: connections),
                RequestDeadlineHandler(timeout: requestTimeout) {
                    metrics.request(endpoint: "request_timeout", status: 408, seconds: timeoutSeconds)
                },
            ],
            idleTimeout: .nanoseconds(Int64(options.idleTimeoutSeconds * 1e9)),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: options.maxHeaderBytes, maxHeaderListSize: options.maxHeaderBytes,
                                            maxHeaderFieldCount: 100))
        let configuration = ApplicationConfiguration(
            address: .hostname(options.host, port: options.port), serverName: "workbench", backlog: 4096)
        let app = Application(router: router(), server: .http1(configuration: http1), configuration: configuration,
                              onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) })
        try await app.runService()
        repository.close()
    }
}
