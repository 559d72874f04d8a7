//! Webhooks in the domain: an outbox delivery's state, the event types and what an event is
//! about, and how a delivery went as PortOne reports it.

use std::fmt;

spelled! {
    /// A webhook delivery's state in the outbox.
    DeliveryStatus {
        /// Waiting for its first or next attempt.
        Pending = "PENDING",
        /// The receiver answered 2xx.
        Delivered = "DELIVERED",
        /// Given up after the last allowed attempt.
        Failed = "FAILED",
    }
}

spelled! {
    /// A webhook event's type (PortOne's webhook version 2024-04-25).
    EventType {
        /// A payment window was prepared (hosted checkout).
        TransactionReady = "Transaction.Ready",
        /// Paid.
        TransactionPaid = "Transaction.Paid",
        /// Failed.
        TransactionFailed = "Transaction.Failed",
        /// Accepted by the PG, result later.
        TransactionPayPending = "Transaction.PayPending",
        /// Virtual account issued.
        TransactionVirtualAccountIssued = "Transaction.VirtualAccountIssued",
        /// Fully cancelled.
        TransactionCancelled = "Transaction.Cancelled",
        /// Partly cancelled.
        TransactionPartialCancelled = "Transaction.PartialCancelled",
        /// A billing key was issued.
        BillingKeyIssued = "BillingKey.Issued",
        /// A billing-key window was prepared (hosted checkout).
        BillingKeyReady = "BillingKey.Ready",
        /// A billing-key window ended without a key.
        BillingKeyFailed = "BillingKey.Failed",
        /// A billing key was deleted.
        BillingKeyDeleted = "BillingKey.Deleted",
    }
}

/// What a webhook event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventData {
    /// A payment (and, for cancels, the cancellation).
    Transaction {
        /// storeId.
        store_id: String,
        /// paymentId.
        payment_id: String,
        /// The attempt.
        transaction_id: String,
        /// The cancellation, for cancel events.
        cancellation_id: Option<String>,
    },
    /// A billing key.
    BillingKey {
        /// storeId.
        store_id: String,
        /// The gateway's billing key.
        billing_key: String,
    },
}

impl EventData {
    /// A payment event's data.
    pub fn transaction(store_id: &str, payment_id: &str, transaction_id: &str) -> EventData {
        EventData::Transaction {
            store_id: store_id.to_string(),
            payment_id: payment_id.to_string(),
            transaction_id: transaction_id.to_string(),
            cancellation_id: None,
        }
    }

    /// A billing-key event's data.
    pub fn billing_key(store_id: &str, billing_key: &str) -> EventData {
        EventData::BillingKey {
            store_id: store_id.to_string(),
            billing_key: billing_key.to_string(),
        }
    }
}

spelled! {
    /// How a webhook delivery went, as PortOne reports it (`PaymentWebhookStatus`:
    /// `PaymentWebhook.status` and the `GET /payments` filter `webhookStatus`).
    WebhookOutcome {
        /// The receiver answered 2xx.
        Succeeded = "SUCCEEDED",
        /// The receiver answered, not 2xx (retrying or given up).
        FailedNotOkResponse = "FAILED_NOT_OK_RESPONSE",
        /// No answer at all (timeout, connection refused).
        FailedUnexpectedError = "FAILED_UNEXPECTED_ERROR",
    }
}

impl WebhookOutcome {
    /// The outcome of a delivery in `status` after `attempts`, the last one answered with
    /// `last_code` (`None`: no answer) at `last_attempt_at`; `None` before the first attempt.
    /// `store::payment_search` filters by the same rule in SQL.
    pub fn of(
        status: DeliveryStatus,
        attempts: i64,
        last_code: Option<i64>,
        last_attempt_at: Option<i64>,
    ) -> Option<WebhookOutcome> {
        match status {
            DeliveryStatus::Delivered => Some(WebhookOutcome::Succeeded),
            _ if attempts == 0 || last_attempt_at.is_none() => None,
            _ if last_code.is_some() => Some(WebhookOutcome::FailedNotOkResponse),
            _ => Some(WebhookOutcome::FailedUnexpectedError),
        }
    }
}
