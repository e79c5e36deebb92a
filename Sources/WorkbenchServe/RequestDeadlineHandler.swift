import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Bounds the time a client may take to send one request (slowloris): from
/// its head to its last body byte, at most `timeout`. Past it the handler
/// answers 408 with a JSON error (when no response has started) and closes
/// the connection; the request's handler sees its body end early.
///
/// Connections that never send a complete head are closed by Hummingbird's
/// idle timeout (`HTTP1Channel.Configuration.idleTimeout`); this handler
/// covers the body, which the idle timeout restarts on every chunk.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var deadline: Scheduled<Void>?
    private var responseStarted = false

    init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.onTimeout = onTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            responseStarted = false
            deadline?.cancel()
            let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: timeout) {
                loopBound.value.handler.expire(context: loopBound.value.context)
            }
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head = unwrapOutboundIn(data) { responseStarted = true }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    private func expire(context: ChannelHandlerContext) {
        deadline = nil
        onTimeout()
        guard context.channel.isActive else { return }
        if !responseStarted {
            responseStarted = true
            let seconds = Double(timeout.nanoseconds) / 1e9
            let body = ByteBuffer(string: "{\"error\":\"the request was not received within \(seconds) s (--request-timeout)\"}")
            let head = HTTPResponse(status: .requestTimeout, headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
            ])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }
}
