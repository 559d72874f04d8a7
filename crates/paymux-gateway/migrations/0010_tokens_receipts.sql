-- paymux gateway schema, version 10: API tokens (POST /login/api-secret, POST /token/refresh)
-- and the receipt URL a PG gives with an approval.

-- Values every instance sharing the database must agree on. `token_salt`: random, written by
-- the first instance that starts (the token signing key is derived from the API secret and
-- this salt, so instances with the same secret and database accept each other's tokens).
CREATE TABLE auth_settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Refresh tokens handed out, by their `jti` (never the token itself). A token may be used
-- once (`used_at`); a login or refresh revokes the earlier live ones (`revoked_at`), and a
-- reused one revokes its whole family (the chain of refreshes from one login).
CREATE TABLE auth_refresh_tokens (
    jti         TEXT PRIMARY KEY,
    family      TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX auth_refresh_tokens_family ON auth_refresh_tokens (family);
CREATE INDEX auth_refresh_tokens_expires ON auth_refresh_tokens (expires_at);

-- PortOne `Payment.receiptUrl`: the PG's receipt page, when its approval names one.
ALTER TABLE payments ADD COLUMN receipt_url TEXT;
