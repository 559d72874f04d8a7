//! API tokens: PortOne's `POST /login/api-secret` and `POST /token/refresh`, and the check of
//! `Authorization: Bearer <accessToken>`.
//!
//! Tokens are JWTs signed with HS256. The signing key is HMAC-SHA256 of a fixed label and the
//! database's random `token_salt` under the API secret, so:
//! - every instance with the same secret and database accepts the others' tokens;
//! - rotating the API secret ends every token signed under the old one;
//! - a copy of the database alone cannot mint tokens (the salt is not secret, the API secret is).
//!
//! Lifetimes are PortOne's: access tokens 30 minutes, refresh tokens one day. Access tokens
//! are checked without the database (signature, `typ`, expiry). Refresh tokens are one-use:
//! `auth_refresh_tokens` records each by its `jti`; a login or a refresh revokes the earlier
//! ones (as PortOne documents), and presenting a used one again revokes its whole family.
//! Tokens never reach logs or error messages.

use std::time::Duration;

use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use paymux_core::secret::Secret;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::ApiError;
use crate::store::auth_tokens::{self, IssuedRefresh, RefreshRefused};
use crate::store::db::Db;
use crate::util;

/// How long an access token is accepted (PortOne: 30 minutes).
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(30 * 60);
/// How long a refresh token is accepted (PortOne: one day).
pub const REFRESH_TOKEN_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Longest token accepted, in bytes: paymux's own are under 400; anything far longer is not
/// one of them and is refused before it is decoded.
pub const MAX_TOKEN_LEN: usize = 2048;
/// The `iss` claim.
const ISSUER: &str = "paymux";
/// The label the signing key is derived with (changing it ends every token).
const KEY_LABEL: &[u8] = b"paymux/api-token-signing-key/v1\0";

/// Which token a JWT is (`typ` claim): an access token is never taken as a refresh token,
/// nor the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// `Authorization: Bearer`.
    Access,
    /// `POST /token/refresh`.
    Refresh,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    typ: TokenKind,
    iat: i64,
    exp: i64,
    jti: String,
}

/// The signing key (held as a [`Secret`]: never in Debug output).
pub struct TokenKeys {
    key: Secret<Vec<u8>>,
    subject: String,
}

/// A pair of tokens, as PortOne answers a login or refresh.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    /// Access token (`Authorization: Bearer <accessToken>`), 30 minutes.
    pub access_token: String,
    /// Refresh token (`POST /token/refresh`), one day, usable once.
    pub refresh_token: String,
}

/// PortOne `LoginViaApiSecretBody`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginViaApiSecretBody {
    /// The API secret.
    #[schema(value_type = String)]
    pub api_secret: Secret<String>,
}

/// PortOne `RefreshTokenBody`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshTokenBody {
    /// A refresh token from a login or an earlier refresh.
    #[schema(value_type = String)]
    pub refresh_token: Secret<String>,
}

/// Why a token was refused (said to the caller without the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefused {
    /// Too long, not three base64url parts, or not JSON.
    Malformed,
    /// Signed with another key, or altered.
    BadSignature,
    /// Another algorithm than HS256 in its header (`none`, `RS256`, …).
    WrongAlgorithm,
    /// Past `exp`.
    Expired,
    /// An access token where a refresh token is wanted, or the other way round, or claims
    /// paymux does not write.
    WrongKind,
}

impl TokenRefused {
    fn message(self) -> &'static str {
        match self {
            TokenRefused::Malformed => "the token is not a paymux token",
            TokenRefused::BadSignature => {
                "the token's signature is not valid (altered, or signed under another API secret)"
            }
            TokenRefused::WrongAlgorithm => "the token's algorithm must be HS256",
            TokenRefused::Expired => "the token has expired",
            TokenRefused::WrongKind => "the token is not of the kind this call takes",
        }
    }
}

impl TokenKeys {
    /// The key for `api_secret` and the database's salt.
    pub fn derive(api_secret: &str, salt: &str, subject: &str) -> TokenKeys {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(api_secret.as_bytes()).expect("HMAC takes any key");
        mac.update(KEY_LABEL);
        mac.update(salt.as_bytes());
        TokenKeys {
            key: Secret::new(mac.finalize().into_bytes().to_vec()),
            subject: subject.to_string(),
        }
    }

    /// The key for `api_secret`, with the database's salt (written by the first instance).
    pub async fn load(db: &Db, api_secret: &str, subject: &str) -> Result<TokenKeys, sqlx::Error> {
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        let salt = auth_tokens::token_salt(db, &fresh).await?;
        Ok(TokenKeys::derive(api_secret, &salt, subject))
    }

    /// Sign a token of `kind` issued at `now_s` (Unix seconds) with lifetime `ttl`.
    fn sign(&self, kind: TokenKind, jti: &str, now_s: i64, ttl: Duration) -> String {
        let claims = Claims {
            iss: ISSUER.into(),
            sub: self.subject.clone(),
            typ: kind,
            iat: now_s,
            exp: now_s + ttl.as_secs() as i64,
            jti: jti.to_string(),
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(self.key.expose()),
        )
        .expect("HS256 signing of plain claims cannot fail")
    }

    /// Check `token` as a `kind` token at `now_s`: length, HS256 header, signature, issuer,
    /// `typ`, expiry (no leeway). Returns its `jti`.
    pub fn verify(&self, token: &str, kind: TokenKind, now_s: i64) -> Result<String, TokenRefused> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Err(TokenRefused::Malformed);
        }
        // The header is read first so that `alg` confusion is named as such; the decode
        // below accepts HS256 only either way.
        match header_alg(token).as_deref() {
            Some("HS256") => {}
            Some(_) => return Err(TokenRefused::WrongAlgorithm),
            None => return Err(TokenRefused::Malformed),
        }
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.validate_exp = false; // checked below against `now_s`, not the wall clock
        v.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
        v.set_issuer(&[ISSUER]);
        let data =
            jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(self.key.expose()), &v)
                .map_err(|e| match e.kind() {
                    jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenRefused::BadSignature,
                    jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => {
                        TokenRefused::WrongAlgorithm
                    }
                    jsonwebtoken::errors::ErrorKind::InvalidIssuer
                    | jsonwebtoken::errors::ErrorKind::MissingRequiredClaim(_)
                    | jsonwebtoken::errors::ErrorKind::Json(_) => TokenRefused::WrongKind,
                    _ => TokenRefused::Malformed,
                })?;
        let c = data.claims;
        if c.typ != kind || c.sub != self.subject {
            return Err(TokenRefused::WrongKind);
        }
        if c.exp <= now_s {
            return Err(TokenRefused::Expired);
        }
        Ok(c.jti)
    }

    /// An access token's check for `Authorization: Bearer`: `Err` is the 401 to answer.
    pub fn check_access(&self, token: &str) -> Result<(), ApiError> {
        self.verify(token, TokenKind::Access, util::now().timestamp())
            .map(|_| ())
            .map_err(|r| ApiError::unauthorized(r.message()))
    }
}

/// The `alg` of a JWT's header, read as text (`none` is no `Algorithm` of the JWT library).
fn header_alg(token: &str) -> Option<String> {
    use base64::Engine;
    let head = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head)
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("alg")?.as_str().map(str::to_string)
}

fn new_jti() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn micros_after(now_s: i64, ttl: Duration) -> i64 {
    (now_s + ttl.as_secs() as i64) * 1_000_000
}

/// `POST /login/api-secret`: a token pair for the right API secret; earlier refresh tokens
/// stop working.
pub async fn login(
    st: &crate::state::AppState,
    body: LoginViaApiSecretBody,
) -> Result<TokenPair, ApiError> {
    if body.api_secret.expose().is_empty() {
        return Err(ApiError::invalid("apiSecret: must not be empty"));
    }
    if !st.api_secret.ct_eq(body.api_secret.expose()) {
        return Err(ApiError::unauthorized("the API secret is not valid"));
    }
    let keys = &st.token_keys;
    let now_s = util::now().timestamp();
    let jti = new_jti();
    let refresh = IssuedRefresh {
        jti: jti.clone(),
        family: jti.clone(),
        issued_at: now_s * 1_000_000,
        expires_at: micros_after(now_s, REFRESH_TOKEN_TTL),
    };
    auth_tokens::record_login(&st.db, &refresh, now_s * 1_000_000).await?;
    tracing::info!("API tokens issued by login");
    Ok(TokenPair {
        access_token: keys.sign(TokenKind::Access, &new_jti(), now_s, ACCESS_TOKEN_TTL),
        refresh_token: keys.sign(TokenKind::Refresh, &jti, now_s, REFRESH_TOKEN_TTL),
    })
}

/// `POST /token/refresh`: a new pair for a live refresh token, which is used up.
pub async fn refresh(
    st: &crate::state::AppState,
    body: RefreshTokenBody,
) -> Result<TokenPair, ApiError> {
    let token = body.refresh_token.expose();
    if token.is_empty() {
        return Err(ApiError::invalid("refreshToken: must not be empty"));
    }
    let keys = &st.token_keys;
    let now_s = util::now().timestamp();
    let used = keys
        .verify(token, TokenKind::Refresh, now_s)
        .map_err(|r| ApiError::unauthorized(r.message()))?;
    let jti = new_jti();
    let rotated = auth_tokens::rotate(
        &st.db,
        &used,
        &jti,
        micros_after(now_s, REFRESH_TOKEN_TTL),
        now_s * 1_000_000,
    )
    .await?;
    match rotated {
        Ok(_) => {
            tracing::info!("API tokens refreshed");
            Ok(TokenPair {
                access_token: keys.sign(TokenKind::Access, &new_jti(), now_s, ACCESS_TOKEN_TTL),
                refresh_token: keys.sign(TokenKind::Refresh, &jti, now_s, REFRESH_TOKEN_TTL),
            })
        }
        Err(why) => {
            let msg = match why {
                RefreshRefused::Reused => {
                    // A replay: the token leaked, or a client kept an old one. Said without
                    // the token.
                    tracing::warn!(
                        "a used refresh token was presented again; its token family is revoked"
                    );
                    "the refresh token was already used; every token refreshed from the same login is revoked, log in again"
                }
                RefreshRefused::Revoked => {
                    "the refresh token was superseded by a later login or refresh"
                }
                RefreshRefused::Expired => "the token has expired",
                RefreshRefused::Unknown => "the refresh token is not known",
            };
            Err(ApiError::unauthorized(msg))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;

    const NOW: i64 = 1_800_000_000;

    fn keys() -> TokenKeys {
        TokenKeys::derive("secret-a", "salt", "merchant")
    }

    #[test]
    fn a_token_checks_until_it_expires() {
        let k = keys();
        let t = k.sign(TokenKind::Access, "j1", NOW, ACCESS_TOKEN_TTL);
        assert_eq!(k.verify(&t, TokenKind::Access, NOW).unwrap(), "j1");
        let last = NOW + ACCESS_TOKEN_TTL.as_secs() as i64 - 1;
        assert!(k.verify(&t, TokenKind::Access, last).is_ok());
        assert_eq!(
            k.verify(&t, TokenKind::Access, last + 1),
            Err(TokenRefused::Expired)
        );
    }

    #[test]
    fn kinds_do_not_mix() {
        let k = keys();
        let r = k.sign(TokenKind::Refresh, "j", NOW, REFRESH_TOKEN_TTL);
        assert_eq!(
            k.verify(&r, TokenKind::Access, NOW),
            Err(TokenRefused::WrongKind)
        );
        let a = k.sign(TokenKind::Access, "j", NOW, ACCESS_TOKEN_TTL);
        assert_eq!(
            k.verify(&a, TokenKind::Refresh, NOW),
            Err(TokenRefused::WrongKind)
        );
    }

    #[test]
    fn another_secret_or_salt_or_subject_does_not_verify() {
        let t = keys().sign(TokenKind::Access, "j", NOW, ACCESS_TOKEN_TTL);
        for other in [
            TokenKeys::derive("secret-b", "salt", "merchant"),
            TokenKeys::derive("secret-a", "salt2", "merchant"),
        ] {
            assert_eq!(
                other.verify(&t, TokenKind::Access, NOW),
                Err(TokenRefused::BadSignature)
            );
        }
        assert_eq!(
            TokenKeys::derive("secret-a", "salt", "other").verify(&t, TokenKind::Access, NOW),
            Err(TokenRefused::WrongKind)
        );
    }

    #[test]
    fn tampered_claims_and_algorithm_confusion_are_refused() {
        let k = keys();
        let t = k.sign(TokenKind::Access, "j", NOW, ACCESS_TOKEN_TTL);
        let parts: Vec<&str> = t.split('.').collect();
        // A later expiry, keeping the signature.
        let mut claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        claims["exp"] = serde_json::json!(NOW + 10_000_000);
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            B64.encode(serde_json::to_vec(&claims).unwrap()),
            parts[2]
        );
        assert_eq!(
            k.verify(&forged, TokenKind::Access, NOW),
            Err(TokenRefused::BadSignature)
        );
        // `alg: none` with no signature, and an RS256 header with the HS256 signature.
        for alg in ["none", "RS256", "HS512"] {
            let header = B64.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
            for sig in ["", parts[2]] {
                let t = format!("{header}.{}.{sig}", parts[1]);
                assert_eq!(
                    k.verify(&t, TokenKind::Access, NOW),
                    Err(TokenRefused::WrongAlgorithm),
                    "{alg}"
                );
            }
        }
        for junk in ["", "a.b", "a.b.c", "....", &"x".repeat(MAX_TOKEN_LEN + 1)] {
            assert_eq!(
                k.verify(junk, TokenKind::Access, NOW),
                Err(TokenRefused::Malformed),
                "{junk:.20}"
            );
        }
    }

    #[test]
    fn keys_never_show_in_debug() {
        let body: LoginViaApiSecretBody =
            serde_json::from_str(r#"{"apiSecret":"s3cr3t-value"}"#).unwrap();
        assert!(!format!("{body:?}").contains("s3cr3t-value"));
        let body: RefreshTokenBody =
            serde_json::from_str(r#"{"refreshToken":"tok-value"}"#).unwrap();
        assert!(!format!("{body:?}").contains("tok-value"));
    }
}
