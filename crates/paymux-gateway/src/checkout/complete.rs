//! `POST /checkout/return/{sessionId}`: the PG window's result.
//!
//! 1. The session must be `OPEN` and within its lifetime; otherwise the browser gets an error
//!    page (409 already processed, 410 expired) and nothing reaches the PG.
//! 2. The form is read in the window's charset (EUC-KR windows are read as CP949, what
//!    browsers send) and checked by the adapter's `checkout.complete` **without sending**
//!    (validation and encoding are pure): a return that does not verify (tampered `HASH_DATA`,
//!    a `MESSAGE` for another order, garbage) gets a 400 page, changes nothing and reaches no
//!    PG. A return in which the window itself reported a failure (the customer cancelled;
//!    the adapter answers `PgError::WindowFailed`) ends the session as `FAILED`.
//! 3. Exactly one return claims the session (`OPEN → COMPLETING`, a conditional `UPDATE`),
//!    then the gateway sends the approval (`checkout.complete`) and stores the outcome with its
//!    webhook: `PAID`, `VIRTUAL_ACCOUNT_ISSUED`, `FAILED`, `PAY_PENDING` (unknown: the
//!    reconciler asks the PG); a billing key `ISSUED` or `FAILED`.
//! 4. The browser is redirected (302) to `redirectUrl` with PortOne's result query
//!    parameters — `paymentId` / `billingKey`, `transactionType`, `txId`, and on failure
//!    `code`, `message`, `pgCode`, `pgMessage` — or, without a `redirectUrl`, shown the
//!    shopper's result page in Korean ([`Landing::Result`]: 결제 완료 / 카드 등록 완료 /
//!    가상계좌 발급 완료 / 결제 확인 중 / 결제 실패, the order name, the amount, the reason).
//!    The merchant must still confirm with `GET /payments/{paymentId}` (as with PortOne).

use chrono::Utc;
use paymux_core::adapter::{
    kst, CheckoutCompleteCall, EncodeContext, PgRequest, PriorAmount, PriorTransaction,
};
use paymux_core::error::PgError;
use paymux_core::execute;
use paymux_core::money::Money;
use paymux_core::outcome::{ApprovedDetail, CardSummary, Outcome};
use paymux_core::secret::Secret;
use paymux_core::wire::form_urldecode;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use super::result::{failure_params, respond, success_params, verdict_of, window_verdict};
use super::window::return_charset;
use super::{Kind, Landing, SessionRow};
use crate::channels::ChannelEntry;
use crate::domain::Destination;
use crate::domain::Origin;
use crate::domain::Transition;
use crate::domain::{EventData, EventType};
use crate::domain::{Failure, MethodUpdate, PaymentStatus, PlatformType, SessionStatus};
use crate::events;
use crate::flow;
use crate::state::AppState;
use crate::store;
use crate::util;
use crate::views::checkout::Verdict;

type Returned = BTreeMap<String, Secret<String>>;

/// Read the PG's form post: `application/x-www-form-urlencoded` in the window's charset (or the
/// `charset` the `Content-Type` names). Errors never quote the values.
pub fn parse_return(
    s: &SessionRow,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Returned, String> {
    let ct = content_type.unwrap_or("application/x-www-form-urlencoded");
    let mut parts = ct.split(';');
    let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if mime != "application/x-www-form-urlencoded" {
        return Err(format!(
            "the PG's return must be a form post (application/x-www-form-urlencoded), not {mime}"
        ));
    }
    let named = parts
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| return_charset(c.trim_matches('"')))
        .next();
    let cs = named.unwrap_or_else(|| return_charset(&s.window_charset));
    let pairs =
        form_urldecode(body, cs).map_err(|e| format!("the PG's return does not decode: {e}"))?;
    let mut out = Returned::new();
    for (k, v) in pairs {
        out.entry(k).or_insert_with(|| Secret::new(v));
    }
    Ok(out)
}

/// The `checkout.complete` request for a session and what its window posted.
pub fn complete_request(s: &SessionRow, returned: Returned) -> PgRequest {
    PgRequest::CheckoutComplete(CheckoutCompleteCall {
        payment_id: s.order_id.clone(),
        returned,
        prior: PriorTransaction {
            amount: Some(PriorAmount {
                total: Money::new(s.amount_total).unwrap_or(Money::ZERO),
                ..PriorAmount::default()
            }),
            method: s.method(),
            order_date: Some(s.order_date.clone()),
            ..PriorTransaction::default()
        },
    })
}

/// `POST /checkout/return/{sessionId}`.
pub async fn on_return(
    st: &AppState,
    id: &str,
    content_type: Option<&str>,
    body: &[u8],
    browser: &Origin,
) -> Landing {
    let s = match super::load(st, id).await {
        Ok(Some(s)) => s,
        Ok(None) => return Landing::NotFound { returned: true },
        Err(e) => return Landing::storage(&e),
    };
    let now = util::micros(util::now());
    if s.status == SessionStatus::Open && s.is_expired_at(now) {
        tracing::warn!(session = %s.id, "payment window returned after its session expired; refused");
        if let Err(e) = super::expire(st, &s).await {
            return Landing::storage(&e);
        }
        return Landing::Expired;
    }
    if s.status != SessionStatus::Open {
        tracing::warn!(session = %s.id, status = %s.status, "payment window returned again; refused");
        return Landing::Finished(Box::new(s));
    }
    let Some(entry) = st.channels.get(&s.channel_key) else {
        return Landing::ChannelGone;
    };
    let returned = match parse_return(&s, content_type, body) {
        Ok(r) => r,
        Err(why) => {
            tracing::warn!(session = %s.id, %why, "payment window return unreadable; refused");
            return Landing::Refused(why);
        }
    };
    let req = complete_request(&s, returned);
    let now_kst = util::now().with_timezone(&kst());
    let ctx = EncodeContext {
        channel: &entry.ctx,
        now: now_kst,
        nonce: rand::random(),
    };
    // Verify without sending anything (validation and encoding are pure); what is encoded
    // here is what is sent.
    let encoded = match execute::validate(entry.adapter.as_ref(), &ctx, &req)
        .and_then(|v| st.encode(entry, now_kst, &v))
    {
        Ok(encoded) => encoded,
        Err(e) => {
            if let PgError::WindowFailed {
                pg_code,
                pg_message,
            } = &e
            {
                return window_failed(st, &s, &e.to_string(), Some(pg_code), Some(pg_message))
                    .await;
            }
            tracing::warn!(session = %s.id, error = %e, "payment window return did not verify; refused, nothing sent");
            return Landing::Refused(e.to_string());
        }
    };
    // Exactly one return goes on.
    match store::sessions::claim_completing(&st.db, &s.id, now).await {
        Ok(true) => {}
        Ok(false) => return already_taken(st, &s.id).await,
        Err(e) => return Landing::storage(&e),
    }
    if let Err(e) = prepare_payment_for_sending(st, &s, browser).await {
        // Nothing was sent: give the session back so the customer can retry the return.
        tracing::error!(error = %e, session = %s.id, "could not record the attempt; not sending");
        let _ = store::sessions::reopen(&st.db, &s.id).await;
        return Landing::storage(&e);
    }
    tracing::info!(session = %s.id, channel = %s.channel_key, kind = s.kind.as_str(), "completing payment window");
    let result = st.pg_call(entry, &req, Ok(encoded), false).await.result;
    let (ok, params, verdict) = match settle(
        st,
        &s,
        entry,
        &result,
        PlatformType::of_window(browser),
    )
    .await
    {
        Ok((ok, p)) => (ok, p, verdict_of(&s, ok, &result)),
        Err(e) => {
            tracing::error!(error = %e, session = %s.id, "could not record the window's outcome; left to the reconciler");
            let p = failure_params(
                &s,
                "the outcome could not be recorded yet; the store will confirm it",
                None,
                None,
            );
            (false, p, Verdict::Checking)
        }
    };
    let final_status = if ok {
        SessionStatus::Completed
    } else {
        SessionStatus::Failed
    };
    if let Err(e) = store::sessions::finish(
        &st.db,
        &s.id,
        final_status,
        Value::Object(params.clone()).to_string(),
        util::now(),
    )
    .await
    {
        tracing::error!(error = %e, session = %s.id, "could not close the checkout session");
    }
    respond(st, &s, &params, verdict).await
}

async fn already_taken(st: &AppState, id: &str) -> Landing {
    match super::load(st, id).await {
        Ok(Some(s)) if s.status == SessionStatus::Open => Landing::Expired,
        Ok(Some(s)) => Landing::Finished(Box::new(s)),
        Ok(None) => Landing::Expired,
        Err(e) => Landing::storage(&e),
    }
}

/// Before sending: the payment row gets its reconcile safety net (a gateway dying mid-call
/// leaves a row the reconciler resolves by inquiry) and the browser's origin.
async fn prepare_payment_for_sending(
    st: &AppState,
    s: &SessionRow,
    browser: &Origin,
) -> Result<(), sqlx::Error> {
    let (Some(pid), Some(tid)) = (&s.payment_id, &s.transaction_id) else {
        return Ok(());
    };
    let now = util::now();
    let stale = now + chrono::Duration::from_std(st.tuning.stale_after()).unwrap_or_default();
    let extra = match store::payments::load(&st.db, pid).await? {
        Some(p) => {
            let mut e = util::parse_json(p.extra_json.as_deref());
            if !e.is_object() {
                e = json!({});
            }
            e["origin"] = crate::views::party::origin_for_browser(browser);
            Some(e.to_string())
        }
        None => None,
    };
    let platform = PlatformType::of_window(browser);
    store::payments::prepare_window_send(&st.db, pid, tid, stale, platform, extra, now).await
}

/// The window reported a failure (cancelled in the window, authentication failed): nothing to
/// approve. The session, payment and billing key fail; the browser goes back with the reason.
async fn window_failed(
    st: &AppState,
    s: &SessionRow,
    reason: &str,
    pg_code: Option<&str>,
    pg_message: Option<&str>,
) -> Landing {
    let message = match (pg_code, pg_message) {
        (Some(c), Some(m)) => format!("the payment window ended without a payment ({c}: {m})"),
        (Some(c), None) => format!("the payment window ended without a payment ({c})"),
        _ => format!("the payment window reported a failure: {reason}"),
    };
    let params = failure_params(s, &message, pg_code, pg_message);
    let now = util::micros(util::now());
    let result = Value::Object(params.clone()).to_string();
    match store::sessions::fail_open(&st.db, &s.id, result, now).await {
        Ok(true) => {}
        Ok(false) => return already_taken(st, &s.id).await,
        Err(e) => return Landing::storage(&e),
    }
    tracing::info!(session = %s.id, pg_code = pg_code.unwrap_or(""), "payment window ended without a payment");
    let failure = Failure {
        reason: format!("{message}: {reason}"),
        pg_code: pg_code.map(str::to_string),
        pg_message: pg_message.map(str::to_string),
    };
    let recorded = async {
        if let (Some(pid), Some(tid)) = (&s.payment_id, &s.transaction_id) {
            flow::apply(st, pid, tid, &Transition::Failed { failure }).await?;
        }
        if let Some(bk) = &s.billing_key {
            fail_billing_key(st, s, bk).await?;
        }
        Ok::<(), sqlx::Error>(())
    }
    .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, session = %s.id, "could not record the window's failure");
    }
    respond(st, s, &params, window_verdict(s, pg_code, pg_message)).await
}

/// Masked card number and its BIN (when it shows six digits) from a PG's card summary.
fn masked_card(card: Option<&CardSummary>) -> Option<(String, Option<String>)> {
    let number = card?.masked_number.clone()?;
    let bin: String = number.chars().take_while(char::is_ascii_digit).collect();
    let bin = (bin.len() >= 6).then(|| bin[..6].to_string());
    Some((number, bin))
}

/// Masked card number and its BIN from a PG's card summary.
fn card_json(card: Option<&CardSummary>) -> Option<Value> {
    let (number, bin) = masked_card(card)?;
    let mut m = Map::new();
    m.insert("number".into(), json!(number));
    if let Some(bin) = bin {
        m.insert("bin".into(), json!(bin));
    }
    Some(Value::Object(m))
}

/// Store the PG's answer. Returns whether the window succeeded and the redirect parameters.
/// Store the window's outcome; a billing key it issued is recorded as issued from `platform`.
async fn settle(
    st: &AppState,
    s: &SessionRow,
    entry: &ChannelEntry,
    result: &Result<Outcome, PgError>,
    platform: PlatformType,
) -> Result<(bool, Map<String, Value>), sqlx::Error> {
    let mut ok = true;
    let mut params = success_params(s);
    if let (Some(pid), Some(tid)) = (&s.payment_id, &s.transaction_id) {
        let retry_at = util::now()
            + chrono::Duration::from_std(st.tuning.reconcile_retry_base).unwrap_or_default();
        let (mut t, _) = flow::settle(pid, result, retry_at);
        if let (Transition::Paid { method, .. }, Ok(Outcome::Approved(a))) = (&mut t, result) {
            if let ApprovedDetail::Payment { card, .. } = &a.detail {
                if let Some((number, bin)) = masked_card(card.as_ref()) {
                    let update = method.get_or_insert_with(MethodUpdate::default);
                    update.card_number = Some(number);
                    update.card_bin = bin;
                }
            }
        }
        if !flow::apply(st, pid, tid, &t).await? {
            // Someone else (the reconciler) settled it: report what is stored.
            if let Some(p) = store::payments::load(&st.db, pid).await? {
                t = match p.status {
                    PaymentStatus::Failed => Transition::Failed {
                        failure: p.failure.unwrap_or_default(),
                    },
                    _ => t,
                };
            }
        }
        match &t {
            Transition::Paid { .. } | Transition::VirtualAccountIssued { .. } => {}
            Transition::Pending { .. } | Transition::Unknown { .. } => {
                // Not a failure, not a success yet: the store confirms by API or webhook.
            }
            Transition::Failed { failure } => {
                ok = false;
                params = failure_params(
                    s,
                    if failure.reason.is_empty() {
                        "the payment failed"
                    } else {
                        &failure.reason
                    },
                    failure.pg_code.as_deref(),
                    failure.pg_message.as_deref(),
                );
            }
        }
        if s.kind == Kind::IssueBillingKeyAndPay {
            if let Some(bk) = &s.billing_key {
                match (&t, result) {
                    (Transition::Paid { .. }, Ok(Outcome::Approved(a))) => {
                        let key = match &a.detail {
                            ApprovedDetail::Payment {
                                pg_billing_key: Some(k),
                                ..
                            } => Some(k),
                            _ => None,
                        };
                        match key {
                            Some(k) => {
                                let method = billing_method_json(s, None);
                                let pg = (k, a.pg_tx_id.clone());
                                issue_billing_key(st, s, entry, platform, pg, &method).await?;
                            }
                            None => {
                                tracing::warn!(session = %s.id, "the PG paid but issued no billing key");
                                fail_billing_key(st, s, bk).await?;
                                params.remove("billingKey");
                            }
                        }
                    }
                    (Transition::Failed { .. }, _) => fail_billing_key(st, s, bk).await?,
                    _ => {}
                }
            }
        }
        return Ok((ok, params));
    }
    // A billing-key window (no payment).
    let Some(bk) = &s.billing_key else {
        return Ok((ok, params));
    };
    match result {
        Ok(Outcome::Approved(a)) => match &a.detail {
            ApprovedDetail::BillingKeyIssued {
                pg_billing_key,
                card,
            } => {
                let method = billing_method_json(s, card.as_ref());
                let pg = (pg_billing_key, a.pg_tx_id.clone());
                issue_billing_key(st, s, entry, platform, pg, &method).await?;
            }
            _ => {
                tracing::error!(session = %s.id, "the PG answered a billing-key window with something else");
                fail_billing_key(st, s, bk).await?;
                ok = false;
                params = failure_params(s, "the PG did not issue a billing key", None, None);
            }
        },
        Ok(Outcome::Declined(d)) => {
            fail_billing_key(st, s, bk).await?;
            ok = false;
            params = failure_params(
                s,
                &format!("the PG refused to issue the billing key ({})", d.kind),
                Some(&d.pg_code),
                Some(&d.pg_message),
            );
        }
        Err(e) if e.is_certainly_not_sent() => {
            fail_billing_key(st, s, bk).await?;
            ok = false;
            params = failure_params(s, &format!("nothing was sent to the PG: {e}"), None, None);
        }
        _ => {
            // Sent, answer lost: the key stays ISSUING (the PG may hold one).
            tracing::warn!(session = %s.id, billing_key = %bk, "billing-key window outcome unknown; the key stays ISSUING");
            ok = false;
            params = failure_params(
                s,
                "the PG's answer was lost; whether the billing key was issued is unknown",
                None,
                None,
            );
        }
    }
    Ok((ok, params))
}

/// The billing key's `methods[0]`.
fn billing_method_json(s: &SessionRow, card: Option<&CardSummary>) -> Value {
    match s.method() {
        Some(paymux_core::adapter::Method::Mobile) => {
            json!({"type": "BillingKeyPaymentMethodMobile"})
        }
        _ => {
            let mut v = json!({"type": "BillingKeyPaymentMethodCard"});
            if let Some(c) = card_json(card) {
                v["card"] = c;
            }
            v
        }
    }
}

fn key_destination(s: &SessionRow) -> Destination {
    s.destination()
}

/// The window issued a billing key: record the PG's key and TID (`pg`) on the session's
/// channel, mark the key `ISSUED` from `platform`, queue `BillingKey.Issued`.
async fn issue_billing_key(
    st: &AppState,
    s: &SessionRow,
    entry: &ChannelEntry,
    platform: PlatformType,
    pg: (&Secret<String>, Option<String>),
    method_json: &Value,
) -> Result<(), sqlx::Error> {
    let (pg_key, pg_tx_id) = pg;
    let Some(bk) = &s.billing_key else {
        return Ok(());
    };
    let event = events::event(
        st,
        EventType::BillingKeyIssued,
        EventData::billing_key(&s.store_id, bk),
        &key_destination(s),
    );
    store::billing_keys::issue_from_window(
        &st.db,
        bk,
        method_json.to_string(),
        platform,
        &s.channel_key,
        util::to_json_text(&entry.selected()).unwrap_or_default(),
        pg_key.expose().clone(),
        pg_tx_id,
        event.as_ref(),
        Utc::now(),
    )
    .await?;
    tracing::info!(session = %s.id, billing_key = %bk, "billing key issued through the window");
    Ok(())
}

/// The window ended without a key: `ISSUING → FAILED`, `BillingKey.Failed`.
pub async fn fail_billing_key(st: &AppState, s: &SessionRow, bk: &str) -> Result<(), sqlx::Error> {
    let event = events::event(
        st,
        EventType::BillingKeyFailed,
        EventData::billing_key(&s.store_id, bk),
        &key_destination(s),
    );
    store::billing_keys::fail_issuing(&st.db, bk, event.as_ref(), Utc::now()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_bin_from_masked_number() {
        let c = CardSummary {
            masked_number: Some("411111******1111".into()),
            issuer_code: None,
            issuer_name: None,
            acquirer_code: None,
        };
        assert_eq!(
            card_json(Some(&c)).unwrap(),
            json!({"number": "411111******1111", "bin": "411111"})
        );
    }
}
