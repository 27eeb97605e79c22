import Foundation
public import Logging
import PostgresNIO
public import TandemCore

/// Analyst logins: one PostgreSQL LOGIN role per analyst, bound to one tenant through
/// `analyst_logins` (migration 0006), member of `tandem_analyst`, which may read the
/// `analyst_*` views and nothing else.
///
/// Tandem's own database role needs `CREATEROLE` (to create and disable the roles) and
/// `pg_signal_backend` (to end a revoked analyst's open sessions); the embedded cluster's
/// `tandem` role is a superuser and has both.
public struct AnalystRepository: Sendable {
    /// What each analyst login may use of the database.
    public struct Limits: Sendable, Hashable {
        /// Sessions an analyst may have open at once (default 5).
        public var connections: Int
        /// Longest statement before PostgreSQL cancels it (default 60 s): the role's default
        /// `statement_timeout`, and the limit `tandem serve` enforces on analyst statements.
        public var statementTimeout: Duration

        public init(connections: Int = 5, statementTimeout: Duration = .seconds(60)) {
            self.connections = connections
            self.statementTimeout = statementTimeout
        }

        /// The statement timeout in whole milliseconds, as PostgreSQL settings take it.
        var statementTimeoutMillis: Int64 {
            max(1, statementTimeout.inMilliseconds)
        }
    }

    private let database: Database
    private let logger: Logger

    /// Creates a repository over `database`.
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Creates an analyst login for `tenant`.
    /// - Returns: the analyst and its password, which is shown once and never again.
    /// - Throws: ``StoreError`` `.notFound` when the tenant does not exist,
    ///   `.invalidConfiguration` when Tandem's database role may not create roles.
    public func create(tenant: TenantID, name: DisplayName, limits: Limits = .init()) async throws -> (analyst: Analyst, password: Secret) {
        let id = AnalystID.random()
        let role = Analyst.roleName(for: id)
        let password = Secret.generate(.analystPassword)
        let verifier = try SCRAMVerifier.make(password: password)
        let createdAt: Date = try await privileged("create analyst logins") {
            try await database.transaction(logger: logger) { connection in
                let rows = try await connection.statement(
                    """
                    INSERT INTO analyst_logins (tenant_id, analyst_id, role_name, name)
                    SELECT tenant_id, \(id.rawValue), \(role), \(name.value) FROM tenants WHERE tenant_id = \(tenant.rawValue)
                    RETURNING created_at
                    """, logger: logger)
                var createdAt: Date?
                for try await value in rows.decode(Date.self) { createdAt = value }
                guard let createdAt else { throw StoreError(.notFound, "tenant \(tenant) does not exist") }
                // DDL takes no parameters: format() quotes the name (%I) and the verifier (%L).
                for ddl in [
                    "format('CREATE ROLE %I LOGIN PASSWORD %L CONNECTION LIMIT %s IN ROLE tandem_analyst', \(role), \(verifier), \(limits.connections))",
                    "format('ALTER ROLE %I SET statement_timeout = %L', \(role), \(limits.statementTimeoutMillis))",
                    "format('ALTER ROLE %I SET default_transaction_read_only = on', \(role))",
                    "format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', \(role), \(limits.statementTimeoutMillis))",
                ] as [PostgresQuery] {
                    try await execute(generated: ddl, on: connection)
                }
                return createdAt
            }
        }
        let analyst = Analyst(id: id, tenantID: tenant, role: role, name: name, createdAt: createdAt, revokedAt: nil)
        return (analyst, password)
    }

    /// The tenant's analysts, newest first, revoked ones included (never their passwords).
    public func list(tenant: TenantID) async throws -> [Analyst] {
        try await analysts(
            """
            SELECT analyst_id, tenant_id, role_name::text, name, created_at, revoked_at FROM analyst_logins
            WHERE tenant_id = \(tenant.rawValue) ORDER BY created_at DESC, analyst_id
            """)
    }

    /// One page of the tenant's analysts, newest first: `limit` of them after the position
    /// `after` (an analyst's creation time in microseconds since 1970 and its id, the page key).
    public func list(tenant: TenantID, after: (createdAtMicros: Int64, id: AnalystID)?, limit: Int) async throws -> Page<Analyst> {
        let fetched = try await analysts(
            """
            SELECT analyst_id, tenant_id, role_name::text, name, created_at, revoked_at FROM analyst_logins
            WHERE tenant_id = \(tenant.rawValue)
              AND (\(after?.createdAtMicros)::int8 IS NULL
                   OR (created_at, analyst_id) < (timestamptz 'epoch' + \(after?.createdAtMicros)::int8 * interval '1 microsecond',
                                                  \(after?.id.rawValue)::uuid))
            ORDER BY created_at DESC, analyst_id DESC LIMIT \(limit + 1)
            """)
        return Page(fetched: fetched, limit: limit) { [String(PageKey.micros($0.createdAt)), $0.id.description] }
    }

    /// Revokes the tenant's analyst `id`: its role may no longer log in, its password is
    /// dropped, and its open sessions are ended (idempotent).
    /// - Returns: the revoked analyst, or `nil` when this tenant has no such analyst.
    public func revoke(tenant: TenantID, id: AnalystID) async throws -> Analyst? {
        let analyst: Analyst? = try await privileged("disable analyst logins") {
            try await database.transaction(logger: logger) { connection in
                let rows = try await connection.statement(
                    """
                    UPDATE analyst_logins SET revoked_at = coalesce(revoked_at, now())
                    WHERE tenant_id = \(tenant.rawValue) AND analyst_id = \(id.rawValue)
                    RETURNING analyst_id, tenant_id, role_name::text, name, created_at, revoked_at
                    """, logger: logger)
                guard let analyst = try await Self.decode(rows).first else { return nil }
                try await execute(
                    generated: "format('ALTER ROLE %I NOLOGIN PASSWORD NULL', \(analyst.role))", on: connection)
                return analyst
            }
        }
        guard let analyst else { return nil }
        _ = try await privileged("end the sessions of a revoked analyst") {
            try await database.statement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \(analyst.role)", logger: logger)
        }
        return analyst
    }

    /// Cancels analyst statements running longer than `limit` (an analyst may raise its own
    /// `statement_timeout` in its session; this is the limit it can't raise).
    /// - Returns: how many statements were cancelled.
    @discardableResult
    public func cancelStatements(runningLongerThan limit: Duration) async throws -> Int {
        let millis = Limits(statementTimeout: limit).statementTimeoutMillis
        let rows = try await database.statement(
            """
            SELECT count(*) FILTER (WHERE pg_cancel_backend(a.pid)) FROM pg_stat_activity a
            JOIN analyst_logins l ON l.role_name = a.usename
            WHERE a.state = 'active' AND a.query_start < now() - \(millis) * interval '1 millisecond'
            """, logger: logger)
        var cancelled = 0
        for try await count in rows.decode(Int.self) { cancelled = count }
        return cancelled
    }

    /// Runs a statement that `format()` generated: first asks PostgreSQL for the text, then runs it.
    private func execute(generated: PostgresQuery, on connection: DatabaseConnection) async throws {
        var text = ""
        let rows = try await connection.statement(
            PostgresQuery(unsafeSQL: "SELECT " + generated.sql, binds: generated.binds), logger: logger)
        for try await value in rows.decode(String.self) { text = value }
        try await connection.statement(PostgresQuery(unsafeSQL: text), logger: logger)
    }

    /// Turns PostgreSQL's "permission denied" into a configuration error that says what to grant.
    private func privileged<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42501" {
            throw StoreError(
                .invalidConfiguration,
                "Tandem's database role may not \(what): grant it CREATEROLE, ADMIN on tandem_analyst and pg_signal_backend")
        }
    }

    private func analysts(_ query: PostgresQuery) async throws -> [Analyst] {
        try await Self.decode(try await database.statement(query, logger: logger))
    }

    private static func decode<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Analyst] where Rows.Element == PostgresRow {
        var analysts: [Analyst] = []
        for try await (id, tenant, role, name, createdAt, revokedAt) in rows.decode((UUID, UUID, String, String, Date, Date?).self) {
            analysts.append(
                Analyst(
                    id: AnalystID(id), tenantID: TenantID(tenant), role: role, name: try DisplayName(name, field: "name"),
                    createdAt: createdAt, revokedAt: revokedAt))
        }
        return analysts
    }
}
