//! Listing payments: `GET /payments` (PortOne `getPayments`: `PaymentFilterInput`, sort, page
//! with `totalCount`) and `GET /payments-by-cursor` (`getAllPaymentsByCursor`: every payment
//! created in a range, oldest first, with an opaque cursor per item).
//!
//! Filters paymux has no data for (escrow, cash receipts, card brand …) are refused naming the
//! field, never silently ignored: a merchant asking for them would get a wrong answer.

use base64::Engine as _;
use paymux_routing::report::ChannelType;
use serde::Deserialize;
use serde_json::Value;

use crate::domain::{PaymentStatus, PortOneCashReceiptStatus, WebhookOutcome};
use crate::error::ApiError;
use crate::list::{self, PageInput, SortOrder, VersionInput};
use crate::state::AppState;
use crate::store;
use crate::store::payment_search::{CashReceiptFilter, PaymentFilter, TextTerm, TimeColumn};
use crate::store::payments::PaymentRow;
use crate::views;
use crate::views::payment::Payment;

/// PortOne `GetPaymentsBody`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetPaymentsBody {
    /// Which page.
    pub page: Option<PageInput>,
    /// Which payments.
    pub filter: Option<PaymentFilterInput>,
}

/// PortOne `PaymentStatus` (the filter's spelling: `PENDING` is a pending payment).
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = PaymentStatusInput)]
pub enum StatusInput {
    /// `READY`.
    Ready,
    /// `PENDING`.
    Pending,
    /// `VIRTUAL_ACCOUNT_ISSUED`.
    VirtualAccountIssued,
    /// `PAID`.
    Paid,
    /// `FAILED`.
    Failed,
    /// `PARTIAL_CANCELLED`.
    PartialCancelled,
    /// `CANCELLED`.
    Cancelled,
}

/// PortOne `PaymentMethodType`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = PaymentMethodType)]
pub enum MethodTypeInput {
    /// `CARD`.
    Card,
    /// `TRANSFER`.
    Transfer,
    /// `VIRTUAL_ACCOUNT`.
    VirtualAccount,
    /// `GIFT_CERTIFICATE`.
    GiftCertificate,
    /// `MOBILE`.
    Mobile,
    /// `EASY_PAY`.
    EasyPay,
    /// `CONVENIENCE_STORE`.
    ConvenienceStore,
}

/// PortOne `PaymentTimestampType` and `PaymentSortBy` (the same two times).
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(clippy::enum_variant_names)] // PortOne's spellings
#[schema(as = PaymentTimestampType)]
pub enum TimeInput {
    /// `CREATED_AT` (timestampType).
    CreatedAt,
    /// `REQUESTED_AT` (sortBy).
    RequestedAt,
    /// `STATUS_CHANGED_AT`.
    StatusChangedAt,
}

/// PortOne `PaymentTextSearch`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PaymentTextSearch)]
pub struct TextSearch {
    /// `PaymentTextSearchField`.
    pub field: String,
    /// What to look for.
    pub value: String,
}

/// PortOne `PaymentFilterInput`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentFilterInput {
    /// merchantId.
    pub merchant_id: Option<String>,
    /// storeId.
    pub store_id: Option<String>,
    /// Which time `from`/`until` apply to.
    pub timestamp_type: Option<TimeInput>,
    /// From (inclusive).
    pub from: Option<String>,
    /// Until (exclusive).
    pub until: Option<String>,
    /// Statuses.
    pub status: Option<Vec<StatusInput>>,
    /// Method types.
    pub methods: Option<Vec<MethodTypeInput>>,
    /// PG providers (PortOne `PgProvider`).
    pub pg_provider: Option<Vec<String>>,
    /// Made through a test channel.
    pub is_test: Option<bool>,
    /// Made by a schedule.
    pub is_scheduled: Option<bool>,
    /// Sort by.
    pub sort_by: Option<TimeInput>,
    /// Sort order.
    pub sort_order: Option<SortOrder>,
    /// V1 / V2.
    pub version: Option<VersionInput>,
    /// Currency.
    pub currency: Option<String>,
    /// Text search terms (all must match).
    pub text_search: Option<Vec<TextSearch>>,
    /// PortOne `PaymentWebhookStatus`: one of the payment's webhook deliveries went so (read
    /// as text so that any wrong value, of any JSON type, is named).
    #[schema(value_type = Option<crate::domain::WebhookOutcome>)]
    pub webhook_status: Option<String>,
    /// PortOne `PaymentClientType` (read as text, as above).
    #[schema(value_type = Option<crate::domain::PlatformType>)]
    pub platform_type: Option<String>,
    /// An escrow payment, or not.
    pub is_escrow: Option<bool>,
    /// PortOne `PaymentFilterInputEscrowStatus`.
    pub escrow_status: Option<String>,
    /// Not kept by paymux (refused).
    pub card_brand: Option<Value>,
    /// Not kept by paymux (refused).
    pub card_type: Option<Value>,
    /// Not kept by paymux (refused).
    pub card_owner_type: Option<Value>,
    /// Not kept by paymux (refused).
    pub gift_certificate_type: Option<Value>,
    /// PortOne `CashReceiptInputType` of the payment's cash receipt.
    pub cash_receipt_type: Option<String>,
    /// PortOne `PaymentCashReceiptStatus` of the payment's cash receipt.
    pub cash_receipt_status: Option<String>,
    /// When the payment's cash receipt was issued.
    pub cash_receipt_issued_at_range: Option<DateTimeRange>,
    /// When the payment's cash receipt was cancelled.
    pub cash_receipt_cancelled_at_range: Option<DateTimeRange>,
}

/// PortOne `PaymentFilterInputEscrowStatus`: the states after a delivery is registered (an
/// escrow payment before that is `BEFORE_REGISTERED`, which the filter does not name).
const ESCROW_STATUSES: &[&str] = &[
    "REGISTERED",
    "DELIVERED",
    "CONFIRMED",
    "REJECTED",
    "CANCELLED",
    "REJECT_CONFIRMED",
];

/// PortOne `DateTimeRange`: `[from, until)`, both required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DateTimeRange {
    /// From (inclusive), RFC 3339.
    pub from: String,
    /// Until (exclusive), RFC 3339.
    pub until: String,
}

impl DateTimeRange {
    /// As microseconds; `path` names the filter in errors.
    fn micros(&self, path: &str) -> Result<(i64, i64), ApiError> {
        let from = list::time_of(&format!("{path}.from"), Some(&self.from))?.unwrap_or_default();
        let until = list::time_of(&format!("{path}.until"), Some(&self.until))?.unwrap_or_default();
        if from > until {
            return Err(ApiError::invalid(format!(
                "{path}.until: must not be before {path}.from"
            )));
        }
        Ok((from, until))
    }
}

/// The `cashReceipt*` filters, when any is given.
fn cash_receipt_filter(f: &PaymentFilterInput) -> Result<Option<CashReceiptFilter>, ApiError> {
    let receipt_type = match f.cash_receipt_type.as_deref() {
        None => None,
        Some(t @ ("PERSONAL" | "CORPORATE")) => Some(t.to_string()),
        // paymux keeps a receipt only when one was issued: "not issued" is not a kept type.
        Some("NO_RECEIPT") => {
            return Err(ApiError::invalid(
                "filter.cashReceiptType: paymux keeps issued receipts only (PERSONAL or CORPORATE); NO_RECEIPT is not kept (see docs/API.md)",
            ))
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "filter.cashReceiptType: must be PERSONAL, CORPORATE or NO_RECEIPT",
            ))
        }
    };
    let status = match f.cash_receipt_status.as_deref() {
        None => None,
        Some(s) => Some(
            PortOneCashReceiptStatus::parse(s)
                .filter(|s| *s != PortOneCashReceiptStatus::IssueFailed)
                .ok_or_else(|| {
                    ApiError::invalid("filter.cashReceiptStatus: must be ISSUED or CANCELLED")
                })?,
        ),
    };
    let issued = f
        .cash_receipt_issued_at_range
        .as_ref()
        .map(|r| r.micros("filter.cashReceiptIssuedAtRange"))
        .transpose()?;
    let cancelled = f
        .cash_receipt_cancelled_at_range
        .as_ref()
        .map(|r| r.micros("filter.cashReceiptCancelledAtRange"))
        .transpose()?;
    let any = receipt_type.is_some() || status.is_some() || issued.is_some() || cancelled.is_some();
    Ok(any.then_some(CashReceiptFilter {
        receipt_type,
        status,
        issued,
        cancelled,
    }))
}

/// PortOne `GetAllPaymentsByCursorBody`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetAllPaymentsByCursorBody {
    /// storeId.
    pub store_id: Option<String>,
    /// Created from (inclusive).
    pub from: Option<String>,
    /// Created until (exclusive).
    pub until: Option<String>,
    /// The `cursor` of the last item already seen.
    pub cursor: Option<String>,
    /// How many.
    pub size: Option<i64>,
}

fn text_term(i: usize, t: &TextSearch) -> Result<TextTerm, ApiError> {
    let path = format!("filter.textSearch[{i}].value");
    let v = list::search_value(&path, &t.value)?;
    Ok(match t.field.as_str() {
        "ALL" => TextTerm::Any(v),
        "PAYMENT_ID" => TextTerm::PaymentId(v),
        "TX_ID" => TextTerm::TransactionId(v),
        "PG_TX_ID" => TextTerm::PgTxId(v),
        "SCHEDULE_ID" => TextTerm::ScheduleId(v),
        "BILLING_KEY" => TextTerm::BillingKey(v),
        "ORDER_NAME" => TextTerm::OrderName(v),
        "CUSTOMER_NAME" => TextTerm::CustomerName(v),
        "CUSTOMER_EMAIL" => TextTerm::CustomerEmail(v),
        "CUSTOMER_PHONE_NUMBER" => TextTerm::CustomerPhone(v),
        "CARD_NUMBER" => TextTerm::CardLast4(list::card_last4(&path, v)?),
        "FAIL_REASON"
        | "CARD_ISSUER"
        | "CARD_ACQUIRER"
        | "CARD_BIN"
        | "CARD_APPROVAL_NUMBER"
        | "CARD_RECEIPT_NAME"
        | "CARD_INSTALLMENT"
        | "TRANS_BANK"
        | "VIRTUAL_ACCOUNT_HOLDER_NAME"
        | "VIRTUAL_ACCOUNT_BANK"
        | "VIRTUAL_ACCOUNT_NUMBER"
        | "PG_MERCHANT_ID"
        | "PG_RECEIPT_ID"
        | "RECEIPT_APPROVAL_NUMBER"
        | "PG_CANCELLATION_ID"
        | "CANCEL_REASON"
        | "CUSTOMER_ADDRESS"
        | "CUSTOMER_ZIPCODE"
        | "USER_AGENT"
        | "PROMOTION_ID"
        | "GIFT_CERTIFICATION_APPROVAL_NUMBER" => {
            return Err(ApiError::invalid(format!(
                "filter.textSearch[{i}].field: paymux does not search by {} (see docs/API.md)",
                t.field
            )))
        }
        _ => {
            return Err(ApiError::invalid(format!(
                "filter.textSearch[{i}].field: not a PaymentTextSearchField"
            )))
        }
    })
}

/// How far back a range without `from` reaches: PortOne's 90 days before `until`.
const DEFAULT_RANGE_US: i64 = 90 * 24 * 3600 * 1_000_000;

/// PortOne's defaults for `PaymentFilterInput.from`/`until`: `until` absent is now, `from`
/// absent is 90 days before `until`. A `from` after now with no `until` is an empty range, not
/// an error (the caller did not write an `until` to be wrong about).
fn default_range((from, until): (Option<i64>, Option<i64>)) -> (Option<i64>, Option<i64>) {
    let until = until.unwrap_or_else(|| {
        let now = crate::util::now().timestamp_micros();
        from.map_or(now, |f| f.max(now))
    });
    let from = from.unwrap_or(until.saturating_sub(DEFAULT_RANGE_US));
    (Some(from), Some(until))
}

/// The store filter for a `PaymentFilterInput`.
fn filter_of(st: &AppState, f: PaymentFilterInput) -> Result<PaymentFilter, ApiError> {
    list::refuse_unkept(&[
        ("cardBrand", f.card_brand.is_some()),
        ("cardType", f.card_type.is_some()),
        ("cardOwnerType", f.card_owner_type.is_some()),
        ("giftCertificateType", f.gift_certificate_type.is_some()),
    ])?;
    let cash_receipt = cash_receipt_filter(&f)?;
    if let Some(e) = &f.escrow_status {
        if !ESCROW_STATUSES.contains(&e.as_str()) {
            return Err(ApiError::invalid(format!(
                "filter.escrowStatus: must be one of {}",
                ESCROW_STATUSES.join(", ")
            )));
        }
    }
    let platform_type = list::platform_type(f.platform_type.as_deref())?;
    let webhook_status = f
        .webhook_status
        .as_deref()
        .map(|w| {
            WebhookOutcome::parse(w).ok_or_else(|| {
                ApiError::invalid(
                    "filter.webhookStatus: must be SUCCEEDED, FAILED_NOT_OK_RESPONSE or FAILED_UNEXPECTED_ERROR",
                )
            })
        })
        .transpose()?;
    let range_on = match f.timestamp_type {
        None | Some(TimeInput::CreatedAt) => TimeColumn::Requested,
        Some(TimeInput::StatusChangedAt) => TimeColumn::StatusChanged,
        Some(TimeInput::RequestedAt) => {
            return Err(ApiError::invalid(
                "filter.timestampType: must be CREATED_AT or STATUS_CHANGED_AT",
            ))
        }
    };
    let sort_by = match f.sort_by {
        None | Some(TimeInput::RequestedAt) => TimeColumn::Requested,
        Some(TimeInput::StatusChangedAt) => TimeColumn::StatusChanged,
        Some(TimeInput::CreatedAt) => {
            return Err(ApiError::invalid(
                "filter.sortBy: must be REQUESTED_AT or STATUS_CHANGED_AT",
            ))
        }
    };
    let (from, until) = default_range(list::filter_range(f.from.as_deref(), f.until.as_deref())?);
    if let Some(c) = &f.currency {
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ApiError::invalid(
                "filter.currency: must be a three-letter ISO 4217 code (KRW, USD …)",
            ));
        }
    }
    let statuses = f
        .status
        .unwrap_or_default()
        .into_iter()
        .map(|s| match s {
            StatusInput::Ready => PaymentStatus::Ready,
            StatusInput::Pending => PaymentStatus::PayPending,
            StatusInput::VirtualAccountIssued => PaymentStatus::VirtualAccountIssued,
            StatusInput::Paid => PaymentStatus::Paid,
            StatusInput::Failed => PaymentStatus::Failed,
            StatusInput::PartialCancelled => PaymentStatus::PartialCancelled,
            StatusInput::Cancelled => PaymentStatus::Cancelled,
        })
        .collect();
    let method_types = f
        .methods
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            match m {
                MethodTypeInput::Card => "CARD",
                MethodTypeInput::Transfer => "TRANSFER",
                MethodTypeInput::VirtualAccount => "VIRTUAL_ACCOUNT",
                MethodTypeInput::GiftCertificate => "GIFT_CERTIFICATE",
                MethodTypeInput::Mobile => "MOBILE",
                MethodTypeInput::EasyPay => "EASY_PAY",
                MethodTypeInput::ConvenienceStore => "CONVENIENCE_STORE",
            }
            .to_string()
        })
        .collect();
    // PG provider and test/live are properties of the channel: the channels that have them.
    let channel_keys = (f.pg_provider.is_some() || f.is_test.is_some()).then(|| {
        list::channel_keys(st, |c| {
            let sel = c.selected();
            let provider_ok = f
                .pg_provider
                .as_ref()
                .map_or(true, |ps| ps.contains(&sel.pg_provider));
            let test_ok = f
                .is_test
                .map_or(true, |t| t == matches!(sel.kind, ChannelType::Test));
            provider_ok && test_ok
        })
    });
    let text = f
        .text_search
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, t)| text_term(i, t))
        .collect::<Result<Vec<_>, _>>()?;
    if text.len() > 16 {
        return Err(ApiError::invalid("filter.textSearch: at most 16 terms"));
    }
    let nothing = f.merchant_id.as_ref().is_some_and(|m| *m != st.merchant_id)
        || matches!(f.version, Some(VersionInput::V1));
    Ok(PaymentFilter {
        store_id: f.store_id,
        range_on,
        from,
        until,
        statuses,
        method_types,
        channel_keys,
        scheduled: f.is_scheduled,
        currency: f.currency,
        text,
        platform_type,
        escrow: f.is_escrow,
        escrow_status: f.escrow_status,
        cash_receipt,
        webhook_status,
        sort_by,
        descending: list::descending(f.sort_order),
        nothing,
    })
}

/// Render stored payments as PortOne `Payment`s (their cancellations loaded in one query).
async fn render_all(st: &AppState, rows: &[PaymentRow]) -> Result<Vec<Payment>, ApiError> {
    let ids: Vec<&str> = rows.iter().map(|p| p.id.as_str()).collect();
    let cancels = store::cancellations::list_for(&st.db, &ids).await?;
    Ok(rows
        .iter()
        .map(|p| {
            let mine: Vec<_> = cancels
                .iter()
                .filter(|c| c.payment_id == p.id)
                .cloned()
                .collect();
            Payment::of(p, &mine, &st.merchant_id)
        })
        .collect())
}

/// `GET /payments`.
pub async fn list(st: &AppState, body: GetPaymentsBody) -> Result<Value, ApiError> {
    let (number, size) = list::page_of(body.page)?;
    let filter = filter_of(st, body.filter.unwrap_or_default())?;
    let (rows, total) = store::payment_search::search(&st.db, &filter, size, number * size).await?;
    let items = render_all(st, &rows).await?;
    Ok(list::page_answer::<views::list::GetPaymentsResponse>(
        items, number, size, total,
    ))
}

/// A cursor: where a payment sits in creation order (opaque to callers).
fn cursor_of(p: &PaymentRow) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}.{}", p.requested_at, p.id))
}

fn parse_cursor(c: &str) -> Option<(i64, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (t, id) = text.split_once('.')?;
    Some((t.parse().ok()?, id.to_string()))
}

/// `GET /payments-by-cursor`: payments created in `[from, until)` (PortOne's defaults: until
/// now, from 90 days earlier), oldest first.
pub async fn by_cursor(st: &AppState, body: GetAllPaymentsByCursorBody) -> Result<Value, ApiError> {
    let size = list::size_of("size", body.size)?;
    // PortOne's defaults: until now, from 90 days before until.
    let until = list::time_of("until", body.until.as_deref())?
        .unwrap_or_else(|| crate::util::now().timestamp_micros());
    let from = list::time_of("from", body.from.as_deref())?
        .unwrap_or(until.saturating_sub(DEFAULT_RANGE_US));
    if from > until {
        return Err(ApiError::invalid("until: must not be before from"));
    }
    let after = match &body.cursor {
        Some(c) => Some(parse_cursor(c).ok_or_else(|| {
            ApiError::invalid("cursor: not a cursor this API answered (use an item's `cursor`)")
        })?),
        None => None,
    };
    let rows = store::payment_search::after(
        &st.db,
        body.store_id.as_deref(),
        Some(from),
        Some(until),
        after,
        size,
    )
    .await?;
    let payments = render_all(st, &rows).await?;
    let items = rows
        .iter()
        .zip(payments)
        .map(|(p, payment)| views::list::PaymentWithCursor {
            payment,
            cursor: cursor_of(p),
        })
        .collect();
    Ok(views::render(
        &views::list::GetAllPaymentsByCursorResponse { items },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_bounds_take_portones_defaults() {
        let day = 24 * 3600 * 1_000_000;
        // Both given: as given.
        assert_eq!(default_range((Some(5), Some(9))), (Some(5), Some(9)));
        // `until` alone: `from` 90 days before it.
        assert_eq!(
            default_range((None, Some(100 * day))),
            (Some(10 * day), Some(100 * day))
        );
        // Neither: the 90 days up to now.
        let before = crate::util::now().timestamp_micros();
        let (from, until) = default_range((None, None));
        let (from, until) = (from.unwrap(), until.unwrap());
        assert!(until >= before && until - from == 90 * day);
        // `from` alone: until now; a future `from` is an empty range, not an error.
        let (f, u) = default_range((Some(0), None));
        assert!(f == Some(0) && u.unwrap() >= before);
        let future = before + 10 * day;
        assert_eq!(
            default_range((Some(future), None)),
            (Some(future), Some(future))
        );
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("1700000000000000.pay-1.x");
        assert_eq!(
            parse_cursor(&c),
            Some((1_700_000_000_000_000, "pay-1.x".to_string()))
        );
        assert_eq!(parse_cursor("%%%"), None);
        assert_eq!(parse_cursor(""), None);
        let no_time = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("abc.def");
        assert_eq!(parse_cursor(&no_time), None);
    }
}
