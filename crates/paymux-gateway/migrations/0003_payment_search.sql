-- paymux gateway schema, version 3: payment search (GET /payments, GET /payments-by-cursor).
-- Same conventions as before: portable SQL, times in BIGINT microseconds (UTC), no card data.

-- Search columns, written with the JSON they come from (the claim; a transition that updates
-- the method), so a filter is a plain comparison both engines can answer from an index.
ALTER TABLE payments ADD COLUMN method_type TEXT;     -- PortOne PaymentMethodType: CARD | VIRTUAL_ACCOUNT | ...
ALTER TABLE payments ADD COLUMN customer_name TEXT;
ALTER TABLE payments ADD COLUMN customer_email TEXT;
ALTER TABLE payments ADD COLUMN customer_phone TEXT;
ALTER TABLE payments ADD COLUMN card_last4 TEXT;      -- the last four digits of the masked number
-- 1 once the columns above are filled: new rows are written with 1; rows from before this
-- version are filled by the gateway at start (store::payment_search::backfill).
ALTER TABLE payments ADD COLUMN search_ready BIGINT NOT NULL DEFAULT 0;

-- Listing in time order (page and cursor), by creation or by status change; with a status.
CREATE INDEX payments_requested ON payments (requested_at, id);
CREATE INDEX payments_status_changed ON payments (status_changed_at, id);
CREATE INDEX payments_status_requested ON payments (status, requested_at);
CREATE INDEX payments_store_requested ON payments (store_id, requested_at, id);
-- Text search by exact id or value.
CREATE INDEX payments_pg_tx_id ON payments (pg_tx_id);
CREATE INDEX payments_transaction_id ON payments (transaction_id);
CREATE INDEX payments_schedule_id ON payments (schedule_id);
CREATE INDEX payments_customer_email ON payments (customer_email);
CREATE INDEX payments_customer_phone ON payments (customer_phone);
CREATE INDEX payments_card_last4 ON payments (card_last4);
CREATE INDEX payments_search_ready ON payments (search_ready);
