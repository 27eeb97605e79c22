-- Analyst access: a read-only role that sees events through views, one tenant at a time.
--
-- A session sets its tenant with `SET tandem.tenant_id = '<uuid>'`; row-level security then
-- shows it only that tenant's rows (none when the setting is missing). The role can't write,
-- and has no grant on tenants, keys, tokens or their hashes.

DO $$
BEGIN
    -- Roles are cluster-wide: another database of the cluster may have created it already.
    CREATE ROLE tandem_analyst NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events_quarantine ENABLE ROW LEVEL SECURITY;
ALTER TABLE ha_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE connectors ENABLE ROW LEVEL SECURITY;

-- The service's own role owns the tables and is not subject to these policies.
CREATE POLICY analyst_tenant ON events FOR SELECT TO tandem_analyst
    USING (tenant_id = nullif(current_setting('tandem.tenant_id', true), '')::uuid);
CREATE POLICY analyst_tenant ON events_quarantine FOR SELECT TO tandem_analyst
    USING (tenant_id = nullif(current_setting('tandem.tenant_id', true), '')::uuid);
CREATE POLICY analyst_tenant ON ha_history FOR SELECT TO tandem_analyst
    USING (tenant_id = nullif(current_setting('tandem.tenant_id', true), '')::uuid);
CREATE POLICY analyst_tenant ON connectors FOR SELECT TO tandem_analyst
    USING (tenant_id = nullif(current_setting('tandem.tenant_id', true), '')::uuid);

-- Views with readable channel and kind names. security_invoker makes the policies above
-- apply to whoever queries the view.
CREATE VIEW analyst_events WITH (security_invoker = true) AS
SELECT tenant_id, identity, device_time, source_device,
       CASE channel WHEN 1 THEN 'controller' WHEN 2 THEN 'access_point' WHEN 3 THEN 'switch' END AS channel,
       CASE kind WHEN 1 THEN 'client_rssi' WHEN 2 THEN 'client_association' WHEN 3 THEN 'client_location'
                 WHEN 4 THEN 'ap_info' WHEN 5 THEN 'ble_telemetry' WHEN 6 THEN 'hyperlocation' END AS kind,
       subject, body, token_id AS group_id, connector_id AS first_connector_id, received_at,
       received_at - device_time AS first_copy_delay
FROM events;

CREATE VIEW analyst_connectors WITH (security_invoker = true) AS
SELECT tenant_id, connector_id, token_id AS group_id, hostname, ip_address, ova_version, docker_version,
       control_status, data_status, data_channel_events, nmsp_messages_received, last_heard
FROM connectors;

CREATE VIEW analyst_ha_history WITH (security_invoker = true) AS
SELECT tenant_id, token_id AS group_id, kind, connector_id, peer_connector_id, ip_address, detail, occurred_at
FROM ha_history;

GRANT SELECT ON analyst_events, analyst_connectors, analyst_ha_history TO tandem_analyst;
GRANT SELECT ON events, connectors, ha_history TO tandem_analyst;
