import Foundation
public import TandemCore
public import TandemProtocol
import SwiftProtobuf
import TandemStore

extension ConnectorHello {
    /// Validates a wire Hello.
    public init(_ hello: Tandem_V1_Hello) throws {
        try self.init(
            instanceID: hello.instanceID, hostname: hello.hostname, ipAddress: hello.ipAddress,
            macAddress: hello.macAddress, ovaVersion: hello.ovaVersion, dockerVersion: hello.dockerVersion,
            channels: hello.hasChannels
                ? ConnectorChannels(controller: hello.channels.controller, accessPoint: hello.channels.accessPoint)
                : .both)
    }
}

extension ConnectorStatistics {
    /// The statistics of a wire Heartbeat.
    init(_ heartbeat: Tandem_V1_Heartbeat) {
        self.init(
            controllers: heartbeat.controllers.prefix(1_000).map {
                Controller(
                    // Canonical when it parses, so it matches the configured controllers.
                    ipAddress: IPAddress($0.ipAddress)?.canonical ?? Self.printable($0.ipAddress, 64),
                    connectedAt: DeviceEvent.acceptedTimeMicros.contains($0.connectedAtMicros) && $0.connectedAtMicros > 0
                        ? Date(timeIntervalSince1970: Double($0.connectedAtMicros) / 1e6) : nil,
                    messageRate: $0.messageRate.isFinite ? $0.messageRate : 0, status: Self.printable($0.status, 32))
            },
            tdlIncomingCount: heartbeat.tdlIncomingCount,
            tdlIncomingRate: heartbeat.tdlIncomingRate.isFinite ? heartbeat.tdlIncomingRate : 0,
            accessPointChannel: .init(
                incomingCount: heartbeat.accessPointChannel.incomingCount,
                incomingRate: heartbeat.accessPointChannel.incomingRate.isFinite ? heartbeat.accessPointChannel.incomingRate : 0,
                outgoingCount: heartbeat.accessPointChannel.outgoingCount,
                outgoingRate: heartbeat.accessPointChannel.outgoingRate.isFinite ? heartbeat.accessPointChannel.outgoingRate : 0,
                activeConnections: heartbeat.accessPointChannel.activeConnections),
            nmspMessagesReceived: heartbeat.nmspMessagesReceived)
    }

    /// At most `limit` characters of `text` without control characters (PostgreSQL's `jsonb`
    /// refuses `\u0000`): heartbeat statistics are informative, so they are cleaned, not refused.
    private static func printable(_ text: String, _ limit: Int) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.lazy.filter { $0.properties.generalCategory != .control }).prefix(limit))
    }
}

extension DeviceEvent {
    /// Validates a wire Event (the data channel's mapping; the benchmark uses it too).
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

extension Tandem_V1_Configuration {
    /// The wire form of a group's configuration.
    init(_ configuration: HAGroupConfiguration) {
        self.init()
        network = configuration.network == .wireless ? .wireless : .wired
        let devices = configuration.devices.map { device in
            Tandem_V1_Device.with {
                $0.ipAddress = device.ipAddress
                $0.name = device.name
            }
        }
        if configuration.network == .wireless { controllers = devices } else { switches = devices }
        modifiedAtMicros = Int64(configuration.modifiedAt.timeIntervalSince1970 * 1_000_000)
    }
}

extension Tandem_V1_HAActiveList {
    init(_ addresses: [String]) {
        self.init()
        ipAddresses = addresses
    }
}
