//! Standalone cash receipts: PortOne's `issueCashReceipt` (`POST /cash-receipts`),
//! `getCashReceiptByPaymentId`, `cancelCashReceiptByPaymentId` and `Payment.cashReceipt`
//! (`getCashReceipts` is [`crate::cash_receipt_list`]).
//!
//! An issue claims its paymentId first ([`store::cash_receipts::claim`]: of two concurrent
//! issues only one reaches the PG; the other is `409 CASH_RECEIPT_ALREADY_ISSUED`), then calls
//! the channel's adapter ([`PgAdapter::encode_cash_receipt`]), then records what the PG said.
//! A lost answer is never recorded as issued or as failed: the receipt stays `ISSUING` and the
//! PG's inquiry (`cash-receipt.get`, when the adapter has one) settles it — at once, and again
//! whenever the receipt is read or issued again. Until then PortOne's API shows no receipt
//! (`404 CASH_RECEIPT_NOT_FOUND` saying why), and a new issue is refused. Cancels do the same
//! with `CANCELLING`.
//!
//! [`PgAdapter::encode_cash_receipt`]: paymux_core::adapter::PgAdapter::encode_cash_receipt

use std::time::Instant;

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{
    CancelCashReceiptCall, CashReceiptOutcome, CashReceiptRequest, CashReceiptType, EncodeContext,
    IssueCashReceiptCall, WireRequest,
};
use paymux_core::error::PgError;
use paymux_core::execute;
use paymux_core::money::{Currency, Money, PaymentAmountInput};
use paymux_core::secret::Secret;
use paymux_core::validation::FieldPath;
use serde::Deserialize;
use serde_json::Value;

use crate::channels::ChannelEntry;
use crate::domain::CashReceiptStatus as S;
use crate::error::ApiError;
use crate::flow::settle::not_sent_error;
use crate::state::AppState;
use crate::store;
use crate::store::cash_receipts::CashReceiptRow;
use crate::util;
use crate::views;
use crate::views::cash_receipt::{
    CancelCashReceiptResponse, CashReceipt, IssueCashReceiptResponse,
};

mod settle;

use settle::{issued_of, prior_of, settle};

/// PortOne `IssueCashReceiptBody`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueCashReceiptBody {
    /// storeId (the gateway's when absent).
    pub store_id: Option<String>,
    /// The payment the receipt is for (a paymux payment, or an id of the merchant's own).
    pub payment_id: String,
    /// The channel to issue through.
    pub channel_key: String,
    /// `PERSONAL` / `CORPORATE`.
    #[serde(rename = "type")]
    pub receipt_type: CashReceiptType,
    /// orderName.
    pub order_name: String,
    /// Currency.
    pub currency: Currency,
    /// Amounts.
    pub amount: PaymentAmountInput,
    /// `PHYSICAL` / `DIGITAL`: accepted as PortOne defines it; neither NICE's nor Toss's
    /// receipt call has a field for it.
    #[allow(dead_code)]
    pub product_type: Option<paymux_core::model::ProductType>,
    /// The customer.
    pub customer: IssueCashReceiptCustomerInput,
    /// When the cash was paid.
    pub paid_at: Option<String>,
    /// Welcome Payments only: refused (no adapter), whatever it holds. PortOne's type is a
    /// string.
    #[schema(value_type = Option<String>)]
    pub business_registration_number: Option<Value>,
    /// Welcome Payments only: refused (no adapter), whatever it holds. PortOne's type is
    /// `TRANSFER` / `VIRTUAL_ACCOUNT`.
    #[schema(value_type = Option<CashReceiptPaymentMethod>)]
    pub payment_method: Option<Value>,
}

/// PortOne `IssueCashReceiptCustomerInput`. The identity number is personal data: never
/// stored, logged or echoed ([`Secret`]).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueCashReceiptCustomerInput {
    /// Phone, business registration or cash-receipt card number.
    #[schema(value_type = String)]
    pub identity_number: Secret<String>,
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone number.
    #[schema(value_type = Option<String>)]
    pub phone_number: Option<Secret<String>>,
}

/// PortOne `CashReceiptPaymentMethod` (`IssueCashReceiptBody.paymentMethod`, Welcome
/// Payments only): named by the document, refused by paymux.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(dead_code)] // names the field's schema; the field is refused whatever it holds
pub enum CashReceiptPaymentMethod {
    /// Account transfer.
    Transfer,
    /// Virtual account.
    VirtualAccount,
}

/// The longest `orderName` paymux takes (each PG's own limit is checked by its adapter).
const MAX_ORDER_NAME_CHARS: usize = 256;

fn channel_of<'a>(st: &'a AppState, key: &str) -> Result<&'a ChannelEntry, ApiError> {
    st.channels.get(key).map(AsRef::as_ref).ok_or_else(|| {
        ApiError::not_found(
            "CHANNEL_NOT_FOUND",
            format!("channelKey: no channel `{key}` is configured"),
        )
    })
}

/// The error of a request that could not be sent; a PG without standalone receipts is named.
fn unsent(channel: &ChannelEntry, e: &PgError) -> ApiError {
    match e {
        PgError::Unsupported { .. } => ApiError::invalid(format!(
            "channelKey: channel `{}` is {} ({}), which issues no standalone cash receipts through paymux: {e}",
            channel.ctx.key, channel.descriptor.display_name, channel.descriptor.pg_provider
        )),
        e => not_sent_error(e),
    }
}

/// `*******1234`: what is kept of an identity number.
fn masked_identity(n: &str) -> String {
    let keep = n.len().saturating_sub(4);
    format!("{}{}", "*".repeat(keep), &n[keep..])
}

fn micros(t: Option<DateTime<FixedOffset>>, fallback: i64) -> i64 {
    t.map_or(fallback, |t| t.timestamp_micros())
}

/// Send an encoded receipt call: the configured timeouts (the adapter's recommended read
/// timeout as for payments), the PG-call metrics.
async fn send(
    st: &AppState,
    channel: &ChannelEntry,
    ctx: &EncodeContext<'_>,
    req: &CashReceiptRequest,
    wire: &WireRequest,
) -> Result<CashReceiptOutcome, PgError> {
    let timeouts = st.timeout_layer().timeouts_for(Some(wire));
    let start = Instant::now();
    let r = execute::execute_cash_receipt_prepared(
        channel.adapter.as_ref(),
        st.transport.as_ref(),
        ctx,
        req,
        wire,
        timeouts,
    )
    .await;
    let label = match &r {
        Ok(o) => o.kind_str(),
        Err(e) if e.is_certainly_not_sent() => "not_sent",
        Err(_) => "error",
    };
    if !matches!(&r, Err(e) if e.is_certainly_not_sent()) {
        st.metrics.pg_call(
            &channel.ctx.key,
            channel.descriptor.id,
            req.operation().as_str(),
            label,
            start.elapsed(),
        );
    }
    r
}

fn already(row: &CashReceiptRow, channel: &str) -> ApiError {
    let why = match row.status {
        S::Issuing => format!(
            "an issue of this payment's receipt was sent to channel `{channel}` and its outcome is not known yet (the PG's answer was lost; paymux settles it by the PG's inquiry where the PG has one — see docs/API.md)"
        ),
        S::Cancelled => "this payment's receipt was issued and cancelled".into(),
        _ => "this payment's receipt is issued".into(),
    };
    ApiError::conflict(
        "CASH_RECEIPT_ALREADY_ISSUED",
        format!("paymentId `{}`: {why}", row.payment_id),
    )
}

/// `POST /cash-receipts`.
pub async fn issue(st: &AppState, body: IssueCashReceiptBody) -> Result<Value, ApiError> {
    for (field, given) in [
        (
            "businessRegistrationNumber",
            body.business_registration_number.is_some(),
        ),
        ("paymentMethod", body.payment_method.is_some()),
    ] {
        if given {
            return Err(ApiError::invalid(format!(
                "{field}: PortOne takes it for Welcome Payments only, which paymux has no adapter for"
            )));
        }
    }
    let mut errs = paymux_core::validation::ValidationErrors::default();
    if body.payment_id.trim().is_empty() || body.payment_id.len() > 256 {
        errs.add("paymentId", "must be 1 to 256 bytes");
    }
    if body.order_name.trim().is_empty() || body.order_name.chars().count() > MAX_ORDER_NAME_CHARS {
        errs.add(
            "orderName",
            format!("must be 1 to {MAX_ORDER_NAME_CHARS} characters"),
        );
    }
    let paid_at = match &body.paid_at {
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(t) => Some(t),
            Err(_) => {
                errs.add("paidAt", "must be an RFC 3339 date-time");
                None
            }
        },
        None => None,
    };
    let amount = body.amount.resolve(&FieldPath::root("amount"));
    if let Err(e) = &amount {
        errs.0.extend(e.0.iter().cloned());
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(&errs));
    }
    let amount = amount.map_err(|e| ApiError::validation(&e))?;
    let channel = channel_of(st, &body.channel_key)?;
    let store_id = body.store_id.clone().unwrap_or_else(|| st.store_id.clone());
    if let Some(p) = store::payments::load(&st.db, &body.payment_id).await? {
        if p.store_id != store_id {
            return Err(ApiError::invalid(
                "paymentId: a payment of another store has this id",
            ));
        }
    }
    let identity = body.customer.identity_number.clone();
    let req = CashReceiptRequest::Issue(IssueCashReceiptCall {
        payment_id: body.payment_id.clone(),
        order_name: body.order_name.clone(),
        receipt_type: body.receipt_type,
        currency: body.currency.clone(),
        amount,
        identity_number: identity.clone(),
        customer_name: body.customer.name.clone(),
        customer_email: body.customer.email.clone(),
        customer_phone: body.customer.phone_number.clone(),
        paid_at,
    });
    let ctx = EncodeContext::now(&channel.ctx);
    let wire = execute::prepare_cash_receipt(channel.adapter.as_ref(), &ctx, &req)
        .map_err(|e| unsent(channel, &e))?;

    let now = util::micros(util::now());
    let claim = CashReceiptRow {
        payment_id: body.payment_id.clone(),
        store_id,
        channel_key: channel.ctx.key.clone(),
        channel_json: util::to_json_text(&channel.selected()),
        status: S::Issuing,
        is_manual: true,
        receipt_type: body.receipt_type.as_str().to_string(),
        order_name: body.order_name.clone(),
        currency: body.currency.code().to_string(),
        amount_total: amount.total.get(),
        amount_tax_free: amount.tax_free.get(),
        amount_vat: amount.vat.get(),
        identity_masked: Some(masked_identity(identity.expose())),
        pg_receipt_id: None,
        issue_number: None,
        url: None,
        failure_code: None,
        failure_message: None,
        requested_at: now,
        issued_at: None,
        cancelled_at: None,
        cancelled_amount: None,
        status_updated_at: now,
    };
    if !store::cash_receipts::claim(&st.db, &claim).await? {
        let held = match store::cash_receipts::load(&st.db, &body.payment_id).await? {
            Some(r) => settle(st, r).await?,
            None => {
                return Err(ApiError::conflict(
                    "CASH_RECEIPT_ALREADY_ISSUED",
                    "paymentId: another issue of this receipt is in progress",
                ))
            }
        };
        return Err(already(&held, &held.channel_key));
    }

    let id = body.payment_id.as_str();
    match send(st, channel, &ctx, &req, &wire).await {
        Ok(CashReceiptOutcome::Issued(i)) => {
            store::cash_receipts::mark_issued(
                &st.db,
                id,
                &issued_of(&i, now),
                util::micros(util::now()),
            )
            .await?;
        }
        Ok(CashReceiptOutcome::Declined(d)) => {
            store::cash_receipts::mark_failed(&st.db, id, &d.pg_code, &d.pg_message, now).await?;
            return Err(ApiError::pg_provider(
                format!(
                    "{} refused the cash receipt ({:?})",
                    channel.descriptor.display_name, d.kind
                ),
                &d.pg_code,
                &d.pg_message,
            ));
        }
        Ok(CashReceiptOutcome::Unknown(u)) => {
            tracing::warn!(payment_id = id, reason = %u.reason, "cash-receipt issue outcome unknown");
        }
        Ok(other) => {
            tracing::warn!(
                payment_id = id,
                outcome = other.kind_str(),
                "unexpected answer to an issue"
            );
        }
        Err(e) if e.is_certainly_not_sent() => {
            store::cash_receipts::release(&st.db, id).await?;
            return Err(unsent(channel, &e));
        }
        Err(e) => tracing::warn!(payment_id = id, error = %e, "cash-receipt issue answer unusable"),
    }
    let row = store::cash_receipts::load(&st.db, id)
        .await?
        .ok_or_else(|| ApiError::internal("the claimed receipt vanished"))?;
    let row = settle(st, row).await?;
    match row.status {
        S::Issued => Ok(views::render(&IssueCashReceiptResponse::of(&row))),
        S::IssueFailed => Err(ApiError::pg_provider(
            format!("{} did not issue the cash receipt", channel.descriptor.display_name),
            row.failure_code.as_deref().unwrap_or_default(),
            row.failure_message.as_deref().unwrap_or_default(),
        )),
        _ => Err(ApiError::pg_provider(
            format!(
                "the outcome of the cash-receipt issue at {} is unknown (its answer was lost); the receipt stays pending and is not shown until the PG's inquiry settles it — do not issue it under another paymentId (docs/API.md)",
                channel.descriptor.display_name
            ),
            "PAYMUX_OUTCOME_UNKNOWN",
            "",
        )),
    }
}

async fn load_for(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
) -> Result<Option<CashReceiptRow>, ApiError> {
    let row = store::cash_receipts::load(&st.db, payment_id)
        .await?
        .filter(|r| store_id.map_or(true, |s| s == r.store_id));
    Ok(match row {
        Some(r) => Some(settle(st, r).await?),
        None => None,
    })
}

fn not_found(payment_id: &str) -> ApiError {
    ApiError::not_found(
        "CASH_RECEIPT_NOT_FOUND",
        format!("no cash receipt of paymentId `{payment_id}`"),
    )
}

/// `GET /payments/{paymentId}/cash-receipt`.
pub async fn get(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
) -> Result<Value, ApiError> {
    let row = load_for(st, payment_id, store_id)
        .await?
        .ok_or_else(|| not_found(payment_id))?;
    match CashReceipt::of(&row, &st.merchant_id) {
        Some(v) => Ok(views::render(&v)),
        None => Err(ApiError::not_found(
            "CASH_RECEIPT_NOT_FOUND",
            format!(
                "the cash receipt of paymentId `{payment_id}` is not issued: the PG's answer to its issue was lost and no inquiry has settled it yet (docs/API.md)"
            ),
        )),
    }
}

/// `Payment.cashReceipt` of a payment, when an issued or cancelled receipt exists.
pub async fn of_payment(
    st: &AppState,
    payment_id: &str,
) -> Result<Option<views::cash_receipt::PaymentCashReceipt>, ApiError> {
    let row = store::cash_receipts::load(&st.db, payment_id).await?;
    Ok(row
        .as_ref()
        .and_then(views::cash_receipt::PaymentCashReceipt::of))
}

/// `POST /payments/{paymentId}/cash-receipt/cancel`: the whole receipt.
pub async fn cancel(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
) -> Result<Value, ApiError> {
    let row = load_for(st, payment_id, store_id)
        .await?
        .ok_or_else(|| not_found(payment_id))?;
    let not_issued = |why: &str| {
        ApiError::not_found(
            "CASH_RECEIPT_NOT_ISSUED",
            format!("the cash receipt of paymentId `{payment_id}` {why}"),
        )
    };
    match row.status {
        S::Issued => {}
        S::Cancelled => return Err(not_issued("is already cancelled")),
        S::IssueFailed => return Err(not_issued("was not issued: the PG refused it")),
        S::Issuing => {
            return Err(not_issued(
                "is not issued yet: its issue's outcome is unknown",
            ))
        }
        S::Cancelling => return Err(ApiError::pg_provider(
            "a cancel of this receipt was sent and its outcome is not known yet; try again later",
            "PAYMUX_OUTCOME_UNKNOWN",
            "",
        )),
    }
    let channel = channel_of(st, &row.channel_key)?;
    let req = CashReceiptRequest::Cancel(CancelCashReceiptCall {
        payment_id: payment_id.to_string(),
        reason: "cancelCashReceiptByPaymentId".into(),
        prior: prior_of(&row),
    });
    let ctx = EncodeContext::now(&channel.ctx);
    let wire = execute::prepare_cash_receipt(channel.adapter.as_ref(), &ctx, &req)
        .map_err(|e| unsent(channel, &e))?;
    if !store::cash_receipts::transition(&st.db, payment_id, S::Issued, S::Cancelling).await? {
        return Err(not_issued("changed while being cancelled (another cancel)"));
    }
    let now = util::micros(util::now());
    let result = send(st, channel, &ctx, &req, &wire).await;
    match result {
        Ok(CashReceiptOutcome::Cancelled(c)) => {
            let amount = c.cancelled_amount.map_or(row.amount_total, Money::get);
            let at = micros(c.cancelled_at, now);
            store::cash_receipts::mark_cancelled(
                &st.db,
                payment_id,
                S::Cancelling,
                amount,
                at,
                now,
            )
            .await?;
            return Ok(views::render(&CancelCashReceiptResponse {
                cancelled_amount: amount,
                cancelled_at: util::rfc3339(util::from_micros(at)),
            }));
        }
        Ok(CashReceiptOutcome::Declined(d)) => {
            store::cash_receipts::transition(&st.db, payment_id, S::Cancelling, S::Issued).await?;
            return Err(ApiError::pg_provider(
                format!("{} refused the cancel", channel.descriptor.display_name),
                &d.pg_code,
                &d.pg_message,
            ));
        }
        Err(e) if e.is_certainly_not_sent() => {
            store::cash_receipts::transition(&st.db, payment_id, S::Cancelling, S::Issued).await?;
            return Err(unsent(channel, &e));
        }
        _ => {}
    }
    // The answer was lost: ask the PG.
    let row = store::cash_receipts::load(&st.db, payment_id)
        .await?
        .ok_or_else(|| not_found(payment_id))?;
    let row = settle(st, row).await?;
    match row.status {
        S::Cancelled => Ok(views::render(&CancelCashReceiptResponse {
            cancelled_amount: row.cancelled_amount.unwrap_or(row.amount_total),
            cancelled_at: util::rfc3339(util::from_micros(
                row.cancelled_at.unwrap_or(row.status_updated_at),
            )),
        })),
        _ => Err(ApiError::pg_provider(
            format!(
                "the outcome of the cancel at {} is unknown (its answer was lost); try again later",
                channel.descriptor.display_name
            ),
            "PAYMUX_OUTCOME_UNKNOWN",
            "",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_keep_their_last_four_digits_only() {
        assert_eq!(masked_identity("01012345678"), "*******5678");
        assert_eq!(masked_identity("123"), "123");
    }

    #[test]
    fn bodies_name_the_field_and_never_echo_the_identity() {
        let e = crate::error::parse_body::<IssueCashReceiptBody>(
            br#"{"paymentId":"p","channelKey":"c","type":"PERSONAL","orderName":"o","currency":"KRW",
                "amount":{"total":1000},"customer":{"identityNumber":1012345678}}"#,
        )
        .unwrap_err();
        let m = e.body["message"].as_str().unwrap();
        assert!(m.starts_with("customer.identityNumber"), "{m}");
        assert!(!m.contains("1012345678"), "{m}");
        let e = crate::error::parse_body::<IssueCashReceiptBody>(
            br#"{"paymentId":"p","channelKey":"c","type":"SELF","orderName":"o","currency":"KRW",
                "amount":{"total":1000},"customer":{"identityNumber":"01012345678"}}"#,
        )
        .unwrap_err();
        assert!(
            e.body["message"].as_str().unwrap().starts_with("type"),
            "{}",
            e.body
        );
    }
}
