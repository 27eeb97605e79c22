public import TandemCore
public import TandemProtocol

extension DeviceEvent {
    /// Validates an event read off the data channel: the only way from the wire to a domain
    /// event.
    /// - Throws: ``ValidationError`` naming the field.
    public init(_ event: InboundEvent) throws {
        guard let channel = EventChannel(rawValue: Int16(clamping: event.channel)) else {
            throw ValidationError(field: "channel", message: "must be CONTROLLER, ACCESS_POINT or SWITCH")
        }
        guard let kind = EventKind(rawValue: Int16(clamping: event.kind)) else {
            throw ValidationError(field: "kind", message: "must be one of the EventKind values (not UNSPECIFIED)")
        }
        self.init(
            channel: channel, sourceDevice: event.sourceDevice, kind: kind, deviceTimeMicros: event.deviceTimeMicros,
            subject: event.subject, body: event.body, receivedAtMicros: event.receivedAtMicros,
            connectorSequence: event.connectorSequence)
        try validate()
    }

    /// Validates a decoded protobuf `Event` (as ``init(_:)-(InboundEvent)``).
    /// - Throws: ``ValidationError`` naming the field.
    public init(_ event: Tandem_V1_Event) throws {
        try self.init(InboundEvent(event))
    }
}
