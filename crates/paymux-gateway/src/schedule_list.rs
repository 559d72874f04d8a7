//! Listing payment schedules: `GET /payment-schedules` (PortOne `getPaymentSchedules`:
//! `PaymentScheduleFilterInput`, sort, page with `totalCount`).

use paymux_routing::report::ChannelType;
use serde::Deserialize;
use serde_json::Value;

use crate::domain::ScheduleStatus;
use crate::error::ApiError;
use crate::list::{self, PageInput, SortOrder};
use crate::state::AppState;
use crate::store;
use crate::store::schedules::{ScheduleFilter, ScheduleSort};
use crate::views;

/// PortOne `GetPaymentSchedulesBody`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetPaymentSchedulesBody {
    /// Which page.
    pub page: Option<PageInput>,
    /// Sort.
    pub sort: Option<SortInput>,
    /// Which schedules.
    pub filter: Option<FilterInput>,
}

/// PortOne `PaymentScheduleSortInput`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = PaymentScheduleSortInput)]
pub struct SortInput {
    /// Sort by (default `TIME_TO_PAY`).
    pub by: Option<SortBy>,
    /// Order (default `DESC`).
    pub order: Option<SortOrder>,
}

/// PortOne `PaymentScheduleSortBy`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = PaymentScheduleSortBy)]
pub enum SortBy {
    /// `CREATED_AT`.
    CreatedAt,
    /// `TIME_TO_PAY`.
    TimeToPay,
    /// `COMPLETED_AT`.
    CompletedAt,
}

/// PortOne `PaymentScheduleStatus`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = PaymentScheduleStatus)]
pub enum StatusInput {
    /// `SCHEDULED`.
    Scheduled,
    /// `STARTED`.
    Started,
    /// `SUCCEEDED`.
    Succeeded,
    /// `FAILED`.
    Failed,
    /// `REVOKED`.
    Revoked,
    /// `PENDING`.
    Pending,
}

/// PortOne `PaymentScheduleFilterInput`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = PaymentScheduleFilterInput)]
pub struct FilterInput {
    /// storeId.
    pub store_id: Option<String>,
    /// billingKey.
    pub billing_key: Option<String>,
    /// Time to pay from (inclusive).
    pub from: Option<String>,
    /// Time to pay until (exclusive).
    pub until: Option<String>,
    /// Statuses.
    pub status: Option<Vec<StatusInput>>,
    /// Charged through test channels.
    pub is_for_test: Option<bool>,
}

/// `GET /payment-schedules`.
pub async fn list(st: &AppState, body: GetPaymentSchedulesBody) -> Result<Value, ApiError> {
    let (number, size) = list::page_of(body.page)?;
    let f = body.filter.unwrap_or_default();
    let sort = body.sort.unwrap_or_default();
    let (from, until) = list::filter_range(f.from.as_deref(), f.until.as_deref())?;
    let statuses = f
        .status
        .unwrap_or_default()
        .into_iter()
        .map(|s| match s {
            StatusInput::Scheduled => ScheduleStatus::Scheduled,
            StatusInput::Started => ScheduleStatus::Started,
            StatusInput::Succeeded => ScheduleStatus::Succeeded,
            StatusInput::Failed => ScheduleStatus::Failed,
            StatusInput::Revoked => ScheduleStatus::Revoked,
            StatusInput::Pending => ScheduleStatus::Pending,
        })
        .collect();
    // Test or live is a property of the channels the schedule's billing key was issued on.
    let channel_keys = f.is_for_test.map(|test| {
        list::channel_keys(st, |c| {
            test == matches!(c.selected().kind, ChannelType::Test)
        })
    });
    let filter = ScheduleFilter {
        store_id: f.store_id,
        billing_key: f.billing_key,
        from,
        until,
        statuses,
        channel_keys,
        sort: match sort.by {
            None | Some(SortBy::TimeToPay) => ScheduleSort::TimeToPay,
            Some(SortBy::CreatedAt) => ScheduleSort::CreatedAt,
            Some(SortBy::CompletedAt) => ScheduleSort::CompletedAt,
        },
        descending: list::descending(sort.order),
    };
    let (rows, total) = store::schedules::search(&st.db, &filter, size, number * size).await?;
    let items = rows
        .iter()
        .filter_map(|s| views::schedule::PaymentSchedule::of(s, &st.merchant_id))
        .collect();
    Ok(list::page_answer::<views::list::GetPaymentSchedulesResponse>(items, number, size, total))
}
