import ArgumentParser
import GRPCCore
import TandemConnector

/// `tandem-lab simulate --refused-peer KIND`: a peer that breaks a pairing rule, to show the refusal.
enum RefusedPeer: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Runs another OVA version than the active member (rule same-ova-version).
    case wrongVersion = "wrong-version"
    /// Uses the active member's IP address (rule unique-ip).
    case duplicateIP = "duplicate-ip"

    /// Connects a valid member on `token`, then the faulty peer; returns the refusal Tandem
    /// answered with, or `nil` if it was (wrongly) accepted. Closes both.
    func demonstrate<Transport: ClientTransport>(client: GRPCClient<Transport>, token: String) async throws -> String? {
        let member = ConnectorIdentity(hostname: "refusal-demo-1", ipAddress: "10.0.250.1", ovaVersion: "2.3.460")
        var peer = ConnectorIdentity(hostname: "refusal-demo-2", ipAddress: "10.0.250.2", ovaVersion: "2.3.460")
        switch self {
        case .wrongVersion: peer.ovaVersion = "2.3.470"
        case .duplicateIP: peer.ipAddress = member.ipAddress
        }
        let active = try await ControlStream.open(client: client, token: token, identity: member)
        defer { active.kill() }
        do {
            let accepted = try await ControlStream.open(client: client, token: token, identity: peer)
            accepted.kill()
            return nil
        } catch let error as RPCError {
            return "\(error.code): \(error.message)"
        }
    }
}
