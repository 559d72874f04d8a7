//! The gateway's domain: statuses and kinds as enums, the typed failure of a payment, its
//! method ([`PaymentMethod`], in `method.rs`), and the state transitions of a payment.
//!
//! No SQL, no HTTP, no JSON values here: the store maps these to columns
//! ([`crate::store`]), the views to PortOne's objects. Every status spells itself exactly as
//! PortOne (and the database) does, through `as_str`.

mod method;

use std::fmt;

use chrono::{DateTime, Utc};

pub use method::{AccountDetails, Card, Installment, MethodDetails, MethodKind, PaymentMethod};

/// Defines a status enum with its wire/column spelling, parsing and `Display`.
macro_rules! spelled {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// As PortOne and the database spell it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parse the spelling of [`Self::as_str`] (event types are only ever written).
            #[allow(dead_code)]
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A string schema listing the spellings of [`Self::as_str`].
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

// After the macro: the submodules define their statuses with it.
mod cash_receipt;
mod webhook;

pub use cash_receipt::{CashReceiptStatus, PortOneCashReceiptStatus};
pub use webhook::{DeliveryStatus, EventData, EventType, WebhookOutcome};

spelled! {
    /// A payment's status.
    PaymentStatus {
        /// Claimed; the PG call is in flight (or a window waits for its customer).
        Ready = "READY",
        /// Sent, answer unknown or pending at the PG.
        PayPending = "PAY_PENDING",
        /// Virtual account issued, waiting for the deposit.
        VirtualAccountIssued = "VIRTUAL_ACCOUNT_ISSUED",
        /// Paid.
        Paid = "PAID",
        /// Failed for certain.
        Failed = "FAILED",
        /// Partly cancelled.
        PartialCancelled = "PARTIAL_CANCELLED",
        /// Fully cancelled.
        Cancelled = "CANCELLED",
    }
}

impl PaymentStatus {
    /// Whether money was taken (and may be cancelled).
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            PaymentStatus::Paid | PaymentStatus::PartialCancelled | PaymentStatus::Cancelled
        )
    }

    /// Whether some cancellation has happened.
    pub fn is_cancelled(self) -> bool {
        matches!(
            self,
            PaymentStatus::PartialCancelled | PaymentStatus::Cancelled
        )
    }
}

spelled! {
    /// How one routed attempt ended, as routing events store it and the routing metrics
    /// label it.
    AttemptOutcome {
        /// Approved.
        Approved = "APPROVED",
        /// A virtual account was issued.
        VirtualAccountIssued = "VIRTUAL_ACCOUNT_ISSUED",
        /// Pending at the PG.
        Pending = "PENDING",
        /// Declined.
        Declined = "DECLINED",
        /// Sent, no usable answer.
        Unknown = "UNKNOWN",
        /// Certainly not sent.
        NotSent = "NOT_SENT",
        /// Another error.
        Error = "ERROR",
    }
}

spelled! {
    /// How a payment was made.
    PaymentKind {
        /// Keyed-in (`POST /payments/{id}/instant`).
        Instant = "INSTANT",
        /// With a billing key (`POST /payments/{id}/billing-key`, scheduled runs).
        BillingKey = "BILLING_KEY",
        /// Through a hosted payment window.
        Checkout = "CHECKOUT",
    }
}

spelled! {
    /// A billing key's status (and the status of each of its channels).
    BillingKeyStatus {
        /// Being issued (a window is open, or the PGs are being asked).
        Issuing = "ISSUING",
        /// Issued.
        Issued = "ISSUED",
        /// Not issued.
        Failed = "FAILED",
        /// Deleted.
        Deleted = "DELETED",
    }
}

spelled! {
    /// Where a billing key was issued from (PortOne `PaymentClientType`, the
    /// `BillingKeyFilterInput.platformType` filter).
    PlatformType {
        /// The browser SDK's window, on a mobile browser.
        SdkMobile = "SDK_MOBILE",
        /// The browser SDK's window, on a PC browser.
        SdkPc = "SDK_PC",
        /// The server API (`POST /billing-keys`).
        Api = "API",
    }
}

impl PlatformType {
    /// A window completed by `browser`: `SDK_MOBILE` for a mobile user agent, else `SDK_PC`.
    pub fn of_window(browser: &Origin) -> PlatformType {
        if browser.is_mobile() {
            PlatformType::SdkMobile
        } else {
            PlatformType::SdkPc
        }
    }
}

spelled! {
    /// A payment schedule's status.
    ScheduleStatus {
        /// Waiting for its time.
        Scheduled = "SCHEDULED",
        /// Claimed by one instance, running.
        Started = "STARTED",
        /// Its payment succeeded.
        Succeeded = "SUCCEEDED",
        /// Its payment failed (or was refused before one was made).
        Failed = "FAILED",
        /// Its payment's outcome is not known yet.
        Pending = "PENDING",
        /// Revoked.
        Revoked = "REVOKED",
    }
}

impl ScheduleStatus {
    /// A schedule's status from its payment's.
    pub fn of_payment(p: PaymentStatus) -> ScheduleStatus {
        match p {
            PaymentStatus::Paid | PaymentStatus::VirtualAccountIssued => ScheduleStatus::Succeeded,
            PaymentStatus::PayPending | PaymentStatus::Ready => ScheduleStatus::Pending,
            _ => ScheduleStatus::Failed,
        }
    }

    /// Whether the schedule is finished (has a completion time).
    pub fn is_final(self) -> bool {
        self != ScheduleStatus::Pending
    }
}

spelled! {
    /// A cancellation's status.
    CancellationStatus {
        /// Sent (or being sent) to the PG; the outcome is not known yet.
        Requested = "REQUESTED",
        /// Cancelled.
        Succeeded = "SUCCEEDED",
        /// Certainly not cancelled.
        Failed = "FAILED",
    }
}

spelled! {
    /// A hosted-checkout session's status.
    SessionStatus {
        /// Created; the window may be opened and may return.
        Open = "OPEN",
        /// A return claimed the session; the PG is being asked.
        Completing = "COMPLETING",
        /// Finished with a result (paid, issued, virtual account issued, or pending at the PG).
        Completed = "COMPLETED",
        /// Finished without one (declined, cancelled in the window, not sent).
        Failed = "FAILED",
        /// Not returned in time.
        Expired = "EXPIRED",
    }
}

spelled! {
    /// Which SDK call a checkout session stands for.
    SessionKind {
        /// `requestPayment`.
        Payment = "PAYMENT",
        /// `requestIssueBillingKey`.
        IssueBillingKey = "ISSUE_BILLING_KEY",
        /// `requestIssueBillingKeyAndPay`.
        IssueBillingKeyAndPay = "ISSUE_BILLING_KEY_AND_PAY",
    }
}

impl SessionKind {
    /// Whether the session has a payment row.
    pub fn has_payment(self) -> bool {
        self != SessionKind::IssueBillingKey
    }

    /// Whether the session issues a billing key.
    pub fn has_billing_key(self) -> bool {
        self != SessionKind::Payment
    }
}

/// Why a payment (or a cancel) failed: PortOne's `failure {reason, pgCode?, pgMessage?}`.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
#[schema(as = PaymentFailureReason)]
pub struct Failure {
    /// What happened, in words.
    pub reason: String,
    /// The PG's code, when the PG answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_code: Option<String>,
    /// The PG's message, when the PG answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_message: Option<String>,
}

impl Failure {
    /// A failure the gateway knows of itself (nothing from the PG).
    pub fn reason(reason: impl Into<String>) -> Failure {
        Failure {
            reason: reason.into(),
            pg_code: None,
            pg_message: None,
        }
    }

    /// A failure with the PG's code and message.
    pub fn from_pg(
        reason: impl Into<String>,
        pg_code: impl Into<String>,
        pg_message: impl Into<String>,
    ) -> Failure {
        Failure {
            reason: reason.into(),
            pg_code: Some(pg_code.into()),
            pg_message: Some(pg_message.into()),
        }
    }
}

/// Where a payment request came from (PortOne `Payment.origin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The client's IP address (the socket peer).
    pub ip: String,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

impl Origin {
    /// The scheduler's own requests.
    pub fn scheduler() -> Origin {
        Origin {
            ip: "127.0.0.1".into(),
            user_agent: Some("paymux-scheduler".into()),
        }
    }

    /// Whether the user agent is a mobile browser's: it says `Mobi` (most mobile browsers),
    /// `Android` (Android tablets) or `iPhone` (in-app web views that drop `Mobile`).
    pub fn is_mobile(&self) -> bool {
        self.user_agent.as_deref().is_some_and(|ua| {
            ["Mobi", "Android", "iPhone"]
                .iter()
                .any(|word| ua.contains(word))
        })
    }
}

/// Where an event's webhooks go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destination {
    /// The request's `noticeUrls` (override the configured URL when non-empty).
    pub notice_urls: Vec<String>,
    /// The request's `skipWebhook`.
    pub skip: bool,
}

/// Details of the payment method the PG reported with an approval or an issued virtual
/// account, merged into the payment's stored method (PortOne `PaymentMethod` fields).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MethodUpdate {
    /// Card approval number.
    pub approval_number: Option<String>,
    /// Card issuer code.
    pub card_issuer: Option<String>,
    /// Card acquirer (publisher) code.
    pub card_publisher: Option<String>,
    /// Card name.
    pub card_name: Option<String>,
    /// Masked card number (a window's PG reports it).
    pub card_number: Option<String>,
    /// The card's BIN (first six digits of the masked number).
    pub card_bin: Option<String>,
    /// Installment months (`> 0`).
    pub installment_month: Option<u32>,
    /// Virtual account: the account issued.
    pub virtual_account: Option<IssuedAccount>,
}

/// A virtual account the PG issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedAccount {
    /// Account number.
    pub account_number: String,
    /// Bank code.
    pub bank: Option<String>,
    /// Remittee name.
    pub remittee_name: Option<String>,
    /// Deposit deadline.
    pub expires_at: Option<DateTime<Utc>>,
    /// Issued at.
    pub issued_at: DateTime<Utc>,
}

impl MethodUpdate {
    /// Whether there is nothing to merge.
    pub fn is_empty(&self) -> bool {
        *self == MethodUpdate::default()
    }
}

/// A state change of a payment after the PG answered (or the reconciler found out).
#[derive(Debug, Clone)]
pub enum Transition {
    /// Paid.
    Paid {
        /// PG TID.
        pg_tx_id: Option<String>,
        /// When.
        paid_at: DateTime<Utc>,
        /// Method details from the PG to merge into the stored method.
        method: Option<MethodUpdate>,
        /// The PG's receipt page, when its approval named one (`Payment.receiptUrl`).
        receipt_url: Option<String>,
    },
    /// Virtual account issued.
    VirtualAccountIssued {
        /// PG TID.
        pg_tx_id: Option<String>,
        /// Method details (account number, bank, expiry).
        method: Option<MethodUpdate>,
    },
    /// Failed for certain.
    Failed {
        /// Why.
        failure: Failure,
    },
    /// Accepted at the PG, result later.
    Pending {
        /// PG TID.
        pg_tx_id: Option<String>,
        /// Next inquiry.
        retry_at: DateTime<Utc>,
    },
    /// Sent, no usable answer.
    Unknown {
        /// Next inquiry.
        retry_at: DateTime<Utc>,
    },
}

impl Transition {
    /// The payment's status after the transition.
    pub fn status(&self) -> PaymentStatus {
        match self {
            Transition::Paid { .. } => PaymentStatus::Paid,
            Transition::VirtualAccountIssued { .. } => PaymentStatus::VirtualAccountIssued,
            Transition::Failed { .. } => PaymentStatus::Failed,
            Transition::Pending { .. } | Transition::Unknown { .. } => PaymentStatus::PayPending,
        }
    }

    /// What the payment's schedule (if any) becomes with it.
    pub fn schedule_status(&self) -> ScheduleStatus {
        ScheduleStatus::of_payment(self.status())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        use PaymentStatus as P;
        for s in [
            P::Ready,
            P::PayPending,
            P::VirtualAccountIssued,
            P::Paid,
            P::Failed,
            P::PartialCancelled,
            P::Cancelled,
        ] {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        use ScheduleStatus as S;
        for s in [
            S::Scheduled,
            S::Started,
            S::Succeeded,
            S::Failed,
            S::Pending,
            S::Revoked,
        ] {
            assert_eq!(ScheduleStatus::parse(&s.to_string()), Some(s));
        }
        assert_eq!(PaymentStatus::parse("paid"), None);
        assert_eq!(
            SessionKind::parse("ISSUE_BILLING_KEY"),
            Some(SessionKind::IssueBillingKey)
        );
    }

    #[test]
    fn schedules_follow_their_payment() {
        assert_eq!(
            ScheduleStatus::of_payment(PaymentStatus::VirtualAccountIssued),
            ScheduleStatus::Succeeded
        );
        assert_eq!(
            ScheduleStatus::of_payment(PaymentStatus::Ready),
            ScheduleStatus::Pending
        );
        assert_eq!(
            ScheduleStatus::of_payment(PaymentStatus::Cancelled),
            ScheduleStatus::Failed
        );
    }

    #[test]
    fn failure_json_keeps_portones_field_names() {
        let f = Failure::from_pg("declined", "E1", "no");
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!({"reason": "declined", "pgCode": "E1", "pgMessage": "no"})
        );
        let f = Failure::reason("not sent");
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"reason":"not sent"}"#
        );
    }

    #[test]
    fn windows_are_mobile_by_their_user_agent() {
        let of = |ua: Option<&str>| {
            PlatformType::of_window(&Origin {
                ip: "203.0.113.7".into(),
                user_agent: ua.map(str::to_string),
            })
        };
        for ua in [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) KAKAOTALK 10.4.5",
            "Mozilla/5.0 (Mobile; rv:48.0) Gecko/48.0 Firefox/48.0",
        ] {
            assert_eq!(of(Some(ua)), PlatformType::SdkMobile, "{ua}");
        }
        for ua in [
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
            Some("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"),
            Some(""),
            None,
        ] {
            assert_eq!(of(ua), PlatformType::SdkPc, "{ua:?}");
        }
        assert_eq!(
            PlatformType::parse("SDK_MOBILE"),
            Some(PlatformType::SdkMobile)
        );
        assert_eq!(PlatformType::Api.as_str(), "API");
    }
}
