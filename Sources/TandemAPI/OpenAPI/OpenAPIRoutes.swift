import Hummingbird

/// `GET /openapi.json`: ``OpenAPIDocument``.
struct OpenAPIRoutes {
    func add(to router: Router<OperatorContext>) {
        router.get("openapi.json") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: OpenAPIDocument.json)))
        }
    }
}
