//! The `auth_settings` and `auth_refresh_tokens` tables: the token salt every instance shares,
//! and the refresh tokens handed out (by `jti`; the tokens themselves are never stored).

use super::db::Db;

/// The salt of the token signing key: the stored one, or `fresh` when none is stored yet
/// (the first instance to start writes it; the others read what it wrote).
pub async fn token_salt(db: &Db, fresh: &str) -> Result<String, sqlx::Error> {
    db.execute(
        "INSERT INTO auth_settings (name, value) VALUES ('token_salt', $1) ON CONFLICT (name) DO NOTHING",
        crate::args![fresh],
    )
    .await?;
    let row = db
        .fetch_optional(
            "SELECT value FROM auth_settings WHERE name = 'token_salt'",
            crate::args![],
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    row.req_text("value")
}

/// A refresh token to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRefresh {
    /// The token's id.
    pub jti: String,
    /// The login it descends from.
    pub family: String,
    /// Issued at (µs).
    pub issued_at: i64,
    /// Expires at (µs).
    pub expires_at: i64,
}

/// Why a refresh token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRefused {
    /// No such token was handed out (or it expired and was pruned).
    Unknown,
    /// Used before: a replay. Its whole family is revoked now.
    Reused,
    /// A later login or refresh superseded it, or its family was revoked.
    Revoked,
    /// Past its expiry.
    Expired,
}

/// A login: record `new` and revoke every other live refresh token (PortOne: a login expires
/// the refresh tokens issued before it). Expired rows are pruned on the way.
pub async fn record_login(db: &Db, new: &IssuedRefresh, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    tx.execute(
        "DELETE FROM auth_refresh_tokens WHERE expires_at < $1",
        crate::args![now],
    )
    .await?;
    tx.execute(
        "UPDATE auth_refresh_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND used_at IS NULL",
        crate::args![now],
    )
    .await?;
    insert(&mut tx, new).await?;
    tx.commit().await
}

/// A refresh: mark `used_jti` used and record `new` in its family, in one unit of work. Of
/// two refreshes with the same token only one succeeds. A token already used revokes its
/// family (a replay means it leaked).
pub async fn rotate(
    db: &Db,
    used_jti: &str,
    new_jti: &str,
    new_expires_at: i64,
    now: i64,
) -> Result<Result<IssuedRefresh, RefreshRefused>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(row) = tx
        .fetch_optional(
            "SELECT family, expires_at, used_at, revoked_at FROM auth_refresh_tokens WHERE jti = $1",
            crate::args![used_jti],
        )
        .await?
    else {
        tx.commit().await?;
        return Ok(Err(RefreshRefused::Unknown));
    };
    let family = row.req_text("family")?;
    if row.int("used_at")?.is_some() {
        tx.execute(
            "UPDATE auth_refresh_tokens SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL",
            crate::args![now, family.as_str()],
        )
        .await?;
        tx.commit().await?;
        return Ok(Err(RefreshRefused::Reused));
    }
    if row.int("revoked_at")?.is_some() {
        tx.commit().await?;
        return Ok(Err(RefreshRefused::Revoked));
    }
    if row.req_int("expires_at")? <= now {
        tx.commit().await?;
        return Ok(Err(RefreshRefused::Expired));
    }
    // Guarded: a concurrent refresh with the same token (another instance) finds it used.
    let claimed = tx
        .execute(
            "UPDATE auth_refresh_tokens SET used_at = $1 WHERE jti = $2 AND used_at IS NULL AND revoked_at IS NULL",
            crate::args![now, used_jti],
        )
        .await?;
    if claimed != 1 {
        tx.execute(
            "UPDATE auth_refresh_tokens SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL",
            crate::args![now, family.as_str()],
        )
        .await?;
        tx.commit().await?;
        return Ok(Err(RefreshRefused::Reused));
    }
    let new = IssuedRefresh {
        jti: new_jti.to_string(),
        family,
        issued_at: now,
        expires_at: new_expires_at,
    };
    insert(&mut tx, &new).await?;
    tx.commit().await?;
    Ok(Ok(new))
}

async fn insert(tx: &mut super::db::Tx, r: &IssuedRefresh) -> Result<(), sqlx::Error> {
    tx.execute(
        "INSERT INTO auth_refresh_tokens (jti, family, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
        crate::args![r.jti.as_str(), r.family.as_str(), r.issued_at, r.expires_at],
    )
    .await?;
    Ok(())
}
