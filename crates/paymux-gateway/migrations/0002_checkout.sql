-- paymux gateway schema, version 2: hosted checkout (payment windows).
-- Same conventions as version 1: portable SQL, times in BIGINT microseconds (UTC), no card data.

-- One row per payment window the gateway hands a browser. `status` is the state machine that
-- makes a window's return count once: OPEN -> COMPLETING (claimed by exactly one return, with
-- a conditional UPDATE) -> COMPLETED | FAILED; OPEN -> FAILED (the window reported failure or
-- cancellation); OPEN -> EXPIRED (not returned within the session's lifetime).
CREATE TABLE checkout_sessions (
    id                TEXT PRIMARY KEY,      -- cs_<32 hex>: unguessable; in the checkout and return URLs
    kind              TEXT NOT NULL,         -- PAYMENT | ISSUE_BILLING_KEY | ISSUE_BILLING_KEY_AND_PAY
    status            TEXT NOT NULL,         -- OPEN | COMPLETING | COMPLETED | FAILED | EXPIRED
    store_id          TEXT NOT NULL,
    payment_id        TEXT,                  -- payments.id (PAYMENT, ISSUE_BILLING_KEY_AND_PAY)
    transaction_id    TEXT,                  -- the payment attempt the window belongs to
    billing_key       TEXT,                  -- billing_keys.billing_key (billing-key windows)
    order_id          TEXT NOT NULL,         -- what the PG knows the window by (paymentId / issueId)
    channel_key       TEXT NOT NULL,
    method            TEXT NOT NULL,         -- CARD | MOBILE | VIRTUAL_ACCOUNT | ...
    amount_total      BIGINT NOT NULL,       -- the amount the window was opened with
    order_date        TEXT NOT NULL,         -- YYYYMMDDHHMMSS (KST) the window was prepared at
    window_url        TEXT NOT NULL,         -- where the browser's form goes (or the loader script)
    window_charset    TEXT NOT NULL,         -- the form's accept-charset, and the PG return's charset
    window_form       TEXT NOT NULL,         -- checkout.prepare's exact form body (percent-encoded ASCII)
    window_loader     TEXT,                  -- JSON: vendor loader call for live loader-script windows
    redirect_url      TEXT,
    notice_urls_json  TEXT,
    result_json       TEXT,                  -- the result query parameters, once finished
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    opened_at         BIGINT,
    finished_at       BIGINT,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX checkout_sessions_open ON checkout_sessions (status, expires_at);
CREATE INDEX checkout_sessions_payment ON checkout_sessions (payment_id);

-- requestIssueBillingKey's issueId / issueName (BillingKeyInfo.issueId / issueName).
ALTER TABLE billing_keys ADD COLUMN issue_id TEXT;
ALTER TABLE billing_keys ADD COLUMN issue_name TEXT;
