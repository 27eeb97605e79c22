-- The `tandem serve` processes sharing this database. Each renews its lease while it runs and
-- gives it up when it stops; a session whose node's lease lapsed is watched by the others.
-- Not tenant data: a reference table (see docs/scaling.md).
CREATE TABLE nodes (
    node_id          text        PRIMARY KEY CHECK (length(node_id) BETWEEN 1 AND 64),
    grpc_address     text        NOT NULL DEFAULT '',
    http_address     text        NOT NULL DEFAULT '',
    started_at       timestamptz NOT NULL DEFAULT now(),
    renewed_at       timestamptz NOT NULL DEFAULT now(),
    lease_expires_at timestamptz NOT NULL,
    stopped_at       timestamptz
);

-- The node that holds a connector's control session.
ALTER TABLE connectors ADD COLUMN node_id text;
