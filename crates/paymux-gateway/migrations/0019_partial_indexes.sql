-- paymux gateway schema, version 19: indexes of columns most payments leave NULL hold only
-- the rows that have a value.
--
-- Every commit writes whole each index page it touches, and a payment's claim touched the
-- last page of every index on `payments`, NULL or not: a payment without a billing key,
-- schedule, customer e-mail or phone still wrote a page of each of those indexes (and of the
-- search-ready index, read only by the start-up backfill of version 3). Partial indexes skip
-- those writes (docs/BENCHMARKS.md §5e). Every query on these columns compares them with a
-- value (`billing_key = $1`, `reconcile_at <= $1`, `search_ready = 0`), which both engines know
-- implies the index's condition, so the same queries use them.
DROP INDEX payments_billing_key;
CREATE INDEX payments_billing_key ON payments (billing_key) WHERE billing_key IS NOT NULL;
DROP INDEX payments_schedule_id;
CREATE INDEX payments_schedule_id ON payments (schedule_id) WHERE schedule_id IS NOT NULL;
DROP INDEX payments_customer_email;
CREATE INDEX payments_customer_email ON payments (customer_email) WHERE customer_email IS NOT NULL;
DROP INDEX payments_customer_phone;
CREATE INDEX payments_customer_phone ON payments (customer_phone) WHERE customer_phone IS NOT NULL;
DROP INDEX payments_pg_tx_id;
CREATE INDEX payments_pg_tx_id ON payments (pg_tx_id) WHERE pg_tx_id IS NOT NULL;
DROP INDEX payments_reconcile;
CREATE INDEX payments_reconcile ON payments (reconcile_at) WHERE reconcile_at IS NOT NULL;
DROP INDEX payments_search_ready;
CREATE INDEX payments_search_ready ON payments (search_ready) WHERE search_ready = 0;
