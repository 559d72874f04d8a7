//! Listing cash receipts: `GET /cash-receipts` (PortOne `getCashReceipts`: `{page, sort,
//! filter}` with `totalCount`, as [`crate::payment_list`]). Receipts whose issue is still
//! unsettled have no PortOne status and are not listed.

use serde::Deserialize;
use serde_json::Value;

use crate::domain::CashReceiptStatus as S;
use crate::error::ApiError;
use crate::list::{self, page_of, time_of, PageInput, SortOrder, VersionInput};
use crate::state::AppState;
use crate::store;
use crate::store::cash_receipts::{ReceiptFilter, TimeField};
use crate::util;
use crate::views;
use crate::views::cash_receipt::CashReceipt;

/// PortOne `GetCashReceiptsBody`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetCashReceiptsBody {
    /// Which page.
    pub page: Option<PageInput>,
    /// Order.
    pub sort: Option<CashReceiptSortInput>,
    /// Which receipts.
    pub filter: Option<CashReceiptFilterInput>,
}

/// PortOne `CashReceiptSortInput`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CashReceiptSortInput {
    /// `ISSUED_AT` (default), `CANCELLED_AT`, `STATUS_UPDATED_AT`.
    pub by: Option<TimeInput>,
    /// `DESC` (default) or `ASC`.
    pub order: Option<SortOrder>,
}

/// PortOne `CashReceiptTimeRangeField` / `CashReceiptSortBy`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(clippy::enum_variant_names)] // PortOne's spellings
#[schema(as = CashReceiptSortBy)]
pub enum TimeInput {
    /// Issued at.
    IssuedAt,
    /// Cancelled at.
    CancelledAt,
    /// Status updated at.
    StatusUpdatedAt,
}

impl From<TimeInput> for TimeField {
    fn from(t: TimeInput) -> TimeField {
        match t {
            TimeInput::IssuedAt => TimeField::IssuedAt,
            TimeInput::CancelledAt => TimeField::CancelledAt,
            TimeInput::StatusUpdatedAt => TimeField::StatusUpdatedAt,
        }
    }
}

/// PortOne `CashReceiptStatus` (the filter's spelling).
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = CashReceiptStatus)]
pub enum StatusInput {
    /// Issued.
    Issued,
    /// Cancelled.
    Cancelled,
    /// The issue failed.
    Failed,
}

/// PortOne `CashReceiptFilterInput`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CashReceiptFilterInput {
    /// storeId.
    pub store_id: Option<String>,
    /// Which time `from`/`until` apply to.
    pub time_range_field: Option<TimeInput>,
    /// From (inclusive; default: 90 days before `until`).
    pub from: Option<String>,
    /// Until (exclusive; default: now).
    pub until: Option<String>,
    /// paymentId.
    pub payment_id: Option<String>,
    /// Made through a test channel.
    pub is_test: Option<bool>,
    /// orderName contains.
    pub order_name: Option<String>,
    /// Statuses.
    pub statuses: Option<Vec<StatusInput>>,
    /// Issued by `POST /cash-receipts`.
    pub is_manual: Option<bool>,
    /// The PG's receipt id.
    pub pg_receipt_id: Option<String>,
    /// The channel's merchant id at the PG.
    pub pg_merchant_id: Option<String>,
    /// PortOne `PgProvider`s.
    pub pg_providers: Option<Vec<String>>,
    /// PortOne `PgCompany`s: of the channel's adapter.
    pub pg_companies: Option<Vec<String>>,
    /// V1 / V2.
    pub version: Option<VersionInput>,
}

fn bounded(field: &str, v: Option<String>) -> Result<Option<String>, ApiError> {
    match v {
        Some(s) if s.is_empty() || s.chars().count() > 256 => Err(ApiError::invalid(format!(
            "{field}: must be 1 to 256 characters"
        ))),
        other => Ok(other),
    }
}

/// `GET /cash-receipts`.
pub async fn list(st: &AppState, body: GetCashReceiptsBody) -> Result<Value, ApiError> {
    let (number, size) = page_of(body.page)?;
    let f = body.filter.unwrap_or_default();
    let sort = body.sort.unwrap_or_default();
    let until =
        time_of("filter.until", f.until.as_deref())?.unwrap_or_else(|| util::micros(util::now()));
    let from =
        time_of("filter.from", f.from.as_deref())?.unwrap_or(until - 90 * 24 * 3600 * 1_000_000);
    if from > until {
        return Err(ApiError::invalid(
            "filter.until: must not be before filter.from",
        ));
    }
    let mut statuses = Vec::new();
    for s in f.statuses.unwrap_or_default() {
        match s {
            StatusInput::Issued => statuses.extend([S::Issued, S::Cancelling]),
            StatusInput::Cancelled => statuses.push(S::Cancelled),
            StatusInput::Failed => statuses.push(S::IssueFailed),
        }
    }
    let companies = f
        .pg_companies
        .as_deref()
        .map(|cs| list::company_channel_keys(st, cs))
        .transpose()?;
    let channel_keys = (f.pg_providers.is_some()
        || f.is_test.is_some()
        || f.pg_merchant_id.is_some()
        || companies.is_some())
    .then(|| {
        st.channels
            .iter()
            .filter(|c| {
                let sel = c.selected();
                f.pg_providers
                    .as_ref()
                    .map_or(true, |ps| ps.contains(&sel.pg_provider))
                    && f.is_test.map_or(true, |t| {
                        t == matches!(sel.kind, paymux_routing::report::ChannelType::Test)
                    })
                    && f.pg_merchant_id
                        .as_ref()
                        .map_or(true, |m| *m == sel.pg_merchant_id)
                    && companies
                        .as_ref()
                        .map_or(true, |ks| ks.contains(&c.ctx.key))
            })
            .map(|c| c.ctx.key.clone())
            .collect()
    });
    let filter = ReceiptFilter {
        store_id: bounded("filter.storeId", f.store_id)?,
        range_on: f.time_range_field.map_or(TimeField::IssuedAt, Into::into),
        from,
        until,
        payment_id: bounded("filter.paymentId", f.payment_id)?,
        order_name: bounded("filter.orderName", f.order_name)?,
        statuses,
        is_manual: f.is_manual,
        pg_receipt_id: bounded("filter.pgReceiptId", f.pg_receipt_id)?,
        channel_keys,
        sort_by: sort.by.map_or(TimeField::IssuedAt, Into::into),
        descending: !matches!(sort.order, Some(SortOrder::Asc)),
        nothing: matches!(f.version, Some(VersionInput::V1)),
    };
    let (rows, total) = store::cash_receipts::search(&st.db, &filter, size, number * size).await?;
    let items = rows
        .iter()
        .filter_map(|r| CashReceipt::of(r, &st.merchant_id))
        .collect();
    Ok(crate::list::page_answer::<
        views::list::GetCashReceiptsResponse,
    >(items, number, size, total))
}
