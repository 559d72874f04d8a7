//! The request types: one unified operation with the earlier transaction it refers to.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::model;
use crate::money::{Currency, Money, VatRounding};
use crate::secret::Secret;
use crate::validation::ValidationErrors;

pub use crate::model::CheckoutRequest;

use super::{Method, Operation};

/// The earlier transaction an operation refers to, as the gateway stored it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriorTransaction {
    /// The PG's TID of the original payment.
    #[serde(default)]
    pub pg_tx_id: Option<String>,
    /// When it was paid.
    #[serde(default)]
    pub paid_at: Option<DateTime<FixedOffset>>,
    /// Amounts so far.
    #[serde(default)]
    pub amount: Option<PriorAmount>,
    /// Number of cancels already done.
    #[serde(default)]
    pub cancel_count: u32,
    /// The PG's billing key (billing-key charge and delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_billing_key: Option<Secret<String>>,
    /// The payment method of the original payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// The original order date the PG knows the payment by (`YYYYMMDDHHMMSS`), when the PG
    /// keys transactions by order id + date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<String>,
    /// The currency of the original payment. Cancels carry no currency of their own, so a PG
    /// that writes amounts in a currency-dependent unit (KSNET: USD in thousandths of a
    /// dollar) reads it here. Absent means KRW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

/// Amounts of the earlier transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriorAmount {
    /// Original total.
    pub total: Money,
    /// Original tax-free part.
    #[serde(default)]
    pub tax_free: Money,
    /// Cancelled so far.
    #[serde(default)]
    pub cancelled: Money,
    /// Tax-free cancelled so far.
    #[serde(default)]
    pub cancelled_tax_free: Money,
}

impl PriorAmount {
    /// What can still be cancelled.
    pub fn cancellable(&self) -> Money {
        self.total
            .checked_sub(self.cancelled)
            .unwrap_or(Money::ZERO)
    }
    /// Tax-free part still cancellable.
    pub fn cancellable_tax_free(&self) -> Money {
        self.tax_free
            .checked_sub(self.cancelled_tax_free)
            .unwrap_or(Money::ZERO)
    }
}

/// `POST /payments/{paymentId}/instant`: the body plus the path's `paymentId`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantPaymentCall {
    /// Merchant's payment id.
    pub payment_id: String,
    /// The PortOne body.
    #[serde(flatten)]
    pub body: model::InstantPaymentInput,
}

/// `POST /billing-keys`: the body plus the billing key the gateway assigned.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueBillingKeyCall {
    /// The (super) billing key id the gateway assigned.
    pub billing_key: String,
    /// The PortOne body.
    #[serde(flatten)]
    pub body: model::IssueBillingKeyBody,
}

/// `POST /payments/{paymentId}/billing-key`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingKeyPaymentCall {
    /// Merchant's payment id.
    pub payment_id: String,
    /// The PortOne body.
    #[serde(flatten)]
    pub body: model::BillingKeyPaymentInput,
    /// The billing key as stored (carries `pgBillingKey`).
    #[serde(default)]
    pub prior: PriorTransaction,
}

/// `POST /payments/{paymentId}/cancel`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelCall {
    /// Merchant's payment id.
    pub payment_id: String,
    /// The PortOne body.
    #[serde(flatten)]
    pub body: model::CancelPaymentBody,
    /// The payment as stored.
    #[serde(default)]
    pub prior: PriorTransaction,
}

/// A cancel resolved against the stored balance ([`CancelCall::resolve_against_prior`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriorCancel {
    /// The amounts to cancel now (defaults filled, PortOne's rules applied).
    pub resolved: model::ResolvedCancel,
    /// The payment's amounts before this cancel.
    pub prior: PriorAmount,
    /// What was cancellable before this cancel.
    pub cancellable: Money,
    /// The first cancel, and of everything: PGs call this a full cancel.
    pub full: bool,
}

impl CancelCall {
    /// Resolve this cancel against `prior.amount` so the balance can never go negative: the
    /// amount defaults to everything left, and PortOne's cancel rules apply. Every adapter
    /// needs this before it sends anything; errors name the field at fault.
    pub fn resolve_against_prior(&self) -> Result<PriorCancel, ValidationErrors> {
        self.resolve_against_prior_with(VatRounding::HalfUp)
    }

    /// [`resolve_against_prior`](Self::resolve_against_prior) with the PG's VAT rounding for
    /// an absent `vatAmount` ([`PgAdapter::vat_rounding`](super::PgAdapter::vat_rounding)).
    pub fn resolve_against_prior_with(
        &self,
        rounding: VatRounding,
    ) -> Result<PriorCancel, ValidationErrors> {
        use model::{CancelAmounts, CancelRule, CancellableAmounts};
        let Some(prior) = self.prior.amount else {
            let mut e = ValidationErrors::default();
            e.add(
                "prior.amount",
                "is required: partial cancels are tracked against it",
            );
            return Err(e);
        };
        let cancellable = CancellableAmounts {
            total: prior.cancellable(),
            tax_free: prior.cancellable_tax_free(),
            vat: None,
        };
        let left = cancellable.total;
        let resolved =
            CancelAmounts::resolve_with(&self.body, &cancellable, rounding).map_err(|rule| {
                let mut e = ValidationErrors::default();
                match rule {
                    CancelRule::InvalidRequest(v) => e.push(v),
                    CancelRule::ConsistencyBroken => e.add(
                        "currentCancellableAmount",
                        format!("does not match the cancellable amount ({left} left)"),
                    ),
                    CancelRule::AlreadyCancelled => e.add(
                        "amount",
                        "nothing is left to cancel: the payment is fully cancelled",
                    ),
                    other => e.add("amount", format!("{other} ({left} left)")),
                }
                e
            })?;
        Ok(PriorCancel {
            resolved,
            prior,
            cancellable: left,
            full: prior.cancelled == Money::ZERO && resolved.amount == prior.total,
        })
    }
}

/// Status inquiry of a payment at its PG.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPaymentCall {
    /// Merchant's payment id.
    pub payment_id: String,
    /// Amount asked for (for PGs that need it in the inquiry).
    #[serde(default)]
    pub prior: PriorTransaction,
}

/// Delete a billing key at the PG.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteBillingKeyCall {
    /// The (super) billing key id.
    pub billing_key: String,
    /// The key as stored (carries `pgBillingKey`).
    #[serde(default)]
    pub prior: PriorTransaction,
}

/// Build the PG window for a checkout.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutPrepareCall {
    /// The gateway URL the PG window returns to.
    #[serde(default)]
    pub return_url: Option<String>,
    /// The browser SDK request.
    pub checkout: CheckoutRequest,
}

/// Approve what the PG window posted back.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutCompleteCall {
    /// Merchant's payment id.
    pub payment_id: String,
    /// The form fields the PG window posted back, decoded.
    pub returned: std::collections::BTreeMap<String, Secret<String>>,
    /// The checkout as prepared.
    #[serde(default)]
    pub prior: PriorTransaction,
}

/// `POST /payments/{paymentId}/virtual-account/close`: revoke the payment's issued virtual
/// account before anyone pays into it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseVirtualAccountCall {
    /// Merchant's payment id.
    pub payment_id: String,
    /// The payment as stored (carries the PG's TID and the amount).
    #[serde(default)]
    pub prior: PriorTransaction,
}

/// A unified operation with its input.
#[derive(Debug, Clone)]
pub enum PgRequest {
    /// `payment.instant`
    Instant(InstantPaymentCall),
    /// `billing-key.issue`
    IssueBillingKey(IssueBillingKeyCall),
    /// `payment.billing-key`
    PayWithBillingKey(BillingKeyPaymentCall),
    /// `payment.cancel`
    Cancel(CancelCall),
    /// `payment.get`
    Get(GetPaymentCall),
    /// `billing-key.delete`
    DeleteBillingKey(DeleteBillingKeyCall),
    /// `checkout.prepare`
    CheckoutPrepare(CheckoutPrepareCall),
    /// `checkout.complete`
    CheckoutComplete(CheckoutCompleteCall),
    /// `virtual-account.close`
    CloseVirtualAccount(CloseVirtualAccountCall),
}

impl PgRequest {
    /// The operation.
    pub fn operation(&self) -> Operation {
        match self {
            PgRequest::Instant(_) => Operation::PaymentInstant,
            PgRequest::IssueBillingKey(_) => Operation::BillingKeyIssue,
            PgRequest::PayWithBillingKey(_) => Operation::PaymentBillingKey,
            PgRequest::Cancel(_) => Operation::PaymentCancel,
            PgRequest::Get(_) => Operation::PaymentGet,
            PgRequest::DeleteBillingKey(_) => Operation::BillingKeyDelete,
            PgRequest::CheckoutPrepare(_) => Operation::CheckoutPrepare,
            PgRequest::CheckoutComplete(_) => Operation::CheckoutComplete,
            PgRequest::CloseVirtualAccount(_) => Operation::VirtualAccountClose,
        }
    }

    /// The payment method the operation uses, when it has one.
    pub fn method(&self) -> Option<Method> {
        match self {
            PgRequest::Instant(c) => Some(match c.body.method {
                model::InstantPaymentMethodInput::Card(_) => Method::Card,
                model::InstantPaymentMethodInput::VirtualAccount(_) => Method::VirtualAccount,
            }),
            // The V2 API issues billing keys from card credentials only; a key issued through
            // a window (e.g. mobile billing-key-and-pay) carries its method in `prior`.
            PgRequest::IssueBillingKey(_) => Some(Method::Card),
            PgRequest::PayWithBillingKey(c) => c.prior.method.or(Some(Method::Card)),
            PgRequest::Cancel(c) => c.prior.method,
            PgRequest::Get(c) => c.prior.method,
            PgRequest::DeleteBillingKey(_) => None,
            PgRequest::CheckoutPrepare(c) => Some(c.checkout.method()),
            PgRequest::CheckoutComplete(c) => c.prior.method,
            PgRequest::CloseVirtualAccount(_) => Some(Method::VirtualAccount),
        }
    }

    /// PortOne's generic rules for the request's content. The channel (`channelKey` /
    /// `channelGroupId`) is not checked here: by the time a request reaches an adapter,
    /// routing has resolved it, and a dry run names it with `--channel`.
    pub fn validate_generic(&self) -> Result<(), ValidationErrors> {
        self.generic_errors(false).into_result()
    }

    /// Every broken generic rule: the body's, then the request's ids. Without `routing`, the
    /// body's rule on `channelKey` / `channelGroupId` is left out (routing resolved them);
    /// with it, that rule is kept and the ids are checked only when the body passed (what a
    /// front end answers: the body's errors, as its `validated()` gives them, else the ids').
    pub(crate) fn generic_errors(&self, routing: bool) -> ValidationErrors {
        use model::Validate;
        let mut errs = ValidationErrors::default();
        let root = crate::validation::FieldPath::root("");
        match self {
            PgRequest::Instant(c) => c.body.validate(&root, &mut errs),
            PgRequest::IssueBillingKey(c) => c.body.validate(&root, &mut errs),
            PgRequest::PayWithBillingKey(c) => c.body.validate(&root, &mut errs),
            PgRequest::Cancel(c) => c.body.validate(&root, &mut errs),
            PgRequest::CheckoutPrepare(c) => match &c.checkout {
                CheckoutRequest::Payment(r) => r.validate(&root, &mut errs),
                CheckoutRequest::IssueBillingKey(r) => r.validate(&root, &mut errs),
                CheckoutRequest::IssueBillingKeyAndPay(r) => r.validate(&root, &mut errs),
            },
            PgRequest::Get(_)
            | PgRequest::DeleteBillingKey(_)
            | PgRequest::CheckoutComplete(_)
            | PgRequest::CloseVirtualAccount(_) => {}
        }
        if routing && !errs.0.is_empty() {
            return errs;
        }
        for (path, what) in [
            ("paymentId", self.payment_id()),
            ("billingKey", self.billing_key_id()),
        ] {
            if what.is_some_and(|v| v.trim().is_empty()) {
                errs.add(path, "must not be empty");
            }
        }
        if !routing {
            errs.0
                .retain(|e| !matches!(e.path.as_str(), "channelKey" | "channelGroupId"));
        }
        errs
    }

    /// The merchant's paymentId, for operations on a payment.
    pub fn payment_id(&self) -> Option<&str> {
        match self {
            PgRequest::Instant(c) => Some(&c.payment_id),
            PgRequest::PayWithBillingKey(c) => Some(&c.payment_id),
            PgRequest::Cancel(c) => Some(&c.payment_id),
            PgRequest::Get(c) => Some(&c.payment_id),
            PgRequest::CheckoutComplete(c) => Some(&c.payment_id),
            PgRequest::CloseVirtualAccount(c) => Some(&c.payment_id),
            PgRequest::CheckoutPrepare(c) => match &c.checkout {
                CheckoutRequest::Payment(r) => Some(&r.payment_id),
                CheckoutRequest::IssueBillingKeyAndPay(r) => Some(&r.payment_id),
                CheckoutRequest::IssueBillingKey(_) => None,
            },
            PgRequest::IssueBillingKey(_) | PgRequest::DeleteBillingKey(_) => None,
        }
    }

    /// The (super) billing key id, for billing-key operations.
    pub fn billing_key_id(&self) -> Option<&str> {
        match self {
            PgRequest::IssueBillingKey(c) => Some(&c.billing_key),
            PgRequest::DeleteBillingKey(c) => Some(&c.billing_key),
            PgRequest::PayWithBillingKey(c) => Some(&c.body.billing_key),
            _ => None,
        }
    }

    /// Parse the `paymux wire` request file for `operation`.
    pub fn from_json(operation: Operation, json: &str) -> Result<PgRequest, String> {
        // Errors name the JSON path and never echo the offending value (it may be card data).
        // `#[serde(flatten)]` hides paths inside the body, so a failing call is re-read as its
        // bare body type to find where it broke.
        fn read<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
            let mut de = serde_json::Deserializer::from_str(json);
            serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let msg = crate::validation::sanitize_serde_message(&e.inner().to_string());
                match e.path().to_string().as_str() {
                    "." | "" => msg,
                    path => format!("{path}: {msg}"),
                }
            })
        }
        fn p<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
            read(json)
        }
        fn with_body<T: serde::de::DeserializeOwned, B: serde::de::DeserializeOwned>(
            json: &str,
        ) -> Result<T, String> {
            read::<T>(json).map_err(|call_err| match read::<B>(json) {
                Err(body_err) => body_err,
                Ok(_) => call_err,
            })
        }
        Ok(match operation {
            Operation::PaymentInstant => {
                PgRequest::Instant(with_body::<_, model::InstantPaymentInput>(json)?)
            }
            Operation::BillingKeyIssue => {
                PgRequest::IssueBillingKey(with_body::<_, model::IssueBillingKeyBody>(json)?)
            }
            Operation::PaymentBillingKey => {
                PgRequest::PayWithBillingKey(with_body::<_, model::BillingKeyPaymentInput>(json)?)
            }
            Operation::PaymentCancel => {
                PgRequest::Cancel(with_body::<_, model::CancelPaymentBody>(json)?)
            }
            Operation::PaymentGet => PgRequest::Get(p(json)?),
            Operation::BillingKeyDelete => PgRequest::DeleteBillingKey(p(json)?),
            Operation::CheckoutPrepare => PgRequest::CheckoutPrepare(p(json)?),
            Operation::CheckoutComplete => PgRequest::CheckoutComplete(p(json)?),
            Operation::VirtualAccountClose => PgRequest::CloseVirtualAccount(p(json)?),
            op @ (Operation::CashReceiptIssue
            | Operation::CashReceiptCancel
            | Operation::CashReceiptGet) => {
                return Err(format!(
                    "{op} is not a payment request: cash receipts go through PgAdapter::encode_cash_receipt (the gateway's /cash-receipts)"
                ))
            }
        })
    }
}

impl CheckoutRequest {
    /// The method the window is for.
    pub fn method(&self) -> Method {
        use model::{BillingKeyAndPayMethod as Bp, BillingKeyMethod as Bk, PaymentPayMethod as P};
        match self {
            CheckoutRequest::Payment(r) => match r.pay_method {
                P::Card => Method::Card,
                P::Transfer => Method::Transfer,
                P::VirtualAccount => Method::VirtualAccount,
                P::Mobile => Method::Mobile,
                P::EasyPay => Method::EasyPay,
                P::GiftCertificate => Method::GiftCertificate,
                P::Paypal => Method::Paypal,
                P::Alipay => Method::Alipay,
                P::ConvenienceStore => Method::ConvenienceStore,
                P::AlipayPlus => Method::AlipayPlus,
            },
            CheckoutRequest::IssueBillingKey(r) => match r.billing_key_method {
                Bk::Card => Method::Card,
                Bk::Mobile => Method::Mobile,
                Bk::EasyPay => Method::EasyPay,
                Bk::Paypal => Method::Paypal,
            },
            CheckoutRequest::IssueBillingKeyAndPay(r) => match r.billing_key_and_pay_method {
                Bp::Mobile => Method::Mobile,
            },
        }
    }

    /// The currency code the window is in, when the request names one (a billing-key window
    /// may not).
    pub fn currency(&self) -> Option<&str> {
        match self {
            CheckoutRequest::Payment(r) => Some(r.currency.code()),
            CheckoutRequest::IssueBillingKey(r) => r.currency.as_ref().map(|c| c.code()),
            CheckoutRequest::IssueBillingKeyAndPay(r) => Some(r.currency.code()),
        }
    }
}
