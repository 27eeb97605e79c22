import Foundation
public import PostgresNIO

/// Turns a PostgreSQL connection URL into a `PostgresClient.Configuration`.
///
/// Accepted form: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require][&host=/socket/dir]`.
/// A `host` query parameter that is a directory selects a unix socket in it (as libpq does),
/// which is how the embedded cluster and the test cluster are reached.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    /// The parsed client configuration.
    public let configuration: PostgresClient.Configuration
    private let redacted: String
    private let components: URLComponents

    /// Parses `text`.
    /// - Throws: ``StoreError`` with code `.invalidConfiguration` saying what is wrong with the URL.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme)
        else {
            throw StoreError(.invalidConfiguration, "database URL must look like postgres://user:password@host:5432/database")
        }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw StoreError(.invalidConfiguration, "database URL names no database (the path after the host)")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last }
        )
        let port = components.port ?? 5432
        var configuration: PostgresClient.Configuration
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)",
                username: user, password: password, database: database
            )
        } else {
            let host = components.host ?? "localhost"
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            case let other:
                throw StoreError(.invalidConfiguration, "sslmode '\(other)' is not one of disable, prefer, require")
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = Int(query["pool_max"] ?? "") ?? 20
        self.configuration = configuration
        var shown = components
        if shown.password != nil { shown.password = "***" }
        self.redacted = shown.string ?? "postgres://…"
        self.components = components
    }

    /// The same server and credentials, another database.
    public init(urlWithDatabase base: DatabaseURL, _ database: String) throws {
        var configuration = base.configuration
        configuration.database = database
        self.configuration = configuration
        var components = base.components
        components.path = "/" + database
        self.components = components
        var shown = components
        if shown.password != nil { shown.password = "***" }
        self.redacted = shown.string ?? "postgres://…"
    }

    /// The configuration of one connection outside the pool (a `LISTEN` needs its own), with
    /// `application_name` set so `pg_stat_activity` tells what it is.
    public func singleConnection(applicationName: String) throws -> PostgresConnection.Configuration {
        var single: PostgresConnection.Configuration
        if let socket = configuration.unixSocketPath {
            single = .init(
                unixSocketPath: socket, username: configuration.username, password: configuration.password,
                database: configuration.database)
        } else {
            let query = Dictionary(
                (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
            let tls: PostgresConnection.Configuration.TLS =
                switch query["sslmode"] ?? "prefer" {
                case "disable": .disable
                case "require", "verify-ca", "verify-full": .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                default: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
            single = .init(
                host: configuration.host ?? "localhost", port: configuration.port ?? 5432, username: configuration.username,
                password: configuration.password, database: configuration.database, tls: tls)
        }
        single.options.connectTimeout = .seconds(10)
        single.options.additionalStartupParameters = [("application_name", applicationName)]
        return single
    }

    /// The URL with its password, to hand to a child process through its environment (never
    /// to a log or a command line).
    public var unredactedText: String { components.string ?? "" }

    /// The URL with its password replaced by `***`: safe to log.
    public var description: String { redacted }
}
