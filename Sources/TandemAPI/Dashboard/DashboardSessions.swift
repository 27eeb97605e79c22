import Foundation
import Synchronization
import TandemCore

/// Signed-in dashboard sessions of this process: a random session id in an HTTP-only cookie,
/// kept here only as its hash, expiring after ``lifetime``. A restart signs everyone out.
final class DashboardSessions: Sendable {
    /// How long a session lasts (12 hours).
    let lifetime: TimeInterval = 12 * 3_600
    private let sessions = Mutex<[SecretHash: (tenant: TenantID, expires: Date)]>([:])

    /// Opens a session for `tenant`; returns the id for the cookie.
    func open(_ tenant: TenantID, now: Date = Date()) -> Secret {
        let id = Secret.generate(.dashboardSession)
        sessions.withLock { all in
            all = all.filter { $0.value.expires > now }
            all[id.hash] = (tenant, now.addingTimeInterval(lifetime))
        }
        return id
    }

    /// The tenant of a live session.
    func tenant(of id: Secret, now: Date = Date()) -> TenantID? {
        sessions.withLock { all in
            guard let session = all[id.hash], session.expires > now else { return nil }
            return session.tenant
        }
    }

    /// Ends a session.
    func close(_ id: Secret) {
        _ = sessions.withLock { $0.removeValue(forKey: id.hash) }
    }
}
