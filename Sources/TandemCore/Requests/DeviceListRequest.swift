/// The body of `PUT /api/v1/ha-groups/{tokenId}/controllers` (or `/switches`), validated:
/// `{"devices": [{"ipAddress": "192.0.2.10", "name": "wlc-1"}, …]}`.
public struct DeviceListRequest: Sendable, Equatable {
    /// The most devices one group may list.
    public static let maximumDevices = 1_000

    /// A device of the list: its canonical address and its (possibly empty) name.
    public struct Device: Sendable, Hashable {
        /// The canonical spelling of the device's address.
        public let ipAddress: String
        /// The device's display name; empty when the request gave none.
        public let name: String

        /// A device as a request names it (already validated).
        public init(ipAddress: String, name: String) {
            self.ipAddress = ipAddress
            self.name = name
        }
    }

    /// The devices, in the order given, each address once.
    public let devices: [Device]

    /// Validates a request's values (decoded by the operator API's generated types): each
    /// device's address and optional name, in order.
    public init(devices entries: [(ipAddress: String, name: String?)]) throws(RequestBodyError) {
        guard entries.count <= Self.maximumDevices else {
            throw .invalid(ValidationError(field: "devices", message: "at most \(Self.maximumDevices) devices per group"))
        }
        var devices: [Device] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            do {
                let ip = try IPAddress(entry.ipAddress, field: "devices[\(index)].ipAddress").canonical
                let name = try entry.name.map { try DisplayName($0, field: "devices[\(index)].name").value } ?? ""
                guard seen.insert(ip).inserted else {
                    throw ValidationError(
                        field: "devices[\(index)].ipAddress", message: "\(ip) is listed twice; each ipAddress may appear once")
                }
                devices.append(Device(ipAddress: ip, name: name))
            } catch {
                throw .invalid(error as? ValidationError ?? ValidationError(field: "devices[\(index)]", message: "is not valid"))
            }
        }
        self.devices = devices
    }
}
