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
use paymux_core::execute;
use paymux_core::model::IssueBillingKeyBody;
use paymux_core::outcome::{ApprovedDetail, Outcome};
use paymux_core::secret::Secret;
use paymux_routing::{
    delete_super_billing_key, delete_targets, issue_super_billing_key, issue_targets_with_rules,
    ChannelSpecificFailure, IssueTargets, RoutingError, SelectedChannel,
};
use serde_json::{json, Value};

use crate::domain::Destination;
use crate::domain::{BillingKeyStatus, PlatformType};
use crate::domain::{EventData, EventType};
use crate::error::ApiError;
use crate::events;
use crate::flow::{not_sent_error, routing_error};
use crate::state::AppState;
use crate::store;
use crate::store::billing_keys::{ChannelIssue, NewKey};
use crate::util;
use crate::views;

pub use crate::store::billing_keys::KeyRow;

/// Load a billing key with its channels.
pub async fn load(st: &AppState, billing_key: &str) -> Result<Option<KeyRow>, sqlx::Error> {
    store::billing_keys::load(&st.db, billing_key).await
}

/// The PortOne `BillingKeyInfo` (`ISSUED` or `DELETED`).
pub fn view(st: &AppState, k: &KeyRow) -> Value {
    views::render(&views::billing_key::BillingKeyInfo::of(k, &st.merchant_id))
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
    let billing_key = util::new_id("billing-key");
    // PortOne's generic rules, once; each channel's own once (the one named, or each of the
    // group's), and what they validated is what is encoded and sent.
    let checked = execute::check_routing(PgRequest::IssueBillingKey(IssueBillingKeyCall {
        billing_key: billing_key.clone(),
        body,
    }))
    .map_err(|e| ApiError::validation(&e))?;
    let req = checked.request();
    let PgRequest::IssueBillingKey(IssueBillingKeyCall { body, .. }) = req else {
        unreachable!("checked as a billing-key issue")
    };
    let now = util::now();
    let now_kst = now.with_timezone(&kst());
    let group = match &body.channel_group_id {
        Some(gid) => Some(crate::groups::current(st, gid).await?.ok_or_else(|| {
            ApiError::not_found(
                "CHANNEL_NOT_FOUND",
                format!("channelGroupId: no channel group `{gid}`"),
            )
        })?),
        None => None,
    };
    // What the precheck of a single channel encoded, sent as it is; what routing validated
    // on a group's channels.
    let mut prechecked = None;
    let mut validated = Vec::new();
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
                checked
                    .for_channel(entry.adapter.as_ref(), &entry.ctx)
                    .and_then(|v| st.encode(entry, now_kst, &v))
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
        (None, Some(g)) => issue_targets_with_rules(g, &st.channels, |key| {
            validated.push(st.validate_for(key, &checked)?);
            Ok(())
        })
        .map_err(|e| routing_error(&e))?,
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
    let customer = crate::views::customer_json(body.customer.as_ref());
    let new = NewKey {
        billing_key: billing_key.clone(),
        store_id: body.store_id.clone().unwrap_or_else(|| st.store_id.clone()),
        channel_group_id: group.as_ref().map(|g| g.id.clone()),
        channel_group_json: group
            .as_ref()
            .and_then(|g| util::to_json_text(&g.summary())),
        customer_json: Some(customer.to_string()),
        custom_data: body.custom_data.clone(),
        method_json: Some(method_json.to_string()),
        notice_urls_json: util::to_json_text(&body.notice_urls.clone().unwrap_or_default()),
        issue_id: None,
        issue_name: None,
        platform_type: Some(PlatformType::Api),
    };
    store::billing_keys::insert_issuing(&st.db, &new, now).await?;

    // Every target concurrently (the routing helper polls them together).
    let checked = &checked;
    let outcome = issue_super_billing_key(&targets, |key| {
        let encoded = match &prechecked {
            Some(p) if p.channel_key() == key => prechecked.take().map(Ok),
            _ => None,
        };
        let validated = validated.iter().find(|v| v.channel_key() == key);
        async move {
            let Some(entry) = st.channels.get(key) else {
                return Err(PgError::NotSent {
                    reason: format!("channel `{key}` is not configured"),
                });
            };
            let encoded = match (encoded, validated) {
                (Some(e), _) => e,
                (None, Some(v)) => st.encode(entry, now_kst, v),
                (None, None) => checked
                    .for_channel(entry.adapter.as_ref(), &entry.ctx)
                    .and_then(|v| st.encode(entry, now_kst, &v)),
            };
            st.pg_call(entry, req, encoded, false).await.result
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
        body,
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
    let mut channels = Vec::with_capacity(succeeded.len() + failures.len());
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
        channels.push(ChannelIssue::Issued {
            channel_key: s.channel.key_str().to_string(),
            channel_json: util::to_json_text(&s.channel),
            pg_billing_key: pg_key,
            pg_tx_id: pg_tx,
        });
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
        channels.push(ChannelIssue::Failed {
            channel_key: f.channel_key().to_string(),
            channel_json: util::to_json_text(f.channel()),
            failure_json: failure.to_string(),
        });
    }
    let issued = !succeeded.is_empty();
    let event = if issued {
        let dest = Destination {
            notice_urls: body.notice_urls.clone().unwrap_or_default(),
            skip: body.skip_webhook.unwrap_or(false),
        };
        let store = body.store_id.clone().unwrap_or_else(|| st.store_id.clone());
        events::event(
            st,
            EventType::BillingKeyIssued,
            EventData::billing_key(&store, billing_key),
            &dest,
        )
    } else {
        None
    };
    store::billing_keys::record_issue(
        &st.db,
        billing_key,
        &channels,
        now,
        event.as_ref(),
        util::now(),
    )
    .await?;
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
    Ok(views::render(&views::answers::IssueBillingKeyResponse {
        billing_key_info: views::answers::BillingKeyInfoSummary {
            billing_key: billing_key.to_string(),
            channels,
            issued_at: util::rfc3339(now),
        },
        channel_specific_failures: failures.to_vec(),
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
    if store::schedules::pending_for_key(&st.db, billing_key).await? {
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
                    receipt_url: None,
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
    let complete = failures.is_empty();
    let event = if complete {
        let dest = Destination {
            notice_urls: Destination::from_columns(k.notice_urls_json.as_deref(), false)
                .notice_urls,
            skip: skip_webhook,
        };
        events::event(
            st,
            EventType::BillingKeyDeleted,
            EventData::billing_key(&k.store_id, billing_key),
            &dest,
        )
    } else {
        None
    };
    let deleted: Vec<String> = succeeded.iter().map(|c| c.key_str().to_string()).collect();
    store::billing_keys::record_delete(
        &st.db,
        billing_key,
        &deleted,
        complete,
        event.as_ref(),
        now,
    )
    .await?;
    if !complete {
        return Err(ApiError::channel_specific(
            "the billing key could not be deleted on every channel; retry to delete the rest",
            &failures,
            &succeeded,
        ));
    }
    Ok(views::render(&views::answers::DeleteBillingKeyResponse {
        deleted_at: util::rfc3339(now),
    }))
}
