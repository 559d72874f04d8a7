-- paymux gateway schema, version 20: wire views are found by the claim they belong to, not by
-- payment id.
--
-- A payment id is chosen by the merchant (`payment-<uuid>`), so each new view landed on a
-- random page of the `(payment_id, at)` index, and every batch of views rewrote one index
-- page per view: 8.2 KB written per view instead of 2.9 KB without it (docs/BENCHMARKS.md
-- §5g). Claim ids (`transaction_id`) are UUID v7, ordered by time, so new views append to the
-- index's last page. The console's payment page knows the payment's claims and asks for
-- those.
DROP INDEX attempt_wire_payment;
CREATE INDEX attempt_wire_claim ON attempt_wire (transaction_id);
