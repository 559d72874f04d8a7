-- paymux gateway schema, version 4: every attempt of a payment (GET /payments/{id}/transactions).
-- Same conventions as before: portable SQL, times in BIGINT microseconds (UTC), no card data.

-- The attempts a payment's row no longer shows: a channel routing failed over from (each gets
-- its own transaction id), and a FAILED attempt that a new claim of the same paymentId
-- replaced (kept under its transactionId). The current attempt is the payment's row itself.
CREATE TABLE payment_attempts (
    id              TEXT PRIMARY KEY,      -- the attempt's PortOne transaction id
    payment_id      TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,         -- the claim it was part of
    channel_key     TEXT,
    channel_json    TEXT,                  -- PortOne SelectedChannel
    method_json     TEXT,                  -- PortOne PaymentMethod, masked
    failure_json    TEXT,
    requested_at    BIGINT NOT NULL,
    failed_at       BIGINT NOT NULL
);
CREATE INDEX payment_attempts_payment ON payment_attempts (payment_id, requested_at);
