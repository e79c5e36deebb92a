import Foundation

/// Settings of the inference server (`workbench serve`).
public struct ServeOptions: Sendable {
    /// Address to bind (loopback by default).
    public var host = "127.0.0.1"
    /// Port to bind (0: any free port, printed at start).
    public var port = 8080
    /// Largest batch the dynamic batcher runs at once.
    public var maxBatch = 32
    /// How long the batcher waits for more requests after the first, in milliseconds.
    public var maxDelayMs = 5.0
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes = 8 << 20
    /// Longest a request may wait for its result, in seconds.
    public var timeoutSeconds = 30.0
    /// Inference threads (each runs whole batches).
    public var workers = 1

    /// The defaults.
    public init() {}
}
