-- paymux gateway schema, version 1. Portable SQL: the same text runs on SQLite and PostgreSQL.
-- Times are BIGINT microseconds since the Unix epoch (UTC); flags are BIGINT 0/1.
-- No column ever holds a full card number, card password, birth date or CVC.

CREATE TABLE payments (
    id                        TEXT PRIMARY KEY,      -- the merchant's paymentId
    store_id                  TEXT NOT NULL,
    transaction_id            TEXT NOT NULL,         -- one per attempt (PortOne transactionId)
    kind                      TEXT NOT NULL,         -- INSTANT | BILLING_KEY
    status                    TEXT NOT NULL,         -- READY | PAY_PENDING | VIRTUAL_ACCOUNT_ISSUED | PAID | FAILED | PARTIAL_CANCELLED | CANCELLED
    outcome_unknown           BIGINT NOT NULL DEFAULT 0, -- 1: sent, no usable answer; the reconciler asks the PG
    channel_key               TEXT,
    channel_json              TEXT,                  -- PortOne SelectedChannel
    channel_group_json        TEXT,                  -- {id, name, isForTest}
    method_json               TEXT,                  -- PortOne PaymentMethod, masked
    billing_key               TEXT,
    schedule_id               TEXT,
    order_name                TEXT NOT NULL,
    currency                  TEXT NOT NULL,
    amount_total              BIGINT NOT NULL,
    amount_tax_free           BIGINT NOT NULL,
    amount_vat                BIGINT NOT NULL,
    amount_supply             BIGINT NOT NULL,
    amount_cancelled          BIGINT NOT NULL DEFAULT 0,
    amount_cancelled_tax_free BIGINT NOT NULL DEFAULT 0,
    amount_cancelled_vat      BIGINT NOT NULL DEFAULT 0,
    customer_json             TEXT,                  -- without birth date
    custom_data               TEXT,
    extra_json                TEXT,                  -- products, productCount, promotionId, country, ...
    notice_urls_json          TEXT,
    skip_webhook              BIGINT NOT NULL DEFAULT 0,
    order_date                TEXT,                  -- YYYYMMDDHHMMSS (KST) of the first request to the PG
    pg_tx_id                  TEXT,
    paid_at                   BIGINT,
    failed_at                 BIGINT,
    failure_json              TEXT,
    cancelled_at              BIGINT,
    cancel_count              BIGINT NOT NULL DEFAULT 0,
    cancel_lock               TEXT,                  -- id of the cancellation in progress
    requested_at              BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL,
    status_changed_at         BIGINT NOT NULL,
    reconcile_at              BIGINT,                -- when the reconciler may look at it (NULL: settled)
    reconcile_attempts        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX payments_reconcile ON payments (reconcile_at);
CREATE INDEX payments_billing_key ON payments (billing_key);

CREATE TABLE cancellations (
    id                  TEXT PRIMARY KEY,
    payment_id          TEXT NOT NULL,
    status              TEXT NOT NULL,               -- REQUESTED | SUCCEEDED | FAILED
    total_amount        BIGINT NOT NULL,
    tax_free_amount     BIGINT NOT NULL,
    vat_amount          BIGINT NOT NULL,
    balance_before      BIGINT NOT NULL,             -- cancellable amount before this cancel
    reason              TEXT NOT NULL,
    requester           TEXT,
    pg_cancellation_id  TEXT,
    requested_at        BIGINT NOT NULL,
    cancelled_at        BIGINT,
    failure_json        TEXT,
    skip_webhook        BIGINT NOT NULL DEFAULT 0,
    reconcile_at        BIGINT,
    reconcile_attempts  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX cancellations_payment ON cancellations (payment_id);
CREATE INDEX cancellations_reconcile ON cancellations (reconcile_at);

CREATE TABLE billing_keys (
    billing_key         TEXT PRIMARY KEY,
    store_id            TEXT NOT NULL,
    status              TEXT NOT NULL,               -- ISSUING | ISSUED | FAILED | DELETED
    channel_group_id    TEXT,
    channel_group_json  TEXT,
    customer_json       TEXT,
    custom_data         TEXT,
    method_json         TEXT,                        -- masked card
    notice_urls_json    TEXT,
    requested_at        BIGINT NOT NULL,
    issued_at           BIGINT,
    deleted_at          BIGINT,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE billing_key_channels (
    billing_key     TEXT NOT NULL,
    channel_key     TEXT NOT NULL,
    status          TEXT NOT NULL,                   -- ISSUED | FAILED | DELETED
    channel_json    TEXT NOT NULL,
    pg_billing_key  TEXT,                            -- the PG's token for the card (not card data)
    pg_tx_id        TEXT,
    failure_json    TEXT,
    created_at      BIGINT NOT NULL,
    deleted_at      BIGINT,
    PRIMARY KEY (billing_key, channel_key)
);

CREATE TABLE payment_schedules (
    id            TEXT PRIMARY KEY,
    payment_id    TEXT NOT NULL,
    billing_key   TEXT NOT NULL,
    store_id      TEXT NOT NULL,
    status        TEXT NOT NULL,                     -- SCHEDULED | STARTED | PENDING | SUCCEEDED | FAILED | REVOKED
    time_to_pay   BIGINT NOT NULL,
    payment_json  TEXT NOT NULL,                     -- BillingKeyPaymentInput (no card data)
    created_at    BIGINT NOT NULL,
    started_at    BIGINT,
    completed_at  BIGINT,
    revoked_at    BIGINT,
    claimed_by    TEXT
);
CREATE UNIQUE INDEX payment_schedules_active_payment ON payment_schedules (payment_id) WHERE status <> 'REVOKED';
CREATE INDEX payment_schedules_due ON payment_schedules (status, time_to_pay);
CREATE INDEX payment_schedules_billing_key ON payment_schedules (billing_key);

CREATE TABLE channel_groups (
    id             TEXT PRIMARY KEY,
    schedule_json  TEXT NOT NULL,                    -- paymux_routing::GroupSchedule
    updated_at     BIGINT NOT NULL
);

CREATE TABLE webhook_outbox (
    id               TEXT PRIMARY KEY,               -- webhook-id (the same on every retry)
    event_type       TEXT NOT NULL,
    url              TEXT NOT NULL,
    payload          TEXT NOT NULL,                  -- the exact body that is signed and sent
    status           TEXT NOT NULL,                  -- PENDING | DELIVERED | FAILED
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at);
