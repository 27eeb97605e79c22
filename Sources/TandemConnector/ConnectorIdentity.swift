public import Foundation

/// What a connector says about itself in its Hello.
public struct ConnectorIdentity: Sendable, Hashable {
    public var instanceID: String
    public var hostname: String
    public var ipAddress: String
    public var macAddress: String
    public var ovaVersion: String
    public var dockerVersion: String
    public var carriesController: Bool
    public var carriesAccessPoint: Bool

    public init(
        instanceID: String = UUID().uuidString.lowercased(), hostname: String, ipAddress: String,
        macAddress: String = "00:0c:29:00:00:01", ovaVersion: String = "2.3.460", dockerVersion: String = "v2.0.446",
        carriesController: Bool = true, carriesAccessPoint: Bool = true
    ) {
        self.instanceID = instanceID
        self.hostname = hostname
        self.ipAddress = ipAddress
        self.macAddress = macAddress
        self.ovaVersion = ovaVersion
        self.dockerVersion = dockerVersion
        self.carriesController = carriesController
        self.carriesAccessPoint = carriesAccessPoint
    }
}
