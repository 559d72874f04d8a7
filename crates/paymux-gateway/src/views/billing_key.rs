//! PortOne `BillingKeyInfo` (`ISSUED` or `DELETED`).

use serde::Serialize;
use serde_json::{Map, Value};

use super::{json_column, time};
use crate::domain::BillingKeyStatus;
use crate::store::billing_keys::KeyRow;
use crate::util;

/// PortOne `BillingKeyInfo`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingKeyInfo {
    /// `ISSUED` / `DELETED`.
    pub status: &'static str,
    /// The gateway's billing key.
    pub billing_key: String,
    /// merchantId.
    pub merchant_id: String,
    /// storeId.
    pub store_id: String,
    /// `BillingKeyPaymentMethod`s (masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<Value>>,
    /// The channels holding (or having held) a key.
    pub channels: Vec<Value>,
    /// PortOne `Customer` (`{}` when none).
    pub customer: Value,
    /// customData.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
    /// `issueId` of a billing-key window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_id: Option<String>,
    /// `issueName` of a billing-key window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_name: Option<String>,
    /// Requested at.
    pub requested_at: String,
    /// Issued at.
    pub issued_at: String,
    /// The group it was issued through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_group: Option<Value>,
    /// Each channel's issue result.
    pub pg_billing_key_issue_responses: Vec<IssueResponse>,
    /// Deleted at (`DELETED`; `null` when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Option<String>>,
}

/// PortOne `PgBillingKeyIssueResponse`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum IssueResponse {
    /// Issued on the channel.
    #[serde(rename = "ISSUED", rename_all = "camelCase")]
    Issued {
        /// `SelectedChannel`.
        channel: Value,
        /// The PG's transaction id of the issue.
        #[serde(skip_serializing_if = "Option::is_none")]
        pg_tx_id: Option<String>,
    },
    /// Not issued on the channel.
    #[serde(rename = "FAILED")]
    Failed {
        /// `SelectedChannel`.
        channel: Value,
        /// The channel's failure.
        failure: Value,
    },
}

impl BillingKeyInfo {
    /// The view of a stored billing key.
    pub fn of(k: &KeyRow, merchant_id: &str) -> BillingKeyInfo {
        let status = if k.status == BillingKeyStatus::Deleted {
            BillingKeyStatus::Deleted
        } else {
            BillingKeyStatus::Issued
        };
        let channel = |text: &str| util::parse_json(Some(text));
        BillingKeyInfo {
            status: status.as_str(),
            billing_key: k.billing_key.clone(),
            merchant_id: merchant_id.to_string(),
            store_id: k.store_id.clone(),
            methods: json_column(k.method_json.as_deref()).map(|m| vec![m]),
            channels: k
                .channels
                .iter()
                .filter(|c| c.status != BillingKeyStatus::Failed)
                .map(|c| channel(&c.channel_json))
                .collect(),
            customer: json_column(k.customer_json.as_deref())
                .unwrap_or_else(|| Value::Object(Map::new())),
            custom_data: k.custom_data.clone(),
            issue_id: k.issue_id.clone(),
            issue_name: k.issue_name.clone(),
            requested_at: time(k.requested_at),
            issued_at: time(k.issued_at.unwrap_or(k.requested_at)),
            channel_group: json_column(k.channel_group_json.as_deref()),
            pg_billing_key_issue_responses: k
                .channels
                .iter()
                .map(|c| {
                    if c.status == BillingKeyStatus::Failed {
                        IssueResponse::Failed {
                            channel: channel(&c.channel_json),
                            failure: util::parse_json(c.failure_json.as_deref()),
                        }
                    } else {
                        IssueResponse::Issued {
                            channel: channel(&c.channel_json),
                            pg_tx_id: c.pg_tx_id.clone(),
                        }
                    }
                })
                .collect(),
            deleted_at: (status == BillingKeyStatus::Deleted).then(|| k.deleted_at.map(time)),
        }
    }
}
