//! The `payment_schedules` table: `SCHEDULED` → `STARTED` (claimed by one instance) →
//! `SUCCEEDED` / `FAILED` / `PENDING`, or `REVOKED`.

use chrono::{DateTime, Utc};

use super::db::{Backend, Db, Row};
use super::list_query::{self, PageStatements, Sort, Where};
use crate::domain::ScheduleStatus;
use crate::util;

/// A stored schedule.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    /// Schedule id.
    pub id: String,
    /// The payment it makes.
    pub payment_id: String,
    /// The billing key it charges.
    pub billing_key: String,
    /// storeId.
    pub store_id: String,
    /// Status.
    pub status: ScheduleStatus,
    /// When to pay (µs).
    pub time_to_pay: i64,
    /// The `BillingKeyPaymentInput` to charge, as JSON.
    pub payment_json: String,
    /// Created at (µs).
    pub created_at: i64,
    /// Started at (µs).
    pub started_at: Option<i64>,
    /// Completed at (µs).
    pub completed_at: Option<i64>,
    /// Revoked at (µs).
    pub revoked_at: Option<i64>,
}

impl ScheduleRow {
    fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        Ok(ScheduleRow {
            id: r.req_text("id")?,
            payment_id: r.req_text("payment_id")?,
            billing_key: r.req_text("billing_key")?,
            store_id: r.req_text("store_id")?,
            status: r.spelled("status", ScheduleStatus::parse)?,
            time_to_pay: r.req_int("time_to_pay")?,
            payment_json: r.req_text("payment_json")?,
            created_at: r.req_int("created_at")?,
            started_at: r.int("started_at")?,
            completed_at: r.int("completed_at")?,
            revoked_at: r.int("revoked_at")?,
        })
    }
}

/// Whether a `SCHEDULED` schedule holds `payment_id`.
pub async fn holds_payment(db: &Db, payment_id: &str) -> Result<bool, sqlx::Error> {
    Ok(db
        .fetch_optional(
            "SELECT id FROM payment_schedules WHERE payment_id = $1 AND status = 'SCHEDULED'",
            crate::args![payment_id],
        )
        .await?
        .is_some())
}

/// Whether the billing key has schedules still to run (`SCHEDULED` or `STARTED`).
pub async fn pending_for_key(db: &Db, billing_key: &str) -> Result<bool, sqlx::Error> {
    Ok(db
        .fetch_optional(
            "SELECT id FROM payment_schedules WHERE billing_key = $1 AND status IN ('SCHEDULED', 'STARTED')",
            crate::args![billing_key],
        )
        .await?
        .is_some())
}

/// A schedule to create.
#[derive(Debug, Clone)]
pub struct NewSchedule {
    /// Schedule id.
    pub id: String,
    /// The payment it makes.
    pub payment_id: String,
    /// The billing key it charges.
    pub billing_key: String,
    /// storeId.
    pub store_id: String,
    /// When to pay.
    pub time_to_pay: DateTime<Utc>,
    /// The payment to make, as JSON.
    pub payment_json: String,
}

/// Insert a `SCHEDULED` schedule. `Ok(false)` when the payment already has one.
pub async fn insert(db: &Db, s: &NewSchedule, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let r = db
        .execute(
            "INSERT INTO payment_schedules (id, payment_id, billing_key, store_id, status, time_to_pay, payment_json, created_at) \
             VALUES ($1, $2, $3, $4, 'SCHEDULED', $5, $6, $7)",
            crate::args![
                s.id.clone(),
                s.payment_id.clone(),
                s.billing_key.clone(),
                s.store_id.clone(),
                util::micros(s.time_to_pay),
                s.payment_json.clone(),
                util::micros(now)
            ],
        )
        .await;
    match r {
        Ok(_) => Ok(true),
        Err(e) if super::db::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Load a schedule.
pub async fn load(db: &Db, id: &str) -> Result<Option<ScheduleRow>, sqlx::Error> {
    match db
        .fetch_optional(
            "SELECT * FROM payment_schedules WHERE id = $1",
            crate::args![id],
        )
        .await?
    {
        Some(r) => Ok(Some(ScheduleRow::from_row(&r)?)),
        None => Ok(None),
    }
}

/// Why a revocation was refused by what the store holds.
#[derive(Debug, Clone)]
pub enum RevokeRefusal {
    /// No schedule has this id.
    NoSchedule(String),
    /// The schedule is not of the billing key named with it.
    NotOfKey(String),
    /// No billing key has this id.
    NoBillingKey(String),
    /// The schedule started while it was being revoked.
    StartedMeanwhile(String),
}

/// Why nothing was revoked.
#[derive(Debug)]
pub enum RevokeError<E> {
    /// What the store holds refuses it.
    Refused(RevokeRefusal),
    /// The caller's check refused it.
    Check(E),
    /// Storage failed.
    Db(sqlx::Error),
}

impl<E> From<sqlx::Error> for RevokeError<E> {
    fn from(e: sqlx::Error) -> Self {
        RevokeError::Db(e)
    }
}

/// Revoke the schedules `ids` and every `SCHEDULED` one of `billing_key`, all or nothing:
/// `check` sees every target first and may refuse; a refusal writes nothing.
pub async fn revoke<E>(
    db: &Db,
    ids: &[String],
    billing_key: Option<&str>,
    now: DateTime<Utc>,
    check: impl FnOnce(&[ScheduleRow]) -> Result<(), E>,
) -> Result<Vec<ScheduleRow>, RevokeError<E>> {
    let refuse = |r: RevokeRefusal| Err(RevokeError::Refused(r));
    let nu = util::micros(now);
    let mut tx = db.begin().await?;
    let mut targets: Vec<ScheduleRow> = Vec::new();
    for id in ids {
        let Some(r) = tx
            .fetch_optional(
                "SELECT * FROM payment_schedules WHERE id = $1",
                crate::args![id],
            )
            .await?
        else {
            return refuse(RevokeRefusal::NoSchedule(id.clone()));
        };
        let s = ScheduleRow::from_row(&r)?;
        if billing_key.is_some_and(|k| k != s.billing_key) {
            return refuse(RevokeRefusal::NotOfKey(id.clone()));
        }
        targets.push(s);
    }
    if let Some(k) = billing_key {
        let exists = tx
            .fetch_optional(
                "SELECT billing_key FROM billing_keys WHERE billing_key = $1",
                crate::args![k],
            )
            .await?;
        if exists.is_none() {
            return refuse(RevokeRefusal::NoBillingKey(k.to_string()));
        }
        let rows = tx
            .fetch_all(
                "SELECT * FROM payment_schedules WHERE billing_key = $1 AND status = 'SCHEDULED'",
                crate::args![k],
            )
            .await?;
        for r in rows {
            let s = ScheduleRow::from_row(&r)?;
            if !targets.iter().any(|t| t.id == s.id) {
                targets.push(s);
            }
        }
    }
    check(&targets).map_err(RevokeError::Check)?;
    for s in &targets {
        let n = tx
            .execute(
                "UPDATE payment_schedules SET status = 'REVOKED', revoked_at = $2 WHERE id = $1 AND status = 'SCHEDULED'",
                crate::args![s.id.clone(), nu],
            )
            .await?;
        if n != 1 {
            // The worker started it meanwhile: nothing is revoked (the transaction rolls back).
            return refuse(RevokeRefusal::StartedMeanwhile(s.id.clone()));
        }
    }
    tx.commit().await?;
    Ok(targets)
}

/// Claim up to 16 due schedules for `instance_id` (`SCHEDULED` → `STARTED`); several
/// instances never claim one twice.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    instance_id: &str,
) -> Result<Vec<ScheduleRow>, sqlx::Error> {
    let sql = match db.backend() {
        Backend::Postgres => {
            "UPDATE payment_schedules SET status = 'STARTED', started_at = $1, claimed_by = $2 \
             WHERE id IN (SELECT id FROM payment_schedules WHERE status = 'SCHEDULED' AND time_to_pay <= $1 \
                          ORDER BY time_to_pay LIMIT 16 FOR UPDATE SKIP LOCKED) \
             RETURNING *"
        }
        Backend::Sqlite => {
            "UPDATE payment_schedules SET status = 'STARTED', started_at = $1, claimed_by = $2 \
             WHERE status = 'SCHEDULED' AND time_to_pay <= $1 AND id IN \
                   (SELECT id FROM payment_schedules WHERE status = 'SCHEDULED' AND time_to_pay <= $1 \
                    ORDER BY time_to_pay LIMIT 16) \
             RETURNING *"
        }
    };
    let rows = db
        .fetch_all(sql, crate::args![util::micros(now), instance_id])
        .await?;
    rows.iter().map(ScheduleRow::from_row).collect()
}

/// A schedule `STARTED` at `started_at` (µs).
pub struct Started {
    /// Schedule id.
    pub id: String,
    /// Its payment.
    pub payment_id: String,
    /// When it was claimed (µs).
    pub started_at: i64,
}

/// Up to 64 schedules `STARTED` no later than `cutoff`.
pub async fn started_before(db: &Db, cutoff: DateTime<Utc>) -> Result<Vec<Started>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT id, payment_id, started_at FROM payment_schedules WHERE status = 'STARTED' AND started_at <= $1 LIMIT 64",
            crate::args![util::micros(cutoff)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Started {
                id: r.req_text("id")?,
                payment_id: r.req_text("payment_id")?,
                started_at: r.req_int("started_at")?,
            })
        })
        .collect()
}

/// Give an abandoned `STARTED` schedule back (`SCHEDULED`), if it is still the claim seen.
pub async fn unclaim(db: &Db, s: &Started) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute(
            "UPDATE payment_schedules SET status = 'SCHEDULED', started_at = NULL, claimed_by = NULL \
             WHERE id = $1 AND status = 'STARTED' AND started_at = $2",
            crate::args![s.id.clone(), s.started_at],
        )
        .await?
        == 1)
}

/// A `STARTED` schedule ends with `status`.
pub async fn finish(
    db: &Db,
    id: &str,
    status: ScheduleStatus,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let completed = status.is_final().then(|| util::micros(now));
    db.execute(
        "UPDATE payment_schedules SET status = $2, completed_at = COALESCE(completed_at, $3) WHERE id = $1 AND status = 'STARTED'",
        crate::args![id, status.as_str(), completed],
    )
    .await?;
    Ok(())
}

/// Which time a schedule list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleSort {
    /// When it was created.
    CreatedAt,
    /// When it is to be paid.
    TimeToPay,
    /// When it completed.
    CompletedAt,
}

/// What `GET /payment-schedules` asks for.
#[derive(Debug, Clone)]
pub struct ScheduleFilter {
    /// Only this store.
    pub store_id: Option<String>,
    /// Only this billing key.
    pub billing_key: Option<String>,
    /// Time to pay from (µs, inclusive).
    pub from: Option<i64>,
    /// Time to pay until (µs, exclusive).
    pub until: Option<i64>,
    /// Any of these statuses (empty: any).
    pub statuses: Vec<ScheduleStatus>,
    /// Only schedules whose billing key was issued on one of these channels (`None`: any).
    pub channel_keys: Option<Vec<String>>,
    /// Sort by.
    pub sort: ScheduleSort,
    /// Newest first.
    pub descending: bool,
}

/// The statements of a page of schedules matching `f`.
pub(crate) fn page_statements(f: &ScheduleFilter, limit: i64, offset: i64) -> PageStatements {
    let mut w = Where::default();
    if let Some(s) = &f.store_id {
        w.eq("store_id", s.as_str());
    }
    if let Some(k) = &f.billing_key {
        w.eq("billing_key", k.as_str());
    }
    w.range("time_to_pay", f.from, f.until);
    if !f.statuses.is_empty() {
        let statuses: Vec<String> = f.statuses.iter().map(|s| s.as_str().to_string()).collect();
        w.any_of("status", &statuses);
    }
    w.issued_on(f.channel_keys.as_deref());
    let sort = Sort {
        column: match f.sort {
            ScheduleSort::CreatedAt => "created_at",
            ScheduleSort::TimeToPay => "time_to_pay",
            ScheduleSort::CompletedAt => "completed_at",
        },
        tiebreak: "id",
        descending: f.descending,
    };
    list_query::page_statements("payment_schedules", "*", w, sort, limit, offset)
}

/// One page of schedules matching `f`, and how many match in all.
pub async fn search(
    db: &Db,
    f: &ScheduleFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ScheduleRow>, i64), sqlx::Error> {
    let (rows, total) = list_query::run(db, page_statements(f, limit, offset)).await?;
    let rows = rows
        .iter()
        .map(ScheduleRow::from_row)
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}
