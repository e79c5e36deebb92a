import Foundation
import Hummingbird

/// Answers a request no route matches (an unknown path, or a known path with
/// the wrong method) with a JSON 404 that lists the endpoints, like every other
/// error of the server, instead of Hummingbird's empty body.
struct NotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    /// `METHOD /path` of every route, for the message.
    let endpoints: [String]
    /// Called with the status it answered (for the metrics).
    let onRefused: @Sendable (_ status: Int) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound {
            onRefused(404)
            return InferenceServer.json(
                ["error": "no endpoint \(request.method) \(request.uri.path); endpoints: \(endpoints.joined(separator: ", "))"],
                status: .notFound)
        }
    }
}
