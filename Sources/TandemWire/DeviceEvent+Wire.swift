public import TandemCore
public import TandemProtocol

extension DeviceEvent {
    /// Validates a wire Event: the data channel's only way from bytes to a domain event.
    /// - Throws: ``ValidationError`` naming the field.
    public init(_ event: Tandem_V1_Event) throws {
        guard let channel = EventChannel(rawValue: Int16(clamping: event.channel.rawValue)) else {
            throw ValidationError(field: "channel", message: "must be CONTROLLER, ACCESS_POINT or SWITCH")
        }
        guard let kind = EventKind(rawValue: Int16(clamping: event.kind.rawValue)) else {
            throw ValidationError(field: "kind", message: "must be one of the EventKind values (not UNSPECIFIED)")
        }
        guard event.body.count <= Self.maximumBodySize else {
            throw ValidationError(field: "body", message: "must be at most \(Self.maximumBodySize) bytes")
        }
        self.init(
            channel: channel, sourceDevice: event.sourceDevice, kind: kind, deviceTimeMicros: event.deviceTimeMicros,
            subject: event.subject, body: Array(event.body), receivedAtMicros: event.receivedAtMicros,
            connectorSequence: event.connectorSequence)
        try validate()
    }
}
