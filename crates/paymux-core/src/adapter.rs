//! The `PgAdapter` contract: a pure translator between the unified model and one PG's wire
//! format.
//!
//! An adapter never does I/O. [`PgAdapter::encode`] turns a [`PgRequest`] into a
//! [`WireRequest`] (exact bytes plus a masked, readable view); [`PgAdapter::decode`] turns the
//! [`WireResponse`] back into an [`Outcome`]. A [`Transport`](crate::transport::Transport)
//! moves the bytes in between, and [`execute`](crate::execute::execute) ties the three
//! together. Keeping translation pure is what makes wire snapshots exact and cheap.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::channel::ChannelContext;
use crate::error::PgError;
use crate::model;
use crate::money::Money;
use crate::outcome::Outcome;
use crate::secret::Secret;
use crate::validation::ValidationErrors;
use crate::wire::Charset;

/// The operations an adapter may support. Names are the CLI's (`payment.instant`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Operation {
    /// Keyed-in card or virtual account payment (`POST /payments/{id}/instant`).
    #[serde(rename = "payment.instant")]
    PaymentInstant,
    /// Issue a billing key from card credentials (`POST /billing-keys`).
    #[serde(rename = "billing-key.issue")]
    BillingKeyIssue,
    /// Charge a billing key (`POST /payments/{id}/billing-key`).
    #[serde(rename = "payment.billing-key")]
    PaymentBillingKey,
    /// Full or partial cancel (`POST /payments/{id}/cancel`).
    #[serde(rename = "payment.cancel")]
    PaymentCancel,
    /// Status inquiry at the PG, used to resolve unknown outcomes.
    #[serde(rename = "payment.get")]
    PaymentGet,
    /// Delete a billing key at the PG.
    #[serde(rename = "billing-key.delete")]
    BillingKeyDelete,
    /// Build the PG payment-window form for the browser.
    #[serde(rename = "checkout.prepare")]
    CheckoutPrepare,
    /// Approve what the PG window returned.
    #[serde(rename = "checkout.complete")]
    CheckoutComplete,
}

impl Operation {
    /// Every operation, in CLI order.
    pub const ALL: [Operation; 8] = [
        Operation::PaymentInstant,
        Operation::BillingKeyIssue,
        Operation::PaymentBillingKey,
        Operation::PaymentCancel,
        Operation::PaymentGet,
        Operation::BillingKeyDelete,
        Operation::CheckoutPrepare,
        Operation::CheckoutComplete,
    ];

    /// The CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::PaymentInstant => "payment.instant",
            Operation::BillingKeyIssue => "billing-key.issue",
            Operation::PaymentBillingKey => "payment.billing-key",
            Operation::PaymentCancel => "payment.cancel",
            Operation::PaymentGet => "payment.get",
            Operation::BillingKeyDelete => "billing-key.delete",
            Operation::CheckoutPrepare => "checkout.prepare",
            Operation::CheckoutComplete => "checkout.complete",
        }
    }

    /// Parse a CLI name.
    pub fn parse(s: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether a lost answer to this operation may mean money moved.
    pub fn moves_money(self) -> bool {
        !matches!(self, Operation::PaymentGet | Operation::CheckoutPrepare)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Payment methods, as PortOne's `payMethod` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Method {
    /// Credit/check card.
    Card,
    /// Virtual account (bank deposit).
    VirtualAccount,
    /// Real-time account transfer.
    Transfer,
    /// Mobile phone billing.
    Mobile,
    /// Easy pay (wallets).
    EasyPay,
    /// Gift certificate.
    GiftCertificate,
    /// PayPal.
    Paypal,
    /// Alipay.
    Alipay,
    /// Alipay+.
    AlipayPlus,
    /// Convenience-store payment.
    ConvenienceStore,
}

impl Method {
    /// `CARD`, `VIRTUAL_ACCOUNT`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Card => "CARD",
            Method::VirtualAccount => "VIRTUAL_ACCOUNT",
            Method::Transfer => "TRANSFER",
            Method::Mobile => "MOBILE",
            Method::EasyPay => "EASY_PAY",
            Method::GiftCertificate => "GIFT_CERTIFICATE",
            Method::Paypal => "PAYPAL",
            Method::Alipay => "ALIPAY",
            Method::AlipayPlus => "ALIPAY_PLUS",
            Method::ConvenienceStore => "CONVENIENCE_STORE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One supported operation and the methods it supports.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Capability {
    /// The operation.
    pub operation: Operation,
    /// Methods it supports (empty for method-less operations such as `payment.get`).
    pub methods: &'static [Method],
}

/// How a field limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitUnit {
    /// Bytes in the vendor's charset.
    Bytes(Charset),
    /// Unicode characters.
    Chars,
}

/// A limit the vendor puts on one unified field.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldLimit {
    /// Unified field path (`orderName`, `customer.id`, `bypass.galaxia.ITEM_CODE`).
    pub path: &'static str,
    /// Maximum length.
    pub max: usize,
    /// How the length is counted.
    pub unit: LimitUnit,
}

/// What an adapter can do, as data. Validation, routing and the conformance suite all read it.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Operations × methods.
    pub operations: &'static [Capability],
    /// ISO 4217 codes accepted.
    pub currencies: &'static [&'static str],
    /// Field limits.
    pub field_limits: &'static [FieldLimit],
    /// Partial cancels supported.
    pub partial_cancel: bool,
    /// Most partial cancels per payment, if the PG caps them.
    pub max_partial_cancels: Option<u32>,
}

impl Capabilities {
    /// Whether `operation` is supported for `method` (`None` = method-less operation).
    pub fn supports(&self, operation: Operation, method: Option<Method>) -> bool {
        self.operations.iter().any(|c| {
            c.operation == operation
                && match method {
                    None => true,
                    Some(m) => c.methods.is_empty() || c.methods.contains(&m),
                }
        })
    }
    /// Whether a currency is accepted.
    pub fn supports_currency(&self, code: &str) -> bool {
        self.currencies.contains(&code)
    }
}

/// How the adapter reaches the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// HTTPS (reqwest + rustls).
    Http,
    /// Raw TCP socket.
    Tcp,
}

/// How finished an adapter is: plain data its author sets in the descriptor.
///
/// The sandbox's demo group routes traffic only to `Ready` adapters; a `Draft` adapter still
/// gets its `<id>-test` channel (usable by `channelKey`) but joins the group at weight 0,
/// disabled. `paymux adapters` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Maturity {
    /// Work in progress (what `cargo xtask new-adapter` generates): its conformance test
    /// does not pass yet.
    Draft,
    /// Passes its conformance test; safe to take a share of a group's traffic.
    Ready,
}

impl Maturity {
    /// `draft` or `ready`.
    pub fn as_str(self) -> &'static str {
        match self {
            Maturity::Draft => "draft",
            Maturity::Ready => "ready",
        }
    }
}

/// Static description of an adapter.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdapterDescriptor {
    /// Adapter id (`galaxia`): the cargo feature and channel `adapter` value.
    pub id: &'static str,
    /// PortOne's `PgProvider` value (`GALAXIA`, `KSNET`, `SMARTRO_V2`).
    pub pg_provider: &'static str,
    /// Human name.
    pub display_name: &'static str,
    /// Primary transport.
    pub transport: TransportKind,
    /// Draft until the adapter passes its conformance test; only ready adapters take a share
    /// of the sandbox demo group's traffic.
    pub maturity: Maturity,
    /// Credential names the channel must carry.
    pub credentials: &'static [&'static str],
    /// Option names the channel may carry.
    pub options: &'static [&'static str],
    /// Capabilities.
    pub capabilities: Capabilities,
}

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
        let resolved = CancelAmounts::resolve(&self.body, &cancellable).map_err(|rule| {
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

/// Which payment-window request is being prepared.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckoutRequest {
    /// `requestPayment`.
    Payment(Box<model::PaymentRequest>),
    /// `requestIssueBillingKey` (billing-key window).
    IssueBillingKey(Box<model::IssueBillingKeyRequest>),
    /// `requestIssueBillingKeyAndPay`.
    IssueBillingKeyAndPay(Box<model::IssueBillingKeyAndPayRequest>),
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
        }
    }

    /// PortOne's generic rules for the request's content. The channel (`channelKey` /
    /// `channelGroupId`) is not checked here: by the time a request reaches an adapter,
    /// routing has resolved it, and a dry run names it with `--channel`.
    pub fn validate_generic(&self) -> Result<(), ValidationErrors> {
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
            PgRequest::Get(_) | PgRequest::DeleteBillingKey(_) | PgRequest::CheckoutComplete(_) => {
            }
        }
        for (path, what) in [
            ("paymentId", self.payment_id()),
            ("billingKey", self.billing_key_id()),
        ] {
            if what.is_some_and(|v| v.trim().is_empty()) {
                errs.add(path, "must not be empty");
            }
        }
        errs.0
            .retain(|e| !matches!(e.path.as_str(), "channelKey" | "channelGroupId"));
        errs.into_result()
    }

    /// The merchant's paymentId, for operations on a payment.
    pub fn payment_id(&self) -> Option<&str> {
        match self {
            PgRequest::Instant(c) => Some(&c.payment_id),
            PgRequest::PayWithBillingKey(c) => Some(&c.payment_id),
            PgRequest::Cancel(c) => Some(&c.payment_id),
            PgRequest::Get(c) => Some(&c.payment_id),
            PgRequest::CheckoutComplete(c) => Some(&c.payment_id),
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
}

/// Inputs an encoder may need besides the request: the clock and fresh randomness, passed in
/// so encoding stays pure and tests are deterministic.
#[derive(Debug, Clone)]
pub struct EncodeContext<'a> {
    /// The channel.
    pub channel: &'a ChannelContext,
    /// "Now" in Korea Standard Time (UTC+9), as PGs want their dates.
    pub now: DateTime<FixedOffset>,
    /// 16 random bytes for nonces the vendor wants (e.g. a checksum salt).
    pub nonce: [u8; 16],
}

impl<'a> EncodeContext<'a> {
    /// A context at the current time with fresh randomness.
    pub fn now(channel: &'a ChannelContext) -> Self {
        EncodeContext {
            channel,
            now: chrono::Utc::now().with_timezone(&kst()),
            nonce: rand::random(),
        }
    }
}

/// Korea Standard Time, UTC+9 (no daylight saving).
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// One HTTP header. Sensitive values (Authorization) are masked in every view.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value (exact).
    pub value: String,
    /// Mask in views.
    pub sensitive: bool,
}

impl Header {
    /// The value as views show it.
    pub fn view_value(&self) -> String {
        if self.sensitive {
            crate::secret::mask_all(&self.value)
        } else {
            self.value.clone()
        }
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.view_value())
    }
}

/// Where the bytes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireTarget {
    /// An HTTP request.
    Http {
        /// `POST`, `GET`, ...
        method: String,
        /// Full URL.
        url: String,
        /// Headers in order.
        headers: Vec<Header>,
    },
    /// A TCP exchange: one connection, one request frame, one response frame.
    Tcp {
        /// Host name or IP.
        host: String,
        /// Port.
        port: u16,
        /// How to read the response frame.
        framing: Framing,
    },
    /// A form the browser posts to the PG window (checkout); the server sends nothing.
    Browser {
        /// The window URL the form posts to.
        url: String,
        /// Charset the window expects (`EUC-KR`, `UTF-8`).
        accept_charset: &'static str,
    },
}

/// How a TCP response frame is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `digits` ASCII decimal digits giving the length of what follows.
    AsciiLengthPrefix {
        /// Number of digits.
        digits: usize,
    },
    /// Exactly this many bytes.
    Fixed(usize),
}

/// What an adapter wants sent: exact bytes, where to, and a masked readable view.
#[derive(Clone)]
pub struct WireRequest {
    /// Destination.
    pub target: WireTarget,
    /// Exact bytes: the HTTP body, or the whole TCP frame (length prefix included).
    pub body: Vec<u8>,
    /// Decoded, masked view with the vendor's field names — what a reviewer reads. Built when
    /// first read ([`WireView`]).
    pub view: WireView,
    /// Read timeout the vendor's sample uses, if it recommends one.
    pub read_timeout: Option<Duration>,
}

/// The masked, readable view of a [`WireRequest`] (the vendor's field names, card data
/// masked): what `paymux wire`, snapshots and `Debug` show.
///
/// Built when first read, not by `encode`: sending never reads it, and for a large telegram it
/// costs more than the cipher (docs/BENCHMARKS.md). [`WireView::lazy`] takes what to build it
/// from — a closure (`move || request.view()`) or the adapter's own telegram type — and
/// [`WireView::source`] hands that back to the adapter's `decode`, which can read what was sent
/// without parsing the bytes again. A ready [`serde_json::Value`] converts with `.into()`.
/// Reads go through `Deref<Target = Value>` (`w.view["header"]`, `&*w.view`); `Serialize`,
/// `Debug` and `Display` are the built value's, so output is the same either way.
#[derive(Clone, Default)]
pub struct WireView(Arc<ViewCell>);

#[derive(Default)]
struct ViewCell {
    built: OnceLock<serde_json::Value>,
    source: Option<Box<dyn ErasedSource>>,
}

/// What a lazy [`WireView`] is built from. Implemented by closures returning the view
/// (`WireView::lazy(move || telegram.view())`) and by an adapter's own types.
pub trait ViewSource: Send + Sync + 'static {
    /// The masked view.
    fn view(&self) -> serde_json::Value;
}

impl<F> ViewSource for F
where
    F: Fn() -> serde_json::Value + Send + Sync + 'static,
{
    fn view(&self) -> serde_json::Value {
        self()
    }
}

/// [`ViewSource`] plus a way back to the concrete type (no trait upcasting at MSRV 1.80).
trait ErasedSource: Send + Sync {
    fn view(&self) -> serde_json::Value;
    fn as_any(&self) -> &dyn Any;
}

impl<S: ViewSource> ErasedSource for S {
    fn view(&self) -> serde_json::Value {
        ViewSource::view(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl WireView {
    /// A view built from `source` when first read.
    pub fn lazy<S: ViewSource>(source: S) -> Self {
        WireView(Arc::new(ViewCell {
            built: OnceLock::new(),
            source: Some(Box::new(source)),
        }))
    }

    /// What [`WireView::lazy`] was given, if it is an `S`: the adapter's own record of what it
    /// encoded, for its `decode`.
    pub fn source<S: ViewSource>(&self) -> Option<&S> {
        self.0.source.as_ref()?.as_any().downcast_ref::<S>()
    }

    /// The view, built now if it was not yet.
    pub fn value(&self) -> &serde_json::Value {
        self.0.built.get_or_init(|| {
            self.0
                .source
                .as_ref()
                .map_or(serde_json::Value::Null, |s| s.view())
        })
    }
}

impl From<serde_json::Value> for WireView {
    fn from(v: serde_json::Value) -> Self {
        WireView(Arc::new(ViewCell {
            built: OnceLock::from(v),
            source: None,
        }))
    }
}

impl std::ops::Deref for WireView {
    type Target = serde_json::Value;
    fn deref(&self) -> &serde_json::Value {
        self.value()
    }
}

impl fmt::Debug for WireView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

impl fmt::Display for WireView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.value(), f)
    }
}

impl Serialize for WireView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the bytes: they carry card data in the clear (or decryptably).
        f.debug_struct("WireRequest")
            .field("target", &self.target)
            .field("body_len", &self.body.len())
            .field("view", &self.view)
            .finish()
    }
}

/// What came back.
#[derive(Clone)]
pub struct WireResponse {
    /// HTTP status (None for TCP).
    pub status: Option<u16>,
    /// HTTP headers (empty for TCP).
    pub headers: Vec<(String, String)>,
    /// The body, or the whole TCP frame (length prefix included).
    pub body: Vec<u8>,
}

impl fmt::Debug for WireResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A PG adapter: a pure translator. Implementations are plain data + functions; they hold no
/// connections and no mutable state.
pub trait PgAdapter: Send + Sync + 'static {
    /// Static description and capabilities.
    fn descriptor(&self) -> &'static AdapterDescriptor;

    /// The PG's own rules on top of the generic ones. Must not do I/O. The default checks
    /// the declared capabilities (operation × method, currency); adapters add their rules.
    fn validate(&self, channel: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
        let _ = channel;
        check_capabilities(self.descriptor(), req)
    }

    /// Translate to the exact wire bytes. Pure.
    fn encode(&self, ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError>;

    /// Translate the vendor's answer. Pure. A malformed answer is an `Err`
    /// ([`PgError::MalformedResponse`]); the executor turns it into `Outcome::Unknown` when the
    /// operation may have moved money.
    fn decode(
        &self,
        ctx: &EncodeContext<'_>,
        req: &PgRequest,
        sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<Outcome, PgError>;
}

/// The generic capability check every adapter gets: operation × method and currency.
pub fn check_capabilities(desc: &AdapterDescriptor, req: &PgRequest) -> Result<(), PgError> {
    let op = req.operation();
    let method = req.method();
    if !desc.capabilities.supports(op, method) {
        return Err(PgError::Unsupported {
            adapter: desc.id,
            what: match method {
                Some(m) => format!("{op} with {m}"),
                None => op.to_string(),
            },
        });
    }
    let currency = match req {
        PgRequest::Instant(c) => Some(c.body.currency.code()),
        PgRequest::PayWithBillingKey(c) => Some(c.body.currency.code()),
        _ => None,
    };
    if let Some(code) = currency {
        if !desc.capabilities.supports_currency(code) {
            let mut e = ValidationErrors::default();
            e.add(
                "currency",
                format!(
                    "{} accepts only {}",
                    desc.display_name,
                    desc.capabilities.currencies.join(", ")
                ),
            );
            return Err(PgError::Validation(e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_lazy_view_is_built_once_when_first_read() {
        static BUILT: AtomicUsize = AtomicUsize::new(0);
        let view = WireView::lazy(|| {
            BUILT.fetch_add(1, Ordering::SeqCst);
            json!({"CARD_NO": "451842******5678"})
        });
        let copy = view.clone();
        assert_eq!(BUILT.load(Ordering::SeqCst), 0, "nothing read yet");
        assert_eq!(view["CARD_NO"], "451842******5678");
        assert_eq!(copy["CARD_NO"], "451842******5678");
        assert_eq!(
            BUILT.load(Ordering::SeqCst),
            1,
            "clones share the built view"
        );
    }

    #[test]
    fn a_view_prints_and_serializes_as_its_value() {
        let value = json!({"header": {"COMMAND": "3040", "ORDER_ID": "o-1"}, "body": [1, "二"]});
        let v = value.clone();
        let lazy = WireView::lazy(move || v.clone());
        let ready = WireView::from(value.clone());
        for view in [&lazy, &ready] {
            assert_eq!(format!("{view:?}"), format!("{value:?}"));
            assert_eq!(format!("{view:#?}"), format!("{value:#?}"));
            assert_eq!(view.to_string(), value.to_string());
            assert_eq!(
                serde_json::to_string_pretty(view).unwrap(),
                serde_json::to_string_pretty(&value).unwrap()
            );
            assert_eq!(json!({"view": view}), json!({"view": value}));
            assert_eq!(**view, value);
        }
        assert_eq!(*WireView::default(), Value::Null);
    }

    #[test]
    fn source_hands_back_what_the_view_is_built_from() {
        struct Sent {
            order_id: String,
        }
        impl ViewSource for Sent {
            fn view(&self) -> Value {
                json!({"ORDER_ID": self.order_id})
            }
        }
        struct Other;
        impl ViewSource for Other {
            fn view(&self) -> Value {
                Value::Null
            }
        }
        let view = WireView::lazy(Sent {
            order_id: "o-1".into(),
        });
        assert_eq!(
            view.source::<Sent>().map(|s| s.order_id.as_str()),
            Some("o-1")
        );
        assert!(view.source::<Other>().is_none());
        assert_eq!(view["ORDER_ID"], "o-1");
        assert!(WireView::from(json!({})).source::<Sent>().is_none());
    }

    #[test]
    fn wire_request_debug_shows_the_view_never_the_bytes() {
        let w = WireRequest {
            target: WireTarget::Tcp {
                host: "127.0.0.1".into(),
                port: 1,
                framing: Framing::Fixed(4),
            },
            body: b"4518420012345678".to_vec(),
            view: WireView::lazy(|| json!({"CARD_NO": "451842******5678"})),
            read_timeout: None,
        };
        let dbg = format!("{w:?}");
        assert!(dbg.contains("451842******5678"), "{dbg}");
        assert!(!dbg.contains("4518420012345678"), "{dbg}");
    }
}
