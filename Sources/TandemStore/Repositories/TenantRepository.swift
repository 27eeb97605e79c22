import Foundation
public import Logging
import PostgresNIO
public import TandemCore

/// Tenants and their operator API keys.
public struct TenantRepository: Sendable {
    private let database: Database
    private let logger: Logger

    /// Creates a repository over `database`.
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Creates a tenant and its first operator API key, in one transaction.
    /// - Returns: the tenant and the API key, which is shown to its owner once and never again.
    public func create(name: DisplayName) async throws -> (tenant: Tenant, apiKey: Secret) {
        let id = TenantID.random()
        let apiKey = Secret.generate(.apiKey)
        let keyHash = Data(apiKey.hash.bytes)
        let createdAt = try await database.transaction(logger: logger) { connection in
            let rows = try await connection.statement(
                "INSERT INTO tenants (tenant_id, name) VALUES (\(id.rawValue), \(name.value)) RETURNING created_at",
                logger: logger)
            var createdAt = Date()
            for try await value in rows.decode(Date.self) { createdAt = value }
            try await connection.statement(
                "INSERT INTO tenant_api_keys (tenant_id, key_id, key_hash) VALUES (\(id.rawValue), \(UUID()), \(keyHash))",
                logger: logger)
            return createdAt
        }
        return (Tenant(id: id, name: name, createdAt: createdAt), apiKey)
    }

    /// The tenant whose live API key is `apiKey`, or `nil`.
    ///
    /// The key is hashed before the lookup and the stored hash compared in constant time.
    public func authenticate(apiKey: Secret) async throws -> TenantID? {
        let hash = apiKey.hash
        let rows = try await database.statement(
            "SELECT tenant_id, key_hash FROM tenant_api_keys WHERE key_hash = \(Data(hash.bytes)) AND revoked_at IS NULL",
            logger: logger)
        var match: TenantID?
        for try await (tenantID, stored) in rows.decode((UUID, Data).self) {
            if SecretHash(bytes: Array(stored)).constantTimeEquals(hash) { match = TenantID(tenantID) }
        }
        return match
    }

    /// The tenant with `id`, or `nil`.
    public func find(_ id: TenantID) async throws -> Tenant? {
        let rows = try await database.statement(
            "SELECT name, created_at FROM tenants WHERE tenant_id = \(id.rawValue)", logger: logger)
        for try await (name, createdAt) in rows.decode((String, Date).self) {
            return Tenant(id: id, name: try DisplayName(name, field: "name"), createdAt: createdAt)
        }
        return nil
    }
}
