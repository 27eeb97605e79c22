-- Control-channel sessions of connectors: the session that owns a connector's active state,
-- so a stale session (replaced by a reconnect, or declared lost after silence) can't mark
-- its successor inactive. Indexes for the HA Active list and the liveness sweeper.

ALTER TABLE connectors ADD COLUMN session_id uuid;

CREATE INDEX connectors_active_by_group ON connectors (tenant_id, token_id, joined_at)
    WHERE control_status = 'active';

CREATE INDEX connectors_active_by_last_heard ON connectors (last_heard)
    WHERE control_status = 'active';
