import Foundation
import Hummingbird
import TandemOpenAPI

/// Answers a `/api/v1` request whose `Accept` header excludes JSON with 406 before its handler
/// runs, and takes the header off every other one.
///
/// The generated code checks `Accept` only when it encodes the answer, after the handler ran:
/// a `POST /api/v1/tokens` would issue a token and then fail, its secret shown to nobody. Every
/// operation answers `application/json` alone, so the check is made here, once, up front.
struct AcceptsJSON: RouterMiddleware {
    typealias Context = OperatorContext

    func handle(
        _ request: Request, context: OperatorContext, next: (Request, OperatorContext) async throws -> Response
    ) async throws -> Response {
        guard let accept = request.headers[.accept] else { return try await next(request, context) }
        guard Self.acceptsJSON(accept) else {
            throw APIError(.notAcceptable, code: .notAcceptable, message: "the answer is application/json: send Accept: application/json")
        }
        var head = request.head
        head.headerFields[.accept] = nil
        return try await next(Request(head: head, body: request.body), context)
    }

    /// Whether an `Accept` header names JSON: `application/json`, `application/*` or `*/*`, not
    /// refused with `q=0`; an empty header accepts anything.
    static func acceptsJSON(_ header: String) -> Bool {
        let ranges = header.split(separator: ",").map {
            $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }
        guard ranges.contains(where: { $0.first?.isEmpty == false }) else { return true }
        return ranges.contains { range in
            guard let type = range.first, ["application/json", "application/*", "*/*"].contains(type) else { return false }
            let quality = range.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }
}
