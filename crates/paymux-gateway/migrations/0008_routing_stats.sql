-- paymux gateway schema, version 8: what routing did, for GET /channel-groups/{id}/stats, and
-- channel health shared by every instance (PostgreSQL). Same conventions: portable SQL, times
-- in BIGINT microseconds (UTC), no card data, no request values.

-- One row per routed attempt (a channel a group's payment was sent to) and per channel a
-- group's rules left out for a payment. Rows older than a day and an hour are pruned.
CREATE TABLE routing_events (
    id              TEXT PRIMARY KEY,
    at              BIGINT NOT NULL,
    group_id        TEXT NOT NULL,
    channel_key     TEXT NOT NULL,
    payment_id      TEXT NOT NULL,
    event           TEXT NOT NULL,          -- ATTEMPT | REFUSED
    attempt_no      BIGINT NOT NULL DEFAULT 0,  -- 0: the channel selection chose; 1..: failovers
    outcome         TEXT,                   -- ATTEMPT: APPROVED | VIRTUAL_ACCOUNT_ISSUED | PENDING | DECLINED | UNKNOWN | NOT_SENT | ERROR
    decline_kind    TEXT,                   -- DECLINED: the normalized kind (card_declined, ...)
    failed_over     BIGINT NOT NULL DEFAULT 0,  -- 1: routing went on to another channel after it
    latency_bucket  BIGINT,                 -- ATTEMPT: ceil(8 * log2(microseconds)) of the PG call
    rule            TEXT                    -- REFUSED: the rule that refused (field path and rule, no value)
);
CREATE INDEX routing_events_group_at ON routing_events (group_id, at);
CREATE INDEX routing_events_at ON routing_events (at);

-- Channel health shared by the instances of one database (groups with healthSkip): the
-- consecutive not-sent failures seen by any instance, and until when the channel is skipped.
CREATE TABLE channel_health (
    channel_key     TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    open_until      BIGINT,                 -- skipped until then (NULL: healthy)
    updated_at      BIGINT NOT NULL
);
