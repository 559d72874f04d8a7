//! What each payment attempt sent to its PG and what came back, masked, for the operator
//! console's payment page (table `attempt_wire`).
//!
//! - **Request**: the adapter's masked [`WireView`] (the vendor's field names; what
//!   `paymux wire` prints), masked again by the gateway: members whose name says secret
//!   (`password`, `birth`, `key`, …) whole, 13–19-digit runs that pass the Luhn check (every
//!   card number does; a PG's 14-digit timestamps mostly do not) as card numbers, and every
//!   occurrence of the request's own card number, birth date / business number and PG billing
//!   key, however the adapter wrote it.
//! - **Answer**: the outcome as the adapter decoded it (raw PG code and message, TID, amount,
//!   masked card, the billing key masked), or the error when nothing usable came back, masked
//!   the same way. The raw answer bytes are not kept: adapters have no masked view of them, and
//!   an answer can carry a billing key or a card number.
//!
//! Each view is cut to [`MAX_VIEW_BYTES`]. Like routing events, exchanges are buffered in
//! [`WireLog`] and written in batches (every [`FLUSH_EVERY`], before the console reads a
//! payment, at shutdown; into the diagnostics store, `store::diagnostics`): a payment pays for
//! no write of its own and the view is built off the request's path. The buffer holds at most
//! [`MAX_PENDING`] exchanges; beyond that new ones are dropped (counted, logged): they are
//! diagnostics, never the payment itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use paymux_core::adapter::{PgRequest, WireView};
use paymux_core::model::InstantPaymentMethodInput;
use paymux_core::outcome::{ApprovedDetail, Outcome};
use paymux_core::secret::{mask_all, Secret};
use serde_json::{json, Value};

use crate::pgcall::PgAnswer;
use crate::store::attempt_wire::{self, AttemptWireRow};
use crate::store::db::{Db, BACKGROUND_ROWS};
use crate::util;

/// Longest view stored (bytes of JSON text); longer ones are cut and say so.
pub const MAX_VIEW_BYTES: usize = 8 * 1024;
/// How often the background worker writes what is pending.
pub const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Most exchanges waiting to be written.
pub const MAX_PENDING: usize = 4096;
/// Secrets shorter than this are not searched for (two password digits would match anywhere);
/// name-based masking covers them.
const MIN_SCRUB_CHARS: usize = 6;

/// One attempt's exchange, as recorded (built into masked text when written).
struct Pending {
    payment_id: String,
    transaction_id: String,
    channel_key: String,
    operation: &'static str,
    sent: Option<WireView>,
    answer: Answer,
    /// The request's and the answer's secret values, searched for in both views.
    scrub: Vec<Secret<String>>,
    took: Duration,
    at: i64,
}

// Held briefly in the pending buffer (moved, not copied around): boxing the outcome would cost
// an allocation per attempt for nothing.
#[allow(clippy::large_enum_variant)]
enum Answer {
    Outcome(Outcome),
    Error { not_sent: bool, message: String },
}

/// Exchanges waiting to be written (see the module docs).
#[derive(Default)]
pub struct WireLog {
    pending: Mutex<Vec<Pending>>,
    flushing: tokio::sync::Mutex<()>,
    dropped: AtomicU64,
}

impl std::fmt::Debug for WireLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireLog")
            .field("pending", &self.lock().len())
            .field("dropped", &self.dropped.load(Ordering::Relaxed))
            .finish()
    }
}

/// The secret values a request carries that a view must never show.
fn request_secrets(req: &PgRequest) -> Vec<Secret<String>> {
    let mut out = Vec::new();
    match req {
        PgRequest::Instant(c) => {
            if let InstantPaymentMethodInput::Card(k) = &c.body.method {
                out.push(k.credential.number.clone());
                out.extend(k.credential.birth_or_business_registration_number.clone());
            }
        }
        PgRequest::IssueBillingKey(c) => {
            if let Some(k) = &c.body.method.card {
                out.push(k.credential.number.clone());
                out.extend(k.credential.birth_or_business_registration_number.clone());
            }
        }
        PgRequest::PayWithBillingKey(c) => out.extend(c.prior.pg_billing_key.clone()),
        PgRequest::DeleteBillingKey(c) => out.extend(c.prior.pg_billing_key.clone()),
        _ => {}
    }
    out
}

fn outcome_secrets(o: &Outcome) -> Option<Secret<String>> {
    match o {
        Outcome::Approved(a) => match &a.detail {
            ApprovedDetail::Payment {
                pg_billing_key: Some(k),
                ..
            }
            | ApprovedDetail::BillingKeyIssued {
                pg_billing_key: k, ..
            } => Some(k.clone()),
            _ => None,
        },
        _ => None,
    }
}

impl WireLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Record one attempt of payment `payment_id` (claim `transaction_id`) on `channel_key`:
    /// `req` as sent and the call's `answer`. Cheap: nothing is built or written here.
    pub fn record(
        &self,
        payment_id: &str,
        transaction_id: &str,
        channel_key: &str,
        req: &PgRequest,
        answer: &PgAnswer,
    ) {
        let mut pending = self.lock();
        if pending.len() >= MAX_PENDING {
            drop(pending);
            if self.dropped.fetch_add(1, Ordering::Relaxed) % 1000 == 0 {
                tracing::warn!(
                    dropped = self.dropped.load(Ordering::Relaxed),
                    "attempt wire views are not written fast enough; dropping some (the payments are unaffected)"
                );
            }
            return;
        }
        let mut scrub = request_secrets(req);
        let answer_kept = match &answer.result {
            Ok(o) => {
                scrub.extend(outcome_secrets(o));
                Answer::Outcome(o.clone())
            }
            Err(e) => Answer::Error {
                not_sent: e.is_certainly_not_sent(),
                message: e.to_string(),
            },
        };
        pending.push(Pending {
            payment_id: payment_id.to_string(),
            transaction_id: transaction_id.to_string(),
            channel_key: channel_key.to_string(),
            operation: req.operation().as_str(),
            sent: answer.sent_view.clone(),
            answer: answer_kept,
            scrub,
            took: answer.took,
            at: util::micros(util::now()),
        });
    }

    /// Build and write what is pending, `BACKGROUND_ROWS` (32) at a time. Returns how many were
    /// written. On a database error the rest of the batch is dropped (diagnostics) and the
    /// error returned.
    pub async fn flush(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let _one_at_a_time = self.flushing.lock().await;
        let batch = std::mem::take(&mut *self.lock());
        let written = batch.len();
        let mut batch = batch.into_iter();
        // Built all at once, a batch's views hold a runtime thread while the payments queued
        // on it wait; building a chunk, then awaiting its write, lets them run in between.
        loop {
            let rows: Vec<AttemptWireRow> =
                batch.by_ref().take(BACKGROUND_ROWS).map(row_of).collect();
            if rows.is_empty() {
                return Ok(written);
            }
            attempt_wire::insert(db, &rows).await?;
        }
    }
}

fn row_of(p: Pending) -> AttemptWireRow {
    let request = match p.sent {
        Some(view) => view.into_value(),
        None => json!({"notSent": "the request could not be encoded"}),
    };
    let answer = match &p.answer {
        Answer::Outcome(o) => serde_json::to_value(o).unwrap_or(Value::Null),
        Answer::Error { not_sent, message } => json!({
            "outcome": if *not_sent { "NOT_SENT" } else { "ERROR" },
            "error": message,
        }),
    };
    let needles = needles(&p.scrub);
    AttemptWireRow {
        id: util::row_uuid().simple().to_string(),
        payment_id: p.payment_id,
        transaction_id: p.transaction_id,
        channel_key: p.channel_key,
        operation: p.operation.to_string(),
        request_view: masked_owned(request, &needles),
        answer_view: masked_owned(answer, &needles),
        took_us: i64::try_from(p.took.as_micros()).unwrap_or(i64::MAX),
        at: p.at,
    }
}

/// `view` masked (see the module docs), as JSON text of at most [`MAX_VIEW_BYTES`] (compact:
/// the console pretty-prints it when shown).
pub fn masked_text(view: &Value, scrub: &[Secret<String>]) -> String {
    masked_owned(view.clone(), &needles(scrub))
}

/// [`masked_text`] of a view the caller owns: masked where it is, no copy.
fn masked_owned(mut view: Value, needles: &[String]) -> String {
    crate::mask::wire_json_in_place(&mut view);
    scrub_values(&mut view, needles);
    cut(serde_json::to_string(&view).unwrap_or_default())
}

/// What [`scrub_values`] searches for: each secret, and its digits alone (a card number may be
/// written grouped), when long enough to search for.
fn needles(scrub: &[Secret<String>]) -> Vec<String> {
    scrub
        .iter()
        .flat_map(|s| {
            let digits: String = s.expose().chars().filter(char::is_ascii_digit).collect();
            [s.expose().clone(), digits]
        })
        .filter(|n| n.chars().count() >= MIN_SCRUB_CHARS)
        .collect()
}

/// Every string of `v` with each of `needles` replaced by stars.
fn scrub_values(v: &mut Value, needles: &[String]) {
    if needles.is_empty() {
        return;
    }
    match v {
        Value::String(s) => {
            for n in needles {
                if s.len() >= n.len() && s.contains(n.as_str()) {
                    *s = s.replace(n.as_str(), &mask_all(n));
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| scrub_values(x, needles)),
        Value::Object(m) => m.values_mut().for_each(|x| scrub_values(x, needles)),
        _ => {}
    }
}

/// `text` cut to [`MAX_VIEW_BYTES`] at a character boundary, saying so.
fn cut(text: String) -> String {
    if text.len() <= MAX_VIEW_BYTES {
        return text;
    }
    let mut end = MAX_VIEW_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… (cut: {} bytes in all)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_masked_scrubbed_and_bounded() {
        let view = json!({
            "CARD_NO": "4111-1111-1111-1111",
            "ECHO": "x4111111111111111x",
            "BIRTH_DT": "880229",
            "PASSWD": "42",
            "NOTE": "born 880229",
            "BILL": "bk_live_abcdef",
            "AMOUNT": "000000001000",
            "ORDER_DATE": "20250301101500",
        });
        let scrub = vec![
            Secret::new("4111111111111111".to_string()),
            Secret::new("880229".to_string()),
            Secret::new("bk_live_abcdef".to_string()),
            Secret::new("42".to_string()),
        ];
        let text = masked_text(&view, &scrub);
        for secret in [
            "4111111111111111",
            "4111-1111-1111-1111",
            "880229",
            "bk_live_abcdef",
            "\"42\"",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("000000001000"), "{text}");
        assert!(
            text.contains("20250301101500"),
            "timestamps stay legible: {text}"
        );
        let long = json!({"X": "가".repeat(MAX_VIEW_BYTES)});
        let cut_text = masked_text(&long, &[]);
        assert!(cut_text.len() <= MAX_VIEW_BYTES + 40, "{}", cut_text.len());
        assert!(cut_text.ends_with("bytes in all)"));
    }

    #[test]
    fn the_buffer_is_bounded() {
        let log = WireLog::default();
        let req = PgRequest::Get(paymux_core::adapter::GetPaymentCall {
            payment_id: "p".into(),
            prior: Default::default(),
        });
        let answer = PgAnswer {
            result: Err(paymux_core::error::PgError::NotSent {
                reason: "test".into(),
            }),
            took: Duration::ZERO,
            sent_view: None,
        };
        for _ in 0..MAX_PENDING + 10 {
            log.record("p", "t", "c", &req, &answer);
        }
        assert_eq!(log.lock().len(), MAX_PENDING);
        assert_eq!(log.dropped.load(Ordering::Relaxed), 10);
    }
}
