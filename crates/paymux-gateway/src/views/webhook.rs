//! The body of a webhook as PortOne sends it (version 2024-04-25):
//! `{"type", "timestamp", "data"}`.

use serde::Serialize;

use crate::domain::{EventData, EventType};

/// A webhook body.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookBody {
    /// `Transaction.Paid`, …
    #[serde(rename = "type")]
    pub event_type: &'static str,
    /// The event's time (the same on every retry).
    pub timestamp: String,
    /// What it is about.
    pub data: Data,
}

/// A webhook's `data`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum Data {
    /// `{storeId, paymentId, transactionId, cancellationId?}`.
    Transaction {
        /// storeId.
        store_id: String,
        /// paymentId.
        payment_id: String,
        /// transactionId.
        transaction_id: String,
        /// cancellationId (cancel events).
        #[serde(skip_serializing_if = "Option::is_none")]
        cancellation_id: Option<String>,
    },
    /// `{storeId, billingKey}`.
    BillingKey {
        /// storeId.
        store_id: String,
        /// billingKey.
        billing_key: String,
    },
}

impl WebhookBody {
    /// The body of an event at `timestamp` (RFC 3339).
    pub fn of(event_type: EventType, data: &EventData, timestamp: String) -> WebhookBody {
        WebhookBody {
            event_type: event_type.as_str(),
            timestamp,
            data: match data.clone() {
                EventData::Transaction {
                    store_id,
                    payment_id,
                    transaction_id,
                    cancellation_id,
                } => Data::Transaction {
                    store_id,
                    payment_id,
                    transaction_id,
                    cancellation_id,
                },
                EventData::BillingKey {
                    store_id,
                    billing_key,
                } => Data::BillingKey {
                    store_id,
                    billing_key,
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_portones_with_sorted_keys() {
        let mut d = EventData::transaction("s", "p", "t");
        let b = WebhookBody::of(
            EventType::TransactionPaid,
            &d,
            "2024-04-25T10:00:00.000Z".into(),
        );
        assert_eq!(
            super::super::render(&b).to_string(),
            r#"{"data":{"paymentId":"p","storeId":"s","transactionId":"t"},"timestamp":"2024-04-25T10:00:00.000Z","type":"Transaction.Paid"}"#
        );
        if let EventData::Transaction {
            cancellation_id, ..
        } = &mut d
        {
            *cancellation_id = Some("c".into());
        }
        let b = WebhookBody::of(EventType::TransactionCancelled, &d, "x".into());
        assert_eq!(super::super::render(&b)["data"]["cancellationId"], "c");
        let k = EventData::billing_key("s", "bk");
        let b = WebhookBody::of(EventType::BillingKeyDeleted, &k, "x".into());
        assert_eq!(
            super::super::render(&b)["data"],
            serde_json::json!({"storeId": "s", "billingKey": "bk"})
        );
    }
}
