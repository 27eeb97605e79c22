/// An error of the storage layer. `description` is safe to log: it never holds secrets or
/// row data.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; the API maps codes to HTTP statuses once.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case notFound, conflict, invalidConfiguration, migrationFailed, migrationEdited, unavailable
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
        /// PostgreSQL could not be reached or started.
        public static let unavailable = Code(.unavailable)

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
}
