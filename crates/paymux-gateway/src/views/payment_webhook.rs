//! PortOne `PaymentWebhook`: one delivery of a payment's webhook, as `Payment.webhooks` and
//! `POST /payments/{paymentId}/resend-webhook` show it.

use serde::Serialize;

use super::time;
use crate::domain::WebhookOutcome;
use crate::store::webhook_history::WebhookRow;

/// PortOne `PaymentWebhook`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentWebhook {
    /// The payment's status the event reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    #[schema(value_type = Option<crate::domain::PaymentStatus>)]
    pub payment_status: Option<String>,
    /// `webhook-id`.
    pub id: String,
    /// `SUCCEEDED`, `FAILED_NOT_OK_RESPONSE`, `FAILED_UNEXPECTED_ERROR`; absent before the
    /// first attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub status: Option<WebhookStatus>,
    /// Where it is sent.
    pub url: String,
    /// Attempts made.
    pub current_execution_count: i64,
    /// Attempts allowed (`[webhooks] max_attempts`).
    pub max_execution_count: i64,
    /// `MANUAL`, `VIRTUAL_ACCOUNT_DEPOSIT`; absent for an ordinary state change.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub trigger: Option<String>,
    /// The last attempt's request.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request: Option<Request>,
    /// The last attempt's answer, when the receiver answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub response: Option<Response>,
    /// When the event was written.
    pub triggered_at: String,
}

impl From<WebhookOutcome> for WebhookStatus {
    fn from(o: WebhookOutcome) -> Self {
        match o {
            WebhookOutcome::Succeeded => WebhookStatus::Succeeded,
            WebhookOutcome::FailedNotOkResponse => WebhookStatus::FailedNotOkResponse,
            WebhookOutcome::FailedUnexpectedError => WebhookStatus::FailedUnexpectedError,
        }
    }
}

/// PortOne `PaymentWebhookStatus` (the domain's [`WebhookOutcome`], as the view serializes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = PaymentWebhookStatus)]
pub enum WebhookStatus {
    /// The receiver answered 2xx.
    Succeeded,
    /// The receiver answered, not 2xx.
    FailedNotOkResponse,
    /// No answer (connection, timeout).
    FailedUnexpectedError,
}

/// PortOne `PaymentWebhookRequest`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PaymentWebhookRequest)]
pub struct Request {
    /// The body, byte for byte.
    pub body: String,
    /// When the last attempt was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub requested_at: Option<String>,
}

/// PortOne `PaymentWebhookResponse`. paymux keeps the status code only: `header` and `body`
/// are empty (the receiver's answer is not stored).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PaymentWebhookResponse)]
pub struct Response {
    /// HTTP status, as text (PortOne's type).
    pub code: String,
    /// Not kept: empty.
    pub header: String,
    /// Not kept: empty.
    pub body: String,
    /// When the answer came.
    pub responded_at: String,
}

impl PaymentWebhook {
    /// The view of a delivery; `max_attempts` is the configured limit.
    pub fn of(row: &WebhookRow, max_attempts: u32) -> PaymentWebhook {
        let answered = row.last_code.zip(row.last_attempt_at);
        let status =
            WebhookOutcome::of(row.status, row.attempts, row.last_code, row.last_attempt_at)
                .map(WebhookStatus::from);
        PaymentWebhook {
            payment_status: row.payment_status.clone(),
            id: row.id.clone(),
            status,
            url: row.url.clone(),
            current_execution_count: row.attempts,
            max_execution_count: i64::from(max_attempts),
            trigger: row.trigger.clone(),
            request: row.last_attempt_at.map(|at| Request {
                body: row.payload.clone(),
                requested_at: Some(time(at)),
            }),
            response: answered.map(|(code, at)| Response {
                code: code.to_string(),
                header: String::new(),
                body: String::new(),
                responded_at: time(at),
            }),
            triggered_at: time(row.created_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DeliveryStatus;

    fn row(status: &str, attempts: i64, code: Option<i64>, at: Option<i64>) -> WebhookRow {
        WebhookRow {
            id: "whmsg_1".into(),
            event_type: "Transaction.Paid".into(),
            url: "https://shop.example/hook".into(),
            payload: "{}".into(),
            status: DeliveryStatus::parse(status).expect("a delivery status"),
            attempts,
            payment_status: Some("PAID".into()),
            trigger: None,
            resend_of: None,
            last_code: code,
            last_attempt_at: at,
            created_at: 0,
        }
    }

    #[test]
    fn statuses_follow_the_last_attempt() {
        let of = |r: WebhookRow| PaymentWebhook::of(&r, 6);
        // Not tried yet: no status, no request, no response.
        let w = of(row("PENDING", 0, None, None));
        assert_eq!(w.status, None);
        assert!(w.request.is_none() && w.response.is_none());
        // Answered 2xx.
        let w = of(row("DELIVERED", 1, Some(200), Some(1)));
        assert_eq!(super::super::render(&w)["status"], "SUCCEEDED");
        assert_eq!(w.response.map(|r| r.code), Some("200".into()));
        // Answered non-2xx, retrying or given up.
        for s in ["PENDING", "FAILED"] {
            let w = of(row(s, 2, Some(500), Some(1)));
            let v = super::super::render(&w);
            assert_eq!(v["status"], "FAILED_NOT_OK_RESPONSE", "{s}");
        }
        // No answer at all (timeout, connection refused): no response object.
        let w = of(row("FAILED", 6, None, Some(1)));
        assert_eq!(
            super::super::render(&w)["status"],
            "FAILED_UNEXPECTED_ERROR"
        );
        assert!(w.response.is_none());
        assert_eq!((w.current_execution_count, w.max_execution_count), (6, 6));
    }
}
