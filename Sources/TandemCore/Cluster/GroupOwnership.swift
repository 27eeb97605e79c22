/// Which node reports an HA group's series, so that a sum across nodes counts each group once
/// (a split group, whose members sit on two nodes, included) and every group has a series on
/// some node after any restart: among the live nodes, the one with the highest rendezvous
/// score of (node, group). Every node computes the same owner from the same list of live
/// nodes; when a node joins or leaves, only the groups it wins or held move.
public struct GroupOwnership: Sendable, Hashable {
    /// The live nodes, this one included.
    public let nodes: Set<NodeID>

    /// The rule over `nodes` (this node counts as live whatever the list says: its own lease
    /// may not be written yet).
    public init(nodes: some Sequence<NodeID>, including node: NodeID) {
        self.nodes = Set(nodes).union([node])
    }

    /// The node that reports `group`.
    public func owner(of group: TenantScoped<Token>) -> NodeID {
        nodes.max { Self.score($0, group) < Self.score($1, group) }!
    }

    /// Whether `node` reports `group`.
    public func reports(_ group: TenantScoped<Token>, on node: NodeID) -> Bool {
        owner(of: group) == node
    }

    /// The rendezvous score: FNV-1a over the node's name and the group's key, then a 64-bit mix.
    /// Stable across processes and versions (Swift's `Hasher` is seeded per process), ties
    /// broken by name.
    static func score(_ node: NodeID, _ group: TenantScoped<Token>) -> (UInt64, String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(node.value)|\(group.tenant)|\(group.id)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return (hash, node.value)
    }
}
