import Foundation
public import Logging
import PostgresNIO
public import TandemCore

/// Connector tokens: issued per tenant and network kind; each one defines an HA group.
public struct TokenRepository: Sendable {
    private let database: Database
    private let logger: Logger

    /// Creates a repository over `database`.
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Issues a token for `tenant` and creates its HA group.
    /// - Returns: the token record and its secret, which is shown once and never again.
    /// - Throws: ``StoreError`` `.notFound` when the tenant does not exist.
    public func create(
        tenant: TenantID, connectorName: DisplayName, network: NetworkKind
    ) async throws -> (token: Token, secret: Secret) {
        let id = TokenID.random()
        let secret = Secret.generate(.connectorToken)
        let hash = Data(secret.hash.bytes)
        let createdAt: Date = try await database.transaction(logger: logger) { connection in
            let rows = try await connection.statement(
                """
                INSERT INTO tokens (tenant_id, token_id, connector_name, network, token_hash)
                SELECT tenant_id, \(id.rawValue), \(connectorName.value), \(network.rawValue), \(hash)
                FROM tenants WHERE tenant_id = \(tenant.rawValue)
                RETURNING created_at
                """, logger: logger)
            var createdAt: Date?
            for try await value in rows.decode(Date.self) { createdAt = value }
            guard let createdAt else { throw StoreError(.notFound, "tenant \(tenant) does not exist") }
            try await connection.statement(
                "INSERT INTO ha_groups (tenant_id, token_id) VALUES (\(tenant.rawValue), \(id.rawValue))", logger: logger)
            return createdAt
        }
        let token = Token(
            id: id, tenantID: tenant, connectorName: connectorName, network: network,
            createdAt: createdAt, revokedAt: nil)
        return (token, secret)
    }

    /// The tenant's tokens, newest first, revoked ones included (never their secrets).
    public func list(tenant: TenantID) async throws -> [Token] {
        try await tokens(
            """
            SELECT token_id, tenant_id, connector_name, network, created_at, revoked_at FROM tokens
            WHERE tenant_id = \(tenant.rawValue) ORDER BY created_at DESC, token_id
            """)
    }

    /// One page of the tenant's tokens, newest first: `limit` of them after the position
    /// `after` (a token's creation time in microseconds since 1970 and its id, the page key).
    public func list(tenant: TenantID, after: (createdAtMicros: Int64, id: TokenID)?, limit: Int) async throws -> Page<Token> {
        let fetched = try await tokens(
            """
            SELECT token_id, tenant_id, connector_name, network, created_at, revoked_at FROM tokens
            WHERE tenant_id = \(tenant.rawValue)
              AND (\(after?.createdAtMicros)::int8 IS NULL
                   OR (created_at, token_id) < (timestamptz 'epoch' + \(after?.createdAtMicros)::int8 * interval '1 microsecond',
                                                \(after?.id.rawValue)::uuid))
            ORDER BY created_at DESC, token_id DESC LIMIT \(limit + 1)
            """)
        return Page(fetched: fetched, limit: limit) { [String(PageKey.micros($0.createdAt)), $0.id.description] }
    }

    /// The tenant's token `id`, or `nil` when this tenant has no such token.
    public func find(tenant: TenantID, id: TokenID) async throws -> Token? {
        try await tokens(
            """
            SELECT token_id, tenant_id, connector_name, network, created_at, revoked_at FROM tokens
            WHERE tenant_id = \(tenant.rawValue) AND token_id = \(id.rawValue)
            """
        ).first
    }

    /// Revokes the tenant's token `id` (idempotent: revoking twice keeps the first time).
    /// - Returns: the revoked token, or `nil` when this tenant has no such token.
    public func revoke(tenant: TenantID, id: TokenID) async throws -> Token? {
        try await tokens(
            """
            UPDATE tokens SET revoked_at = coalesce(revoked_at, now())
            WHERE tenant_id = \(tenant.rawValue) AND token_id = \(id.rawValue)
            RETURNING token_id, tenant_id, connector_name, network, created_at, revoked_at
            """
        ).first
    }

    /// Of the groups `(tenant, token)` given, those whose token is revoked.
    public func revoked(among groups: [(tenant: TenantID, token: TokenID)]) async throws -> [(tenant: TenantID, token: TokenID)] {
        if groups.isEmpty { return [] }
        let rows = try await database.statement(
            """
            SELECT t.tenant_id, t.token_id FROM tokens t
            JOIN unnest(\(groups.map(\.tenant.rawValue))::uuid[], \(groups.map(\.token.rawValue))::uuid[]) AS g(tenant, token)
              ON t.tenant_id = g.tenant AND t.token_id = g.token
            WHERE t.revoked_at IS NOT NULL
            """, logger: logger)
        var revoked: [(tenant: TenantID, token: TokenID)] = []
        for try await (tenant, token) in rows.decode((UUID, UUID).self) { revoked.append((TenantID(tenant), TokenID(token))) }
        return revoked
    }

    /// The live token whose secret is `secret`, or `nil` when it is unknown or revoked.
    ///
    /// The secret is hashed before the lookup and the stored hash compared in constant time.
    public func authenticate(secret: Secret) async throws -> Token? {
        try await authenticate(secrets: [secret])[0]
    }

    /// The live token of each secret, in order (`nil` where it is unknown or revoked), in one
    /// statement: what a node's channels opening at the same moment look up together.
    ///
    /// Each secret is hashed before the lookup and the stored hash compared in constant time.
    public func authenticate(secrets: [Secret]) async throws -> [Token?] {
        let hashes = secrets.map(\.hash)
        var matches = [Token?](repeating: nil, count: secrets.count)
        for (number, id, tenant, name, network, createdAt, revokedAt, stored) in try await database.prepared(
            AuthenticateTokens(hashes: hashes), logger: logger)
        {
            let position = Int(number) - 1
            guard hashes.indices.contains(position), SecretHash(bytes: Array(stored)).constantTimeEquals(hashes[position]) else { continue }
            matches[position] = try Self.token(id, tenant, name, network, createdAt, revokedAt)
        }
        return matches
    }

    private func tokens(_ query: PostgresQuery) async throws -> [Token] {
        var result: [Token] = []
        for try await row in try await database.statement(query, logger: logger) { result.append(try Self.token(from: row)) }
        return result
    }

    private static func token(from row: PostgresRow) throws -> Token {
        let columns = try row.decode((UUID, UUID, String, String, Date, Date?).self)
        return try token(columns.0, columns.1, columns.2, columns.3, columns.4, columns.5)
    }

    private static func token(
        _ id: UUID, _ tenant: UUID, _ name: String, _ network: String, _ createdAt: Date, _ revokedAt: Date?
    ) throws -> Token {
        Token(
            id: TokenID(id), tenantID: TenantID(tenant), connectorName: try DisplayName(name, field: "connectorName"),
            network: NetworkKind(rawValue: network) ?? .wireless, createdAt: createdAt, revokedAt: revokedAt)
    }
}

/// The lookup of live tokens by their secrets' hashes (numbered from 1 in the order given), on
/// every channel a connector opens: prepared once per connection (planned, it cost six times its
/// execution).
struct AuthenticateTokens: PostgresPreparedStatement {
    static let sql = """
        SELECT k.n, t.token_id, t.tenant_id, t.connector_name, t.network, t.created_at, t.revoked_at, t.token_hash
        FROM unnest($1::bytea[]) WITH ORDINALITY AS k(hash, n)
        JOIN tokens t ON t.token_hash = k.hash AND t.revoked_at IS NULL
        """

    typealias Row = (Int64, UUID, UUID, String, String, Date, Date?, Data)

    let hashes: [SecretHash]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(hashes.map { ByteBuffer(bytes: $0.bytes) })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
