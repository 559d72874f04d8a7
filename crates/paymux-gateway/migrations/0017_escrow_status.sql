-- paymux gateway schema, version 17: an escrow window payment's `escrow` was stored as `{}`, but
-- PortOne's `PaymentEscrow` is a union on `status`. Payments stored before this version get the
-- status new ones are written with (BEFORE_REGISTERED: paymux registers no delivery).
UPDATE payments
SET extra_json = replace(extra_json, '"escrow":{}', '"escrow":{"status":"BEFORE_REGISTERED"}')
WHERE extra_json LIKE '%"escrow":{}%';
