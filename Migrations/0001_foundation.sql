-- Tandem foundation schema.
--
-- Every table leads with tenant_id and every unique key includes it, so the schema can run
-- unchanged on a tenant-distributed PostgreSQL (tenant_id as the distribution column).
-- Secrets are never stored: only their SHA-256 (32 bytes).

CREATE TABLE tenants (
    tenant_id  uuid        NOT NULL,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

CREATE TABLE tenant_api_keys (
    tenant_id  uuid        NOT NULL REFERENCES tenants (tenant_id),
    key_id     uuid        NOT NULL,
    key_hash   bytea       NOT NULL CHECK (length(key_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, key_id),
    UNIQUE (tenant_id, key_hash)
);
-- Authentication looks a key up by its hash before the tenant is known.
CREATE INDEX tenant_api_keys_by_hash ON tenant_api_keys (key_hash);

CREATE TABLE tokens (
    tenant_id      uuid        NOT NULL REFERENCES tenants (tenant_id),
    token_id       uuid        NOT NULL,
    connector_name text        NOT NULL CHECK (length(connector_name) BETWEEN 1 AND 128),
    network        text        NOT NULL CHECK (network IN ('wireless', 'wired')),
    token_hash     bytea       NOT NULL CHECK (length(token_hash) = 32),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    PRIMARY KEY (tenant_id, token_id),
    UNIQUE (tenant_id, token_hash)
);
CREATE INDEX tokens_by_hash ON tokens (token_hash);

-- One HA group per token: its shared state (reprovision flags, FastLocate, configuration time).
CREATE TABLE ha_groups (
    tenant_id                 uuid        NOT NULL,
    token_id                  uuid        NOT NULL,
    hyperlocation_reprovision boolean     NOT NULL DEFAULT false,
    iot_reprovision           boolean     NOT NULL DEFAULT false,
    fastlocate_state          text        NOT NULL DEFAULT 'flowing'
                              CHECK (fastlocate_state IN ('flowing', 're-establishing', 'overdue')),
    fastlocate_since          timestamptz,
    configuration_modified_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token_id),
    FOREIGN KEY (tenant_id, token_id) REFERENCES tokens (tenant_id, token_id)
);

-- A connector (one installed OVA) as last reported in its Hello and heartbeats.
CREATE TABLE connectors (
    tenant_id              uuid        NOT NULL,
    connector_id           uuid        NOT NULL,
    token_id               uuid        NOT NULL,
    instance_id            text        NOT NULL CHECK (length(instance_id) BETWEEN 1 AND 128),
    hostname               text        NOT NULL DEFAULT '',
    ip_address             text        NOT NULL DEFAULT '',
    mac_address            text        NOT NULL DEFAULT '',
    ova_version            text        NOT NULL DEFAULT '',
    docker_version         text        NOT NULL DEFAULT '',
    carries_controller     boolean     NOT NULL DEFAULT true,
    carries_ap             boolean     NOT NULL DEFAULT true,
    control_status         text        NOT NULL DEFAULT 'inactive' CHECK (control_status IN ('active', 'inactive')),
    control_connected_at   timestamptz,
    data_status            text        NOT NULL DEFAULT 'inactive' CHECK (data_status IN ('active', 'inactive')),
    data_connected_at      timestamptz,
    data_channel_events    bigint      NOT NULL DEFAULT 0,
    nmsp_messages_received bigint      NOT NULL DEFAULT 0,
    statistics             jsonb       NOT NULL DEFAULT '{}'::jsonb,
    joined_at              timestamptz,
    last_heard             timestamptz,
    last_modified          timestamptz NOT NULL DEFAULT now(),
    created_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, connector_id),
    UNIQUE (tenant_id, token_id, instance_id),
    FOREIGN KEY (tenant_id, token_id) REFERENCES tokens (tenant_id, token_id)
);

-- Joins, losses, failovers and recoveries of each HA group, newest last.
CREATE TABLE ha_history (
    tenant_id         uuid        NOT NULL,
    history_id        bigint      GENERATED ALWAYS AS IDENTITY,
    token_id          uuid        NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('joined', 'lost', 'failover', 'recovered')),
    connector_id      uuid        NOT NULL,
    peer_connector_id uuid,
    ip_address        text        NOT NULL DEFAULT '',
    detail            text        NOT NULL DEFAULT '',
    occurred_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, history_id),
    FOREIGN KEY (tenant_id, token_id) REFERENCES tokens (tenant_id, token_id)
);
CREATE INDEX ha_history_by_group ON ha_history (tenant_id, token_id, occurred_at DESC);

-- Configuration pushed to a group: controllers (wireless tokens) and switches (wired tokens).
CREATE TABLE controllers (
    tenant_id  uuid        NOT NULL,
    token_id   uuid        NOT NULL,
    ip_address text        NOT NULL CHECK (length(ip_address) BETWEEN 1 AND 64),
    name       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token_id, ip_address),
    FOREIGN KEY (tenant_id, token_id) REFERENCES tokens (tenant_id, token_id)
);

CREATE TABLE switches (
    tenant_id  uuid        NOT NULL,
    token_id   uuid        NOT NULL,
    ip_address text        NOT NULL CHECK (length(ip_address) BETWEEN 1 AND 64),
    name       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token_id, ip_address),
    FOREIGN KEY (tenant_id, token_id) REFERENCES tokens (tenant_id, token_id)
);

-- Device events, stored once per identity. Partitioned by the device's time (daily ranges);
-- partitions are created ahead and dropped after retention by the service.
-- channel: 1 controller, 2 AP, 3 switch. kind: see README "Event identity".
CREATE TABLE events (
    tenant_id     uuid        NOT NULL,
    identity      uuid        NOT NULL,
    device_time   timestamptz NOT NULL,
    source_device text        NOT NULL,
    channel       smallint    NOT NULL,
    kind          smallint    NOT NULL,
    subject       text        NOT NULL,
    body          bytea       NOT NULL,
    token_id      uuid        NOT NULL,
    connector_id  uuid        NOT NULL,
    received_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, identity, device_time)
) PARTITION BY RANGE (device_time);
