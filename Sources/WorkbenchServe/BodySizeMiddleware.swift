import Foundation
import Hummingbird

/// Answers 413 from the `Content-Length` header alone, before any of the body
/// is read, when it exceeds the limit (a chunked body is still capped by
/// `collectBody(upTo:)` as it arrives). The response says `Connection: close`.
struct BodySizeMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int
    /// Called with the request's path and the status it was answered with (for the metrics).
    let onRefused: @Sendable (_ path: String, _ status: Int) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let text = request.headers[.contentLength] {
            guard let length = Int(text), length >= 0 else {
                onRefused(request.uri.path, 400)
                return InferenceServer.json(["error": "Content-Length '\(text)' is not a byte count"], status: .badRequest)
            }
            if length > maxBytes {
                onRefused(request.uri.path, 413)
                var response = InferenceServer.json(
                    ["error": "request body is larger than the limit: \(length) bytes, at most \(maxBytes) (--max-body-bytes)"],
                    status: .contentTooLarge)
                response.headers[.connection] = "close"
                return response
            }
        }
        return try await next(request, context)
    }
}
