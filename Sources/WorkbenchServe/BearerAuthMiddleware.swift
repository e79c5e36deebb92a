import Foundation
import Hummingbird

/// Requires `Authorization: Bearer TOKEN` on every route but the health
/// checks (`/v2/health/live`, `/v2/health/ready`); anything else gets 401
/// with a JSON error and `WWW-Authenticate: Bearer`.
///
/// The token is compared in constant time (the time depends only on the
/// length of what the client sent, never on how much of it matches).
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Paths open without a token.
    static var openPaths: Set<String> { ["/v2/health/live", "/v2/health/ready"] }

    let token: [UInt8]
    let onRefused: @Sendable () -> Void

    init(token: String, onRefused: @escaping @Sendable () -> Void) {
        self.token = Array(token.utf8)
        self.onRefused = onRefused
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme,
              Self.constantTimeEqual(Array(header.utf8.dropFirst(scheme.count)), token) else {
            onRefused()
            var response = InferenceServer.json(
                ["error": header.isEmpty ? "this server needs a bearer token: send Authorization: Bearer TOKEN"
                                         : "the bearer token is not the server's (expected Authorization: Bearer TOKEN)"],
                status: .unauthorized)
            response.headers[.wwwAuthenticate] = header.isEmpty ? "Bearer realm=\"workbench\""
                                                                : "Bearer realm=\"workbench\", error=\"invalid_token\""
            return response
        }
        return try await next(request, context)
    }

    /// Whether `given` equals `expected`, in a time that depends only on `given.count`.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        guard !expected.isEmpty else { return false }
        var diff = UInt(bitPattern: given.count ^ expected.count)
        for i in 0..<given.count {
            diff |= UInt(given[i] ^ expected[i % expected.count])
        }
        return diff == 0
    }
}
