-- paymux gateway schema, version 13: what each payment attempt sent to its PG and what came
-- back, as the operator console shows them. Same conventions: portable SQL, times in BIGINT
-- microseconds (UTC). Only masked text is ever stored here: the adapter's masked wire view of
-- the request (card numbers as 6+4 digits, passwords, birth dates and keys as `*`) and the
-- decoded answer, both masked again by the gateway and cut to at most 8 KiB each. The exact
-- bytes sent (which carry card data) are never stored.
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
