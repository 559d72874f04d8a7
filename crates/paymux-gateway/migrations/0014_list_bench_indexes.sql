-- paymux gateway schema, version 14: GET /billing-keys answered from an index. Every billing-key
-- list query is limited to ISSUED and DELETED keys (and may name one status): by status, then
-- time requested (the default range and sort), with the key as the tiebreak of the sort.
CREATE INDEX billing_keys_status_requested ON billing_keys (status, requested_at, billing_key);
