//! Standalone cash receipts (현금영수증): issue one for a cash payment made outside the PG's
//! payment flow, cancel it, and ask the PG about it — PortOne's `issueCashReceipt`,
//! `cancelCashReceiptByPaymentId` and the inquiry behind `getCashReceiptByPaymentId`.
//!
//! An optional part of the adapter contract, like [`PgAdapter::decode_notice`]: an adapter
//! declares what it does with [`Operation::CashReceiptIssue`], [`Operation::CashReceiptCancel`]
//! and [`Operation::CashReceiptGet`] in its descriptor and implements
//! [`PgAdapter::encode_cash_receipt`] / [`PgAdapter::decode_cash_receipt`]. Every other adapter
//! answers [`PgError::Unsupported`] naming itself and the operation (the defaults), so a
//! caller can never mistake "this PG issues no receipts" for a receipt.
//!
//! [`PgAdapter::decode_notice`]: super::PgAdapter::decode_notice
//! [`PgAdapter::encode_cash_receipt`]: super::PgAdapter::encode_cash_receipt
//! [`PgAdapter::decode_cash_receipt`]: super::PgAdapter::decode_cash_receipt

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{AdapterDescriptor, Operation};
use crate::error::PgError;
use crate::money::{AmountBreakdown, Currency, Money};
use crate::outcome::{Declined, Unknown};
use crate::secret::Secret;
use crate::validation::ValidationErrors;

/// PortOne `CashReceiptType`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CashReceiptType {
    /// 소득공제용: issued to a person (phone number, resident or cash-receipt card number).
    Personal,
    /// 지출증빙용: issued to a business (business registration number).
    Corporate,
}

impl CashReceiptType {
    /// `PERSONAL` or `CORPORATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            CashReceiptType::Personal => "PERSONAL",
            CashReceiptType::Corporate => "CORPORATE",
        }
    }

    /// Parse PortOne's spelling.
    pub fn parse(s: &str) -> Option<CashReceiptType> {
        match s {
            "PERSONAL" => Some(CashReceiptType::Personal),
            "CORPORATE" => Some(CashReceiptType::Corporate),
            _ => None,
        }
    }
}

/// Issue a receipt: PortOne's `IssueCashReceiptBody`, its amounts resolved.
#[derive(Debug, Clone)]
pub struct IssueCashReceiptCall {
    /// The merchant's payment id (the vendor's order id).
    pub payment_id: String,
    /// `orderName`.
    pub order_name: String,
    /// `type`.
    pub receipt_type: CashReceiptType,
    /// `currency`.
    pub currency: Currency,
    /// `amount`, resolved (`total = supply + vat + taxFree`).
    pub amount: AmountBreakdown,
    /// `customer.identityNumber`: phone, business registration or cash-receipt card number.
    /// Personal data: never shown.
    pub identity_number: Secret<String>,
    /// `customer.name`.
    pub customer_name: Option<String>,
    /// `customer.email`.
    pub customer_email: Option<String>,
    /// `customer.phoneNumber` (personal data).
    pub customer_phone: Option<Secret<String>>,
    /// `paidAt`: when the cash was paid, if given.
    pub paid_at: Option<DateTime<FixedOffset>>,
}

/// A receipt as the gateway recorded it.
#[derive(Debug, Clone, Default)]
pub struct PriorCashReceipt {
    /// The PG's receipt id (NICE's `tid`, Toss's `receiptKey`), when the issue answered one.
    pub pg_receipt_id: Option<String>,
    /// The issued amounts.
    pub amount: Option<AmountBreakdown>,
    /// When the issue was requested (a PG that finds receipts by day looks there).
    pub requested_at: Option<DateTime<FixedOffset>>,
}

/// Cancel an issued receipt (all of it: PortOne's cancel takes no amount).
#[derive(Debug, Clone)]
pub struct CancelCashReceiptCall {
    /// The merchant's payment id.
    pub payment_id: String,
    /// Why (a vendor that requires a reason gets this one).
    pub reason: String,
    /// The receipt as recorded.
    pub prior: PriorCashReceipt,
}

/// Ask the PG what became of a receipt (an issue whose answer was lost).
#[derive(Debug, Clone)]
pub struct GetCashReceiptCall {
    /// The merchant's payment id.
    pub payment_id: String,
    /// The receipt as recorded.
    pub prior: PriorCashReceipt,
}

/// A cash-receipt operation with its input.
#[derive(Debug, Clone)]
pub enum CashReceiptRequest {
    /// `cash-receipt.issue`
    Issue(IssueCashReceiptCall),
    /// `cash-receipt.cancel`
    Cancel(CancelCashReceiptCall),
    /// `cash-receipt.get`
    Get(GetCashReceiptCall),
}

impl CashReceiptRequest {
    /// The operation.
    pub fn operation(&self) -> Operation {
        match self {
            CashReceiptRequest::Issue(_) => Operation::CashReceiptIssue,
            CashReceiptRequest::Cancel(_) => Operation::CashReceiptCancel,
            CashReceiptRequest::Get(_) => Operation::CashReceiptGet,
        }
    }

    /// The merchant's payment id.
    pub fn payment_id(&self) -> &str {
        match self {
            CashReceiptRequest::Issue(c) => &c.payment_id,
            CashReceiptRequest::Cancel(c) => &c.payment_id,
            CashReceiptRequest::Get(c) => &c.payment_id,
        }
    }

    /// The generic rules every PG shares; each adapter adds its own in its encoder. Errors
    /// name the field, never the value.
    pub fn validate_generic(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.payment_id().trim().is_empty() {
            e.add("paymentId", "must not be empty");
        }
        if let CashReceiptRequest::Issue(c) = self {
            if c.order_name.trim().is_empty() {
                e.add("orderName", "must not be empty");
            }
            let id = c.identity_number.expose();
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
                e.add(
                    "customer.identityNumber",
                    "must be digits only (a phone, business registration or cash-receipt card number, without '-')",
                );
            }
        }
        e.into_result()
    }
}

/// What the PG said about a receipt.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CashReceiptOutcome {
    /// Issued (an issue accepted, or an inquiry finding it issued).
    Issued(CashReceiptIssued),
    /// Cancelled (a cancel accepted, or an inquiry finding it cancelled).
    Cancelled(CashReceiptCancelled),
    /// An inquiry: the PG has no such receipt (the issue never reached it).
    NotFound {
        /// The PG's raw code.
        pg_code: String,
        /// The PG's raw message.
        pg_message: String,
    },
    /// The PG refused. Nothing was issued (or cancelled).
    Declined(Declined),
    /// Sent, but no usable answer: resolve by inquiry, never by guessing.
    Unknown(Unknown),
}

impl CashReceiptOutcome {
    /// A short name for logs and metrics.
    pub fn kind_str(&self) -> &'static str {
        match self {
            CashReceiptOutcome::Issued(_) => "issued",
            CashReceiptOutcome::Cancelled(_) => "cancelled",
            CashReceiptOutcome::NotFound { .. } => "not_found",
            CashReceiptOutcome::Declined(_) => "declined",
            CashReceiptOutcome::Unknown(_) => "unknown",
        }
    }
}

/// An issued receipt.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashReceiptIssued {
    /// The PG's receipt id (PortOne `pgReceiptId`): what a cancel names.
    pub pg_receipt_id: String,
    /// The National Tax Service's approval number (PortOne `issueNumber`), when the PG's
    /// answer carries one yet (some PGs report it only once the NTS approved, a day later).
    pub issue_number: Option<String>,
    /// The PG's receipt page, when its answer names one (never built from a guessed pattern).
    pub url: Option<String>,
    /// When the PG says it was issued.
    pub issued_at: Option<DateTime<FixedOffset>>,
    /// The amount the PG reports.
    pub amount: Option<Money>,
    /// The PG's raw code.
    pub pg_code: String,
    /// The PG's raw message.
    pub pg_message: String,
}

/// A cancelled receipt.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashReceiptCancelled {
    /// The amount cancelled, when the PG says.
    pub cancelled_amount: Option<Money>,
    /// When.
    pub cancelled_at: Option<DateTime<FixedOffset>>,
    /// The PG's raw code.
    pub pg_code: String,
    /// The PG's raw message.
    pub pg_message: String,
}

/// The error of an adapter without `operation`: names the PG and what it lacks.
pub fn cash_receipts_unsupported(desc: &AdapterDescriptor, operation: Operation) -> PgError {
    PgError::Unsupported {
        adapter: desc.id,
        what: format!(
            "{operation}: {} has no cash-receipt call paymux can send (see its adapter README)",
            desc.display_name
        ),
    }
}

/// The capability check of a cash-receipt request: declared in the descriptor, else
/// [`cash_receipts_unsupported`].
pub fn check_cash_receipt_capability(
    desc: &AdapterDescriptor,
    req: &CashReceiptRequest,
) -> Result<(), PgError> {
    let op = req.operation();
    if desc.capabilities.supports(op, None) {
        Ok(())
    } else {
        Err(cash_receipts_unsupported(desc, op))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::FieldPath;

    fn issue(identity: &str) -> CashReceiptRequest {
        let amount = crate::money::PaymentAmountInput {
            total: Money::new(1000).unwrap(),
            tax_free: None,
            vat: None,
        }
        .resolve(&FieldPath::root("amount"))
        .unwrap();
        CashReceiptRequest::Issue(IssueCashReceiptCall {
            payment_id: "cr-1".into(),
            order_name: "주문".into(),
            receipt_type: CashReceiptType::Personal,
            currency: Currency::krw(),
            amount,
            identity_number: Secret::new(identity.into()),
            customer_name: None,
            customer_email: None,
            customer_phone: Some(Secret::new("01012345678".into())),
            paid_at: None,
        })
    }

    #[test]
    fn debug_never_shows_identity_or_phone_numbers() {
        let dbg = format!("{:?}", issue("01098765432"));
        assert!(!dbg.contains("01098765432"), "{dbg}");
        assert!(!dbg.contains("01012345678"), "{dbg}");
    }

    #[test]
    fn identity_numbers_are_digits_and_errors_hide_them() {
        assert!(issue("01098765432").validate_generic().is_ok());
        let e = issue("010-9876-5432").validate_generic().unwrap_err();
        assert_eq!(e.0[0].path.as_str(), "customer.identityNumber");
        assert!(!e.to_string().contains("9876"), "{e}");
        assert!(issue("").validate_generic().is_err());
    }
}
