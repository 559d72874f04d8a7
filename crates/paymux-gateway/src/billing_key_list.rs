//! Listing billing keys: `GET /billing-keys` (PortOne `getBillingKeyInfos`:
//! `BillingKeyFilterInput`, sort, page with `totalCount`). Channel filters (`pgProviders`,
//! `pgCompanies`) select keys by the channels they were issued on; `platformType` by where the
//! key was issued from (`API`, or the browser window on a PC or a mobile browser).

use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::list::{self, PageInput, SortOrder, VersionInput};
use crate::state::AppState;
use crate::store;
use crate::store::billing_key_search::{KeyFilter, KeyText, KeyTime};
use crate::views;

/// PortOne `GetBillingKeyInfosBody`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetBillingKeyInfosBody {
    /// Which page.
    pub page: Option<PageInput>,
    /// Sort.
    pub sort: Option<SortInput>,
    /// Which keys.
    pub filter: Option<FilterInput>,
}

/// PortOne `BillingKeySortInput`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BillingKeySortInput)]
pub struct SortInput {
    /// Sort by (default `REQUESTED_AT`).
    pub by: Option<TimeField>,
    /// Order (default `DESC`).
    pub order: Option<SortOrder>,
}

/// PortOne `BillingKeySortBy` / `BillingKeyTimeRangeField`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = BillingKeySortBy)]
pub enum TimeField {
    /// `REQUESTED_AT`.
    RequestedAt,
    /// `ISSUED_AT`.
    IssuedAt,
    /// `DELETED_AT`.
    DeletedAt,
    /// `STATUS_TIMESTAMP`.
    StatusTimestamp,
}

impl TimeField {
    fn time(self) -> KeyTime {
        match self {
            TimeField::RequestedAt => KeyTime::Requested,
            TimeField::IssuedAt => KeyTime::Issued,
            TimeField::DeletedAt => KeyTime::Deleted,
            TimeField::StatusTimestamp => KeyTime::Status,
        }
    }
}

/// PortOne `BillingKeyStatus`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = BillingKeyStatus)]
pub enum StatusInput {
    /// `ISSUED`.
    Issued,
    /// `DELETED`.
    Deleted,
}

/// PortOne `BillingKeyPaymentMethodType`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = BillingKeyPaymentMethodType)]
pub enum MethodInput {
    /// `CARD`.
    Card,
    /// `MOBILE`.
    Mobile,
    /// `EASY_PAY`.
    EasyPay,
    /// `TRANSFER`.
    Transfer,
}

/// PortOne `BillingKeyTextSearch`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BillingKeyTextSearch)]
pub struct TextSearch {
    /// `BillingKeyTextSearchField`.
    pub field: String,
    /// What to look for.
    pub value: String,
}

/// PortOne `BillingKeyFilterInput`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BillingKeyFilterInput)]
pub struct FilterInput {
    /// storeId.
    pub store_id: Option<String>,
    /// Which time `from`/`until` apply to (default `REQUESTED_AT`).
    pub time_range_field: Option<TimeField>,
    /// From (inclusive).
    pub from: Option<String>,
    /// Until (exclusive).
    pub until: Option<String>,
    /// Statuses.
    pub status: Option<Vec<StatusInput>>,
    /// Channel groups.
    pub channel_group_ids: Option<Vec<String>>,
    /// The customer's id.
    pub customer_id: Option<String>,
    /// Where the key was issued from (PortOne `PaymentClientType`; read as text so that any
    /// wrong value, of any JSON type, is named).
    #[schema(value_type = Option<crate::domain::PlatformType>)]
    pub platform_type: Option<String>,
    /// Text search.
    pub text_search: Option<TextSearch>,
    /// PG providers (PortOne `PgProvider`).
    pub pg_providers: Option<Vec<String>>,
    /// PG companies (PortOne `PgCompany`): of the channels' adapters.
    pub pg_companies: Option<Vec<String>>,
    /// Methods.
    pub methods: Option<Vec<MethodInput>>,
    /// V1 / V2.
    pub version: Option<VersionInput>,
}

fn text_of(t: &TextSearch) -> Result<KeyText, ApiError> {
    const PATH: &str = "filter.textSearch.value";
    let v = list::search_value(PATH, &t.value)?;
    Ok(match t.field.as_str() {
        "BILLING_KEY" => KeyText::BillingKey(v),
        "CUSTOMER_NAME" => KeyText::CustomerName(v),
        "CUSTOMER_EMAIL" => KeyText::CustomerEmail(v),
        "CUSTOMER_PHONE_NUMBER" => KeyText::CustomerPhone(v),
        "CARD_NUMBER" => KeyText::CardLast4(list::card_last4(PATH, v)?),
        "CARD_BIN" | "PG_MERCHANT_ID" | "CUSTOMER_ADDRESS" | "CUSTOMER_ZIPCODE" | "USER_AGENT"
        | "CHANNEL_GROUP_NAME" => {
            return Err(ApiError::invalid(format!(
            "filter.textSearch.field: paymux does not search billing keys by {} (see docs/API.md)",
            t.field
        )))
        }
        _ => {
            return Err(ApiError::invalid(
                "filter.textSearch.field: not a BillingKeyTextSearchField",
            ))
        }
    })
}

/// `GET /billing-keys`.
pub async fn list(st: &AppState, body: GetBillingKeyInfosBody) -> Result<Value, ApiError> {
    let (number, size) = list::page_of(body.page)?;
    let f = body.filter.unwrap_or_default();
    let (from, until) = list::filter_range(f.from.as_deref(), f.until.as_deref())?;
    let text = f.text_search.as_ref().map(text_of).transpose()?;
    let sort = body.sort.unwrap_or_default();
    // paymux issues card billing keys only.
    let no_card = f
        .methods
        .as_ref()
        .is_some_and(|ms| !ms.contains(&MethodInput::Card));
    let channel_keys = f
        .pg_providers
        .as_ref()
        .map(|ps| list::channel_keys(st, |c| ps.contains(&c.selected().pg_provider)));
    let platform_type = list::platform_type(f.platform_type.as_deref())?;
    let company_channel_keys = f
        .pg_companies
        .as_deref()
        .map(|cs| list::company_channel_keys(st, cs))
        .transpose()?;
    let filter = KeyFilter {
        store_id: f.store_id,
        range_on: f
            .time_range_field
            .map_or(KeyTime::Requested, TimeField::time),
        from,
        until,
        statuses: f
            .status
            .unwrap_or_default()
            .into_iter()
            .map(|s| match s {
                StatusInput::Issued => "ISSUED".to_string(),
                StatusInput::Deleted => "DELETED".to_string(),
            })
            .collect(),
        channel_group_ids: f.channel_group_ids.unwrap_or_default(),
        customer_id: f.customer_id,
        channel_keys,
        company_channel_keys,
        platform_type,
        text,
        sort: sort.by.map_or(KeyTime::Requested, TimeField::time),
        descending: list::descending(sort.order),
        nothing: no_card || matches!(f.version, Some(VersionInput::V1)),
    };
    let (keys, total) =
        store::billing_key_search::search(&st.db, &filter, size, number * size).await?;
    let mut items = Vec::with_capacity(keys.len());
    for k in keys {
        if let Some(row) = store::billing_keys::load(&st.db, &k).await? {
            items.push(views::billing_key::BillingKeyInfo::of(
                &row,
                &st.merchant_id,
            ));
        }
    }
    Ok(list::page_answer::<views::list::GetBillingKeyInfosResponse>(items, number, size, total))
}
