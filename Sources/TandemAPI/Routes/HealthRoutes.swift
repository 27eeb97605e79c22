import Hummingbird
import TandemStore

/// `GET /healthz` (the process answers) and `GET /readyz` (the database answers and its
/// schema is current): for load balancers and orchestrators, unauthenticated.
struct HealthRoutes {
    let store: Store

    struct Status: ResponseEncodable {
        let status: String
        let reason: String?
    }

    func add(to router: Router<OperatorContext>) {
        router.get("healthz") { _, _ in Status(status: "ok", reason: nil) }
        router.get("readyz") { _, _ -> EditedResponse<Status> in
            let (ready, reason) = await store.readiness()
            return EditedResponse(
                status: ready ? .ok : .serviceUnavailable,
                response: Status(status: ready ? "ready" : "not ready", reason: reason))
        }
    }
}
