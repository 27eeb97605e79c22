import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Reads each request's body in full, within ``HTTPLimits/bodyTimeout`` and up to
/// ``HTTPLimits/maximumBodySize``, before any route or authenticator sees the request.
///
/// A client that trickles its body (byte by byte, or stops half-way) gets 408 and its
/// connection is closed, so it holds no handler, buffer or connection past the timeout; a body
/// too large gets 413. Routes then read the buffered body at once.
struct RequestBodyDeadline: RouterMiddleware {
    typealias Context = OperatorContext

    let limits: HTTPLimits

    func handle(
        _ request: Request, context: OperatorContext,
        next: (Request, OperatorContext) async throws -> Response
    ) async throws -> Response {
        guard Self.hasBody(request) else { return try await next(request, context) }
        let (limits, unread) = (limits, request)
        let channel = context.channel
        let body = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var request = unread
                do {
                    return try await request.collectBody(upTo: limits.maximumBodySize)
                } catch is NIOTooManyBytesError {
                    throw APIError.bodyTooLarge(limit: limits.maximumBodySize)
                } catch {
                    // The connection closed under it: cut off by the deadline, or by the client.
                    return nil
                }
            }
            group.addTask {
                try await Task.sleep(for: limits.bodyTimeout)
                // Answer 408 on the connection itself, then close it: the body stream is
                // Hummingbird's own reader of the connection, which can't be stopped half-way
                // and still answered through it.
                try await Self.answerAndClose(channel, json: try APIError.requestTimeout(after: limits.bodyTimeout).jsonBody())
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        // Timed out (the 408 went out on the connection), or the client left: the connection is
        // closed, so this answer goes nowhere.
        guard let body else { return Response(status: .requestTimeout) }
        var buffered = request
        buffered.body = RequestBody(buffer: body)
        return try await next(buffered, context)
    }

    /// Writes a 408 with the usual JSON error straight to `channel`, then closes it.
    private static func answerAndClose(_ channel: any Channel, json: ByteBuffer) async throws {
        let head = HTTPResponse(
            status: .requestTimeout,
            headerFields: [
                .contentType: "application/json; charset=utf-8", .contentLength: "\(json.readableBytes)", .connection: "close",
            ])
        channel.write(HTTPResponsePart.head(head), promise: nil)
        channel.write(HTTPResponsePart.body(json), promise: nil)
        try? await channel.writeAndFlush(HTTPResponsePart.end(nil))
        try? await channel.close()
    }

    private static func hasBody(_ request: Request) -> Bool {
        if request.headers[.transferEncoding] != nil { return true }
        if let length = request.headers[.contentLength] { return length != "0" }
        return false
    }
}
