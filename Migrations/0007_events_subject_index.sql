-- Analysts ask "what did this client do in this hour": events of one subject over a time
-- range. Without this index that query reads a whole day partition (seconds on tens of
-- millions of rows); with it, a few pages. What it costs the insert path is measured by
-- `tandem bench analyst` and written in BENCHMARKS.md.
CREATE INDEX events_subject ON events (tenant_id, subject, device_time);
