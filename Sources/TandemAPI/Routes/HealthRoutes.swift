import Hummingbird
import TandemStore

/// `GET /healthz` (the process answers) and `GET /readyz` (the database answers and its
/// schema is current): for load balancers and orchestrators, unauthenticated. `/readyz` also
/// says whether commits are synchronously replicated, so an operator sees whether "acked"
/// means "on two machines"; an unreplicated database is reported, never a reason to refuse.
struct HealthRoutes {
    let store: Store

    struct Status: ResponseEncodable {
        let status: String
        let reason: String?
        var database: Database? = nil
    }

    /// What "acked" means on the database (``DatabaseReplication``).
    struct Database: Encodable {
        let commitsSynchronous: Bool
        let synchronousStandbys: Int
        let standbys: Int
        let summary: String

        init(_ replication: DatabaseReplication) {
            commitsSynchronous = replication.isSynchronous
            synchronousStandbys = replication.synchronousStandbys
            standbys = replication.standbys
            summary = replication.description
        }
    }

    func add(to router: Router<OperatorContext>) {
        router.get("healthz") { _, _ in Status(status: "ok", reason: nil) }
        router.get("readyz") { _, _ -> EditedResponse<Status> in
            let (ready, reason) = await store.readiness()
            // What the node's monitor read last (every 10 s); read now only without one.
            var replication = ready ? store.latestReplication.current : nil
            if ready, replication == nil { replication = try? await store.replication() }
            return EditedResponse(
                status: ready ? .ok : .serviceUnavailable,
                response: Status(status: ready ? "ready" : "not ready", reason: reason, database: replication.map(Database.init)))
        }
    }
}
