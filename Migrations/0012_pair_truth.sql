-- What Tandem says about a pair must be true (issue 31).
--
-- A member whose control stream ended is not live while it is inside its reconnect grace, so
-- its peer's loss is not a failover to it: the connector row says when its stream ended
-- (departed_at) and the reason of its Goodbye, if it said one (departure: restart, upgrade,
-- shutdown; NULL for a crash or a broken connection). Both are cleared when it says Hello.
-- lost_at is when it stopped being an active member: "inactive since" is that, not its connect
-- time. data_node_id is the node holding its data stream: a pair is split across nodes (its
-- pair statistics not measured, each node seeing one member) where its data streams are, not
-- where its control streams are.
--
-- New history kinds: left (a planned leave), handover (a planned leave with a live peer) and
-- down (every active member stopped within one grace: one entry naming them all, no failover).
-- The kind check is replaced NOT VALID then validated, so the table is not locked for writes
-- while existing rows are checked. Every statement only adds what the previous release ignores.
ALTER TABLE connectors
    ADD COLUMN departed_at timestamptz,
    ADD COLUMN departure text CHECK (departure IN ('restart', 'upgrade', 'shutdown')),
    ADD COLUMN lost_at timestamptz,
    ADD COLUMN data_node_id text;

ALTER TABLE ha_history DROP CONSTRAINT ha_history_kind_check;
ALTER TABLE ha_history ADD CONSTRAINT ha_history_kind_check
    CHECK (kind IN ('joined', 'lost', 'left', 'failover', 'handover', 'recovered', 'down')) NOT VALID;
ALTER TABLE ha_history VALIDATE CONSTRAINT ha_history_kind_check;
