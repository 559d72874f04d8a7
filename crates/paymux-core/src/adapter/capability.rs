//! The capability vocabulary: operations, methods, field limits, transports and the
//! descriptor an adapter publishes, with the one field-limit checker every adapter uses.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::validation::ValidationErrors;
use crate::wire::{charset, Charset};

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
    /// Revoke an issued virtual account nobody has paid into yet (가상계좌 말소,
    /// `POST /payments/{id}/virtual-account/close`).
    #[serde(rename = "virtual-account.close")]
    VirtualAccountClose,
    /// Issue a standalone cash receipt (`POST /cash-receipts`,
    /// [`PgAdapter::encode_cash_receipt`](super::PgAdapter::encode_cash_receipt)).
    #[serde(rename = "cash-receipt.issue")]
    CashReceiptIssue,
    /// Cancel an issued cash receipt (`POST /payments/{id}/cash-receipt/cancel`).
    #[serde(rename = "cash-receipt.cancel")]
    CashReceiptCancel,
    /// Ask the PG about a cash receipt (resolves an issue whose answer was lost).
    #[serde(rename = "cash-receipt.get")]
    CashReceiptGet,
}

impl Operation {
    /// Every operation, in CLI order.
    pub const ALL: [Operation; 12] = [
        Operation::PaymentInstant,
        Operation::BillingKeyIssue,
        Operation::PaymentBillingKey,
        Operation::PaymentCancel,
        Operation::PaymentGet,
        Operation::BillingKeyDelete,
        Operation::CheckoutPrepare,
        Operation::CheckoutComplete,
        Operation::VirtualAccountClose,
        Operation::CashReceiptIssue,
        Operation::CashReceiptCancel,
        Operation::CashReceiptGet,
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
            Operation::VirtualAccountClose => "virtual-account.close",
            Operation::CashReceiptIssue => "cash-receipt.issue",
            Operation::CashReceiptCancel => "cash-receipt.cancel",
            Operation::CashReceiptGet => "cash-receipt.get",
        }
    }

    /// Whether this is a standalone cash-receipt operation: encoded by
    /// [`PgAdapter::encode_cash_receipt`](super::PgAdapter::encode_cash_receipt), not
    /// [`PgAdapter::encode`](super::PgAdapter::encode).
    pub fn is_cash_receipt(self) -> bool {
        matches!(
            self,
            Operation::CashReceiptIssue | Operation::CashReceiptCancel | Operation::CashReceiptGet
        )
    }

    /// Parse a CLI name.
    pub fn parse(s: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether a lost answer to this operation may mean money moved (or, for a cash receipt,
    /// that the PG acted).
    pub fn moves_money(self) -> bool {
        !matches!(
            self,
            Operation::PaymentGet | Operation::CheckoutPrepare | Operation::CashReceiptGet
        )
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
    /// The limit declared on a unified field path, if any.
    pub fn field_limit(&self, path: &str) -> Option<&FieldLimit> {
        self.field_limits.iter().find(|l| l.path == path)
    }
}

impl AdapterDescriptor {
    /// The one field-limit check every adapter uses. `value` must be representable in `text`
    /// when given (the charset the adapter sends all text in) and in the charset of the limit
    /// declared on `limit_path`, and no longer than that limit. Errors are reported at `path`
    /// (which may be more precise than `limit_path`, e.g. one element of a list) and name the
    /// rule, never the value. Returns whether the value passed.
    pub fn check_field(
        &self,
        path: &str,
        limit_path: &str,
        value: &str,
        text: Option<Charset>,
        errs: &mut ValidationErrors,
    ) -> bool {
        if let Some(cs) = text {
            if !check_text(path, value, cs, errs) {
                return false;
            }
        }
        let Some(limit) = self.capabilities.field_limit(limit_path) else {
            return true;
        };
        let len = match limit.unit {
            LimitUnit::Chars => value.chars().count(),
            LimitUnit::Bytes(cs) => {
                if text != Some(cs) && !check_text(path, value, cs, errs) {
                    return false;
                }
                charset::byte_len(path, value, cs).unwrap_or(usize::MAX)
            }
        };
        if len > limit.max {
            let unit = match limit.unit {
                LimitUnit::Chars => "characters".to_string(),
                LimitUnit::Bytes(cs) => format!("bytes in {cs}"),
            };
            errs.add(
                path,
                format!("must be at most {} {unit} (is {len})", limit.max),
            );
            return false;
        }
        true
    }
}

/// Whether `value` can be written in `cs`; if not, an error at `path` naming the rule and the
/// character's position, never the value. Returns whether it can.
pub fn check_text(path: &str, value: &str, cs: Charset, errs: &mut ValidationErrors) -> bool {
    match charset::byte_len(path, value, cs) {
        Ok(_) => true,
        Err(e) => {
            let rule = e.to_string();
            let rule = rule
                .strip_prefix(&format!("{path}: "))
                .unwrap_or(&rule)
                .to_string();
            errs.add(path, rule);
            false
        }
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

/// Every PortOne `PgCompany` value: what [`AdapterDescriptor::pg_company`] may be, and what a
/// `pgCompanies` filter accepts (a company no adapter is simply matches nothing).
pub const PG_COMPANIES: &[&str] = &[
    "INICIS",
    "NICE",
    "KCP",
    "DANAL",
    "TOSSPAYMENTS",
    "MOBILIANS",
    "KICC",
    "SMARTRO",
    "DAOU",
    "BLUEWALNUT",
    "PAYPAL",
    "ALIPAY",
    "EXIMBAY",
    "PAYMENTWALL",
    "SETTLE",
    "GALAXIA",
    "NAVERPAY",
    "KAKAOPAY",
    "SMILEPAY",
    "KAKAO",
    "TOSSPAY",
    "CHAI",
    "PAYCO",
    "PAYPLE",
    "SYRUP",
    "KSNET",
    "WELCOME",
    "JTNET",
    "KPN",
    "HYPHEN",
    "PAYLETTER",
];

/// Static description of an adapter.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdapterDescriptor {
    /// Adapter id (`galaxia`): the cargo feature and channel `adapter` value.
    pub id: &'static str,
    /// PortOne's `PgProvider` value (`GALAXIA`, `KSNET`, `SMARTRO_V2`).
    pub pg_provider: &'static str,
    /// PortOne's `PgCompany` value (`GALAXIA`, `KSNET`, `SMARTRO`): the company behind the
    /// provider, what the lists' `filter.pgCompanies` compares with. One of [`PG_COMPANIES`].
    pub pg_company: &'static str,
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

#[cfg(test)]
mod tests {
    use super::*;

    static DESC: AdapterDescriptor = AdapterDescriptor {
        id: "t",
        pg_provider: "T",
        pg_company: "KCP",
        display_name: "T",
        transport: TransportKind::Tcp,
        maturity: Maturity::Draft,
        credentials: &[],
        options: &[],
        capabilities: Capabilities {
            operations: &[],
            currencies: &["KRW"],
            field_limits: &[
                FieldLimit {
                    path: "paymentId",
                    max: 4,
                    unit: LimitUnit::Bytes(Charset::EucKr),
                },
                FieldLimit {
                    path: "customer.id",
                    max: 3,
                    unit: LimitUnit::Chars,
                },
            ],
            partial_cancel: false,
            max_partial_cancels: None,
        },
    };

    fn check(path: &str, value: &str, text: Option<Charset>) -> ValidationErrors {
        let mut errs = ValidationErrors::default();
        let ok = DESC.check_field(path, path, value, text, &mut errs);
        assert_eq!(ok, errs.is_empty(), "{errs}");
        errs
    }

    #[test]
    fn byte_limits_count_in_the_declared_charset() {
        assert!(check("paymentId", "가나", None).is_empty());
        let e = check("paymentId", "가나다", None);
        assert_eq!(
            e.to_string(),
            "paymentId: must be at most 4 bytes in EUC-KR (KS X 1001) (is 6)"
        );
    }

    #[test]
    fn char_limits_count_characters() {
        assert!(check("customer.id", "가나다", None).is_empty());
        let e = check("customer.id", "abcd", None);
        assert!(e.to_string().contains("at most 3 characters (is 4)"), "{e}");
    }

    #[test]
    fn unrepresentable_text_names_the_field_never_the_value() {
        // `똠` is outside KS X 1001: refused by the byte limit's charset ...
        let e = check("paymentId", "똠", None);
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].path.as_str(), "paymentId");
        assert!(!e.to_string().contains('똠'), "{e}");
        // ... and, with a wire charset, on a field with no limit at all.
        assert!(check("orderName", "똠", None).is_empty());
        let e = check("orderName", "똠", Some(Charset::EucKr));
        assert_eq!(e.0[0].path.as_str(), "orderName");
        assert!(!e.to_string().contains('똠'), "{e}");
    }

    #[test]
    fn a_precise_path_is_reported_against_a_general_limit() {
        let mut errs = ValidationErrors::default();
        assert!(!DESC.check_field("items[2].id", "customer.id", "abcd", None, &mut errs));
        assert_eq!(errs.0[0].path.as_str(), "items[2].id");
    }
}
