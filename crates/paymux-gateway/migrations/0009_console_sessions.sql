-- paymux gateway schema, version 9: the operator console's sign-in sessions.
-- Same conventions as before: portable SQL, times in BIGINT microseconds (UTC), no secrets:
-- the cookie's token is kept only as its SHA-256, so a copy of the database signs no one in.

CREATE TABLE console_sessions (
    token_hash  TEXT PRIMARY KEY,   -- hex SHA-256 of the session cookie's token
    csrf_token  TEXT NOT NULL,      -- sent back by every form of the session; checked on each change
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
