-- paymux gateway schema, version 6: pre-registered payments (POST /payments/{id}/pre-register).
-- A claim of the paymentId with another amount or currency is refused before any PG is called.
CREATE TABLE payment_preregistrations (
    payment_id       TEXT PRIMARY KEY,
    store_id         TEXT NOT NULL,
    total_amount     BIGINT,               -- NULL: not locked
    tax_free_amount  BIGINT,               -- NULL: not locked
    currency         TEXT,                 -- NULL: not locked
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
