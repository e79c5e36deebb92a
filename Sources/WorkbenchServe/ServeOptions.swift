import Foundation

/// Settings of the inference server (`workbench serve`).
///
/// Every resource a client can hold has a limit here: body and header sizes,
/// the time to send a request, idle connections, open connections and the
/// inference queue. Each is answered with a 4xx/503 (or a close, for a
/// connection that never sends a request) without slowing other clients.
public struct ServeOptions: Sendable {
    /// Address to bind (loopback by default).
    public var host = "127.0.0.1"
    /// Port to bind (0: any free port, printed at start).
    public var port = 8080
    /// Largest batch the dynamic batcher runs at once.
    public var maxBatch = 32
    /// How long the batcher waits for more requests after the first, in milliseconds.
    public var maxDelayMs = 5.0
    /// Largest request body accepted, in bytes (413 above, judged by Content-Length before reading).
    public var maxBodyBytes = 8 << 20
    /// Largest request head (request line and headers), in bytes (400 and close above).
    public var maxHeaderBytes = 16 << 10
    /// Longest a request may wait for its result, in seconds.
    public var timeoutSeconds = 30.0
    /// Longest a client may take to send one request's body after its head, in seconds (408 after).
    public var requestTimeoutSeconds = 10.0
    /// Longest a connection may stay open without sending a complete request head, in seconds (closed after).
    public var idleTimeoutSeconds = 30.0
    /// Most connections served at once; a further one is answered 503 with `Retry-After` and closed.
    public var maxConnections = 4096
    /// Most requests waiting for inference per model; further ones get 503 with Retry-After.
    public var maxQueue = 1024
    /// The bearer token every route but the health checks needs (nil: no authentication).
    public var token: String?
    /// Inference threads (each runs whole batches).
    public var workers = 1

    /// The defaults.
    public init() {}
}
