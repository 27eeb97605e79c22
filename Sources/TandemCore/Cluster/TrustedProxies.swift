/// The balancers allowed to say who their client is.
///
/// Behind HAProxy every connection comes from the balancer, so the failed-login throttle would
/// lump every client together. HAProxy adds `X-Forwarded-For` (`option forwardfor`); Tandem
/// believes it only on a connection from an address listed here, and then takes the rightmost
/// address of the header that is not itself a trusted proxy (the one the first trusted proxy
/// saw). From anyone else the header is ignored, so a client can't pick its own throttle key.
public struct TrustedProxies: Sendable, Hashable {
    /// The canonical addresses trusted.
    public let addresses: Set<String>

    /// Trusts `addresses` (canonical IPs).
    public init(_ addresses: Set<IPAddress> = []) {
        self.addresses = Set(addresses.map(\.canonical))
    }

    /// The client's address: `peer` itself unless `peer` is trusted and `forwardedFor` (the
    /// values of every `X-Forwarded-For` header, in order) names someone behind it.
    public func clientAddress(peer: String, forwardedFor: [String]) -> String {
        let canonicalPeer = IPAddress(peer)?.canonical ?? peer
        guard addresses.contains(canonicalPeer) else { return canonicalPeer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { hop in
            String(hop.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
        }
        for hop in hops.reversed() {
            guard let address = IPAddress(hop)?.canonical else { return canonicalPeer }
            if !addresses.contains(address) { return address }
        }
        return canonicalPeer
    }
}
