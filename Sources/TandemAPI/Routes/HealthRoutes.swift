import Hummingbird
import TandemOpenAPI
import TandemStore

/// `GET /healthz` (the process answers) and `GET /readyz` (the database answers and its
/// schema is current): for load balancers and orchestrators, unauthenticated. `/readyz` also
/// says whether commits are synchronously replicated, so an operator sees whether "acked"
/// means "on two machines"; an unreplicated database is reported, never a reason to refuse.
struct HealthRoutes {
    let store: Store

    func add(to router: Router<OperatorContext>) {
        router.get("healthz") { _, _ in Components.Schemas.Health(status: "ok") }
        router.get("readyz") { _, _ -> EditedResponse<Components.Schemas.Health> in
            let (ready, reason) = await store.readiness()
            // What the node's monitor read last (every 10 s); read now only without one.
            var replication = ready ? store.latestReplication.current : nil
            if ready, replication == nil { replication = try? await store.replication() }
            return EditedResponse(
                status: ready ? .ok : .serviceUnavailable,
                response: .init(
                    status: ready ? "ready" : "not ready", reason: reason, database: replication.map(Components.Schemas.Health.database)))
        }
    }
}
