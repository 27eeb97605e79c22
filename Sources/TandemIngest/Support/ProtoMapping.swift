import Foundation
import SwiftProtobuf
import TandemCore
import TandemProtocol
import TandemStore

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

extension PlannedLeave {
    /// The planned leave a Goodbye names; `nil` for an unspecified (or unknown) reason.
    init?(_ reason: Tandem_V1_Goodbye.Reason) {
        switch reason {
        case .restart: self = .restart
        case .upgrade: self = .upgrade
        case .shutdown: self = .shutdown
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }
}
