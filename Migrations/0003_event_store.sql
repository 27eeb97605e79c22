-- The event store's companions: a quarantine for events whose device time is absurd (too far
-- in the future, or older than the retention), so they are kept and counted instead of lost
-- or failing their batch. Not partitioned: it stays small, and it is where an operator looks.

CREATE TABLE events_quarantine (
    tenant_id      uuid        NOT NULL,
    quarantine_id  bigint      GENERATED ALWAYS AS IDENTITY,
    identity       uuid        NOT NULL,
    device_time_us bigint      NOT NULL,
    source_device  text        NOT NULL,
    channel        smallint    NOT NULL,
    kind           smallint    NOT NULL,
    subject        text        NOT NULL,
    body           bytea       NOT NULL,
    token_id       uuid        NOT NULL,
    connector_id   uuid        NOT NULL,
    reason         text        NOT NULL,
    received_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, quarantine_id),
    UNIQUE (tenant_id, identity)
);
