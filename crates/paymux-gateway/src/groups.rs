//! Channel groups, stored in the database (so every instance sees one configuration) as
//! [`GroupSchedule`]s: the configuration in force plus changes scheduled with `effectiveAt`.

use paymux_core::adapter::{InstantPaymentCall, Operation, PgRequest};
use paymux_core::model::{InstantPaymentInput, Validate};
use paymux_core::validation::ValidationErrors;
use paymux_routing::{ChannelGroup, GroupSchedule, GroupUpdate};
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::AppState;
use crate::store;
use crate::util;

/// The group's schedule and its version (`updated_at`, for optimistic concurrency).
pub async fn load(st: &AppState, id: &str) -> Result<Option<(GroupSchedule, i64)>, sqlx::Error> {
    store::groups::load(&st.db, id).await
}

/// The configuration in force now, if the group exists.
pub async fn current(st: &AppState, id: &str) -> Result<Option<ChannelGroup>, sqlx::Error> {
    Ok(load(st, id)
        .await?
        .map(|(s, _)| s.config_at(util::now()).clone()))
}

/// The admin view of a group (the schema `ChannelGroup`): the configuration in force plus
/// the changes still pending.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChannelGroup)]
pub struct GroupView {
    /// The configuration in force now.
    #[serde(flatten)]
    pub config: ChannelGroup,
    /// The changes scheduled with `effectiveAt`, in time order.
    pub scheduled_changes: Vec<ScheduledGroup>,
}

/// A pending change of a group: the configuration and the hour it takes effect.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ScheduledChannelGroup)]
pub struct ScheduledGroup {
    /// The configuration from then on.
    #[serde(flatten)]
    pub config: ChannelGroup,
    /// When it takes effect (RFC 3339, a whole hour).
    pub effective_at: String,
}

/// `GET /channel-groups`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ChannelGroupList)]
pub struct GroupList {
    /// Every group.
    pub items: Vec<GroupView>,
}

/// `DELETE /channel-groups/{id}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChannelGroupDeleted)]
pub struct GroupDeleted {
    /// The group.
    pub id: String,
    /// When (RFC 3339).
    pub deleted_at: String,
}

/// The body of `POST /channel-groups/{id}/explain`: a `paymentId` and the fields of an
/// `InstantPaymentInput`. [`explain`] reads `paymentId` first (the channel is drawn from it)
/// and the rest as the instant-payment call reads its body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // the body is read field by field (see `explain`); this names its shape
pub struct ExplainRoutingBody {
    /// The payment id the channel would be drawn for.
    pub payment_id: String,
    /// The payment.
    #[serde(flatten)]
    pub payment: InstantPaymentInput,
}

/// The admin view of a group: the configuration in force plus pending changes.
pub fn view(schedule: &GroupSchedule) -> Value {
    crate::views::render(&view_at(schedule, util::now()))
}

/// [`GroupView`] of a group as of `now`.
pub fn view_at(schedule: &GroupSchedule, now: chrono::DateTime<chrono::Utc>) -> GroupView {
    GroupView {
        config: schedule.config_at(now).clone(),
        scheduled_changes: schedule
            .pending()
            .iter()
            .filter(|c| c.effective_at > now)
            .map(|c| ScheduledGroup {
                config: c.group.clone(),
                effective_at: util::rfc3339(c.effective_at),
            })
            .collect(),
    }
}

/// Every group.
pub async fn list(st: &AppState) -> Result<Vec<GroupSchedule>, sqlx::Error> {
    store::groups::list(&st.db).await
}

/// Create or change a group (`PUT /channel-groups/{id}`). Returns the stored schedule.
pub async fn put(st: &AppState, id: &str, body: &Value) -> Result<GroupSchedule, ApiError> {
    let mut body = body.clone();
    if let Value::Object(m) = &mut body {
        match m.get("id") {
            None | Some(Value::Null) => {
                m.insert("id".into(), json!(id));
            }
            Some(Value::String(s)) if s == id => {}
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "id: must equal the id in the path (`{id}`)"
                )))
            }
        }
    }
    let update = GroupUpdate::from_json(&body).map_err(|e| ApiError::validation(&e))?;
    save(st, update).await
}

/// Why a group change was not saved.
#[derive(Debug)]
pub enum SaveError {
    /// The change breaks the group rules (each with its field path), as the routing crate
    /// checks them.
    Invalid(ValidationErrors),
    /// Anything else (storage, a concurrent change).
    Other(ApiError),
}

impl From<SaveError> for ApiError {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::Invalid(errs) => ApiError::validation(&errs),
            SaveError::Other(e) => e,
        }
    }
}

impl From<sqlx::Error> for SaveError {
    fn from(e: sqlx::Error) -> Self {
        SaveError::Other(e.into())
    }
}

/// Create or change a group from a parsed update.
pub async fn save(st: &AppState, update: GroupUpdate) -> Result<GroupSchedule, ApiError> {
    save_checked(st, update).await.map_err(ApiError::from)
}

/// [`save`], keeping the broken rules apart (the console words them for people).
pub async fn save_checked(st: &AppState, update: GroupUpdate) -> Result<GroupSchedule, SaveError> {
    let id = update.group.id.clone();
    let now = util::now();
    for _ in 0..3 {
        match load(st, &id).await? {
            None => {
                let schedule = GroupSchedule::create(update.clone(), &st.channels)
                    .map_err(SaveError::Invalid)?;
                if store::groups::insert(&st.db, &schedule, now).await? {
                    crate::stats::log_warnings(st, schedule.config_at(now)).await;
                    return Ok(schedule);
                }
            }
            Some((mut schedule, version)) => {
                schedule
                    .apply(update.clone(), &st.channels, now)
                    .map_err(SaveError::Invalid)?;
                let new_version = util::micros(now).max(version + 1);
                if store::groups::update(&st.db, &schedule, version, new_version).await? {
                    crate::stats::log_warnings(st, schedule.config_at(now)).await;
                    return Ok(schedule);
                }
            }
        }
    }
    Err(SaveError::Other(concurrent_change(&id)))
}

fn concurrent_change(id: &str) -> ApiError {
    ApiError::conflict(
        "CHANNEL_GROUP_CONFLICT",
        format!("channel group `{id}` was changed concurrently; retry"),
    )
}

/// Drop the change scheduled for `effective_at` (PortOne console: a pending change can be
/// cancelled before its hour). `false` when the group has no such pending change.
pub async fn cancel_scheduled(
    st: &AppState,
    id: &str,
    effective_at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, ApiError> {
    let now = util::now();
    for _ in 0..3 {
        let Some((mut schedule, version)) = load(st, id).await? else {
            return Ok(false);
        };
        if effective_at <= now || schedule.cancel_pending(effective_at).is_none() {
            return Ok(false);
        }
        let new_version = util::micros(now).max(version + 1);
        if store::groups::update(&st.db, &schedule, version, new_version).await? {
            return Ok(true);
        }
    }
    Err(concurrent_change(id))
}

/// Delete a group. `false` when it did not exist.
pub async fn delete(st: &AppState, id: &str) -> Result<bool, sqlx::Error> {
    store::groups::delete(&st.db, id).await
}

/// Apply the configuration file's groups at start: each replaces the stored one (the file is
/// declarative); groups created through the admin API stay as they are.
pub async fn apply_config_groups(st: &AppState, groups: &[Value]) -> anyhow::Result<()> {
    for (i, g) in groups.iter().enumerate() {
        let update =
            GroupUpdate::from_json(g).map_err(|e| anyhow::anyhow!("channel_groups[{i}]: {e}"))?;
        if update.effective_at.is_some() {
            anyhow::bail!("channel_groups[{i}].effectiveAt: not allowed in the configuration file");
        }
        let schedule = GroupSchedule::create(update, &st.channels)
            .map_err(|e| anyhow::anyhow!("channel_groups[{i}]: {e}"))?;
        store::groups::upsert(&st.db, &schedule, util::now()).await?;
    }
    Ok(())
}

/// `POST /channel-groups/{id}/explain`: which channel the group's configuration in force now
/// would give this payment, and why; nothing is recorded or sent. The body is the instant
/// payment's body plus `paymentId` (the draw is a function of it); selection is the payment's
/// own (rule-aware, health as the group asks).
pub async fn explain(
    st: &AppState,
    id: &str,
    mut body: Value,
) -> Result<paymux_routing::Explanation, ApiError> {
    let payment_id = match body.as_object_mut().map(|m| m.remove("paymentId")) {
        Some(Some(Value::String(p))) if !p.trim().is_empty() => p,
        Some(None) => {
            return Err(ApiError::invalid(
                "paymentId: is required (the channel is drawn from it)",
            ))
        }
        Some(Some(_)) => return Err(ApiError::invalid("paymentId: must be a non-empty string")),
        None => return Err(ApiError::invalid("body: must be a JSON object")),
    };
    // Read as the payment call reads its body: the same field-path errors.
    let input: InstantPaymentInput = crate::error::parse_body(body.to_string().as_bytes())?;
    input.validated().map_err(|e| ApiError::validation(&e))?;
    let group = current(st, id).await?.ok_or_else(|| {
        ApiError::not_found(
            "CHANNEL_GROUP_NOT_FOUND",
            format!("no channel group `{id}`"),
        )
    })?;
    let req = PgRequest::Instant(InstantPaymentCall {
        payment_id: payment_id.clone(),
        body: input,
    });
    Ok(paymux_routing::explain(
        &group,
        &payment_id,
        Operation::PaymentInstant,
        req.method(),
        &st.channels,
        Some(&st.health),
        |key| st.rules_verdict(key, &req),
    ))
}
