//! The `billing_keys` table and each key's channels (`billing_key_channels`: the PG's own key
//! per channel, a PG token, never card data).

use chrono::{DateTime, Utc};

use super::db::{Db, Tx};
use super::outbox::{self, Event};
use crate::domain::{BillingKeyStatus, PlatformType};
use crate::util;

/// A channel of a billing key.
#[derive(Debug, Clone)]
pub struct KeyChannel {
    /// Channel key.
    pub channel_key: String,
    /// `ISSUED` / `FAILED` / `DELETED`.
    pub status: BillingKeyStatus,
    /// `SelectedChannel` JSON.
    pub channel_json: String,
    /// The PG's key.
    pub pg_billing_key: Option<String>,
    /// PG TID of the issue.
    pub pg_tx_id: Option<String>,
    /// Failure JSON (`FAILED`).
    pub failure_json: Option<String>,
}

/// A stored billing key.
#[derive(Debug, Clone)]
pub struct KeyRow {
    /// The gateway's billing key.
    pub billing_key: String,
    /// storeId.
    pub store_id: String,
    /// Status.
    pub status: BillingKeyStatus,
    /// Group it was issued through.
    pub channel_group_id: Option<String>,
    /// Group summary JSON.
    pub channel_group_json: Option<String>,
    /// Customer JSON.
    pub customer_json: Option<String>,
    /// customData.
    pub custom_data: Option<String>,
    /// Masked method JSON.
    pub method_json: Option<String>,
    /// noticeUrls JSON.
    pub notice_urls_json: Option<String>,
    /// Requested at.
    pub requested_at: i64,
    /// Issued at.
    pub issued_at: Option<i64>,
    /// Deleted at.
    pub deleted_at: Option<i64>,
    /// `issueId` of a billing-key window.
    pub issue_id: Option<String>,
    /// `issueName` of a billing-key window.
    pub issue_name: Option<String>,
    /// Channels (issued, failed, deleted).
    pub channels: Vec<KeyChannel>,
}

impl KeyRow {
    /// Channels holding a live PG key.
    pub fn active_channels(&self) -> impl Iterator<Item = &KeyChannel> {
        self.channels
            .iter()
            .filter(|c| c.status == BillingKeyStatus::Issued)
    }
}

/// Load a billing key with its channels.
pub async fn load(db: &Db, billing_key: &str) -> Result<Option<KeyRow>, sqlx::Error> {
    let Some(r) = db
        .fetch_optional(
            "SELECT * FROM billing_keys WHERE billing_key = $1",
            crate::args![billing_key],
        )
        .await?
    else {
        return Ok(None);
    };
    let rows = db
        .fetch_all(
            "SELECT * FROM billing_key_channels WHERE billing_key = $1 ORDER BY created_at, channel_key",
            crate::args![billing_key],
        )
        .await?;
    let mut channels = Vec::new();
    for c in rows {
        channels.push(KeyChannel {
            channel_key: c.req_text("channel_key")?,
            status: c.spelled("status", BillingKeyStatus::parse)?,
            channel_json: c.req_text("channel_json")?,
            pg_billing_key: c.text("pg_billing_key")?,
            pg_tx_id: c.text("pg_tx_id")?,
            failure_json: c.text("failure_json")?,
        });
    }
    Ok(Some(KeyRow {
        billing_key: r.req_text("billing_key")?,
        store_id: r.req_text("store_id")?,
        status: r.spelled("status", BillingKeyStatus::parse)?,
        channel_group_id: r.text("channel_group_id")?,
        channel_group_json: r.text("channel_group_json")?,
        customer_json: r.text("customer_json")?,
        custom_data: r.text("custom_data")?,
        method_json: r.text("method_json")?,
        notice_urls_json: r.text("notice_urls_json")?,
        requested_at: r.req_int("requested_at")?,
        issued_at: r.int("issued_at")?,
        deleted_at: r.int("deleted_at")?,
        issue_id: r.text("issue_id")?,
        issue_name: r.text("issue_name")?,
        channels,
    }))
}

/// A billing key being issued (`ISSUING`).
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    /// The gateway's billing key.
    pub billing_key: String,
    /// storeId.
    pub store_id: String,
    /// Group it is issued through.
    pub channel_group_id: Option<String>,
    /// Group summary JSON.
    pub channel_group_json: Option<String>,
    /// Customer JSON.
    pub customer_json: Option<String>,
    /// customData.
    pub custom_data: Option<String>,
    /// Masked method JSON.
    pub method_json: Option<String>,
    /// noticeUrls JSON.
    pub notice_urls_json: Option<String>,
    /// `issueId` of a billing-key window.
    pub issue_id: Option<String>,
    /// `issueName` of a billing-key window.
    pub issue_name: Option<String>,
    /// Where it is issued from: `API`, or `None` for a window (known when it completes).
    pub platform_type: Option<PlatformType>,
}

const INSERT_KEY: &str = "INSERT INTO billing_keys (billing_key, store_id, status, channel_group_id, channel_group_json, customer_json, \
     custom_data, method_json, notice_urls_json, requested_at, updated_at, issue_id, issue_name, platform_type) \
     VALUES ($1, $2, 'ISSUING', $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12)";

fn key_args(k: &NewKey, now: DateTime<Utc>) -> Vec<super::db::Arg> {
    crate::args![
        k.billing_key.clone(),
        k.store_id.clone(),
        k.channel_group_id.clone(),
        k.channel_group_json.clone(),
        k.customer_json.clone(),
        k.custom_data.clone(),
        k.method_json.clone(),
        k.notice_urls_json.clone(),
        util::micros(now),
        k.issue_id.clone(),
        k.issue_name.clone(),
        k.platform_type.map(PlatformType::as_str)
    ]
}

/// Record a key being issued.
pub async fn insert_issuing(db: &Db, k: &NewKey, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    db.execute(INSERT_KEY, key_args(k, now)).await?;
    Ok(())
}

/// Record a key being issued inside `tx` (with a checkout session).
pub async fn insert_issuing_in(
    tx: &mut Tx,
    k: &NewKey,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    tx.execute(INSERT_KEY, key_args(k, now)).await?;
    Ok(())
}

/// What issuing did on one channel.
#[derive(Debug, Clone)]
pub enum ChannelIssue {
    /// Issued: the PG's key and TID.
    Issued {
        /// Channel key.
        channel_key: String,
        /// `SelectedChannel` JSON.
        channel_json: Option<String>,
        /// The PG's key.
        pg_billing_key: Option<String>,
        /// PG TID.
        pg_tx_id: Option<String>,
    },
    /// Failed, with the failure as stored.
    Failed {
        /// Channel key.
        channel_key: String,
        /// `SelectedChannel` JSON.
        channel_json: Option<String>,
        /// Failure JSON.
        failure_json: String,
    },
}

/// Record the channels' results and the key's status (`ISSUED` when one channel issued, else
/// `FAILED`) with `event`, in one unit of work.
pub async fn record_issue(
    db: &Db,
    billing_key: &str,
    channels: &[ChannelIssue],
    issued_at: DateTime<Utc>,
    event: Option<&Event>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let nu = util::micros(issued_at);
    let mut tx = db.begin().await?;
    let mut issued = false;
    for c in channels {
        match c {
            ChannelIssue::Issued {
                channel_key,
                channel_json,
                pg_billing_key,
                pg_tx_id,
            } => {
                issued = true;
                tx.execute(
                    "INSERT INTO billing_key_channels (billing_key, channel_key, status, channel_json, pg_billing_key, pg_tx_id, created_at) \
                     VALUES ($1, $2, 'ISSUED', $3, $4, $5, $6)",
                    crate::args![
                        billing_key,
                        channel_key.clone(),
                        channel_json.clone(),
                        pg_billing_key.clone(),
                        pg_tx_id.clone(),
                        nu
                    ],
                )
                .await?;
            }
            ChannelIssue::Failed { .. } => {}
        }
    }
    for c in channels {
        if let ChannelIssue::Failed {
            channel_key,
            channel_json,
            failure_json,
        } = c
        {
            tx.execute(
                "INSERT INTO billing_key_channels (billing_key, channel_key, status, channel_json, failure_json, created_at) \
                 VALUES ($1, $2, 'FAILED', $3, $4, $5)",
                crate::args![
                    billing_key,
                    channel_key.clone(),
                    channel_json.clone(),
                    failure_json.clone(),
                    nu
                ],
            )
            .await?;
        }
    }
    let status = if issued {
        BillingKeyStatus::Issued
    } else {
        BillingKeyStatus::Failed
    };
    tx.execute(
        "UPDATE billing_keys SET status = $2, issued_at = $3, updated_at = $4 WHERE billing_key = $1",
        crate::args![
            billing_key,
            status.as_str(),
            issued.then_some(nu),
            util::micros(now)
        ],
    )
    .await?;
    if issued {
        outbox::insert_opt(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A window issued the key: `ISSUING → ISSUED` with its method, where the window ran
/// (`platform`), the channel's PG key, and `event`, in one unit of work (nothing when the key
/// is no longer `ISSUING`).
#[allow(clippy::too_many_arguments)]
pub async fn issue_from_window(
    db: &Db,
    billing_key: &str,
    method_json: String,
    platform: PlatformType,
    channel_key: &str,
    channel_json: String,
    pg_billing_key: String,
    pg_tx_id: Option<String>,
    event: Option<&Event>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let now = util::micros(now);
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE billing_keys SET status = 'ISSUED', issued_at = $2, method_json = $3, platform_type = $4, \
             updated_at = $2 WHERE billing_key = $1 AND status = 'ISSUING'",
            crate::args![billing_key, now, method_json, platform.as_str()],
        )
        .await?;
    if n == 1 {
        tx.execute(
            "INSERT INTO billing_key_channels (billing_key, channel_key, status, channel_json, pg_billing_key, pg_tx_id, created_at) \
             VALUES ($1, $2, 'ISSUED', $3, $4, $5, $6)",
            crate::args![billing_key, channel_key, channel_json, pg_billing_key, pg_tx_id, now],
        )
        .await?;
        outbox::insert_opt(&mut tx, event).await?;
    }
    tx.commit().await
}

/// A window ended without a key: `ISSUING → FAILED` with `event` (nothing when the key is no
/// longer `ISSUING`).
pub async fn fail_issuing(
    db: &Db,
    billing_key: &str,
    event: Option<&Event>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE billing_keys SET status = 'FAILED', updated_at = $2 WHERE billing_key = $1 AND status = 'ISSUING'",
            crate::args![billing_key, util::micros(now)],
        )
        .await?;
    if n == 1 {
        outbox::insert_opt(&mut tx, event).await?;
    }
    tx.commit().await
}

/// Record a deletion: the channels in `deleted` lose their key; when `complete` (no channel
/// failed) the key is `DELETED` with `event` — one unit of work.
pub async fn record_delete(
    db: &Db,
    billing_key: &str,
    deleted: &[String],
    complete: bool,
    event: Option<&Event>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let nu = util::micros(now);
    let mut tx = db.begin().await?;
    for c in deleted {
        tx.execute(
            "UPDATE billing_key_channels SET status = 'DELETED', deleted_at = $3 WHERE billing_key = $1 AND channel_key = $2",
            crate::args![billing_key, c.clone(), nu],
        )
        .await?;
    }
    if complete {
        tx.execute(
            "UPDATE billing_keys SET status = 'DELETED', deleted_at = $2, updated_at = $2 WHERE billing_key = $1 AND status = 'ISSUED'",
            crate::args![billing_key, nu],
        )
        .await?;
        outbox::insert_opt(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A billing key left `ISSUING` by an issue that never finished.
#[derive(Debug, Clone)]
pub struct StaleKey {
    /// The gateway's billing key.
    pub billing_key: String,
    /// storeId.
    pub store_id: String,
    /// noticeUrls JSON.
    pub notice_urls_json: Option<String>,
}

/// Up to 32 keys still `ISSUING` whose issue began before `cutoff` and that no payment window
/// may still complete: no session of theirs is `OPEN` (the customer may still come back; the
/// window's expiry settles it) or was touched since `cutoff` (a return being processed).
pub async fn stale_issuing(db: &Db, cutoff: DateTime<Utc>) -> Result<Vec<StaleKey>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT billing_key, store_id, notice_urls_json FROM billing_keys k \
             WHERE status = 'ISSUING' AND updated_at < $1 AND NOT EXISTS ( \
               SELECT 1 FROM checkout_sessions s WHERE s.billing_key = k.billing_key \
               AND (s.status = 'OPEN' OR s.updated_at >= $1)) \
             ORDER BY updated_at LIMIT 32",
            crate::args![util::micros(cutoff)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StaleKey {
                billing_key: r.req_text("billing_key")?,
                store_id: r.req_text("store_id")?,
                notice_urls_json: r.text("notice_urls_json")?,
            })
        })
        .collect()
}
