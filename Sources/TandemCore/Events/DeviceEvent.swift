public import Foundation

/// The channel an event came in on at the connector.
public enum EventChannel: Int16, Sendable, Hashable, CaseIterable, Codable {
    case controller = 1
    case accessPoint = 2
    case `switch` = 3
}

/// What an event reports.
public enum EventKind: Int16, Sendable, Hashable, CaseIterable, Codable {
    case clientRSSI = 1
    case clientAssociation = 2
    /// Client location, including FastLocate.
    case clientLocation = 3
    case accessPointInfo = 4
    /// BLE tag / IoT telemetry.
    case bleTelemetry = 5
    case hyperlocation = 6
}

/// One event as a connector relays it: the fields the device set (identical in both copies of
/// a pair) and the connector-local fields (which differ between the copies).
public struct DeviceEvent: Sendable, Hashable {
    public var channel: EventChannel
    /// Controller IP, AP MAC or switch IP.
    public var sourceDevice: String
    public var kind: EventKind
    /// The device's timestamp, microseconds since the Unix epoch.
    public var deviceTimeMicros: Int64
    /// E.g. the client MAC.
    public var subject: String
    /// The raw body as the device sent it.
    public var body: [UInt8]
    /// Connector-local: when the connector received it (microseconds since the Unix epoch).
    public var receivedAtMicros: Int64
    /// Connector-local: the connector's own sequence number.
    public var connectorSequence: UInt64

    /// Longest `sourceDevice` / `subject` accepted, in UTF-8 bytes.
    public static let maximumFieldLength = 256
    /// Largest body accepted, in bytes.
    public static let maximumBodySize = 64 * 1024

    public init(
        channel: EventChannel, sourceDevice: String, kind: EventKind, deviceTimeMicros: Int64, subject: String,
        body: [UInt8], receivedAtMicros: Int64, connectorSequence: UInt64
    ) {
        self.channel = channel
        self.sourceDevice = sourceDevice
        self.kind = kind
        self.deviceTimeMicros = deviceTimeMicros
        self.subject = subject
        self.body = body
        self.receivedAtMicros = receivedAtMicros
        self.connectorSequence = connectorSequence
    }

    /// Device and receive times accepted, microseconds since the Unix epoch: from year 1 to
    /// the last microsecond of year 9999. Every clock, broken ones included, is inside;
    /// PostgreSQL's `timestamptz` and every computation on a time (window segments,
    /// statistics minutes) hold all of it. Inside it, implausible device times (before the
    /// retention, more than the tolerance ahead) are accepted and quarantined, not refused.
    public static let acceptedTimeMicros: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    /// Checks every field against the rules of the edge (docs/reliability.md lists them):
    /// `sourceDevice` 1 to ``maximumFieldLength`` bytes, `subject` at most that, neither with
    /// a control character (PostgreSQL text can't hold NUL); `body` at most
    /// ``maximumBodySize`` bytes; both times within ``acceptedTimeMicros``.
    /// - Throws: ``ValidationError`` naming the field (as the wire spells it).
    public func validate() throws {
        func text(_ value: String, _ field: String, required: Bool) throws {
            let length = value.utf8.count
            guard length <= Self.maximumFieldLength, !required || length > 0 else {
                throw ValidationError(field: field, message: "must be \(required ? 1 : 0) to \(Self.maximumFieldLength) bytes")
            }
            guard !value.containsControlCharacter else {
                throw ValidationError(field: field, message: "must not contain control characters (NUL, line breaks, …)")
            }
        }
        try text(sourceDevice, "sourceDevice", required: true)
        try text(subject, "subject", required: false)
        guard body.count <= Self.maximumBodySize else {
            throw ValidationError(field: "body", message: "must be at most \(Self.maximumBodySize) bytes")
        }
        // Two direct checks, not a loop over an array literal: this runs for every event.
        func time(_ value: Int64, _ field: String) throws {
            guard Self.acceptedTimeMicros.contains(value) else {
                throw ValidationError(
                    field: field,
                    message:
                        "must be microseconds since the Unix epoch from \(Self.acceptedTimeMicros.lowerBound) (year 1) to \(Self.acceptedTimeMicros.upperBound) (year 9999); got \(value)"
                )
            }
        }
        try time(deviceTimeMicros, "deviceTimeMicros")
        try time(receivedAtMicros, "receivedAtMicros")
    }

    /// The device time as a `Date` (for display; storage uses the exact microseconds).
    public var deviceTime: Date { Date(timeIntervalSince1970: Double(deviceTimeMicros) / 1_000_000) }
}
