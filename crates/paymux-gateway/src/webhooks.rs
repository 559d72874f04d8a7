//! Webhooks as PortOne sends them (version 2024-04-25), signed with Standard Webhooks.
//!
//! - Payload ([`crate::views::webhook`], built by [`crate::events`]): `{"type", "timestamp",
//!   "data"}`; `timestamp` is the event's time and stays the same on every retry. Transaction
//!   events carry `data{storeId, paymentId, transactionId, cancellationId?}`, billing-key
//!   events `data{storeId, billingKey}`.
//! - Headers: `webhook-id` (the same on every retry), `webhook-timestamp` (Unix seconds of
//!   this delivery), `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`
//!   with key = base64-decode(secret without `whsec_`).
//! - Durable outbox: an event row is written in the same transaction as the state change it
//!   reports, one row per destination URL (`noticeUrls` of the request, else the configured
//!   `webhook_url`; none with `skipWebhook`). A worker delivers due rows and retries failures
//!   with exponential backoff (base × 4ⁿ: PortOne's 1, 4, 16, 64, 256 minutes for a 1-minute
//!   base) plus jitter, up to `max_attempts` deliveries. Rows are claimed with a lease
//!   (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so several instances never send one delivery
//!   at the same time.
//! - Sandbox inbox: without a webhook URL, the sandbox's target is [`INBOX_URL`], an
//!   in-process sink. The worker delivers to it like to any URL (same body bytes, same signed
//!   headers, built by the same code), and the [`Inbox`] keeps the newest [`INBOX_CAPACITY`]
//!   for `GET /sandbox/webhooks`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::state::AppState;
use crate::store::outbox::{self, Due};
use crate::util;

/// The sandbox inbox as a webhook target (stored in outbox rows like any URL). Not an http(s)
/// URL, so neither a request's `noticeUrls` nor a configured `webhook_url` can name it.
pub const INBOX_URL: &str = "paymux-sandbox:inbox";

/// How many webhooks the sandbox inbox keeps (the newest).
pub const INBOX_CAPACITY: usize = 1000;

/// One webhook as it was sent: the exact body and the headers that went with it.
#[derive(Debug, Clone)]
pub struct Sent {
    /// `webhook-id`.
    pub id: String,
    /// The event type (`Transaction.Paid`, ...).
    pub event_type: String,
    /// When the sink received it.
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// Header names (lower case) and values, in the order they were sent.
    pub headers: Vec<(&'static str, String)>,
    /// The body, byte for byte.
    pub body: String,
}

impl Sent {
    /// `{id, type, receivedAt, headers, body, rawBody}`: `body` is the parsed JSON, `rawBody`
    /// the exact string the signature covers.
    pub fn to_json(&self) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| ((*k).to_string(), json!(v)))
            .collect();
        json!({
            "id": self.id,
            "type": self.event_type,
            "receivedAt": util::rfc3339(self.received_at),
            "headers": headers,
            "body": serde_json::from_str::<Value>(&self.body).unwrap_or(Value::Null),
            "rawBody": self.body,
        })
    }
}

/// The sandbox's in-memory webhook sink: the newest webhooks, newest first, bounded.
#[derive(Debug)]
pub struct Inbox {
    capacity: usize,
    items: Mutex<VecDeque<Sent>>,
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox::with_capacity(INBOX_CAPACITY)
    }
}

impl Inbox {
    /// An empty inbox keeping at most `capacity` webhooks (at least one).
    pub fn with_capacity(capacity: usize) -> Inbox {
        Inbox {
            capacity: capacity.max(1),
            items: Mutex::new(VecDeque::new()),
        }
    }

    /// Keep `sent`, dropping the oldest beyond the capacity.
    pub fn record(&self, sent: Sent) {
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        items.push_front(sent);
        items.truncate(self.capacity);
    }

    /// Up to `limit` webhooks, newest first.
    pub fn newest(&self, limit: usize) -> Vec<Sent> {
        let items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        items.iter().take(limit).cloned().collect()
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.items.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// Whether `url` is an absolute http(s) URL with a host (what `webhook_url` and `public_url`
/// must be).
pub fn is_http_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// Decode a webhook secret (`whsec_<base64>`, or bare base64) into the HMAC key.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, String> {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| {
            "the webhook secret must be base64 (optionally prefixed with `whsec_`)".to_string()
        })
}

/// A fresh secret: `whsec_` + base64 of 32 random bytes.
pub fn generate_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC accepts keys of any length; this branch cannot be taken.
        Hmac::<Sha256>::new_from_slice(b"").expect("empty HMAC key")
    });
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// Deliver every due outbox row once. Returns how many deliveries were attempted.
pub async fn deliver_due(st: &Arc<AppState>) -> Result<usize, sqlx::Error> {
    let now = util::now();
    let due = outbox::lease_due(&st.db, now, lease_until(st, now)).await?;
    let n = due.len();
    let mut set = tokio::task::JoinSet::new();
    for d in due {
        let st = st.clone();
        set.spawn(async move { deliver_leased(&st, d).await });
    }
    while let Some(r) = set.join_next().await {
        if let Ok(Err(e)) = r {
            tracing::warn!(error = %e, "webhook outbox update failed");
        }
    }
    Ok(n)
}

/// The headers of one delivery attempt: content type, `webhook-id`, `webhook-timestamp` (now)
/// and `webhook-signature` over exactly `body`, signed with every key of a secret rotation
/// (the current one first): `v1,<sig1> v1,<sig2>`, the space-separated list Standard
/// Webhooks defines, so a receiver that knows either secret accepts it.
pub fn signed_headers_rotating(
    keys: &[&[u8]],
    id: &str,
    body: &str,
) -> Vec<(&'static str, String)> {
    let ts = util::now().timestamp();
    let signatures: Vec<String> = keys.iter().map(|k| sign(k, id, ts, body)).collect();
    vec![
        ("content-type", "application/json".to_string()),
        ("webhook-id", id.to_string()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signatures.join(" ")),
    ]
}

/// What one attempt came to: `error` is `None` on success; `code` is the receiver's HTTP
/// status when it answered.
struct Outcome {
    error: Option<String>,
    code: Option<u16>,
}

/// Send one delivery (to a URL, or into the sandbox inbox).
async fn send(st: &AppState, d: &Due) -> Outcome {
    let keys = st.webhook_keys();
    let headers = signed_headers_rotating(&keys, &d.id, &d.payload);
    if d.url == INBOX_URL {
        let Some(inbox) = &st.inbox else {
            return Outcome {
                error: Some("no sandbox inbox in this gateway".to_string()),
                code: None,
            };
        };
        inbox.record(Sent {
            id: d.id.clone(),
            event_type: d.event_type.clone(),
            received_at: util::now(),
            headers,
            body: d.payload.clone(),
        });
        // The inbox takes everything, as a receiver answering 200 would.
        return Outcome {
            error: None,
            code: Some(200),
        };
    }
    let mut req = st.http.post(&d.url).timeout(st.tuning.webhook_timeout);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    match req.body(d.payload.clone()).send().await {
        Ok(r) => {
            let code = r.status().as_u16();
            Outcome {
                error: (!r.status().is_success()).then(|| format!("HTTP {code}")),
                code: Some(code),
            }
        }
        Err(e) => Outcome {
            error: Some(if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                "connection failed".to_string()
            } else {
                "request failed".to_string()
            }),
            code: None,
        },
    }
}

/// How long a delivery taken now is leased: the webhook timeout and a margin.
pub fn lease_until(st: &AppState, now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(st.tuning.webhook_timeout + Duration::from_secs(30))
        .unwrap_or_default()
}

/// Deliver `d`, leased to the caller (by [`deliver_due`], or written leased: a manual
/// resend), and record the attempt.
pub async fn deliver_leased(st: &AppState, d: Due) -> Result<(), sqlx::Error> {
    let Outcome { error, code } = send(st, &d).await;
    let now = util::now();
    let attempt = outbox::Attempt { code, at: now };
    match error {
        None => {
            tracing::info!(webhook_id = %d.id, event = %d.event_type, attempt = d.attempts, "webhook delivered");
            outbox::delivered(&st.db, &d.id, attempt).await?;
        }
        Some(err) if d.attempts >= i64::from(st.tuning.webhook_max_attempts) => {
            tracing::warn!(webhook_id = %d.id, event = %d.event_type, attempts = d.attempts, error = %err, "webhook given up");
            outbox::given_up(&st.db, &d.id, &err, attempt).await?;
        }
        Some(err) => {
            let delay = backoff(
                st.tuning.webhook_backoff_base,
                st.tuning.webhook_backoff_max,
                d.attempts,
            );
            tracing::info!(webhook_id = %d.id, event = %d.event_type, attempt = d.attempts, error = %err, retry_in_ms = delay.as_millis() as u64, "webhook delivery failed; will retry");
            let next = now + chrono::Duration::from_std(delay).unwrap_or_default();
            outbox::retry_at(&st.db, &d.id, next, &err, attempt).await?;
        }
    }
    Ok(())
}

/// Delay before delivery `attempts + 1`: base × 4^(attempts−1), plus up to 10 % jitter,
/// never more than `max` (`[webhooks] max_backoff_ms`).
pub fn backoff(base: Duration, max: Duration, attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 10)).unwrap_or(10);
    let d = base.saturating_mul(4u32.saturating_pow(exp)).min(max);
    let jitter = d.as_millis() as u64 / 10;
    let extra = if jitter > 0 {
        rand::random::<u64>() % jitter
    } else {
        0
    };
    (d + Duration::from_millis(extra)).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_standard_webhooks_reference() {
        // Test vector of the Standard Webhooks spec (svix): secret, id, timestamp, payload.
        let key = decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    fn sent(id: &str) -> Sent {
        Sent {
            id: id.into(),
            event_type: crate::domain::EventType::TransactionPaid.as_str().into(),
            received_at: util::now(),
            headers: signed_headers_rotating(&[b"k"], id, "{}"),
            body: "{}".into(),
        }
    }

    #[test]
    fn inbox_keeps_the_newest_first_and_is_bounded() {
        let inbox = Inbox::with_capacity(3);
        for i in 0..5 {
            inbox.record(sent(&format!("m{i}")));
        }
        let ids: Vec<String> = inbox.newest(10).into_iter().map(|s| s.id).collect();
        assert_eq!(ids, ["m4", "m3", "m2"]);
        assert_eq!(inbox.newest(1)[0].id, "m4");
        assert_eq!(inbox.len(), 3);
        assert_eq!(Inbox::default().capacity(), INBOX_CAPACITY);
    }

    #[test]
    fn inbox_items_carry_the_signed_headers_and_raw_body() {
        let key = decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"type":"Transaction.Paid","data":{"paymentId":"p1"}}"#;
        let s = Sent {
            headers: signed_headers_rotating(&[&key], "whmsg_1", body),
            body: body.into(),
            ..sent("whmsg_1")
        };
        let v = s.to_json();
        assert_eq!(v["rawBody"], body);
        assert_eq!(v["body"]["data"]["paymentId"], "p1");
        let ts: i64 = v["headers"]["webhook-timestamp"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            v["headers"]["webhook-signature"],
            sign(&key, "whmsg_1", ts, body)
        );
        assert_eq!(v["headers"]["content-type"], "application/json");
    }

    #[test]
    fn only_absolute_http_urls_pass() {
        for ok in ["http://127.0.0.1:9/x", "https://shop.example/hooks?a=1"] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "",
            "shop.example/hooks",
            "ftp://shop.example/",
            "http://",
            INBOX_URL,
            "javascript:alert(1)",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn backoff_grows_by_four() {
        let b = Duration::from_secs(60);
        let day = Duration::from_secs(86_400);
        let d1 = backoff(b, day, 1);
        let d2 = backoff(b, day, 2);
        assert!(d1 >= Duration::from_secs(60) && d1 < Duration::from_secs(67));
        assert!(d2 >= Duration::from_secs(240) && d2 < Duration::from_secs(265));
        assert!(backoff(b, day, 50) <= day);
    }

    #[test]
    fn backoff_is_capped_jitter_included() {
        let b = Duration::from_secs(60);
        let cap = Duration::from_secs(300);
        // 60, 240, then 960 → capped at 300 for every later retry.
        assert!(backoff(b, cap, 2) < cap);
        for attempts in 3..40 {
            assert_eq!(backoff(b, cap, attempts), cap, "attempt {attempts}");
        }
        // A cap below the base: every retry waits the cap.
        assert_eq!(
            backoff(b, Duration::from_secs(10), 1),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn secrets_round_trip() {
        let s = generate_secret();
        assert!(s.starts_with("whsec_"));
        assert_eq!(decode_secret(&s).unwrap().len(), 32);
        assert!(decode_secret("whsec_!!!").is_err());
    }
}
