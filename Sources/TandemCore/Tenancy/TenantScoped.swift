/// An identifier together with the tenant it belongs to: a key that needs no lookup to know
/// whose row it names (a connector, `TenantScoped<Connector>`; an HA group,
/// `TenantScoped<Token>`). Ordered by tenant, then identifier, so statements that touch many
/// rows can take their locks in one order.
public struct TenantScoped<Subject>: Hashable, Comparable, Sendable {
    public let tenant: TenantID
    public let id: Identifier<Subject>

    public init(tenant: TenantID, id: Identifier<Subject>) {
        self.tenant = tenant
        self.id = id
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.tenant, a.id) < (b.tenant, b.id)
    }
}
