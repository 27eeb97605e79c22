public import Foundation
public import Logging
import PostgresNIO
public import TandemCore

/// The `serve` processes sharing the database, their leases, and the notifications they send
/// each other (PostgreSQL `NOTIFY` on ``ClusterMessage/channel``).
public struct NodeRepository: Sendable {
    /// One node as recorded.
    public struct Node: Sendable, Hashable {
        public let id: String
        public let grpcAddress: String
        public let httpAddress: String
        public let startedAt: Date
        public let leaseExpiresAt: Date
        /// Whether its lease is live now.
        public let live: Bool
    }

    private let database: Database
    private let logger: Logger

    /// Creates a repository over `database`.
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Records the node as started with a lease of `lease`.
    /// - Returns: `true` when a live lease of the same id existed (another process runs under
    ///   this id, or this one restarted within its lease): the caller should say so.
    @discardableResult
    public func register(_ node: NodeID, grpcAddress: String, httpAddress: String, lease: Duration) async throws -> Bool {
        var clash = false
        let previous = try await database.statement(
            "SELECT lease_expires_at > now() AND stopped_at IS NULL FROM nodes WHERE node_id = \(node.value)", logger: logger)
        for try await live in previous.decode(Bool.self) { clash = live }
        try await database.statement(
            """
            INSERT INTO nodes (node_id, grpc_address, http_address, lease_expires_at)
            VALUES (\(node.value), \(grpcAddress), \(httpAddress), now() + make_interval(secs => \(lease.inSeconds)))
            ON CONFLICT (node_id) DO UPDATE SET grpc_address = excluded.grpc_address, http_address = excluded.http_address,
                started_at = now(), renewed_at = now(), lease_expires_at = excluded.lease_expires_at, stopped_at = NULL
            """, logger: logger)
        return clash
    }

    /// Extends the node's lease to `lease` from now.
    /// - Returns: `false` when the node's row is gone (it is registered again then).
    public func renew(_ node: NodeID, lease: Duration) async throws -> Bool {
        let rows = try await database.statement(
            """
            UPDATE nodes SET renewed_at = now(), lease_expires_at = now() + make_interval(secs => \(lease.inSeconds)), stopped_at = NULL
            WHERE node_id = \(node.value) RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Gives the lease up: the node stopped (its sessions are the others' to watch at once).
    public func release(_ node: NodeID) async throws {
        try await database.statement(
            "UPDATE nodes SET lease_expires_at = now(), stopped_at = now() WHERE node_id = \(node.value)", logger: logger)
    }

    /// Every node recorded, live ones first.
    public func list() async throws -> [Node] {
        let rows = try await database.statement(
            """
            SELECT node_id, grpc_address, http_address, started_at, lease_expires_at, lease_expires_at > now()
            FROM nodes ORDER BY lease_expires_at > now() DESC, node_id
            """, logger: logger)
        var nodes: [Node] = []
        for try await (id, grpc, http, started, expires, live) in rows.decode((String, String, String, Date, Date, Bool).self) {
            nodes.append(Node(id: id, grpcAddress: grpc, httpAddress: http, startedAt: started, leaseExpiresAt: expires, live: live))
        }
        return nodes
    }

    /// Sends `messages` to every listening node, one message per line, in as few
    /// notifications as fit PostgreSQL's 8,000-byte payload. PostgreSQL serialises the commits
    /// of notifying transactions, so nodes batch their messages rather than notify per change.
    public func notify(_ messages: [ClusterMessage]) async throws {
        for payload in ClusterMessage.payloads(messages) {
            try await database.statement("SELECT pg_notify(\(ClusterMessage.channel), \(payload))", logger: logger)
        }
    }
}
