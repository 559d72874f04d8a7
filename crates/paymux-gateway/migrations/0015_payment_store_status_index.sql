-- paymux gateway schema, version 15: GET /payments by store and status in one index search.
-- Every payment list query has a creation-time range (PortOne's default: the 90 days before
-- `until`), so a store + status filter is a search of this index on all three, newest first
-- with the id as the tiebreak of the sort; `totalCount` is counted from the index alone.
CREATE INDEX payments_store_status_requested ON payments (store_id, status, requested_at, id);
