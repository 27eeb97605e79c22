public import TandemCore
public import TandemProtocol

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
