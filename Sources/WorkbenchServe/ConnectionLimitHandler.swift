import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The count of connections being served, shared by every connection's `ConnectionLimitHandler`.
final class ConnectionLimit: @unchecked Sendable {
    /// Most connections served at once (`--max-connections`).
    let maximum: Int
    /// Called for each connection refused (for the metrics).
    let onRefused: @Sendable () -> Void
    private let lock = NSLock()
    private var open = 0

    init(maximum: Int, onRefused: @escaping @Sendable () -> Void) {
        self.maximum = maximum
        self.onRefused = onRefused
    }

    /// Connections being served now.
    var current: Int {
        lock.lock()
        defer { lock.unlock() }
        return open
    }

    /// Takes a place for a new connection; false when all `maximum` are taken.
    func admit() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard open < maximum else { return false }
        open += 1
        return true
    }

    /// Gives back the place of a connection that closed.
    func release() {
        lock.lock()
        open -= 1
        lock.unlock()
    }
}

/// Answers connections beyond `--max-connections` at once, as nginx's
/// `limit_conn` does: `503 Service Unavailable` with `Retry-After` and
/// `Connection: close`, then the connection is closed. Connections within the
/// limit pass through untouched.
///
/// A refused connection's requests never reach the router. After the answer
/// the server closes its sending side and discards what the client still sends
/// until the client closes, or for at most `linger` (closing at once with
/// unread bytes would make the kernel reset the connection, and the client
/// could lose the answer).
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private enum State { case undecided, admitted, refused, released }
    private let limit: ConnectionLimit
    private let linger: TimeAmount
    private var state = State.undecided

    init(limit: ConnectionLimit, linger: TimeAmount = .seconds(2)) {
        self.limit = limit
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { decide(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        decide(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state != .refused else { return }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if state == .refused, let e = event as? ChannelEvent, e == .inputClosed {
            context.close(promise: nil)  // the client has read the answer and closed its side
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard state != .refused else {
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        giveBack()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        giveBack()
    }

    private func giveBack() {
        if state == .admitted { limit.release() }
        if state == .admitted || state == .undecided { state = .released }
    }

    private func decide(context: ChannelHandlerContext) {
        guard state == .undecided else { return }
        if limit.admit() {
            state = .admitted
            return
        }
        state = .refused
        limit.onRefused()
        let body = ByteBuffer(string: "{\"error\":\"the server is serving its most connections at once (--max-connections \(limit.maximum)); retry later\"}")
        let head = HTTPResponse(status: .serviceUnavailable, headerFields: [
            .contentType: "application/json", .contentLength: String(body.readableBytes),
            .retryAfter: "1", .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
        }
        context.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
    }
}
