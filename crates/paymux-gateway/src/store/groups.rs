//! The `channel_groups` table: each group's schedule (the configuration in force plus changes
//! scheduled with `effectiveAt`), versioned by `updated_at` for optimistic concurrency.

use chrono::{DateTime, Utc};
use paymux_routing::GroupSchedule;

use super::db::Db;
use crate::util;

/// The group's schedule and its version (`None` also when the stored text is unreadable,
/// which is logged).
pub async fn load(db: &Db, id: &str) -> Result<Option<(GroupSchedule, i64)>, sqlx::Error> {
    let Some(row) = db
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

/// Every readable group, by id.
pub async fn list(db: &Db) -> Result<Vec<GroupSchedule>, sqlx::Error> {
    let rows = db
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

fn text(schedule: &GroupSchedule) -> Result<String, sqlx::Error> {
    serde_json::to_string(schedule).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// Insert a new group. `false` when one with its id exists.
pub async fn insert(
    db: &Db,
    schedule: &GroupSchedule,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute(
            "INSERT INTO channel_groups (id, schedule_json, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            crate::args![schedule.id().to_string(), text(schedule)?, util::micros(now)],
        )
        .await?
        == 1)
}

/// Replace a group at `version` with a newer version. `false` when someone changed it since.
pub async fn update(
    db: &Db,
    schedule: &GroupSchedule,
    version: i64,
    new_version: i64,
) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute(
            "UPDATE channel_groups SET schedule_json = $2, updated_at = $3 WHERE id = $1 AND updated_at = $4",
            crate::args![schedule.id().to_string(), text(schedule)?, new_version, version],
        )
        .await?
        == 1)
}

/// Insert or replace a group (the configuration file's groups at start).
pub async fn upsert(
    db: &Db,
    schedule: &GroupSchedule,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    db.execute(
        "INSERT INTO channel_groups (id, schedule_json, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET schedule_json = excluded.schedule_json, updated_at = excluded.updated_at",
        crate::args![schedule.id().to_string(), text(schedule)?, util::micros(now)],
    )
    .await?;
    Ok(())
}

/// Delete a group. `false` when it did not exist.
pub async fn delete(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute("DELETE FROM channel_groups WHERE id = $1", crate::args![id])
        .await?
        == 1)
}
