import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// A folder served over HTTP, or HTTPS with a given certificate, by Hummingbird in
/// this process, on 127.0.0.1 and a free port (`Range` requests included), for
/// the hub tests. `stop()` (or deinit) shuts it down.
final class HubFileServer: @unchecked Sendable {
    /// The bound port.
    let port: Int
    /// `http://127.0.0.1:PORT/` or `https://…`.
    let url: String
    private let task: Task<Void, Error>
    private let finished: DispatchSemaphore
    private var stopped = false

    /// Serves `folder`; with `tls`, over HTTPS with that PEM certificate chain and key.
    init(folder: URL, tls: (certificate: URL, key: URL)? = nil) throws {
        let router = Router()
        router.add(middleware: FileMiddleware(folder.path, searchForIndexHtml: false))
        var server = HTTPServerBuilder.http1()
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate.path).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key.path, format: .pem)
            server = try .tls(.http1(), tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        }
        final class Bound: @unchecked Sendable { var port = 0 }
        let bound = Bound()
        let ready = DispatchSemaphore(value: 0)
        let app = Application(router: router, server: server,
                              configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "hub-test"),
                              onServerRunning: { channel in
                                  bound.port = channel.localAddress?.port ?? 0
                                  ready.signal()
                              })
        let finished = DispatchSemaphore(value: 0)
        let task = Task {
            defer { finished.signal() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        self.task = task
        self.finished = finished
        guard ready.wait(timeout: .now() + 60) == .success, bound.port > 0 else {
            task.cancel()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the hub test server did not start"])
        }
        port = bound.port
        url = "\(tls == nil ? "http" : "https")://127.0.0.1:\(bound.port)/"
    }

    /// Shuts the server down and waits for it (at most 30 s).
    func stop() {
        guard !stopped else { return }
        stopped = true
        task.cancel()
        _ = finished.wait(timeout: .now() + 30)
    }

    deinit { stop() }
}
