public import TandemProtocol

/// One event as read off the data channel, before validation: the wire fields with the enums
/// still raw, so that an unknown channel or kind is refused by ``DeviceEvent/init(_:)-(InboundEvent)``
/// with the field's name, not lost in decoding.
public struct InboundEvent: Sendable, Hashable {
    /// `Channel` as sent (1 controller, 2 access point, 3 switch).
    public var channel: Int32
    public var sourceDevice: String
    /// `EventKind` as sent.
    public var kind: Int32
    public var deviceTimeMicros: Int64
    public var subject: String
    public var body: [UInt8]
    public var receivedAtMicros: Int64
    public var connectorSequence: UInt64

    /// An event with every field given.
    public init(
        channel: Int32 = 0, sourceDevice: String = "", kind: Int32 = 0, deviceTimeMicros: Int64 = 0, subject: String = "",
        body: [UInt8] = [], receivedAtMicros: Int64 = 0, connectorSequence: UInt64 = 0
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

    /// The fields of a decoded protobuf `Event`.
    public init(_ event: Tandem_V1_Event) {
        self.init(
            channel: Int32(truncatingIfNeeded: event.channel.rawValue), sourceDevice: event.sourceDevice,
            kind: Int32(truncatingIfNeeded: event.kind.rawValue), deviceTimeMicros: event.deviceTimeMicros,
            subject: event.subject, body: Array(event.body), receivedAtMicros: event.receivedAtMicros,
            connectorSequence: event.connectorSequence)
    }
}
