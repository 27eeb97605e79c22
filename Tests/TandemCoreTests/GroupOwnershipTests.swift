import Foundation
import TandemCore
import Testing

/// Which node reports a group's series: one owner per group among the live nodes, the same on
/// every node, and only the groups a joining or leaving node wins or held move.
@Suite("Group ownership of the per-group series")
struct GroupOwnershipTests {
    static let tenant = TenantID(UUID(uuidString: "00000000-0000-0000-0000-0000000000aa")!)
    static let groups = (0..<300).map { index in
        TenantScoped<Token>(tenant: tenant, id: TokenID(UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", index))!))
    }
    static let nodes = ["node-1", "node-2", "node-3"].map { try! NodeID($0) }

    @Test("each group has one owner, whatever order the nodes are listed in and whichever node computes it")
    func oneOwner() {
        let one = GroupOwnership(nodes: Self.nodes, including: Self.nodes[0])
        let other = GroupOwnership(nodes: Self.nodes.reversed(), including: Self.nodes[2])
        for group in Self.groups {
            #expect(one.owner(of: group) == other.owner(of: group))
            #expect(Self.nodes.filter { one.reports(group, on: $0) }.count == 1)
        }
    }

    @Test("the groups spread over the nodes (each of 3 nodes gets 20 % to 47 % of 300)")
    func spread() {
        let ownership = GroupOwnership(nodes: Self.nodes, including: Self.nodes[0])
        for node in Self.nodes {
            let share = Self.groups.filter { ownership.reports($0, on: node) }.count
            #expect((60...140).contains(share), "\(node) owns \(share)")
        }
    }

    @Test("a node that leaves moves only its own groups; one that joins takes only groups it wins")
    func minimalMoves() throws {
        let three = GroupOwnership(nodes: Self.nodes, including: Self.nodes[0])
        let two = GroupOwnership(nodes: Self.nodes.dropLast(), including: Self.nodes[0])
        for group in Self.groups where three.owner(of: group) != Self.nodes[2] {
            #expect(two.owner(of: group) == three.owner(of: group))
        }
        let four = GroupOwnership(nodes: Self.nodes + [try NodeID("node-4")], including: Self.nodes[0])
        for group in Self.groups where four.owner(of: group) != (try NodeID("node-4")) {
            #expect(four.owner(of: group) == three.owner(of: group))
        }
    }

    @Test("a node alone (or not yet in the list) reports every group")
    func alone() {
        let alone = GroupOwnership(nodes: [], including: Self.nodes[1])
        #expect(Self.groups.allSatisfy { alone.reports($0, on: Self.nodes[1]) })
    }
}
