-- paymux gateway schema, version 11: standalone cash receipts (POST /cash-receipts, PortOne
-- issueCashReceipt) and their cancels.
--
-- One row per paymentId (PortOne keys a receipt by the payment it is for). The row is written
-- `ISSUING` before the PG is called (the claim: of two concurrent issues only one inserts), then
-- moved to ISSUED, ISSUE_FAILED or, after a cancel (`CANCELLING` while the PG is asked),
-- CANCELLED. An issue whose answer was lost stays ISSUING until the PG's inquiry settles it.
-- The customer's identity number is never stored: `identity_masked` keeps its last four digits.
CREATE TABLE cash_receipts (
    payment_id        TEXT PRIMARY KEY,
    store_id          TEXT NOT NULL,
    channel_key       TEXT NOT NULL,
    channel_json      TEXT,
    status            TEXT NOT NULL,
    is_manual         BIGINT NOT NULL,
    receipt_type      TEXT NOT NULL,
    order_name        TEXT NOT NULL,
    currency          TEXT NOT NULL,
    amount_total      BIGINT NOT NULL,
    amount_tax_free   BIGINT NOT NULL,
    amount_vat        BIGINT NOT NULL,
    identity_masked   TEXT,
    pg_receipt_id     TEXT,
    issue_number      TEXT,
    url               TEXT,
    failure_code      TEXT,
    failure_message   TEXT,
    requested_at      BIGINT NOT NULL,
    issued_at         BIGINT,
    cancelled_at      BIGINT,
    cancelled_amount  BIGINT,
    status_updated_at BIGINT NOT NULL
);
CREATE INDEX cash_receipts_issued_at ON cash_receipts (issued_at);
CREATE INDEX cash_receipts_cancelled_at ON cash_receipts (cancelled_at);
CREATE INDEX cash_receipts_status_updated_at ON cash_receipts (status_updated_at);
