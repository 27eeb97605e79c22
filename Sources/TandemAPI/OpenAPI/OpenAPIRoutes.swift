import Hummingbird
import TandemOpenAPI

/// `GET /openapi.json`: OpenAPI/openapi.json as committed (``OpenAPISpec``).
struct OpenAPIRoutes {
    func add(to router: Router<OperatorContext>) {
        router.get("openapi.json") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: OpenAPISpec.json)))
        }
    }
}
