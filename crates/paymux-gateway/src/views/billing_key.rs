//! PortOne `BillingKeyInfo` (`ISSUED` or `DELETED`).

use paymux_routing::{ChannelGroupSummary, SelectedChannel};
use serde::Serialize;
use serde_json::Value;

use super::party::Customer;
use super::{json_column, stored, time};
use crate::domain::BillingKeyStatus;
use crate::store::billing_keys::KeyRow;
use crate::util;

/// PortOne `BillingKeyInfo`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BillingKeyInfo {
    /// `ISSUED` / `DELETED`.
    #[schema(value_type = crate::billing_key_list::StatusInput)]
    pub status: &'static str,
    /// The gateway's billing key.
    pub billing_key: String,
    /// merchantId.
    pub merchant_id: String,
    /// storeId.
    pub store_id: String,
    /// `BillingKeyPaymentMethod`s (masked), as stored: objects with `type`
    /// (`BillingKeyPaymentMethodCard` / `…Mobile`) and the masked `card`. Kept as the stored
    /// values: two writers build them as JSON and no type describes them yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    #[schema(nullable = false)]
    pub methods: Option<Vec<Value>>,
    /// The channels holding (or having held) a key.
    pub channels: Vec<SelectedChannel>,
    /// PortOne `Customer` (`{}` when none).
    pub customer: Customer,
    /// customData.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub custom_data: Option<String>,
    /// `issueId` of a billing-key window.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub issue_id: Option<String>,
    /// `issueName` of a billing-key window.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub issue_name: Option<String>,
    /// Requested at.
    pub requested_at: String,
    /// Issued at.
    pub issued_at: String,
    /// The group it was issued through.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub channel_group: Option<ChannelGroupSummary>,
    /// Each channel's issue result.
    pub pg_billing_key_issue_responses: Vec<IssueResponse>,
    /// Deleted at (`DELETED`; `null` when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Option<String>>,
}

/// PortOne `PgBillingKeyIssueResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PgBillingKeyIssueResponse)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum IssueResponse {
    /// Issued on the channel.
    #[serde(rename = "ISSUED", rename_all = "camelCase")]
    Issued {
        /// `SelectedChannel` (`null` if its stored record cannot be read).
        channel: Option<SelectedChannel>,
        /// The PG's transaction id of the issue.
        #[serde(skip_serializing_if = "Option::is_none")]
        pg_tx_id: Option<String>,
    },
    /// Not issued on the channel.
    #[serde(rename = "FAILED")]
    Failed {
        /// `SelectedChannel` (`null` if its stored record cannot be read).
        channel: Option<SelectedChannel>,
        /// The channel's failure as stored: `{message, pgCode?, pgMessage?, failedAt}`
        /// (`message` may be `null`), kept as the stored value.
        #[schema(value_type = Object)]
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
        let channel = |text: &str| stored::<SelectedChannel>(Some(text));
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
                .filter_map(|c| channel(&c.channel_json))
                .collect(),
            customer: Customer::stored(k.customer_json.as_deref()),
            custom_data: k.custom_data.clone(),
            issue_id: k.issue_id.clone(),
            issue_name: k.issue_name.clone(),
            requested_at: time(k.requested_at),
            issued_at: time(k.issued_at.unwrap_or(k.requested_at)),
            channel_group: stored(k.channel_group_json.as_deref()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::billing_keys::KeyChannel;

    /// The typed columns show exactly the bytes stored (they used to be shown as the stored
    /// JSON values themselves).
    #[test]
    fn stored_columns_show_byte_for_byte() {
        let channel =
            r#"{"key":"ch-1","pgMerchantId":"M1","pgProvider":"SMARTRO_V2","type":"LIVE"}"#;
        let failed = r#"{"key":"ch-2","pgMerchantId":"M2","pgProvider":"KSNET","type":"LIVE"}"#;
        let failure = r#"{"failedAt":"2026-01-01T00:00:00.000Z","message":null,"pgCode":"X","pgMessage":"no"}"#;
        let group = r#"{"id":"channel-group-live-1","isForTest":false,"name":"G"}"#;
        let customer = r#"{"id":"c1","name":"Hong Gildong"}"#;
        let method = r#"{"card":{"bin":"411111","number":"411111******1111"},"type":"BillingKeyPaymentMethodCard"}"#;
        let k = KeyRow {
            billing_key: "bk".into(),
            store_id: "s".into(),
            status: BillingKeyStatus::Issued,
            channel_group_id: Some("channel-group-live-1".into()),
            channel_group_json: Some(group.into()),
            customer_json: Some(customer.into()),
            custom_data: None,
            method_json: Some(method.into()),
            notice_urls_json: None,
            requested_at: 0,
            issued_at: Some(0),
            deleted_at: None,
            issue_id: None,
            issue_name: None,
            channels: vec![
                KeyChannel {
                    channel_key: "ch-1".into(),
                    status: BillingKeyStatus::Issued,
                    channel_json: channel.into(),
                    pg_billing_key: None,
                    pg_tx_id: Some("tx".into()),
                    failure_json: None,
                },
                KeyChannel {
                    channel_key: "ch-2".into(),
                    status: BillingKeyStatus::Failed,
                    channel_json: failed.into(),
                    pg_billing_key: None,
                    pg_tx_id: None,
                    failure_json: Some(failure.into()),
                },
            ],
        };
        let v = super::super::render(&BillingKeyInfo::of(&k, "m"));
        assert_eq!(v["channels"].to_string(), format!("[{channel}]"));
        assert_eq!(v["channelGroup"].to_string(), group);
        assert_eq!(v["customer"].to_string(), customer);
        assert_eq!(v["methods"].to_string(), format!("[{method}]"));
        assert_eq!(
            v["pgBillingKeyIssueResponses"].to_string(),
            format!(
                r#"[{{"channel":{channel},"pgTxId":"tx","type":"ISSUED"}},{{"channel":{failed},"failure":{failure},"type":"FAILED"}}]"#
            )
        );
    }
}
