-- paymux diagnostics schema (SQLite only), version 1: the rows the gateway writes about
-- payments rather than as payments, in a file of their own next to the database
-- (`NAME.diagnostics.EXT` beside `NAME.EXT`). The main database's schema versions 8 and 13
-- define the same tables; PostgreSQL keeps them there. Here a payment's claim never waits
-- behind these writes, and they are committed without an fsync: a crash of the machine may lose
-- the last moments of them, never a payment.

-- What routing did (GET /channel-groups/{id}/stats): one row per routed attempt and per
-- channel a group's rules left out for a payment. Rows older than a day and an hour are pruned.
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

-- What each payment attempt sent to its PG and what came back, as the operator console shows
-- them. Only masked text: the adapter's masked wire view of the request and the decoded
-- answer, both masked again by the gateway and cut to at most 8 KiB each.
CREATE TABLE attempt_wire (
    id              TEXT PRIMARY KEY,
    payment_id      TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,         -- the claim the attempt was part of
    channel_key     TEXT NOT NULL,
    operation       TEXT NOT NULL,         -- payment.instant, payment.billing-key, ...
    request_view    TEXT NOT NULL,         -- masked JSON: the adapter's view with the vendor's field names
    answer_view     TEXT NOT NULL,         -- masked JSON: the outcome as decoded, or why nothing came back
    took_us         BIGINT NOT NULL,       -- send to decoded answer (0 when nothing was sent)
    at              BIGINT NOT NULL
);
CREATE INDEX attempt_wire_payment ON attempt_wire (payment_id, at);
