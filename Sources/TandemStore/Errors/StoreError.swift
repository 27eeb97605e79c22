import PostgresNIO

/// An error of the storage layer. `description` is safe to log: it never holds secrets or
/// row data.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; the API maps codes to HTTP statuses once.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case notFound, conflict, invalidConfiguration, migrationFailed, migrationEdited, unavailable, rejected, corrupt
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The row asked for does not exist for this tenant.
        public static let notFound = Code(.notFound)
        /// The write contradicts a row that exists.
        public static let conflict = Code(.conflict)
        /// A setting (URL, directory, binary) is wrong.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A migration's SQL failed; the transaction was rolled back.
        public static let migrationFailed = Code(.migrationFailed)
        /// An already-applied migration file was changed on disk.
        public static let migrationEdited = Code(.migrationEdited)
        /// PostgreSQL could not be reached or started; trying again later may succeed.
        public static let unavailable = Code(.unavailable)
        /// PostgreSQL refused the data itself (a data exception or a violated constraint):
        /// the same input fails every time, so it must never be reported as retryable.
        public static let rejected = Code(.rejected)
        /// A stored value can't be read back (written by something other than Tandem, or by a
        /// version that is gone): the row must be repaired, retrying does not help.
        public static let corrupt = Code(.corrupt)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened and what to do about it.
    public let message: String

    /// Creates an error with a message that says what happened and what to do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Whether `error` is PostgreSQL refusing the data of a statement (SQLSTATE classes 22,
    /// data exception, and 23, integrity constraint violation): the same statement fails again
    /// however often it is retried.
    static func isDataRefusal(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    /// Whether `error` is PostgreSQL refusing a write because the server is read-only
    /// (SQLSTATE 25006, `read_only_sql_transaction`): a standby, or a primary being demoted.
    /// Retryable: another connection reaches the new primary.
    static func isReadOnlyServer(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "25006"
    }

    /// Whether `error` says the database could not be reached or answer (retryable for every
    /// statement alike), as opposed to a refusal of one statement's data or a missing row:
    /// ``Code/unavailable``, a connection that closed or failed, a server shutting down or in
    /// recovery (SQLSTATE class 08, 57P01–57P03) or read-only (25006).
    public static func isUnavailability(_ error: any Error) -> Bool {
        if let error = error as? StoreError { return error.code == .unavailable }
        guard let error = error as? PSQLError else { return false }
        if [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed]
            .contains(error.code)
        {
            return true
        }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "25006"].contains(state)
    }

    /// What to log of any error of the storage path: safe (never SQL, binds or row data) yet
    /// telling. PostgresNIO's `PSQLError` describes itself as a generic text on purpose and its
    /// reflection holds the statement and binds; here it is its code and SQLSTATE (e.g.
    /// `PostgreSQL serverClosedConnection`, `PostgreSQL server SQLSTATE 25006`), which tell a
    /// failover from a refusal. A ``StoreError`` is its message.
    public static func loggable(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState].map { " SQLSTATE \($0)" } ?? ""
            return "PostgreSQL \(error.code.description)\(state)"
        }
        return "\(error)"
    }

    /// The refusal of a statement's data by PostgreSQL (SQLSTATE class 22 or 23) as the request
    /// field it concerns: the column PostgreSQL names, or the one a constraint is named after
    /// (`tokens_connector_name_check` → `connectorName`), in the API's camel case; `nil` when
    /// `error` is not such a refusal.
    public static func refusedField(_ error: any Error) -> (field: String, sqlState: String)? {
        guard isDataRefusal(error), let info = (error as? PSQLError)?.serverInfo, let state = info[.sqlState] else { return nil }
        var column = info[.columnName]
        if column == nil, let constraint = info[.constraintName], let table = info[.tableName] {
            var name = Substring(constraint)
            if name.hasPrefix(table + "_") { name = name.dropFirst(table.count + 1) }
            for suffix in ["_check", "_key", "_fkey", "_not_null"] where name.hasSuffix(suffix) {
                name = name.dropLast(suffix.count)
                break
            }
            column = String(name)
        }
        let parts = (column ?? "value").split(separator: "_")
        let field = parts.enumerated().map {
            $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst()
        }
        .joined()
        return (field, state)
    }

    /// Whether `error` is a ``StoreError`` with code ``Code/rejected``: permanent for its input.
    public static func isRejection(_ error: any Error) -> Bool {
        (error as? StoreError)?.code == .rejected
    }

    /// A ``rejected`` error for a statement PostgreSQL refused; names only the SQLSTATE, never the data.
    static func rejected(_ error: any Error, _ what: String) -> StoreError {
        let state = (error as? PSQLError)?.serverInfo?[.sqlState] ?? "unknown"
        return StoreError(.rejected, "PostgreSQL refused \(what) (SQLSTATE \(state)); the same data fails every time")
    }
}
