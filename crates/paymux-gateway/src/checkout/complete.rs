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
use paymux_core::display;
use paymux_core::error::PgError;
use paymux_core::execute;
use paymux_core::money::Money;
use paymux_core::outcome::{ApprovedDetail, CardSummary, DeclineKind, Outcome};
use paymux_core::secret::Secret;
use paymux_core::wire::form_urldecode;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use super::window::return_charset;
use super::{Kind, Landing, SessionRow};
use crate::billing_keys;
use crate::channels::ChannelEntry;
use crate::domain::Transition;
use crate::domain::{Failure, MethodUpdate, PaymentStatus, SessionStatus};
use crate::flow;
use crate::payments::{self, Origin};
use crate::state::AppState;
use crate::store;
use crate::util;
use crate::views::checkout::{ResultView, Verdict};
use crate::webhooks::{self, Destination};

/// PortOne's SDK failure code for failures at the PG (`code` on the redirect).
pub const FAILURE_TYPE_PG: &str = "FAILURE_TYPE_PG";

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

/// `redirect_url` with the result parameters appended (`None` when it is not a URL).
pub fn redirect_target(redirect_url: &str, params: &Value) -> Option<String> {
    let mut url = reqwest::Url::parse(redirect_url).ok()?;
    if let Some(m) = params.as_object() {
        let mut q = url.query_pairs_mut();
        for (k, v) in m {
            if let Some(v) = v.as_str() {
                q.append_pair(k, v);
            }
        }
    }
    Some(url.to_string())
}

fn transaction_type(kind: Kind) -> &'static str {
    kind.as_str()
}

/// PortOne's success parameters for a session.
fn success_params(s: &SessionRow) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(p) = &s.payment_id {
        m.insert("paymentId".into(), json!(p));
    }
    if let Some(k) = &s.billing_key {
        m.insert("billingKey".into(), json!(k));
    }
    m.insert("transactionType".into(), json!(transaction_type(s.kind)));
    if let Some(t) = &s.transaction_id {
        m.insert("txId".into(), json!(t));
    }
    m
}

/// PortOne's failure parameters.
fn failure_params(
    s: &SessionRow,
    message: &str,
    pg_code: Option<&str>,
    pg_message: Option<&str>,
) -> Map<String, Value> {
    let mut m = success_params(s);
    m.insert("code".into(), json!(FAILURE_TYPE_PG));
    m.insert("message".into(), json!(message));
    if let Some(c) = pg_code.filter(|c| !c.is_empty()) {
        m.insert("pgCode".into(), json!(c));
    }
    if let Some(c) = pg_message.filter(|c| !c.is_empty()) {
        m.insert("pgMessage".into(), json!(c));
    }
    m
}

/// Redirect to `redirectUrl` with the parameters, or show the shopper the result page.
async fn respond(
    st: &AppState,
    s: &SessionRow,
    params: &Map<String, Value>,
    verdict: Verdict,
) -> Landing {
    let params = Value::Object(params.clone());
    match s
        .redirect_url
        .as_deref()
        .and_then(|u| redirect_target(u, &params))
    {
        Some(location) => Landing::Redirect(location),
        None => Landing::Result(result_view(st, s, &params, verdict).await),
    }
}

/// The result page's content: the verdict, plus the order's name and amount from the stored
/// payment (or the billing key's issue name). A storage error only leaves those out.
async fn result_view(
    st: &AppState,
    s: &SessionRow,
    params: &Value,
    verdict: Verdict,
) -> ResultView {
    let text = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_string);
    let mut view = ResultView {
        verdict,
        order_name: None,
        amount: None,
        payment_id: text("paymentId"),
        billing_key: text("billingKey").or_else(|| s.billing_key.clone()),
    };
    if let Some(pid) = &s.payment_id {
        match payments::load(st, pid).await {
            Ok(Some(p)) => {
                view.order_name = Some(p.order_name);
                view.amount = Some((p.amount_total, p.currency));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, session = %s.id, "result page without the order's details")
            }
        }
        if view.amount.is_none() {
            view.amount = Some((s.amount_total, "KRW".into()));
        }
    } else if let Some(bk) = &s.billing_key {
        match billing_keys::load(st, bk).await {
            Ok(Some(k)) => view.order_name = k.issue_name,
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, session = %s.id, "result page without the issue name")
            }
        }
    }
    view
}

/// What the shopper is told, from the PG's answer and whether the session succeeded.
fn verdict_of(s: &SessionRow, ok: bool, result: &Result<Outcome, PgError>) -> Verdict {
    let generic_failure = || Verdict::Failed {
        reason: if s.payment_id.is_some() {
            "결제가 완료되지 않았습니다.".into()
        } else {
            "카드를 등록하지 못했습니다.".into()
        },
        detail: None,
        pg_code: None,
    };
    match result {
        Ok(Outcome::Approved(a)) if ok => match (s.kind, &a.detail) {
            (Kind::IssueBillingKey, _) => Verdict::Registered {
                card: s.method() != Some(paymux_core::adapter::Method::Mobile),
            },
            (
                Kind::IssueBillingKeyAndPay,
                ApprovedDetail::Payment {
                    pg_billing_key: Some(_),
                    ..
                },
            ) => Verdict::RegisteredAndPaid,
            _ => Verdict::Paid,
        },
        Ok(Outcome::VirtualAccountIssued(v)) if ok => Verdict::VirtualAccount {
            bank: v.bank.clone(),
            account_number: v.account_number.clone(),
            remittee: v.remittee_name.clone(),
            due: v.expires_at,
        },
        Ok(Outcome::Approved(_)) | Ok(Outcome::VirtualAccountIssued(_)) => generic_failure(),
        Ok(Outcome::Declined(d)) => Verdict::Failed {
            reason: display::decline_reason(d.kind).into(),
            // The kind's sentence is generic for unclassified codes: add the PG's words.
            detail: (d.kind == DeclineKind::Other).then(|| d.pg_message.clone()),
            pg_code: Some(d.pg_code.clone()).filter(|c| !c.is_empty()),
        },
        Err(e) if e.is_certainly_not_sent() => Verdict::Failed {
            reason: "결제사에 연결하지 못했습니다. 결제된 금액은 없으니 다시 시도해 주세요.".into(),
            detail: None,
            pg_code: None,
        },
        // Pending, unknown, or sent with the answer lost: the store confirms the result.
        _ => Verdict::Checking,
    }
}

/// What the shopper is told when the window itself ended without a payment. Korean PG windows
/// say `취소` (`사용자 취소`) when the payer cancelled.
fn window_verdict(s: &SessionRow, pg_code: Option<&str>, pg_message: Option<&str>) -> Verdict {
    let message = pg_message.unwrap_or_default().trim();
    let cancelled = message.contains("취소");
    Verdict::Failed {
        reason: if cancelled {
            display::USER_CANCELLED.into()
        } else if s.payment_id.is_some() {
            "결제창에서 결제가 완료되지 않았습니다.".into()
        } else {
            "결제창에서 카드 등록이 완료되지 않았습니다.".into()
        },
        detail: (!cancelled && !message.is_empty()).then(|| message.to_string()),
        pg_code: pg_code.map(str::to_string).filter(|c| !c.is_empty()),
    }
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
    // Verify without sending anything (validation and encoding are pure).
    let verified = execute::validate(entry.adapter.as_ref(), &ctx, &req)
        .and_then(|()| entry.adapter.encode(&ctx, &req).map(|_| ()));
    if let Err(e) = verified {
        if let PgError::WindowFailed {
            pg_code,
            pg_message,
        } = &e
        {
            return window_failed(st, &s, &e.to_string(), Some(pg_code), Some(pg_message)).await;
        }
        tracing::warn!(session = %s.id, error = %e, "payment window return did not verify; refused, nothing sent");
        return Landing::Refused(e.to_string());
    }
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
    let result = st.call_pg(entry, now_kst, &req).await;
    let (ok, params, verdict) = match settle(st, &s, entry, &result).await {
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
    let extra = match payments::load(st, pid).await? {
        Some(p) => {
            let mut e = util::parse_json(p.extra_json.as_deref());
            if !e.is_object() {
                e = json!({});
            }
            e["origin"] = browser.json_for_browser();
            Some(e.to_string())
        }
        None => None,
    };
    store::payments::prepare_window_send(&st.db, pid, tid, stale, extra, now).await
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
async fn settle(
    st: &AppState,
    s: &SessionRow,
    entry: &ChannelEntry,
    result: &Result<Outcome, PgError>,
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
            if let Some(p) = payments::load(st, pid).await? {
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
                                issue_billing_key(st, s, entry, k, a.pg_tx_id.clone(), &method)
                                    .await?;
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
                issue_billing_key(st, s, entry, pg_billing_key, a.pg_tx_id.clone(), &method)
                    .await?;
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

/// The window issued a billing key: record the PG's key on the session's channel, mark the key
/// `ISSUED`, queue `BillingKey.Issued`.
async fn issue_billing_key(
    st: &AppState,
    s: &SessionRow,
    entry: &ChannelEntry,
    pg_key: &Secret<String>,
    pg_tx_id: Option<String>,
    method_json: &Value,
) -> Result<(), sqlx::Error> {
    let Some(bk) = &s.billing_key else {
        return Ok(());
    };
    let event = webhooks::event(
        st,
        webhooks::BILLING_KEY_ISSUED,
        webhooks::billing_key_data(&s.store_id, bk),
        &key_destination(s),
    );
    store::billing_keys::issue_from_window(
        &st.db,
        bk,
        method_json.to_string(),
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
    let event = webhooks::event(
        st,
        webhooks::BILLING_KEY_FAILED,
        webhooks::billing_key_data(&s.store_id, bk),
        &key_destination(s),
    );
    store::billing_keys::fail_issuing(&st.db, bk, event.as_ref(), Utc::now()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_keeps_the_merchants_query() {
        let u = redirect_target(
            "https://shop.example/done?order=7",
            &json!({"paymentId": "p 1", "code": "FAILURE_TYPE_PG"}),
        )
        .unwrap();
        assert_eq!(
            u,
            "https://shop.example/done?order=7&code=FAILURE_TYPE_PG&paymentId=p+1"
        );
        assert!(redirect_target("not a url", &json!({})).is_none());
    }

    fn session(kind: Kind, payment: bool) -> SessionRow {
        SessionRow {
            id: "cs_1".into(),
            kind,
            status: SessionStatus::Completing,
            store_id: "s".into(),
            payment_id: payment.then(|| "p-1".into()),
            transaction_id: payment.then(|| "t-1".into()),
            billing_key: (kind != Kind::Payment).then(|| "bk-1".into()),
            order_id: "o".into(),
            channel_key: "k".into(),
            method: "CARD".into(),
            amount_total: 1000,
            order_date: "20250101000000".into(),
            window_url: String::new(),
            window_charset: "UTF-8".into(),
            window_form: String::new(),
            window_loader: None,
            redirect_url: None,
            notice_urls_json: None,
            result_json: None,
            created_at: 0,
            expires_at: 0,
            opened_at: None,
            finished_at: None,
        }
    }

    fn approved(detail: ApprovedDetail) -> Result<Outcome, PgError> {
        Ok(Outcome::Approved(paymux_core::outcome::Approved {
            pg_tx_id: Some("T1".into()),
            at: None,
            amount: None,
            pg_code: "0000".into(),
            pg_message: String::new(),
            detail,
        }))
    }

    fn paid(key: Option<&str>) -> ApprovedDetail {
        ApprovedDetail::Payment {
            approval_number: None,
            card: None,
            installment_month: None,
            pg_billing_key: key.map(|k| Secret::new(k.to_string())),
        }
    }

    #[test]
    fn verdicts_follow_the_pgs_answer() {
        let pay = session(Kind::Payment, true);
        assert_eq!(verdict_of(&pay, true, &approved(paid(None))), Verdict::Paid);
        let declined = Ok(Outcome::Declined(paymux_core::outcome::Declined::new(
            "8101",
            "승인거절",
            DeclineKind::CardDeclined,
        )));
        assert_eq!(
            verdict_of(&pay, false, &declined),
            Verdict::Failed {
                reason: "카드사에서 승인을 거절했습니다.".into(),
                detail: None,
                pg_code: Some("8101".into()),
            }
        );
        let other = Ok(Outcome::Declined(paymux_core::outcome::Declined::new(
            "X1",
            "기타 오류",
            DeclineKind::Other,
        )));
        let Verdict::Failed { detail, .. } = verdict_of(&pay, false, &other) else {
            panic!()
        };
        assert_eq!(
            detail.as_deref(),
            Some("기타 오류"),
            "generic kinds keep the PG's words"
        );
        let va = Ok(Outcome::VirtualAccountIssued(
            paymux_core::outcome::VirtualAccountIssued {
                pg_tx_id: None,
                bank: Some("0004".into()),
                account_number: "5621".into(),
                remittee_name: None,
                expires_at: None,
                issued_at: None,
                amount: None,
                pg_code: "0000".into(),
                pg_message: String::new(),
            },
        ));
        assert!(matches!(
            verdict_of(&pay, true, &va),
            Verdict::VirtualAccount { bank: Some(b), .. } if b == "0004"
        ));
        let garbled = Err(PgError::MalformedResponse { detail: "x".into() });
        assert_eq!(verdict_of(&pay, true, &garbled), Verdict::Checking);
        assert_eq!(verdict_of(&pay, false, &garbled), Verdict::Checking);
        let lost = Ok(Outcome::Unknown(paymux_core::outcome::Unknown {
            reason: "read timeout".into(),
        }));
        assert_eq!(verdict_of(&pay, true, &lost), Verdict::Checking);
        let not_sent = Err(PgError::NotSent {
            reason: "refused".into(),
        });
        assert!(matches!(
            verdict_of(&pay, false, &not_sent),
            Verdict::Failed { reason, .. } if reason.contains("결제된 금액은 없으니")
        ));
        // Approved, but the reconciler already stored a failure.
        assert!(matches!(
            verdict_of(&pay, false, &approved(paid(None))),
            Verdict::Failed { .. }
        ));

        let issue = session(Kind::IssueBillingKey, false);
        let key = ApprovedDetail::BillingKeyIssued {
            pg_billing_key: Secret::new("K".into()),
            card: None,
        };
        assert_eq!(
            verdict_of(&issue, true, &approved(key)),
            Verdict::Registered { card: true }
        );
        let and_pay = session(Kind::IssueBillingKeyAndPay, true);
        assert_eq!(
            verdict_of(&and_pay, true, &approved(paid(Some("K")))),
            Verdict::RegisteredAndPaid
        );
        assert_eq!(
            verdict_of(&and_pay, true, &approved(paid(None))),
            Verdict::Paid
        );
    }

    #[test]
    fn window_failures_tell_a_cancel_apart() {
        let pay = session(Kind::Payment, true);
        assert_eq!(
            window_verdict(&pay, Some("8701"), Some("사용자 취소")),
            Verdict::Failed {
                reason: "결제를 취소했습니다.".into(),
                detail: None,
                pg_code: Some("8701".into()),
            }
        );
        assert_eq!(
            window_verdict(&pay, Some("E1"), Some("인증 실패")),
            Verdict::Failed {
                reason: "결제창에서 결제가 완료되지 않았습니다.".into(),
                detail: Some("인증 실패".into()),
                pg_code: Some("E1".into()),
            }
        );
    }

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
