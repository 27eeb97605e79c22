public import Foundation
import SwiftProtobuf
public import TandemProtocol

/// A seeded source of realistic device events for one site: controllers with APs and moving
/// clients. The same seed gives the same events, which both connectors of a pair then relay.
public struct EventGenerator: Sendable {
    private var random: SplitMix64
    private let controllers: [String]
    private let accessPoints: [String]
    private let clients: [String]
    private var sequence: UInt64 = 0

    /// The IP addresses of site `site`'s `count` controllers (what its events come from, and
    /// what the site's HA group is configured with).
    public static func controllerAddresses(site: Int, count: Int = 1) -> [String] {
        (0..<count).map { "172.20.\(site % 250).\(10 + $0)" }
    }

    /// Creates a site of `controllers` controllers, 25 APs each, and 200 clients.
    public init(seed: UInt64, site: Int, controllers count: Int = 1) {
        random = SplitMix64(seed: seed &+ UInt64(site) &* 0x9E37_79B9)
        controllers = Self.controllerAddresses(site: site, count: count)
        accessPoints = (0..<(25 * count)).map { String(format: "70:db:98:%02x:%02x:%02x", site % 256, $0 / 256, $0 % 256) }
        clients = (0..<200).map { String(format: "f0:18:98:%02x:%02x:%02x", site % 256, $0 / 256, $0 % 256) }
    }

    /// The next `count` events, device times spread over the last `window` before `now`.
    /// Mix, after the reference connector: about a quarter controller channel (RSSI, association,
    /// FastLocate, Hyperlocation) and three quarters AP channel (BLE/IoT telemetry, AP info).
    public mutating func next(_ count: Int, now: Date) -> [Tandem_V1_Event] {
        let nowMicros = Int64(now.timeIntervalSince1970 * 1_000_000)
        return (0..<count).map { _ in
            sequence += 1
            let roll = random.next() % 100
            let (kind, channel): (Tandem_V1_EventKind, Tandem_V1_Channel) =
                switch roll {
                case 0..<14: (.clientRssi, .controller)
                case 14..<17: (.clientAssociation, .controller)
                case 17..<22: (.clientLocation, .controller)
                case 22..<24: (.hyperlocation, .controller)
                case 24..<27: (.apInfo, .accessPoint)
                default: (.bleTelemetry, .accessPoint)
                }
            let client = clients[Int(random.next() % UInt64(clients.count))]
            let source =
                channel == .controller
                ? controllers[Int(random.next() % UInt64(controllers.count))]
                : accessPoints[Int(random.next() % UInt64(accessPoints.count))]
            let rssi = -30 - Int(random.next() % 60)
            let sequence = self.sequence
            return .with {
                $0.channel = channel
                $0.kind = kind
                $0.sourceDevice = source
                $0.subject = client
                $0.deviceTimeMicros = nowMicros - Int64(random.next() % 1_000)
                $0.body = Data("{\"seq\":\(sequence),\"rssi\":\(rssi),\"ap\":\"\(accessPoints[Int(sequence) % accessPoints.count])\"}".utf8)
            }
        }
    }
}

/// A small, fast, seedable generator (SplitMix64): reproducible runs from `--seed`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
