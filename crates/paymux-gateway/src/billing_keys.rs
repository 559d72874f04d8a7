//! Billing keys: issue (`POST /billing-keys`) on one channel or — with `channelGroupId` — as
//! a super billing key on every enabled channel of the group concurrently; get; delete on
//! every channel holding a PG key, with per-channel failures reported.
//!
//! The gateway's billing key (`billing-key-<uuid>`) is an opaque id; each channel's PG key is
//! stored beside it (a PG token, not card data). The card itself is never stored: only its
//! masked number.

use chrono::{DateTime, Utc};
use paymux_core::adapter::{
    kst, DeleteBillingKeyCall, IssueBillingKeyCall, Operation, PgRequest, PriorTransaction,
};
use paymux_core::error::PgError;
use paymux_core::model::{IssueBillingKeyBody, Validate};
use paymux_core::outcome::{ApprovedDetail, Outcome};
use paymux_core::secret::Secret;
use paymux_routing::{
    delete_super_billing_key, delete_targets, issue_super_billing_key, issue_targets_with_rules,
    ChannelSpecificFailure, IssueTargets, RoutingError, SelectedChannel,
};
use serde_json::{json, Map, Value};

use crate::domain::BillingKeyStatus;
use crate::error::ApiError;
use crate::payments::{not_sent_error, routing_error};
use crate::state::AppState;
use crate::util::{self, put};
use crate::webhooks::{self, Destination};

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
pub async fn load(st: &AppState, billing_key: &str) -> Result<Option<KeyRow>, sqlx::Error> {
    let Some(r) = st
        .db
        .fetch_optional(
            "SELECT * FROM billing_keys WHERE billing_key = $1",
            crate::args![billing_key],
        )
        .await?
    else {
        return Ok(None);
    };
    let rows = st
        .db
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

/// The PortOne `BillingKeyInfo` (`ISSUED` or `DELETED`).
pub fn view(st: &AppState, k: &KeyRow) -> Value {
    let mut m = Map::new();
    let status = if k.status == BillingKeyStatus::Deleted {
        BillingKeyStatus::Deleted
    } else {
        BillingKeyStatus::Issued
    };
    m.insert("status".into(), json!(status.as_str()));
    m.insert("billingKey".into(), json!(k.billing_key));
    m.insert("merchantId".into(), json!(st.merchant_id));
    m.insert("storeId".into(), json!(k.store_id));
    let method = util::parse_json(k.method_json.as_deref());
    if !method.is_null() {
        m.insert("methods".into(), json!([method]));
    }
    let channels: Vec<Value> = k
        .channels
        .iter()
        .filter(|c| c.status != BillingKeyStatus::Failed)
        .map(|c| util::parse_json(Some(&c.channel_json)))
        .collect();
    m.insert("channels".into(), Value::Array(channels));
    let customer = util::parse_json(k.customer_json.as_deref());
    m.insert(
        "customer".into(),
        if customer.is_null() {
            json!({})
        } else {
            customer
        },
    );
    put(&mut m, "customData", json!(k.custom_data));
    put(&mut m, "issueId", json!(k.issue_id));
    put(&mut m, "issueName", json!(k.issue_name));
    m.insert("requestedAt".into(), util::time_json(Some(k.requested_at)));
    m.insert(
        "issuedAt".into(),
        util::time_json(k.issued_at.or(Some(k.requested_at))),
    );
    put(
        &mut m,
        "channelGroup",
        util::parse_json(k.channel_group_json.as_deref()),
    );
    let responses: Vec<Value> = k
        .channels
        .iter()
        .map(|c| {
            let channel = util::parse_json(Some(&c.channel_json));
            if c.status == BillingKeyStatus::Failed {
                json!({"type": "FAILED", "channel": channel, "failure": util::parse_json(c.failure_json.as_deref())})
            } else {
                let mut r = json!({"type": "ISSUED", "channel": channel});
                if let Some(t) = &c.pg_tx_id {
                    r["pgTxId"] = json!(t);
                }
                r
            }
        })
        .collect();
    m.insert("pgBillingKeyIssueResponses".into(), Value::Array(responses));
    if status == BillingKeyStatus::Deleted {
        m.insert("deletedAt".into(), util::time_json(k.deleted_at));
    }
    Value::Object(m)
}

/// `GET /billing-keys/{billingKey}`.
pub async fn get(
    st: &AppState,
    billing_key: &str,
    store_id: Option<&str>,
) -> Result<Value, ApiError> {
    match load(st, billing_key).await? {
        Some(k)
            if matches!(
                k.status,
                BillingKeyStatus::Issued | BillingKeyStatus::Deleted
            ) && store_id.map_or(true, |s| s == k.store_id) =>
        {
            Ok(view(st, &k))
        }
        _ => Err(ApiError::not_found(
            "BILLING_KEY_NOT_FOUND",
            format!("no billing key `{billing_key}`"),
        )),
    }
}

/// The outcome of issuing on one channel.
struct ChannelResult {
    channel: SelectedChannel,
    result: Result<Outcome, PgError>,
}

/// `POST /billing-keys`.
pub async fn issue(st: &AppState, body: IssueBillingKeyBody) -> Result<Value, ApiError> {
    body.validated().map_err(|e| ApiError::validation(&e))?;
    let billing_key = util::new_id("billing-key");
    let now = util::now();
    let now_kst = now.with_timezone(&kst());
    let req = PgRequest::IssueBillingKey(IssueBillingKeyCall {
        billing_key: billing_key.clone(),
        body: body.clone(),
    });
    let group = match &body.channel_group_id {
        Some(gid) => Some(crate::groups::current(st, gid).await?.ok_or_else(|| {
            ApiError::not_found(
                "CHANNEL_NOT_FOUND",
                format!("channelGroupId: no channel group `{gid}`"),
            )
        })?),
        None => None,
    };
    // What the precheck of a single channel encoded, sent as it is.
    let mut prechecked = None;
    let targets: IssueTargets = match (&body.channel_key, &group) {
        (Some(key), _) => {
            let entry = st.channels.get(key).ok_or_else(|| {
                ApiError::not_found(
                    "CHANNEL_NOT_FOUND",
                    format!("channelKey: no channel `{key}` is configured"),
                )
            })?;
            if !entry
                .descriptor
                .capabilities
                .supports(Operation::BillingKeyIssue, req.method())
            {
                return Err(ApiError::invalid(format!(
                    "channelKey: channel `{key}` ({}) cannot issue card billing keys",
                    entry.descriptor.id
                )));
            }
            prechecked = Some(
                st.precheck(entry, now_kst, &req)
                    .map_err(|e| not_sent_error(&e))?,
            );
            IssueTargets {
                group_id: String::new(),
                targets: vec![paymux_routing::ChannelTarget {
                    channel: entry.selected(),
                }],
                unsupported: Vec::new(),
            }
        }
        // Issued on the channels whose rules accept the request; the others are reported in
        // `channelSpecificFailures` without being called.
        (None, Some(g)) => {
            issue_targets_with_rules(g, &st.channels, |key| st.rules_verdict(key, &req))
                .map_err(|e| routing_error(&e))?
        }
        (None, None) => return Err(ApiError::invalid("channelKey: is required")),
    };
    let masked = body
        .method
        .card
        .as_ref()
        .map(|c| c.credential.number.masked_card())
        .unwrap_or_default();
    let method_json = json!({
        "type": "BillingKeyPaymentMethodCard",
        "card": {"number": masked, "bin": masked.get(..6).unwrap_or("")},
    });
    let customer = util::customer_view(body.customer.as_ref());
    st.db
        .execute(
            "INSERT INTO billing_keys (billing_key, store_id, status, channel_group_id, channel_group_json, customer_json, custom_data, method_json, notice_urls_json, requested_at, updated_at) \
             VALUES ($1, $2, 'ISSUING', $3, $4, $5, $6, $7, $8, $9, $9)",
            crate::args![
                billing_key.clone(),
                body.store_id.clone().unwrap_or_else(|| st.store_id.clone()),
                group.as_ref().map(|g| g.id.clone()),
                group.as_ref().and_then(|g| util::to_json_text(&g.summary())),
                customer.to_string(),
                body.custom_data.clone(),
                method_json.to_string(),
                util::to_json_text(&body.notice_urls.clone().unwrap_or_default()),
                util::micros(now)
            ],
        )
        .await?;

    // Every target concurrently (the routing helper polls them together).
    let outcome = issue_super_billing_key(&targets, |key| {
        let req = &req;
        let mine = match &prechecked {
            Some(p) if p.is_for(key) => prechecked.take(),
            _ => None,
        };
        async move {
            match st.channels.get(key) {
                Some(entry) => st.call_prechecked(entry, now_kst, req, mine).await,
                None => Err(PgError::NotSent {
                    reason: format!("channel `{key}` is not configured"),
                }),
            }
        }
    })
    .await;
    let (succeeded, failures) = match outcome {
        Ok(issue) => (
            issue
                .succeeded
                .into_iter()
                .map(|s| ChannelResult {
                    channel: s.channel,
                    result: Ok(s.outcome),
                })
                .collect::<Vec<_>>(),
            issue.failures,
        ),
        Err(RoutingError::AllChannelsFailed { failures }) => (Vec::new(), failures),
        Err(e) => return Err(routing_error(&e)),
    };
    record_and_answer(
        st,
        &billing_key,
        now,
        &succeeded,
        &failures,
        &body,
        group.is_some(),
    )
    .await
}

async fn record_and_answer(
    st: &AppState,
    billing_key: &str,
    now: DateTime<Utc>,
    succeeded: &[ChannelResult],
    failures: &[ChannelSpecificFailure],
    body: &IssueBillingKeyBody,
    is_group: bool,
) -> Result<Value, ApiError> {
    let nu = util::micros(now);
    let mut tx = st.db.begin().await?;
    for s in succeeded {
        let (pg_key, pg_tx) = match &s.result {
            Ok(Outcome::Approved(a)) => (
                match &a.detail {
                    ApprovedDetail::BillingKeyIssued { pg_billing_key, .. } => {
                        Some(pg_billing_key.expose().clone())
                    }
                    _ => None,
                },
                a.pg_tx_id.clone(),
            ),
            _ => (None, None),
        };
        tx.execute(
            "INSERT INTO billing_key_channels (billing_key, channel_key, status, channel_json, pg_billing_key, pg_tx_id, created_at) \
             VALUES ($1, $2, 'ISSUED', $3, $4, $5, $6)",
            crate::args![
                billing_key,
                s.channel.key_str(),
                util::to_json_text(&s.channel),
                pg_key,
                pg_tx,
                nu
            ],
        )
        .await?;
    }
    for f in failures {
        let failure = match f {
            ChannelSpecificFailure::PgProvider {
                message,
                pg_code,
                pg_message,
                ..
            } => {
                json!({"message": message, "pgCode": pg_code, "pgMessage": pg_message, "failedAt": util::rfc3339(now)})
            }
            ChannelSpecificFailure::InvalidRequest { message, .. } => {
                json!({"message": message, "failedAt": util::rfc3339(now)})
            }
        };
        tx.execute(
            "INSERT INTO billing_key_channels (billing_key, channel_key, status, channel_json, failure_json, created_at) \
             VALUES ($1, $2, 'FAILED', $3, $4, $5)",
            crate::args![
                billing_key,
                f.channel_key(),
                util::to_json_text(f.channel()),
                failure.to_string(),
                nu
            ],
        )
        .await?;
    }
    let issued = !succeeded.is_empty();
    tx.execute(
        "UPDATE billing_keys SET status = $2, issued_at = $3, updated_at = $4 WHERE billing_key = $1",
        crate::args![
            billing_key,
            if issued {
                BillingKeyStatus::Issued
            } else {
                BillingKeyStatus::Failed
            }
            .as_str(),
            issued.then_some(nu),
            util::micros(util::now())
        ],
    )
    .await?;
    if issued {
        let dest = Destination {
            notice_urls: body.notice_urls.clone().unwrap_or_default(),
            skip: body.skip_webhook.unwrap_or(false),
        };
        let store = body.store_id.clone().unwrap_or_else(|| st.store_id.clone());
        webhooks::enqueue(
            &mut tx,
            st,
            webhooks::BILLING_KEY_ISSUED,
            webhooks::billing_key_data(&store, billing_key),
            &dest,
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(
        billing_key,
        issued_on = succeeded.len(),
        failed_on = failures.len(),
        "billing key issue finished"
    );
    let channels: Vec<SelectedChannel> = succeeded.iter().map(|s| s.channel.clone()).collect();
    if !issued {
        // One channel: the PG's own error. A group: every channel failed.
        if let (
            false,
            [ChannelSpecificFailure::PgProvider {
                message,
                pg_code,
                pg_message,
                ..
            }],
        ) = (is_group, failures)
        {
            return Err(ApiError::pg_provider(
                message.clone().unwrap_or_else(|| "the PG refused".into()),
                pg_code,
                pg_message,
            ));
        }
        if let (false, [ChannelSpecificFailure::InvalidRequest { message, .. }]) =
            (is_group, failures)
        {
            return Err(ApiError::pg_provider(
                message.clone().unwrap_or_default(),
                crate::error::PG_CODE_NOT_SENT,
                "",
            ));
        }
        return Err(ApiError::channel_specific(
            "the billing key could not be issued on any channel",
            failures,
            &[],
        ));
    }
    Ok(json!({
        "billingKeyInfo": {
            "billingKey": billing_key,
            "channels": channels,
            "issuedAt": util::rfc3339(now),
        },
        "channelSpecificFailures": failures,
    }))
}

/// `DELETE /billing-keys/{billingKey}`.
pub async fn delete(
    st: &AppState,
    billing_key: &str,
    store_id: Option<&str>,
    skip_webhook: bool,
) -> Result<Value, ApiError> {
    let Some(k) = load(st, billing_key)
        .await?
        .filter(|k| store_id.map_or(true, |s| s == k.store_id))
    else {
        return Err(ApiError::not_found(
            "BILLING_KEY_NOT_FOUND",
            format!("no billing key `{billing_key}`"),
        ));
    };
    match k.status {
        BillingKeyStatus::Issued => {}
        BillingKeyStatus::Deleted => {
            return Err(ApiError::conflict(
                "BILLING_KEY_ALREADY_DELETED",
                format!("billing key `{billing_key}` is already deleted"),
            ))
        }
        _ => {
            return Err(ApiError::not_found(
                "BILLING_KEY_NOT_ISSUED",
                format!("billing key `{billing_key}` was never issued"),
            ))
        }
    }
    let scheduled = st
        .db
        .fetch_optional(
            "SELECT id FROM payment_schedules WHERE billing_key = $1 AND status IN ('SCHEDULED', 'STARTED')",
            crate::args![billing_key],
        )
        .await?;
    if scheduled.is_some() {
        return Err(ApiError::conflict(
            "PAYMENT_SCHEDULE_ALREADY_EXISTS",
            format!("billing key `{billing_key}` has scheduled payments; revoke them first"),
        ));
    }
    let keyed: Vec<SelectedChannel> = k
        .active_channels()
        .filter_map(|c| serde_json::from_str(&c.channel_json).ok())
        .collect();
    let targets = delete_targets(&keyed);
    let now_kst = util::now().with_timezone(&kst());
    let outcome = delete_super_billing_key(&targets, |key| {
        let k = &k;
        async move {
            let Some(entry) = st.channels.get(key) else {
                return Err(PgError::NotSent {
                    reason: format!("channel `{key}` is not configured"),
                });
            };
            if !entry
                .descriptor
                .capabilities
                .supports(Operation::BillingKeyDelete, None)
            {
                // The PG has no deletion API: forgetting the key here is all there is.
                return Ok(Outcome::Approved(paymux_core::outcome::Approved {
                    pg_tx_id: None,
                    at: None,
                    amount: None,
                    pg_code: String::new(),
                    pg_message: "deleted locally (the PG has no billing-key deletion)".into(),
                    detail: ApprovedDetail::BillingKeyDeleted,
                }));
            }
            let ch = k.channels.iter().find(|c| c.channel_key == key);
            let req = PgRequest::DeleteBillingKey(DeleteBillingKeyCall {
                billing_key: k.billing_key.clone(),
                prior: PriorTransaction {
                    pg_billing_key: ch.and_then(|c| c.pg_billing_key.clone()).map(Secret::new),
                    pg_tx_id: ch.and_then(|c| c.pg_tx_id.clone()),
                    ..PriorTransaction::default()
                },
            });
            st.call_pg(entry, now_kst, &req).await
        }
    })
    .await;
    let (succeeded, failures) = match outcome {
        Ok(d) => (d.succeeded, d.failures),
        Err(RoutingError::AllChannelsFailed { failures }) => (Vec::new(), failures),
        Err(e) => return Err(routing_error(&e)),
    };
    let now = util::now();
    let nu = util::micros(now);
    let mut tx = st.db.begin().await?;
    for c in &succeeded {
        tx.execute(
            "UPDATE billing_key_channels SET status = 'DELETED', deleted_at = $3 WHERE billing_key = $1 AND channel_key = $2",
            crate::args![billing_key, c.key_str(), nu],
        )
        .await?;
    }
    let complete = failures.is_empty();
    if complete {
        tx.execute(
            "UPDATE billing_keys SET status = 'DELETED', deleted_at = $2, updated_at = $2 WHERE billing_key = $1 AND status = 'ISSUED'",
            crate::args![billing_key, nu],
        )
        .await?;
        let dest = Destination {
            notice_urls: Destination::from_columns(k.notice_urls_json.as_deref(), false)
                .notice_urls,
            skip: skip_webhook,
        };
        webhooks::enqueue(
            &mut tx,
            st,
            webhooks::BILLING_KEY_DELETED,
            webhooks::billing_key_data(&k.store_id, billing_key),
            &dest,
        )
        .await?;
    }
    tx.commit().await?;
    if !complete {
        return Err(ApiError::channel_specific(
            "the billing key could not be deleted on every channel; retry to delete the rest",
            &failures,
            &succeeded,
        ));
    }
    Ok(json!({"deletedAt": util::rfc3339(now)}))
}
