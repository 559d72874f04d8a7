-- paymux gateway schema, version 7: notices from PGs (POST /pg-notices/{channelKey}) and the
-- webhook delivery history of a payment (Payment.webhooks, POST /payments/{id}/resend-webhook).
-- Same conventions as before: portable SQL, times in BIGINT microseconds (UTC), no card data.

-- Append-only log of every authenticated (or inquiry-checked) notice that named a payment of
-- this gateway: what it claimed, what the gateway did, its masked fields. Refused notices
-- (bad signature, undecodable, unknown channel or payment) are only written to the log
-- output, so forged traffic cannot grow the database.
CREATE TABLE pg_notices (
    id            TEXT PRIMARY KEY,      -- pgn_<uuid>
    channel_key   TEXT NOT NULL,
    payment_id    TEXT NOT NULL,
    pg_tx_id      TEXT,
    event         TEXT NOT NULL,         -- DEPOSITED | STATUS_CHANGED
    trust         TEXT NOT NULL,         -- VERIFIED | UNSIGNED
    verdict       TEXT NOT NULL,         -- APPLIED | DUPLICATE | AMOUNT_MISMATCH | NOT_CONFIRMED | NO_CHANGE | NOT_APPLICABLE
    detail        TEXT NOT NULL,
    view_json     TEXT NOT NULL,         -- the adapter's masked view of the notice's fields
    received_at   BIGINT NOT NULL
);
CREATE INDEX pg_notices_payment ON pg_notices (payment_id, received_at);
CREATE INDEX pg_notices_received ON pg_notices (received_at);

-- The webhook outbox learns which payment a delivery is about, why it was sent, and what the
-- receiver last answered: the rows become the payment's webhook history.
ALTER TABLE webhook_outbox ADD COLUMN payment_id TEXT;
ALTER TABLE webhook_outbox ADD COLUMN payment_status TEXT;    -- the payment's status the event reports
ALTER TABLE webhook_outbox ADD COLUMN trigger_kind TEXT;      -- PortOne PaymentWebhookTrigger (MANUAL, VIRTUAL_ACCOUNT_DEPOSIT), NULL otherwise
ALTER TABLE webhook_outbox ADD COLUMN resend_of TEXT;         -- the webhook-id a manual resend repeats
ALTER TABLE webhook_outbox ADD COLUMN last_code BIGINT;       -- HTTP status of the last attempt (NULL: no answer)
ALTER TABLE webhook_outbox ADD COLUMN last_attempt_at BIGINT;
CREATE INDEX webhook_outbox_payment ON webhook_outbox (payment_id, created_at);

-- Billing keys left ISSUING by an interrupted issue are found by the reconciler without a scan.
CREATE INDEX billing_keys_issuing ON billing_keys (updated_at) WHERE status = 'ISSUING';
CREATE INDEX checkout_sessions_billing_key ON checkout_sessions (billing_key);
