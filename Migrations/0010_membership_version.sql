-- Optimistic concurrency for HA membership: every change of a group's membership or flags
-- bumps its version, and a change applies only if the version is still the one it was
-- computed from (else it is recomputed). A join is two statements, with no lock held between.
ALTER TABLE ha_groups ADD COLUMN membership_version bigint NOT NULL DEFAULT 0;
