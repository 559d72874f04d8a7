//! What PortOne's page-based lists share (`GET /payments`, `GET /billing-keys`,
//! `GET /payment-schedules`, `GET /cash-receipts`): `PageInput`, the sort order, time ranges,
//! refusing filters paymux keeps no data for, text-search values, the channels a channel
//! property or PG company selects, and the `{items, page}` answer. Each list keeps its own filter and the order in which it
//! checks its fields.

use chrono::DateTime;
use paymux_core::adapter::PG_COMPANIES;
use serde::Deserialize;
use serde_json::Value;

use crate::channels::ChannelEntry;
use crate::domain::PlatformType;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views;

/// Largest page (`page.size`, cursor `size`).
pub const MAX_PAGE_SIZE: i64 = 1000;
/// Default page size (PortOne's).
pub const DEFAULT_PAGE_SIZE: i64 = 10;
/// Deepest offset a page may ask for (`number × size`).
const MAX_OFFSET: i64 = 10_000_000;

/// PortOne `PageInput`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageInput {
    /// Page number from 0.
    pub number: Option<i64>,
    /// Items per page.
    pub size: Option<i64>,
}

/// PortOne `SortOrder`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SortOrder {
    /// Newest first (the default).
    Desc,
    /// Oldest first.
    Asc,
}

/// Newest first unless `ASC` was asked for.
pub fn descending(order: Option<SortOrder>) -> bool {
    !matches!(order, Some(SortOrder::Asc))
}

/// PortOne `PortOneVersion`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[schema(as = PortOneVersion)]
pub enum VersionInput {
    /// V1 (paymux has none).
    V1,
    /// V2.
    V2,
}

/// An RFC 3339 time as microseconds; `field` names it in the error.
pub(crate) fn time_of(field: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(v) = v else { return Ok(None) };
    DateTime::parse_from_rfc3339(v)
        .map(|t| Some(t.timestamp_micros()))
        .map_err(|_| ApiError::invalid(format!("{field}: must be an RFC 3339 date-time")))
}

/// A filter's `from` and `until` (`filter.from`, `filter.until`), `until` not before `from`.
pub(crate) fn filter_range(
    from: Option<&str>,
    until: Option<&str>,
) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let from = time_of("filter.from", from)?;
    let until = time_of("filter.until", until)?;
    if let (Some(a), Some(b)) = (from, until) {
        if a > b {
            return Err(ApiError::invalid(
                "filter.until: must not be before filter.from",
            ));
        }
    }
    Ok((from, until))
}

/// `filter.platformType` (PortOne `PaymentClientType`), read as text so that any wrong value
/// is named.
pub(crate) fn platform_type(v: Option<&str>) -> Result<Option<PlatformType>, ApiError> {
    v.map(|p| {
        PlatformType::parse(p).ok_or_else(|| {
            ApiError::invalid("filter.platformType: must be SDK_MOBILE, SDK_PC or API")
        })
    })
    .transpose()
}

/// A page size (default 10), 1 to [`MAX_PAGE_SIZE`]; `field` names it in the error.
pub(crate) fn size_of(field: &str, v: Option<i64>) -> Result<i64, ApiError> {
    match v.unwrap_or(DEFAULT_PAGE_SIZE) {
        s @ 1..=MAX_PAGE_SIZE => Ok(s),
        _ => Err(ApiError::invalid(format!(
            "{field}: must be between 1 and {MAX_PAGE_SIZE}"
        ))),
    }
}

/// `(number, size)` of a PortOne `PageInput` (defaults 0 and 10), within the limits.
pub(crate) fn page_of(page: Option<PageInput>) -> Result<(i64, i64), ApiError> {
    let page = page.unwrap_or_default();
    let size = size_of("page.size", page.size)?;
    let number = page.number.unwrap_or(0);
    if number < 0 || number.saturating_mul(size) > MAX_OFFSET {
        return Err(ApiError::invalid(format!(
            "page.number: must be from 0, and number × size at most {MAX_OFFSET}"
        )));
    }
    Ok((number, size))
}

/// Refuse the first filter given (`(name, given)`) that paymux keeps no data for: ignoring it
/// would answer the wrong items.
pub(crate) fn refuse_unkept(filters: &[(&str, bool)]) -> Result<(), ApiError> {
    match filters.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(ApiError::invalid(format!(
            "filter.{name}: paymux keeps no data for this filter (see docs/API.md)"
        ))),
        None => Ok(()),
    }
}

/// A text-search value, trimmed: 1 to 256 characters (`path` names it in the error).
pub(crate) fn search_value(path: &str, value: &str) -> Result<String, ApiError> {
    let v = value.trim().to_string();
    if v.is_empty() || v.chars().count() > 256 {
        return Err(ApiError::invalid(format!(
            "{path}: must be 1 to 256 characters"
        )));
    }
    Ok(v)
}

/// A `CARD_NUMBER` search value: the card number's last four digits.
pub(crate) fn card_last4(path: &str, v: String) -> Result<String, ApiError> {
    if v.len() != 4 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(format!(
            "{path}: CARD_NUMBER searches by the card number's last four digits"
        )));
    }
    Ok(v)
}

/// The keys of the channels with a property (PG provider, test or live): what a filter on
/// that property of a payment or billing key compares with.
pub(crate) fn channel_keys(st: &AppState, has: impl Fn(&ChannelEntry) -> bool) -> Vec<String> {
    st.channels
        .iter()
        .filter(|c| has(c))
        .map(|c| c.ctx.key.clone())
        .collect()
}

/// The keys of the channels whose adapter is one of PortOne's `PgCompany`s in `companies`
/// (`filter.pgCompanies`). Each value must be a `PgCompany` (`filter.pgCompanies[i]` names the
/// first that is not); a company no channel's adapter is matches no channel.
pub(crate) fn company_channel_keys(
    st: &AppState,
    companies: &[String],
) -> Result<Vec<String>, ApiError> {
    if let Some(i) = companies
        .iter()
        .position(|c| !PG_COMPANIES.contains(&c.as_str()))
    {
        return Err(ApiError::invalid(format!(
            "filter.pgCompanies[{i}]: must be a PortOne PgCompany value (such as NICE, KSNET, TOSSPAYMENTS)"
        )));
    }
    Ok(channel_keys(st, |c| {
        companies.iter().any(|co| co == c.descriptor.pg_company)
    }))
}

/// PortOne's page answer: `{items, page: {number, size, totalCount}}`.
pub(crate) fn page_answer<A: views::list::PageAnswer>(
    items: Vec<A::Item>,
    number: i64,
    size: i64,
    total: i64,
) -> Value {
    views::render(&A::new(
        items,
        views::list::PageInfo {
            number,
            size,
            total_count: total,
        },
    ))
}
