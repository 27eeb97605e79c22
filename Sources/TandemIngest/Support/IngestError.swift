public import GRPCCore
import TandemCore

/// Every way the connector channels refuse or end a stream, in one place: the gRPC status a
/// connector acts on, and a message that says what to do. grpc-swift turns a thrown
/// `IngestError` into that status (`RPCErrorConvertible`); where a stream is ended from outside
/// its handler, `RPCError(_:)` converts it. Messages never hold a token or event data.
///
/// What a connector does with the code: `UNAVAILABLE` reconnect and resend what was not acked;
/// `INVALID_ARGUMENT`, `FAILED_PRECONDITION`, `UNAUTHENTICATED` fix something first (resending
/// the same never helps); `RESOURCE_EXHAUSTED` slow down or split; `ABORTED` stop this session
/// (a newer one of the same connector lives).
public struct IngestError: Error, RPCErrorConvertible, Sendable, CustomStringConvertible {
    public let rpcErrorCode: RPCError.Code
    public let rpcErrorMessage: String
    public let rpcErrorMetadata: Metadata

    private init(_ code: RPCError.Code, _ message: String, metadata: Metadata = [:]) {
        self.rpcErrorCode = code
        self.rpcErrorMessage = message
        self.rpcErrorMetadata = metadata
    }

    public var description: String { "\(rpcErrorCode): \(rpcErrorMessage)" }

    // MARK: Authentication

    static let missingToken = IngestError(
        .unauthenticated, "missing token: send metadata 'authorization: Bearer <token>'")
    static let unknownToken = IngestError(
        .unauthenticated, "unknown or revoked token: configure a live token from the operator API")
    static let tokenRevoked = IngestError(.unauthenticated, "the token was revoked; configure a live token")

    static func tooManyFailedAuthentications(retryAfter seconds: Int) -> IngestError {
        IngestError(
            .resourceExhausted, "too many failed authentications from this address: retry after \(seconds) s",
            metadata: ["retry-after": "\(seconds)"])
    }

    // MARK: Both channels

    static func undecodable(method: String, bytes: Int, message: String, reason: String, protoFile: String, limit: Int) -> IngestError {
        IngestError(
            .invalidArgument,
            "a message on \(method) (\(bytes) bytes) is not a valid \(message): \(reason); encode it from Protos/\(protoFile), at most \(limit) bytes"
        )
    }

    // MARK: Control channel

    /// PostgreSQL refused the Hello's data (`StoreError.rejected`): permanent, never retryable.
    static func helloRefusedByDatabase(_ reason: String) -> IngestError {
        IngestError(.invalidArgument, "the Hello was refused by the database (\(reason)); don't send it again unchanged")
    }

    static let helloFirst = IngestError(.invalidArgument, "the first message on the control channel must be a Hello")
    static let helloTwice = IngestError(.invalidArgument, "Hello may be sent only once per control stream")
    static let emptyControlMessage = IngestError(.invalidArgument, "empty control message: send a Hello, a Heartbeat or a Goodbye")
    static let goodbyeWithoutReason = IngestError(
        .invalidArgument, "Goodbye.reason must be REASON_RESTART, REASON_UPGRADE or REASON_SHUTDOWN")
    static let afterGoodbye = IngestError(
        .invalidArgument, "nothing may follow a Goodbye on the same control stream: close it, and open a new one to come back")

    static func invalidHello(_ error: ValidationError) -> IngestError {
        IngestError(.invalidArgument, "Hello.\(error.field) \(error.message)")
    }

    static func refused(_ refusal: PairingRefusal) -> IngestError {
        IngestError(.failedPrecondition, refusal.description)
    }

    static let replacedOrLost = IngestError(.unavailable, "this session was replaced or declared lost; reconnect")
    static let replaced = IngestError(.aborted, "replaced by a newer session of the same connector")

    static func declaredLost(_ reason: String) -> IngestError {
        IngestError(.unavailable, "declared lost: \(reason); reconnect")
    }

    static let shuttingDown = IngestError(
        .unavailable, "this Tandem node is shutting down; reconnect (resend what was not acked)")

    /// A ``RoundBatcher`` round answered the wrong number of requests: a bug of Tandem's.
    static func roundMismatch(_ name: String, asked: Int, answered: Int) -> IngestError {
        IngestError(.internalError, "a \(name) round answered \(answered) of \(asked) requests; this is a bug of Tandem's")
    }

    // MARK: Data channel

    static let dataOpenFirst = IngestError(.invalidArgument, "the first message on the data channel must be a DataOpen")
    static let dataOpenTwice = IngestError(.invalidArgument, "DataOpen may be sent only once per data stream")
    static let emptyDataMessage = IngestError(.invalidArgument, "empty data message: send a DataOpen or an EventBatch")

    static func tooManyDataStreams(limit: Int) -> IngestError {
        IngestError(.resourceExhausted, "this token already has \(limit) data streams open; close one first")
    }

    static func unknownInstance(_ instanceID: String) -> IngestError {
        IngestError(
            .failedPrecondition,
            "no connector with instance id '\(instanceID.prefix(64))' for this token: say Hello on the control channel first")
    }

    static let connectorLost = IngestError(
        .unavailable,
        "this connector was recorded lost; say Hello on the control channel again, then reopen the data channel and resend what was not acked"
    )

    static func tooManyEvents(batch: UInt64, events: Int, limit: Int) -> IngestError {
        IngestError(.resourceExhausted, "batch \(batch) has \(events) events; at most \(limit) per batch")
    }

    static func batchTooLarge(batch: UInt64, bytes: Int, limit: Int) -> IngestError {
        IngestError(
            .resourceExhausted,
            "batch \(batch) is about \(bytes) bytes; at most \(limit) bytes per message: send smaller batches")
    }

    static func invalidEvent(batch: UInt64, index: Int, _ error: ValidationError) -> IngestError {
        IngestError(
            .invalidArgument,
            "batch \(batch), event \(index): \(error.field) \(error.message); nothing of this batch was stored")
    }

    /// PostgreSQL refused the batch's data (`StoreError.rejected`): permanent, never retryable.
    static func batchRefused(batch: UInt64, _ reason: String) -> IngestError {
        IngestError(
            .invalidArgument,
            "batch \(batch) was refused by the database (\(reason)); nothing of it was stored: don't resend it unchanged")
    }

    static func batchNotStored(batch: UInt64) -> IngestError {
        IngestError(.unavailable, "batch \(batch) could not be stored now; resend it")
    }

    // MARK: Health

    static func unknownService(_ service: String, known: String) -> IngestError {
        IngestError(.notFound, "unknown service '\(service)': ask for \"\" or one of \(known)")
    }
}
