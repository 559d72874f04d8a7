//! Notices a PG sends on its own, received at `POST /pg-notices/{channelKey}`: a
//! virtual-account deposit, a payment-status change.
//!
//! 1. The channel is looked up (unknown: `404`), and its adapter decodes the notice and checks
//!    the vendor's authentication against the channel's keys
//!    ([`PgAdapter::decode_notice`](paymux_core::adapter::PgAdapter::decode_notice)). A forged
//!    or undecodable notice is `400`: nothing is recorded, the log output says why (never the
//!    body), and a real PG resends.
//! 2. The payment is found by the order id the PG echoes (the paymentId) and/or the PG's TID,
//!    on this channel only (else `404`, nothing recorded). Both given and disagreeing: `400`.
//! 3. What is done:
//!
//! | notice | payment | action | answer |
//! |---|---|---|---|
//! | deposit, [`NoticeTrust::Verified`] | `VIRTUAL_ACCOUNT_ISSUED`, amount equal | `PAID` with `paidAt`, `Transaction.Paid` (trigger `VIRTUAL_ACCOUNT_DEPOSIT`) | the adapter's ack |
//! | deposit, [`NoticeTrust::Unsigned`] | `VIRTUAL_ACCOUNT_ISSUED` | confirmed by inquiry (`payment.get`) first: approved with the same amount → as above; else nothing | ack / `400` |
//! | deposit, any | already paid (a resent notice) | nothing | ack |
//! | deposit, any | amount differs | nothing (logged `AMOUNT_MISMATCH`) | `400` |
//! | deposit, any | not waiting for a deposit (`READY`, `FAILED`, …) | nothing | `409` |
//! | status change | any | inquiry; a deposit it confirms as above; an in-flight payment settled as the reconciler does; anything else logged for an operator | ack |
//!
//! An inquiry that fails is `503` (the PG resends later). Every notice that named one of this
//! gateway's payments is kept in the append-only notice log (`GET /pg-notices`), with the
//! adapter's masked view of its fields.

use chrono::{DateTime, Utc};
use paymux_core::adapter::{
    kst, GetPaymentCall, IncomingNotice, NoticeAck, NoticeEvent, NoticeTrust, PgNotice, PgRequest,
};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome, TxReport, TxState};
use serde_json::{json, Map, Value};

use crate::channels::ChannelEntry;
use crate::domain::{EventData, EventType, PaymentStatus};
use crate::events;
use crate::state::AppState;
use crate::store;
use crate::store::notices::NoticeEntry;
use crate::store::payments::PaymentRow;
use crate::util;

/// The largest notice body read (vendors' notices are a few hundred bytes).
pub const MAX_NOTICE_BYTES: usize = 64 * 1024;

/// The answer to the PG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Answer {
    fn ack(ack: &NoticeAck) -> Answer {
        Answer {
            status: ack.status,
            content_type: ack.content_type,
            body: ack.body.clone(),
        }
    }

    /// A refusal: a 4xx/5xx (the PG resends) in the gateway's error shape, `{type, message}`.
    pub fn refuse(status: u16, reason: &str) -> Answer {
        let kind = match status {
            404 => "NOT_FOUND",
            409 => "PAYMENT_NOT_WAITING_FOR_DEPOSIT",
            s if s >= 500 => "SERVICE_UNAVAILABLE",
            _ => "INVALID_REQUEST",
        };
        Answer {
            status,
            content_type: "application/json",
            body: json!({"type": kind, "message": format!("notice not accepted: {reason}")})
                .to_string()
                .into_bytes(),
        }
    }
}

/// A value from the request (a channel key, an id) as logs show it: at most 64 characters.
fn shown(key: &str) -> String {
    key.chars().take(64).collect()
}

/// Receive one notice on `channel_key` (see the module docs).
pub async fn receive(st: &AppState, channel_key: &str, notice: &IncomingNotice<'_>) -> Answer {
    let Some(channel) = st.channels.get(channel_key) else {
        tracing::warn!(channel = %shown(channel_key), bytes = notice.body.len(), "PG notice for an unknown channel refused");
        return Answer::refuse(404, "unknown channel");
    };
    let decoded = match channel.adapter.decode_notice(&channel.ctx, notice) {
        Ok(n) => n,
        Err(e) => return refused(channel_key, notice, &e),
    };
    match handle(st, channel, &decoded).await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::error!(channel = %channel_key, error = %e, "PG notice could not be recorded; the PG will resend");
            Answer::refuse(503, "not recorded; resend later")
        }
    }
}

fn refused(channel_key: &str, notice: &IncomingNotice<'_>, e: &PgError) -> Answer {
    let (status, reason) = match e {
        PgError::NoticeRefused { .. } => (400, "refused"),
        PgError::Unsupported { .. } => (404, "this channel takes no notices"),
        PgError::Config(_) => (503, "channel misconfigured"),
        _ => (400, "refused"),
    };
    // The adapter's detail names what is wrong without the body; the body is never logged.
    tracing::warn!(channel = %channel_key, bytes = notice.body.len(), content_type = %notice.content_type.chars().take(80).collect::<String>(), detail = %e, "PG notice refused");
    Answer::refuse(status, reason)
}

/// Which payment the notice names, on this channel. `Err` with the refusal when the two ids
/// the notice carries point at different payments.
async fn find_payment(
    st: &AppState,
    channel_key: &str,
    n: &PgNotice,
) -> Result<Result<Option<PaymentRow>, Answer>, sqlx::Error> {
    let on_channel = |p: &PaymentRow| p.channel_key.as_deref() == Some(channel_key);
    let by_order = match n.order_id.as_deref() {
        Some(id) => store::payments::load(&st.db, id)
            .await?
            .filter(|p| on_channel(p)),
        None => None,
    };
    let by_tid = match (n.pg_tx_id.as_deref(), &by_order) {
        // The order id found it: its TID must agree when both are known.
        (Some(tid), Some(p)) => {
            if p.pg_tx_id.as_deref().is_some_and(|t| t != tid) {
                tracing::warn!(channel = %channel_key, payment_id = %p.id, "PG notice refused: its TID is not the payment's");
                return Ok(Err(Answer::refuse(400, "TID does not match the order")));
            }
            None
        }
        (Some(tid), None) => {
            let found = match store::notices::payment_by_pg_tx_id(&st.db, channel_key, tid).await? {
                Some(id) => store::payments::load(&st.db, &id).await?,
                None => None,
            };
            // The TID is ours but the notice names another order.
            if let (Some(p), Some(_)) = (&found, n.order_id.as_deref()) {
                tracing::warn!(channel = %channel_key, payment_id = %p.id, "PG notice refused: its order id is not the payment's");
                return Ok(Err(Answer::refuse(400, "the order does not match the TID")));
            }
            found
        }
        (None, _) => None,
    };
    Ok(Ok(by_order.or(by_tid).filter(|p| on_channel(p))))
}

async fn handle(
    st: &AppState,
    channel: &ChannelEntry,
    n: &PgNotice,
) -> Result<Answer, sqlx::Error> {
    let key = channel.ctx.key.as_str();
    let p = match find_payment(st, key, n).await? {
        Err(refusal) => return Ok(refusal),
        Ok(Some(p)) => p,
        Ok(None) => {
            tracing::warn!(channel = %key, order_id = ?n.order_id.as_deref().map(shown), pg_tx_id = ?n.pg_tx_id.as_deref().map(shown), "PG notice for an unknown payment refused");
            return Ok(Answer::refuse(404, "unknown payment"));
        }
    };
    let received_at = util::now();
    let mut entry = NoticeEntry {
        id: util::new_id("pgn"),
        channel_key: key.to_string(),
        payment_id: p.id.clone(),
        pg_tx_id: n.pg_tx_id.clone(),
        event: match n.event {
            NoticeEvent::Deposited { .. } => "DEPOSITED",
            _ => "STATUS_CHANGED",
        },
        trust: match n.trust {
            NoticeTrust::Verified => "VERIFIED",
            NoticeTrust::Unsigned => "UNSIGNED",
        },
        verdict: String::new(),
        detail: String::new(),
        view_json: view_json(&n.view),
        received_at,
    };
    let ack = Answer::ack(&n.ack);
    match &n.event {
        NoticeEvent::Deposited { amount, at } => {
            if p.paid_at.is_some() {
                return finish(st, entry, "DUPLICATE", "the payment is already paid", ack).await;
            }
            match p.status {
                PaymentStatus::VirtualAccountIssued => {}
                // Still settling: the PG resends, by when it may be waiting for the deposit.
                PaymentStatus::Ready | PaymentStatus::PayPending => {
                    let detail =
                        format!("the payment is {}, not yet waiting for a deposit", p.status);
                    return finish(
                        st,
                        entry,
                        "NOT_APPLICABLE",
                        &detail,
                        Answer::refuse(409, "not waiting for a deposit"),
                    )
                    .await;
                }
                // Final without a deposit (failed, or the account was revoked): money arrived
                // where none was expected. Acknowledged (resending changes nothing) and kept
                // for an operator.
                _ => {
                    let detail = format!(
                        "the payment is {} and takes no deposit: needs an operator",
                        p.status
                    );
                    return finish(st, entry, "NOT_APPLICABLE", &detail, ack).await;
                }
            }
            if let Some(a) = amount.filter(|a| a.get() != p.amount_total) {
                let detail = format!("the notice says {a}, the payment is {}", p.amount_total);
                return finish(
                    st,
                    entry,
                    "AMOUNT_MISMATCH",
                    &detail,
                    Answer::refuse(400, "amount mismatch"),
                )
                .await;
            }
            let paid_at = match n.trust {
                NoticeTrust::Verified => at.map(|t| t.with_timezone(&Utc)).unwrap_or(received_at),
                NoticeTrust::Unsigned => match confirm_deposit(st, channel, &p).await {
                    Confirmation::Paid(at) => at.unwrap_or(received_at),
                    Confirmation::No(detail) => {
                        return finish(
                            st,
                            entry,
                            "NOT_CONFIRMED",
                            &detail,
                            Answer::refuse(400, "not confirmed by the PG"),
                        )
                        .await;
                    }
                    Confirmation::Unreachable(detail) => {
                        return finish(
                            st,
                            entry,
                            "NOT_CONFIRMED",
                            &detail,
                            Answer::refuse(503, "could not confirm; resend later"),
                        )
                        .await;
                    }
                },
            };
            entry.detail = match n.trust {
                NoticeTrust::Verified => "deposit recorded (signed notice)".into(),
                NoticeTrust::Unsigned => "deposit recorded (confirmed by inquiry)".into(),
            };
            deposit(st, &p, paid_at, entry, ack).await
        }
        NoticeEvent::StatusChanged { claimed } => {
            status_changed(st, channel, &p, *claimed, entry, ack).await
        }
        // A notice kind this gateway does not know: kept for an operator, acknowledged.
        _ => {
            finish(
                st,
                entry,
                "NOT_APPLICABLE",
                "a notice kind paymux does not act on",
                ack,
            )
            .await
        }
    }
}

/// Record the deposit; a resent notice that lost the race is a duplicate.
async fn deposit(
    st: &AppState,
    p: &PaymentRow,
    paid_at: DateTime<Utc>,
    mut entry: NoticeEntry,
    ack: Answer,
) -> Result<Answer, sqlx::Error> {
    let data = EventData::transaction(&p.store_id, &p.id, &p.transaction_id);
    let mut event = events::event(st, EventType::TransactionPaid, data, &p.destination());
    if let Some(e) = &mut event {
        e.trigger = Some("VIRTUAL_ACCOUNT_DEPOSIT");
    }
    entry.verdict = "APPLIED".into();
    let done = store::notices::record_deposit(
        &st.db,
        &p.id,
        &p.transaction_id,
        paid_at,
        event.as_ref(),
        &entry,
        util::now(),
    )
    .await?;
    if done {
        tracing::info!(payment_id = %p.id, channel = %entry.channel_key, trust = entry.trust, "virtual-account deposit recorded: PAID");
        return Ok(ack);
    }
    entry.id = util::new_id("pgn");
    finish(
        st,
        entry,
        "DUPLICATE",
        "the payment was no longer waiting for the deposit",
        ack,
    )
    .await
}

/// Log the notice with `verdict` and answer `answer`.
async fn finish(
    st: &AppState,
    mut entry: NoticeEntry,
    verdict: &str,
    detail: &str,
    answer: Answer,
) -> Result<Answer, sqlx::Error> {
    entry.verdict = verdict.to_string();
    entry.detail = detail.to_string();
    if answer.status >= 300 {
        tracing::warn!(payment_id = %entry.payment_id, channel = %entry.channel_key, verdict, detail, "PG notice not acted on");
    } else {
        tracing::info!(payment_id = %entry.payment_id, channel = %entry.channel_key, verdict, detail, "PG notice acknowledged");
    }
    store::notices::log(&st.db, &entry).await?;
    Ok(answer)
}

enum Confirmation {
    /// The PG reports the payment approved with the payment's amount (and when, if it says).
    Paid(Option<DateTime<Utc>>),
    /// The PG does not confirm it.
    No(String),
    /// The PG could not be asked.
    Unreachable(String),
}

/// Ask the PG (`payment.get`) what it knows of `p`.
pub(crate) async fn inquire(
    st: &AppState,
    channel: &ChannelEntry,
    p: &PaymentRow,
) -> Result<Option<(TxReport, Option<DateTime<Utc>>)>, String> {
    let req = PgRequest::Get(GetPaymentCall {
        payment_id: p.id.clone(),
        prior: p.prior(),
    });
    match st
        .call_pg(channel, util::now().with_timezone(&kst()), &req)
        .await
    {
        Ok(Outcome::Approved(a)) => match a.detail {
            ApprovedDetail::Inquiry(r) => Ok(Some((r, a.at.map(|t| t.with_timezone(&Utc))))),
            _ => Err("the PG's inquiry answer has no report".into()),
        },
        Ok(Outcome::Declined(d)) if d.kind == DeclineKind::NotFound => Ok(None),
        Ok(other) => Err(format!(
            "the PG's inquiry was not answered usably ({})",
            kind(&other)
        )),
        Err(e) => Err(format!("the inquiry failed: {e}")),
    }
}

fn kind(o: &Outcome) -> &'static str {
    match o {
        Outcome::Approved(_) => "approved",
        Outcome::Declined(_) => "declined",
        Outcome::Pending(_) => "pending",
        Outcome::Unknown(_) => "unknown",
        _ => "other",
    }
}

/// Whether the PG confirms that the payer deposited into `p`'s account.
async fn confirm_deposit(st: &AppState, channel: &ChannelEntry, p: &PaymentRow) -> Confirmation {
    match inquire(st, channel, p).await {
        Err(e) => Confirmation::Unreachable(e),
        Ok(None) => Confirmation::No("the PG has no such payment".into()),
        Ok(Some((r, at))) => confirms_deposit(&r, p.amount_total)
            .map_or_else(Confirmation::No, |()| Confirmation::Paid(at)),
    }
}

/// A report confirms a deposit when the PG says approved with the payment's amount.
fn confirms_deposit(r: &TxReport, total: i64) -> Result<(), String> {
    if r.state != TxState::Approved {
        return Err(format!("the PG reports the payment as {:?}", r.state));
    }
    match r.amount.map(Money::get) {
        Some(a) if a != total => Err(format!("the PG reports {a}, the payment is {total}")),
        _ => Ok(()),
    }
}

async fn status_changed(
    st: &AppState,
    channel: &ChannelEntry,
    p: &PaymentRow,
    claimed: Option<TxState>,
    entry: NoticeEntry,
    ack: Answer,
) -> Result<Answer, sqlx::Error> {
    // In flight: settle it exactly as the reconciler would (by inquiry).
    if matches!(p.status, PaymentStatus::Ready | PaymentStatus::PayPending) {
        let settled = crate::reconciler::resolve_payment(st, p).await?;
        let (verdict, detail) = if settled {
            ("APPLIED", "settled by inquiry")
        } else {
            (
                "NO_CHANGE",
                "still unresolved after inquiry; the reconciler keeps asking",
            )
        };
        return finish(st, entry, verdict, detail, ack).await;
    }
    let report = match inquire(st, channel, p).await {
        Ok(r) => r,
        Err(e) => {
            return finish(
                st,
                entry,
                "NOT_CONFIRMED",
                &e,
                Answer::refuse(503, "could not confirm; resend later"),
            )
            .await
        }
    };
    if p.status == PaymentStatus::VirtualAccountIssued {
        if let Some((r, at)) = &report {
            if confirms_deposit(r, p.amount_total).is_ok() {
                let mut entry = entry;
                entry.detail = "deposit recorded (status notice confirmed by inquiry)".into();
                return deposit(st, p, at.unwrap_or_else(util::now), entry, ack).await;
            }
        }
    }
    let pg_state = report.as_ref().map(|(r, _)| r.state);
    let consistent = matches!(
        (p.status, pg_state),
        (PaymentStatus::VirtualAccountIssued, Some(TxState::Pending))
            | (PaymentStatus::Paid, Some(TxState::Approved))
            | (
                PaymentStatus::PartialCancelled,
                Some(TxState::PartiallyCancelled)
            )
            | (PaymentStatus::Cancelled, Some(TxState::Cancelled))
            | (
                PaymentStatus::Failed,
                None | Some(TxState::NotFound | TxState::Failed)
            )
    );
    let detail = format!(
        "the notice claims {claimed:?}; the PG reports {pg_state:?}; the payment is {}",
        p.status
    );
    if consistent {
        finish(st, entry, "NO_CHANGE", &detail, ack).await
    } else {
        // A change paymux did not make (a cancel at the PG's console, say): recorded for an
        // operator, never applied from a notice.
        finish(
            st,
            entry,
            "NOT_APPLICABLE",
            &format!("{detail}: needs an operator"),
            ack,
        )
        .await
    }
}

fn view_json(view: &[(String, String)]) -> String {
    let m: Map<String, Value> = view
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Value::Object(m).to_string()
}

/// `GET /pg-notices`: the notice log, newest first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PgNoticeLog {
    /// The notices.
    pub items: Vec<PgNoticeView>,
}

/// One PG notice as operators read it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PgNoticeView {
    /// Notice id.
    pub id: String,
    /// The channel it came for.
    pub channel_key: String,
    /// The payment it names.
    pub payment_id: String,
    /// The PG's transaction id, when it names one.
    #[schema(required = true)]
    pub pg_tx_id: Option<String>,
    /// `DEPOSITED` | `STATUS_CHANGED`.
    pub event: &'static str,
    /// `VERIFIED` | `UNSIGNED`.
    pub trust: &'static str,
    /// What the gateway did: `APPLIED`, `DUPLICATE`, `AMOUNT_MISMATCH`, `NOT_CONFIRMED`,
    /// `NO_CHANGE`, `NOT_APPLICABLE`.
    pub verdict: String,
    /// Why, in a sentence.
    pub detail: String,
    /// The adapter's masked view of the notice's fields (field name to masked value). Kept as
    /// the stored value: each PG names its own fields.
    #[schema(value_type = Object)]
    pub fields: Value,
    /// When it arrived (RFC 3339).
    pub received_at: String,
}

/// The notice log as operators read it (`GET /pg-notices`): newest first.
pub async fn list(
    st: &AppState,
    payment_id: Option<&str>,
    limit: i64,
) -> Result<Value, sqlx::Error> {
    let items = store::notices::newest(&st.db, payment_id, limit.clamp(1, 1000))
        .await?
        .into_iter()
        .map(|e| PgNoticeView {
            fields: serde_json::from_str::<Value>(&e.view_json).unwrap_or(Value::Null),
            received_at: util::rfc3339(e.received_at),
            id: e.id,
            channel_key: e.channel_key,
            payment_id: e.payment_id,
            pg_tx_id: e.pg_tx_id,
            event: e.event,
            trust: e.trust,
            verdict: e.verdict,
            detail: e.detail,
        })
        .collect();
    Ok(crate::views::render(&PgNoticeLog { items }))
}
