-- paymux gateway schema, version 18: two more search columns of a payment, for the
-- `GET /payments` filters `platformType` and `isEscrow` / `escrowStatus`.
--
-- platform_type: where each payment came from (PortOne `PaymentClientType`), as billing keys
-- have since version 16.
--
-- `API` for payments made by the server API (instant, billing-key and scheduled payments);
-- `SDK_PC` or `SDK_MOBILE` for a window payment, by the user agent of the browser that came
-- back to complete it. A window payment is written without it (NULL) and gets it when its
-- browser comes back to be sent; one whose window never completed keeps NULL, and no
-- platformType filter lists it.
ALTER TABLE payments ADD COLUMN platform_type TEXT;

-- Payments written before this version: the `origin` object their `extra_json` carries says
-- the same (`API`, `PC`, `MOBILE`). A window payment's origin before its browser came back is
-- `PC` with an empty `ipAddress`: not known, so NULL. serde writes this JSON without spaces.
UPDATE payments SET platform_type = CASE
    WHEN extra_json LIKE '%"platformType":"API"%' THEN 'API'
    WHEN extra_json LIKE '%"platformType":"MOBILE"%' THEN 'SDK_MOBILE'
    WHEN extra_json LIKE '%"platformType":"PC"%' AND extra_json NOT LIKE '%"ipAddress":""%' THEN 'SDK_PC'
    ELSE NULL END
WHERE extra_json IS NOT NULL;

-- escrow_status: PortOne `PaymentEscrow.status` of an escrow payment (NULL: not escrow), the
-- `escrow` object of its `extra_json` (store::payment_search::escrow_status derives it when the
-- row is written). Since version 17 every stored escrow object is this one.
ALTER TABLE payments ADD COLUMN escrow_status TEXT;
UPDATE payments SET escrow_status = 'BEFORE_REGISTERED'
WHERE extra_json LIKE '%"escrow":{"status":"BEFORE_REGISTERED"}%';
