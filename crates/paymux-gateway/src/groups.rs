//! Channel groups, stored in the database (so every instance sees one configuration) as
//! [`GroupSchedule`]s: the configuration in force plus changes scheduled with `effectiveAt`.

use paymux_core::validation::ValidationErrors;
use paymux_routing::{ChannelGroup, GroupSchedule, GroupUpdate};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::AppState;
use crate::util;

/// The group's schedule and its version (`updated_at`, for optimistic concurrency).
pub async fn load(st: &AppState, id: &str) -> Result<Option<(GroupSchedule, i64)>, sqlx::Error> {
    let Some(row) = st
        .db
        .fetch_optional(
            "SELECT schedule_json, updated_at FROM channel_groups WHERE id = $1",
            crate::args![id],
        )
        .await?
    else {
        return Ok(None);
    };
    let text = row.req_text("schedule_json")?;
    let version = row.req_int("updated_at")?;
    match serde_json::from_str::<GroupSchedule>(&text) {
        Ok(s) => Ok(Some((s, version))),
        Err(e) => {
            tracing::error!(group = id, error = %e, "stored channel group is unreadable");
            Ok(None)
        }
    }
}

/// The configuration in force now, if the group exists.
pub async fn current(st: &AppState, id: &str) -> Result<Option<ChannelGroup>, sqlx::Error> {
    Ok(load(st, id)
        .await?
        .map(|(s, _)| s.config_at(util::now()).clone()))
}

/// The admin view of a group: the configuration in force plus pending changes.
pub fn view(schedule: &GroupSchedule) -> Value {
    let now = util::now();
    let mut v = serde_json::to_value(schedule.config_at(now)).unwrap_or_else(|_| json!({}));
    let pending: Vec<Value> = schedule
        .pending()
        .iter()
        .filter(|c| c.effective_at > now)
        .map(|c| {
            let mut p = serde_json::to_value(&c.group).unwrap_or_else(|_| json!({}));
            p["effectiveAt"] = json!(util::rfc3339(c.effective_at));
            p
        })
        .collect();
    if let Value::Object(m) = &mut v {
        m.insert("scheduledChanges".into(), Value::Array(pending));
    }
    v
}

/// Every group.
pub async fn list(st: &AppState) -> Result<Vec<GroupSchedule>, sqlx::Error> {
    let rows = st
        .db
        .fetch_all(
            "SELECT schedule_json FROM channel_groups ORDER BY id",
            vec![],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.req_text("schedule_json").ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect())
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

/// Create or change a group from a parsed update.
pub async fn save(st: &AppState, update: GroupUpdate) -> Result<GroupSchedule, ApiError> {
    let id = update.group.id.clone();
    let now = util::now();
    for _ in 0..3 {
        match load(st, &id).await? {
            None => {
                let schedule = GroupSchedule::create(update.clone(), &st.channels)
                    .map_err(|e| ApiError::validation(&e))?;
                let text = serde_json::to_string(&schedule)
                    .map_err(|_| ApiError::internal("serialize group"))?;
                let n = st
                    .db
                    .execute(
                        "INSERT INTO channel_groups (id, schedule_json, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                        crate::args![id.clone(), text, util::micros(now)],
                    )
                    .await?;
                if n == 1 {
                    return Ok(schedule);
                }
            }
            Some((mut schedule, version)) => {
                schedule
                    .apply(update.clone(), &st.channels, now)
                    .map_err(|e: ValidationErrors| ApiError::validation(&e))?;
                let text = serde_json::to_string(&schedule)
                    .map_err(|_| ApiError::internal("serialize group"))?;
                let new_version = util::micros(now).max(version + 1);
                let n = st
                    .db
                    .execute(
                        "UPDATE channel_groups SET schedule_json = $2, updated_at = $3 WHERE id = $1 AND updated_at = $4",
                        crate::args![id.clone(), text, new_version, version],
                    )
                    .await?;
                if n == 1 {
                    return Ok(schedule);
                }
            }
        }
    }
    Err(ApiError::conflict(
        "CHANNEL_GROUP_CONFLICT",
        format!("channel group `{id}` was changed concurrently; retry"),
    ))
}

/// Delete a group. `false` when it did not exist.
pub async fn delete(st: &AppState, id: &str) -> Result<bool, sqlx::Error> {
    Ok(st
        .db
        .execute("DELETE FROM channel_groups WHERE id = $1", crate::args![id])
        .await?
        == 1)
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
        let text = serde_json::to_string(&schedule)?;
        let now = util::micros(util::now());
        st.db
            .execute(
                "INSERT INTO channel_groups (id, schedule_json, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET schedule_json = excluded.schedule_json, updated_at = excluded.updated_at",
                crate::args![schedule.id().to_string(), text, now],
            )
            .await?;
    }
    Ok(())
}
