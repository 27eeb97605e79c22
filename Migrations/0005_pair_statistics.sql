-- Pair analytics: per group, connector, source device, channel and minute of device time,
-- what each member of a pair delivered, what it duplicated, what it missed that its peer
-- delivered, and how late its copies came after the peer's.
--
-- Computed by the service from its deduplication window (never from the events table) and
-- added up here: rows for the same key from several flushes or service instances are summed.
-- Copy lag is a histogram: lag_buckets[i] counts copies with lag <= the i-th bound of
-- tandem_lag_bounds_ms() (the last bucket is everything above 10 s).

CREATE TABLE pair_statistics (
    tenant_id        uuid        NOT NULL,
    token_id         uuid        NOT NULL,
    connector_id     uuid        NOT NULL,
    source_device    text        NOT NULL,
    channel          smallint    NOT NULL,
    minute           timestamptz NOT NULL,
    delivered        bigint      NOT NULL DEFAULT 0,
    first_deliveries bigint      NOT NULL DEFAULT 0,
    duplicates       bigint      NOT NULL DEFAULT 0,
    missed           bigint      NOT NULL DEFAULT 0,
    lag_buckets      bigint[]    NOT NULL,
    lag_sum_ms       bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, token_id, connector_id, source_device, channel, minute)
);

CREATE INDEX pair_statistics_minute ON pair_statistics (minute);

-- Upper bounds (inclusive, milliseconds) of the lag buckets; the overflow bucket has none.
CREATE FUNCTION tandem_lag_bounds_ms() RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY[1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]::bigint[] $$;

-- Element-wise sum of two histograms (STRICT, so it also serves as the aggregate below).
CREATE FUNCTION tandem_add_buckets(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY n) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, n) $$;

CREATE AGGREGATE tandem_sum_buckets(bigint[]) (SFUNC = tandem_add_buckets, STYPE = bigint[]);

-- The smallest bucket bound below which a fraction q of the histogram lies (NULL when empty;
-- 'Infinity' when it lies in the overflow bucket).
CREATE FUNCTION tandem_lag_quantile_ms(buckets bigint[], q double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE WHEN b.n > cardinality(tandem_lag_bounds_ms()) THEN 'Infinity'::double precision
                ELSE (tandem_lag_bounds_ms())[b.n]::double precision END
    FROM (SELECT n, sum(x) OVER (ORDER BY n) AS running, sum(x) OVER () AS total
          FROM unnest(buckets) WITH ORDINALITY AS t(x, n)) AS b
    WHERE b.total > 0 AND b.running >= q * b.total
    ORDER BY b.n
    LIMIT 1
$$;

ALTER TABLE pair_statistics ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst_tenant ON pair_statistics FOR SELECT TO tandem_analyst
    USING (tenant_id = nullif(current_setting('tandem.tenant_id', true), '')::uuid);

CREATE VIEW analyst_pair_statistics WITH (security_invoker = true) AS
SELECT tenant_id, token_id AS group_id, connector_id, source_device,
       CASE channel WHEN 1 THEN 'controller' WHEN 2 THEN 'access_point' WHEN 3 THEN 'switch' END AS channel,
       minute, delivered, first_deliveries, duplicates, missed,
       lag_buckets, lag_sum_ms,
       (SELECT sum(x) FROM unnest(lag_buckets) AS x)::bigint AS lag_count
FROM pair_statistics;

GRANT SELECT ON pair_statistics, analyst_pair_statistics TO tandem_analyst;
GRANT EXECUTE ON FUNCTION tandem_lag_bounds_ms(), tandem_add_buckets(bigint[], bigint[]),
    tandem_lag_quantile_ms(bigint[], double precision) TO tandem_analyst;
GRANT EXECUTE ON FUNCTION tandem_sum_buckets(bigint[]) TO tandem_analyst;
