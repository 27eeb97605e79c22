/// Namespace for connector values; an installed connector (OVA) as the cloud knows it.
///
/// The full record lives in the store; this type anchors ``ConnectorID``.
public enum Connector {}
