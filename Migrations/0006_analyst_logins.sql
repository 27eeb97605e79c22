-- Per-tenant analyst logins, fenced off from each other.
--
-- Before: the policies compared tenant_id with the setting tandem.tenant_id, which any session
-- may change, so an analyst could read every tenant. Now the tenant comes from the login role
-- itself: `tandem analyst create` (or POST /api/v1/analysts) makes a LOGIN role, member of
-- tandem_analyst, and records which tenant it belongs to in analyst_logins. The analyst views
-- run with their owner's rights and show only the rows of the tenant of session_user, which no
-- SET, set_config, SET ROLE or RESET ROLE changes. tandem_analyst has no grant on any table:
-- only on the views and the histogram functions.

CREATE TABLE analyst_logins (
    tenant_id  uuid        NOT NULL REFERENCES tenants (tenant_id),
    analyst_id uuid        NOT NULL,
    role_name  name        NOT NULL,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, analyst_id)
);
-- PostgreSQL keeps role names unique cluster-wide; this index serves the lookup by login.
CREATE INDEX analyst_logins_role ON analyst_logins (role_name);

-- The tenant of the login role of this session; NULL for anything but a live analyst login.
-- SECURITY DEFINER, so analysts can ask it without reading analyst_logins.
CREATE FUNCTION tandem_analyst_tenant() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
    SELECT tenant_id FROM analyst_logins WHERE role_name = session_user AND revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION tandem_analyst_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tandem_analyst_tenant() TO tandem_analyst;

-- Analysts may not create objects (a function of theirs in the search path, say).
DO $$
BEGIN
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
END
$$;

-- No direct reads of base tables any more.
REVOKE ALL ON events, connectors, ha_history, pair_statistics FROM tandem_analyst;
DROP POLICY analyst_tenant ON events;
DROP POLICY analyst_tenant ON events_quarantine;
DROP POLICY analyst_tenant ON ha_history;
DROP POLICY analyst_tenant ON connectors;
DROP POLICY analyst_tenant ON pair_statistics;
-- Row-level security stays on, with no policy for analysts: should a grant on a base table
-- ever come back by mistake, it shows no row rather than every tenant's.

DROP VIEW analyst_events, analyst_connectors, analyst_ha_history, analyst_pair_statistics;

-- security_barrier: the tenant condition is applied before any function of the analyst's
-- query sees a row. (SELECT tandem_analyst_tenant()) is evaluated once per query.
CREATE VIEW analyst_events WITH (security_barrier = true) AS
SELECT tenant_id, identity, device_time, source_device,
       CASE channel WHEN 1 THEN 'controller' WHEN 2 THEN 'access_point' WHEN 3 THEN 'switch' END AS channel,
       CASE kind WHEN 1 THEN 'client_rssi' WHEN 2 THEN 'client_association' WHEN 3 THEN 'client_location'
                 WHEN 4 THEN 'ap_info' WHEN 5 THEN 'ble_telemetry' WHEN 6 THEN 'hyperlocation' END AS kind,
       subject, body, token_id AS group_id, connector_id AS first_connector_id, received_at,
       received_at - device_time AS first_copy_delay
FROM events
WHERE tenant_id = (SELECT tandem_analyst_tenant());

CREATE VIEW analyst_connectors WITH (security_barrier = true) AS
SELECT tenant_id, connector_id, token_id AS group_id, hostname, ip_address, ova_version, docker_version,
       control_status, data_status, data_channel_events, nmsp_messages_received, last_heard
FROM connectors
WHERE tenant_id = (SELECT tandem_analyst_tenant());

CREATE VIEW analyst_ha_history WITH (security_barrier = true) AS
SELECT tenant_id, token_id AS group_id, kind, connector_id, peer_connector_id, ip_address, detail, occurred_at
FROM ha_history
WHERE tenant_id = (SELECT tandem_analyst_tenant());

CREATE VIEW analyst_pair_statistics WITH (security_barrier = true) AS
SELECT tenant_id, token_id AS group_id, connector_id, source_device,
       CASE channel WHEN 1 THEN 'controller' WHEN 2 THEN 'access_point' WHEN 3 THEN 'switch' END AS channel,
       minute, delivered, first_deliveries, duplicates, missed,
       lag_buckets, lag_sum_ms,
       (SELECT sum(x) FROM unnest(lag_buckets) AS x)::bigint AS lag_count
FROM pair_statistics
WHERE tenant_id = (SELECT tandem_analyst_tenant());

-- Who am I: the analyst's own row, and nobody else's.
CREATE VIEW analyst_me WITH (security_barrier = true) AS
SELECT tenant_id, analyst_id, role_name, name, created_at
FROM analyst_logins
WHERE role_name = session_user AND revoked_at IS NULL;

GRANT SELECT ON analyst_events, analyst_connectors, analyst_ha_history, analyst_pair_statistics, analyst_me
    TO tandem_analyst;
