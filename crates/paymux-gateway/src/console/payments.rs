//! Payments: the list with the list API's filters (the page's form becomes a PortOne
//! `GetPaymentsBody`, read and checked by [`crate::payment_list`]), and a payment's page —
//! its attempts (channel, why it was chosen or left out, the PG's answer), cancellations,
//! webhooks (with resend) and a cancel form that goes through the API's own cancel flow.
//!
//! Every merchant-controlled value (order name, customer, `customData`) reaches the page only
//! through the templates' HTML escaping, after [`super::mask`].

use std::collections::HashMap;

use axum::body::{to_bytes, Body};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Value};

use super::auth::{field, form_pairs, FORM_LIMIT};
use super::groups::{api_error, storage_error};
use super::i18n::words;
use super::mask;
use super::render::{self, money, show_micros, show_rfc3339, urlencode, Ctx};
use super::Cs;
use crate::domain::PaymentStatus;
use crate::error::ApiError;
use crate::payment_list::GetPaymentsBody;
use crate::store::attempt_wire::AttemptWireRow;

/// The page's query keys (every one is given to the template, empty when absent).
const FILTER_KEYS: &[&str] = &[
    "status", "method", "pg", "env", "field", "q", "from", "until",
];

/// Rows per page.
const PAGE_SIZE: i64 = 20;

const STATUSES: &[&str] = &[
    "READY",
    "PENDING",
    "VIRTUAL_ACCOUNT_ISSUED",
    "PAID",
    "FAILED",
    "PARTIAL_CANCELLED",
    "CANCELLED",
];
const METHODS: &[&str] = &[
    "CARD",
    "TRANSFER",
    "VIRTUAL_ACCOUNT",
    "GIFT_CERTIFICATE",
    "MOBILE",
    "EASY_PAY",
    "CONVENIENCE_STORE",
];
const TEXT_FIELDS: &[&str] = &[
    "ALL",
    "PAYMENT_ID",
    "ORDER_NAME",
    "CUSTOMER_NAME",
    "CUSTOMER_EMAIL",
    "CUSTOMER_PHONE_NUMBER",
    "TX_ID",
    "PG_TX_ID",
    "CARD_NUMBER",
];

/// The list API's body for the page's query (`status`, `method`, `pg`, `env`, `field` + `q`,
/// `from`/`until` as KST dates, `page`).
fn list_body(q: &HashMap<String, String>) -> Result<(GetPaymentsBody, i64), ApiError> {
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let number: i64 = match get("page") {
        Some(p) => p
            .parse()
            .map_err(|_| ApiError::invalid("page: must be a whole number from 0"))?,
        None => 0,
    };
    let mut filter = serde_json::Map::new();
    if let Some(s) = get("status") {
        filter.insert("status".into(), json!([s]));
    }
    if let Some(m) = get("method") {
        filter.insert("methods".into(), json!([m]));
    }
    if let Some(p) = get("pg") {
        filter.insert("pgProvider".into(), json!([p]));
    }
    match get("env") {
        Some("test") => {
            filter.insert("isTest".into(), json!(true));
        }
        Some("live") => {
            filter.insert("isTest".into(), json!(false));
        }
        _ => {}
    }
    if let Some(text) = get("q") {
        filter.insert(
            "textSearch".into(),
            json!([{"field": get("field").unwrap_or("ALL"), "value": text}]),
        );
    }
    for (name, key, days) in [("from", "from", 0), ("until", "until", 1)] {
        if let Some(d) = get(name) {
            let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                ApiError::invalid(format!("filter.{key}: must be a date (YYYY-MM-DD)"))
            })?;
            // `until` is inclusive on the page: the next day's midnight (KST).
            let t = (date + chrono::Duration::days(days))
                .and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(render::kst()).single())
                .ok_or_else(|| ApiError::invalid(format!("filter.{key}: not a valid date")))?;
            filter.insert(key.into(), json!(t.to_rfc3339()));
        }
    }
    let body = json!({"page": {"number": number, "size": PAGE_SIZE}, "filter": filter});
    let parsed = serde_json::from_value::<GetPaymentsBody>(body)
        .map_err(|e| ApiError::invalid(format!("filter: {e}")))?;
    Ok((parsed, number))
}

fn customer_name(p: &Value) -> String {
    match &p["customer"]["name"] {
        Value::String(s) => s.clone(),
        Value::Object(m) => m
            .get("full")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

fn text_of(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

/// A list row of a PortOne `Payment`.
fn row(p: &Value) -> Value {
    json!({
        "id": text_of(&p["id"]),
        "href": format!("/console/payments/{}", urlencode(p["id"].as_str().unwrap_or(""))),
        "status": text_of(&p["status"]),
        "order_name": mask::text(&text_of(&p["orderName"])),
        "customer": mask::text(&customer_name(p)),
        "amount": money(p["amount"]["total"].as_i64().unwrap_or(0)),
        "currency": text_of(&p["currency"]),
        "channel": text_of(&p["channel"]["key"]),
        "group": text_of(&p["channelGroup"]["name"]),
        "requested_at": show_rfc3339(p["requestedAt"].as_str().unwrap_or("")),
    })
}

/// A URL of this page with `page` replaced.
fn page_link(q: &HashMap<String, String>, page: i64) -> String {
    let mut pairs: Vec<(String, String)> = q
        .iter()
        .filter(|(k, v)| k.as_str() != "page" && !v.is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    pairs.sort();
    pairs.push(("page".into(), page.to_string()));
    format!(
        "/console/payments?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// `GET /console/payments`.
pub async fn list(
    State(console): Cs,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut pgs: Vec<&str> = console
        .app
        .channels
        .iter()
        .map(|c| c.descriptor.pg_provider)
        .collect();
    pgs.sort_unstable();
    pgs.dedup();
    let (items, total, number, error) = match list_body(&q) {
        Ok((body, number)) => match crate::payment_list::list(&console.app, body).await {
            Ok(v) => (
                v["items"]
                    .as_array()
                    .map(|a| a.iter().map(row).collect())
                    .unwrap_or_default(),
                v["page"]["totalCount"].as_i64().unwrap_or(0),
                number,
                None,
            ),
            Err(e) => (Vec::new(), 0, number, Some(error_text(&e))),
        },
        Err(e) => (Vec::new(), 0, 0, Some(error_text(&e))),
    };
    let prev = (number > 0).then(|| page_link(&q, number - 1));
    let next = ((number + 1) * PAGE_SIZE < total).then(|| page_link(&q, number + 1));
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render::page(
        &ctx,
        status,
        "payments.html",
        minijinja::context! {
            items => items,
            total => total,
            error => error,
            q => FILTER_KEYS.iter().map(|k| (*k, q.get(*k).cloned().unwrap_or_default())).collect::<HashMap<_, _>>(),
            statuses => STATUSES,
            methods => METHODS,
            text_fields => TEXT_FIELDS,
            pgs => pgs,
            prev => prev,
            next => next,
        },
    )
}

fn error_text(e: &ApiError) -> String {
    mask::text(&format!(
        "{}: {}",
        e.kind(),
        e.body.get("message").and_then(Value::as_str).unwrap_or("")
    ))
}

fn pretty(v: &Value) -> String {
    if v.is_null() || v.as_object().is_some_and(|m| m.is_empty()) {
        return String::new();
    }
    serde_json::to_string_pretty(&mask::json(v)).unwrap_or_default()
}

/// The masked wire views of one attempt (its claim and channel), as the page shows them.
fn wire_of(rows: &[AttemptWireRow], claim: &str, channel: &str) -> Vec<Value> {
    rows.iter()
        .filter(|w| w.transaction_id == claim && w.channel_key == channel)
        .map(|w| {
            json!({
                "operation": w.operation,
                "at": show_micros(w.at),
                "took": (w.took_us > 0).then(|| format!("{:.1} ms", w.took_us as f64 / 1000.0)),
                // Stored masked; masked again on the way out, as every value of the page is.
                "request": mask::wire_json_text(&w.request_view),
                "answer": mask::wire_json_text(&w.answer_view),
            })
        })
        .collect()
}

/// An attempt (PortOne `PaymentTransaction`) for the page, with why its channel was used and
/// what was sent and answered (`wire`).
fn attempt(t: &Value, index: usize, via_group: Option<&str>, ctx: &Ctx, wire: Vec<Value>) -> Value {
    let w = words(ctx.lang);
    let why = if index > 0 {
        w.get("why_failover").to_string()
    } else if let Some(group) = via_group {
        format!("{} ({group})", w.get("why_group"))
    } else {
        w.get("why_direct").to_string()
    };
    let failure = &t["failure"];
    let answer = if failure.is_object() && !failure.as_object().is_some_and(|m| m.is_empty()) {
        mask::text(&format!(
            "{} {} {}",
            text_of(&failure["pgCode"]),
            text_of(&failure["pgMessage"]),
            text_of(&failure["reason"])
        ))
        .trim()
        .to_string()
    } else if t["pgTxId"].is_string() {
        format!("pgTxId {}", text_of(&t["pgTxId"]))
    } else {
        String::new()
    };
    json!({
        "id": text_of(&t["id"]),
        "status": text_of(&t["status"]),
        "channel": text_of(&t["channel"]["key"]),
        "pg": text_of(&t["channel"]["pgProvider"]),
        "requested_at": show_rfc3339(t["requestedAt"].as_str().unwrap_or("")),
        "why": why,
        "answer": answer,
        "method": pretty(&t["method"]),
        "wire": wire,
    })
}

/// `GET /console/payments/{id}`.
pub async fn detail(
    State(console): Cs,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let st = &console.app;
    let p = match crate::payments::get(st, &id, None).await {
        Ok(p) => p,
        Err(e) => return api_error(&ctx, &e),
    };
    let transactions = match crate::payments::transactions(st, &id, None).await {
        Ok(v) => v["items"].as_array().cloned().unwrap_or_default(),
        Err(e) => return api_error(&ctx, &e),
    };
    let hooks = match crate::store::webhook_history::for_payment(&st.db, &id).await {
        Ok(h) => h,
        Err(e) => return storage_error(&ctx, e),
    };
    // This instance's pending wire views first, then what every instance wrote.
    if let Err(e) = st.wire_log.flush(&st.diagnostics).await {
        tracing::warn!(error = %e, "could not write the attempt wire views");
    }
    let kept = match crate::store::attempts::list(&st.db, &id).await {
        Ok(v) => v,
        Err(e) => return storage_error(&ctx, e),
    };
    let current_claim = text_of(&p["transactionId"]);
    // The claim each attempt was part of: its own id for the payment's current attempt (and a
    // replaced claim's), the kept row's for one routing failed over from.
    let claims: Vec<String> = transactions
        .iter()
        .map(|t| {
            let tid = text_of(&t["id"]);
            kept.iter()
                .find(|a| a.id == tid && tid != current_claim)
                .map_or(tid.clone(), |a| a.transaction_id.clone())
        })
        .collect();
    let mut distinct: Vec<&str> = claims.iter().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let wire = match crate::store::attempt_wire::for_claims(&st.diagnostics, &id, &distinct).await {
        Ok(v) => v,
        Err(e) => return storage_error(&ctx, e),
    };
    let group = p["channelGroup"]["name"].as_str().map(mask::text);
    let attempts: Vec<Value> = transactions
        .iter()
        .zip(&claims)
        .enumerate()
        .map(|(i, (t, claim))| {
            let views = wire_of(&wire, claim, t["channel"]["key"].as_str().unwrap_or(""));
            attempt(t, i, group.as_deref(), &ctx, views)
        })
        .collect();
    let skipped: Vec<Value> = p["routing"]["refused"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    json!({"channel": text_of(&r["channelKey"]), "rule": mask::text(&text_of(&r["rule"]))})
                })
                .collect()
        })
        .unwrap_or_default();
    let cancellations: Vec<Value> = p["cancellations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    json!({
                        "id": text_of(&c["id"]),
                        "status": text_of(&c["status"]),
                        "amount": money(c["totalAmount"].as_i64().unwrap_or(0)),
                        "reason": mask::text(&text_of(&c["reason"])),
                        "requested_at": show_rfc3339(c["requestedAt"].as_str().unwrap_or("")),
                        "cancelled_at": c["cancelledAt"].as_str().map(show_rfc3339),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let webhooks: Vec<Value> = hooks
        .iter()
        .map(|h| {
            json!({
                "id": h.id,
                "event": h.event_type,
                "url": mask::url(&h.url),
                "status": h.status.as_str(),
                "attempts": h.attempts,
                // The receiver's last answer, when it was not a success.
                "error": h
                    .last_code
                    .filter(|c| !(200..300).contains(c))
                    .map(|c| format!("HTTP {c}")),
                "created_at": show_micros(h.created_at),
                "delivered_at": (h.status == crate::domain::DeliveryStatus::Delivered)
                    .then_some(h.last_attempt_at)
                    .flatten()
                    .map(show_micros),
                "body": mask::json_text(&h.payload),
            })
        })
        .collect();
    let total = p["amount"]["total"].as_i64().unwrap_or(0);
    let cancelled = p["amount"]["cancelled"].as_i64().unwrap_or(0);
    let status = text_of(&p["status"]);
    let cancellable = matches!(
        PaymentStatus::parse(&status),
        Some(PaymentStatus::Paid | PaymentStatus::PartialCancelled)
    );
    let custom = p["customData"].as_str().map(mask::json_text);
    let done = match q.get("done").map(String::as_str) {
        Some("cancel_done") => Some(words(ctx.lang).get("cancel_done")),
        Some("webhook_resent") => Some(words(ctx.lang).get("webhook_resent")),
        _ => None,
    };
    let summary = json!({
        "id": text_of(&p["id"]),
        "status": status,
        "order_name": mask::text(&text_of(&p["orderName"])),
        "customer_name": mask::text(&customer_name(&p)),
        "customer": pretty(&p["customer"]),
        "amount": money(total),
        "cancelled": money(cancelled),
        "currency": text_of(&p["currency"]),
        "channel": text_of(&p["channel"]["key"]),
        "group": group,
        "group_id": p["channelGroup"]["id"].as_str(),
        "requested_at": show_rfc3339(p["requestedAt"].as_str().unwrap_or("")),
        "method": pretty(&p["method"]),
        "custom_data": custom,
        "pg_tx_id": p["pgTxId"].as_str(),
    });
    render::page(
        &ctx,
        StatusCode::OK,
        "payment.html",
        minijinja::context! {
            p => summary,
            attempts => attempts,
            skipped => skipped,
            cancellations => cancellations,
            webhooks => webhooks,
            cancellable => cancellable,
            wire_off => !st.tuning.wire_views,
            cancellable_amount => money(total - cancelled),
            flash => done,
        },
    )
}

/// `POST /console/payments/{id}/cancel` (`amount` empty = all that is left, `reason`):
/// [`crate::cancel::cancel`], the API's own cancel, requested by an `ADMIN`.
pub async fn cancel(State(console): Cs, ctx: Ctx, Path(id): Path<String>, body: Body) -> Response {
    let pairs = to_bytes(body, FORM_LIMIT)
        .await
        .map(|b| form_pairs(&b))
        .unwrap_or_default();
    let mut input = json!({
        "reason": field(&pairs, "reason").unwrap_or("").trim(),
        "requester": "ADMIN",
    });
    if let Some(a) = field(&pairs, "amount")
        .map(|a| a.trim().replace(',', ""))
        .filter(|a| !a.is_empty())
    {
        match a.parse::<i64>() {
            Ok(n) => input["amount"] = json!(n),
            Err(_) => {
                return api_error(
                    &ctx,
                    &ApiError::invalid("amount: must be a whole number of won"),
                )
            }
        }
    }
    let body = match crate::error::parse_body(input.to_string().as_bytes()) {
        Ok(b) => b,
        Err(e) => return api_error(&ctx, &e),
    };
    match crate::cancel::cancel(&console.app, &id, body).await {
        Ok(_) => Redirect::to(&format!(
            "/console/payments/{}?done=cancel_done",
            urlencode(&id)
        ))
        .into_response(),
        Err(e) => api_error(&ctx, &e),
    }
}

/// `POST /console/payments/{id}/webhooks/{webhook_id}/resend`: the API's own resend
/// (`POST /payments/{id}/resend-webhook`): a new `webhook-id`, same body and target, sent now.
pub async fn resend_webhook(
    State(console): Cs,
    ctx: Ctx,
    Path((id, webhook_id)): Path<(String, String)>,
) -> Response {
    let body = crate::webhook_history::ResendWebhookBody {
        store_id: None,
        webhook_id: Some(webhook_id),
    };
    match crate::webhook_history::resend(&console.app, &id, body).await {
        Ok(_) => Redirect::to(&format!(
            "/console/payments/{}?done=webhook_resent",
            urlencode(&id)
        ))
        .into_response(),
        Err(e) => api_error(&ctx, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_query_becomes_the_list_apis_body() {
        let q: HashMap<String, String> = [
            ("status", "PAID"),
            ("env", "test"),
            ("field", "ORDER_NAME"),
            ("q", "커피"),
            ("from", "2026-05-01"),
            ("until", "2026-05-01"),
            ("page", "2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (body, n) = list_body(&q).unwrap();
        assert_eq!(n, 2);
        let f = body.filter.unwrap();
        assert_eq!(f.is_test, Some(true));
        assert_eq!(f.from.as_deref(), Some("2026-05-01T00:00:00+09:00"));
        assert_eq!(f.until.as_deref(), Some("2026-05-02T00:00:00+09:00"));
        let bad: HashMap<String, String> = [("status".to_string(), "NOPE".to_string())]
            .into_iter()
            .collect();
        assert!(list_body(&bad).is_err());
        assert_eq!(urlencode("a/b c"), "a%2Fb%20c");
    }
}
