//! KSNET's own rules, on top of PortOne's generic ones. Every broken rule names the unified
//! field path and never the value. Length limits are declared in
//! [`crate::DESCRIPTOR`]`.capabilities.field_limits` and checked from there, in
//! EUC-KR bytes (a Hangul syllable is 2); every text KSNET receives must be representable in
//! strict EUC-KR, the WEBFEP JSON included ("EUC-KR로 표현 가능한 문자여야 합니다").
//!
//! | rule | source |
//! |---|---|
//! | `productType` is required for card payments (PHYSICAL → REAL, DIGITAL → DIGITAL) | PortOne KSNET guide, "API 결제" |
//! | `customer.name` is required (주문자명 / `userName*`) | PortOne KSNET guide; the reference marks `userName*` |
//! | a billing key needs number, expiry, birth/BRN and the password's two digits | PortOne KSNET guide, "API 빌링키 발급" |
//! | password and birth/BRN go together (`card/pay/oldcert`) or not at all (`noncert`) | the reference's two approval APIs |
//! | at most 9 partial cancels (`prior.cancelCount`) | reference 1.1; PortOne guide |
//! | no partial cancel of a MOBILE payment | PortOne guide, "휴대폰결제" |
//! | cancels only within 6 months of the payment (checked while encoding: it needs the clock) | reference 1.1; PortOne guide |
//! | currency KRW or USD (virtual accounts KRW) | PortOne guide |
//! | no escrow through the API | PortOne guide: "에스크로 거래는 SDK 결제에서만 가능합니다" |
//! | virtual accounts: a listed bank, a deadline, no tax-free/VAT split, no cash receipt | PortOne guide; the VA section |

use paymux_core::adapter::{check_capabilities, check_text, Method, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::{CustomerInput, InstantPaymentMethodInput};
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::{charset, Charset};

use crate::channel::KsnetChannel;
use crate::encode::{self, WireCurrency};
use crate::protocol::width;
use crate::DESCRIPTOR;

/// Unified path of the customer's name (the declared limit).
pub const CUSTOMER_NAME_PATH: &str = "customer.name.full";

/// Check a request. The KSNET policy that holds whatever paymux implements (no partial cancel
/// of a MOBILE payment) is reported first; then the declared capabilities, the channel and the
/// rules of each operation.
pub fn validate(ctx: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
    if let PgRequest::Cancel(c) = req {
        if c.prior.method == Some(Method::Mobile) {
            if let Err(e) = encode::resolve_cancel(c) {
                if e.0.iter().any(|x| x.path.as_str() == "amount") {
                    return Err(PgError::Validation(e));
                }
            }
        }
    }
    check_capabilities(&DESCRIPTOR, req)?;
    KsnetChannel::from_context(ctx)?;
    let mut errs = ValidationErrors::default();
    match req {
        PgRequest::Instant(c) => {
            let b = &c.body;
            within_limit("paymentId", &c.payment_id, &mut errs);
            text("orderName", &b.order_name, &mut errs);
            customer(b.customer.as_ref(), &mut errs);
            if b.is_escrow == Some(true) {
                errs.add(
                    "isEscrow",
                    "KSNET escrow is available only through the payment window (에스크로 거래는 SDK 결제에서만 가능합니다)",
                );
            }
            match &b.method {
                InstantPaymentMethodInput::Card(card) => {
                    product_type(b.product_type.is_some(), &mut errs);
                    errs.absorb(encode::keyed_card(&card.credential));
                    if let Ok(cur) = WireCurrency::of(b.currency.code()) {
                        errs.absorb(encode::amounts(&b.amount, cur));
                    }
                }
                InstantPaymentMethodInput::VirtualAccount(va) => {
                    if b.currency.code() != "KRW" {
                        errs.add("currency", "KSNET issues virtual accounts in KRW only");
                    }
                    errs.absorb(encode::check_virtual_account(&b.amount, va));
                }
            }
        }
        PgRequest::IssueBillingKey(c) => {
            within_limit("billingKey", &c.billing_key, &mut errs);
            customer(c.body.customer.as_ref(), &mut errs);
            if let Some(card) = &c.body.method.card {
                let base = "method.card.credential";
                let cred = &card.credential;
                if cred.birth_or_business_registration_number.is_none() {
                    errs.add(
                        format!("{base}.birthOrBusinessRegistrationNumber").as_str(),
                        "is required to issue a KSNET billing key (number, expiryYear, expiryMonth, birthOrBusinessRegistrationNumber and passwordTwoDigits)",
                    );
                }
                if cred.password_two_digits.is_none() {
                    errs.add(
                        format!("{base}.passwordTwoDigits").as_str(),
                        "is required to issue a KSNET billing key (number, expiryYear, expiryMonth, birthOrBusinessRegistrationNumber and passwordTwoDigits)",
                    );
                }
            }
        }
        PgRequest::PayWithBillingKey(c) => {
            // Its billing-key payment is a card charge: there is no cash receipt to send, and
            // dropping one silently would leave the merchant believing it was issued.
            if c.body.cash_receipt.is_some() {
                errs.add("cashReceipt", "cannot be sent with a KSNET billing-key payment (a card charge): issue it with POST /cash-receipts where the channel's PG can");
            }
            let b = &c.body;
            within_limit("paymentId", &c.payment_id, &mut errs);
            text("orderName", &b.order_name, &mut errs);
            customer(b.customer.as_ref(), &mut errs);
            product_type(b.product_type.is_some(), &mut errs);
            if c.prior
                .pg_billing_key
                .as_ref()
                .map_or(true, |k| k.expose().trim().is_empty())
            {
                errs.add(
                    "prior.pgBillingKey",
                    "is required: the batch key KSNET issued (the issuing transaction's TID)",
                );
            } else if c
                .prior
                .pg_billing_key
                .as_ref()
                .is_some_and(|k| k.expose().len() > width::TID)
            {
                errs.add(
                    "prior.pgBillingKey",
                    "is not a KSNET batch key: at most 12 characters (a TID)",
                );
            }
            if let Ok(cur) = WireCurrency::of(b.currency.code()) {
                errs.absorb(encode::amounts(&b.amount, cur));
            }
        }
        PgRequest::Cancel(c) => {
            // The order number travels in the KSPay header and keys an order-number cancel.
            within_limit("paymentId", &c.payment_id, &mut errs);
            errs.absorb(encode::resolve_cancel(c));
            if c.prior
                .pg_tx_id
                .as_deref()
                .is_some_and(|t| t.len() > width::TID)
            {
                errs.add("prior.pgTxId", "is not a KSNET TID: at most 12 characters");
            }
        }
        PgRequest::Get(c) => {
            errs.absorb(encode::trade_key(&c.payment_id, &c.prior));
            within_limit("paymentId", &c.payment_id, &mut errs);
        }
        PgRequest::DeleteBillingKey(c) => {
            within_limit("billingKey", &c.billing_key, &mut errs);
            match c.prior.pg_billing_key.as_ref().map(|k| k.expose()) {
                Some(k) if !k.trim().is_empty() && k.len() <= width::TID => {}
                _ => errs.add(
                    "prior.pgBillingKey",
                    "is required: the batch key KSNET issued (the issuing transaction's TID)",
                ),
            }
        }
        PgRequest::CheckoutPrepare(_) | PgRequest::CheckoutComplete(_) => {
            return Err(encode::window_unsupported())
        }
        // Refused by the capability check.
        PgRequest::CloseVirtualAccount(_) => {}
    }
    errs.into_result().map_err(PgError::Validation)
}

fn product_type(given: bool, errs: &mut ValidationErrors) {
    if !given {
        errs.add(
            "productType",
            "is required for a KSNET card payment: PHYSICAL (REAL) or DIGITAL",
        );
    }
}

/// The customer's name (required, declared limit) and e-mail (≤ 50 bytes, EUC-KR).
fn customer(c: Option<&CustomerInput>, errs: &mut ValidationErrors) {
    let name = c.and_then(|c| c.name.as_ref());
    match (name, c.and_then(CustomerInput::full_name)) {
        (Some(n), Some(full)) => {
            let path = if n.full.is_some() {
                CUSTOMER_NAME_PATH
            } else {
                "customer.name"
            };
            within_limit_at(path, CUSTOMER_NAME_PATH, &full, errs);
        }
        _ => errs.add(
            "customer.name",
            "is required with KSNET: the orderer's name (주문자명, userName)",
        ),
    }
    if let Some(email) = c.and_then(|c| c.email.as_deref()) {
        if text("customer.email", email, errs) {
            let len =
                charset::byte_len("customer.email", email, Charset::EucKr).unwrap_or(usize::MAX);
            if len > width::EMAIL {
                errs.add(
                    "customer.email",
                    format!(
                        "must be at most {} bytes (KSNET's userEmail/Email field; is {len})",
                        width::EMAIL
                    ),
                );
            }
        }
    }
}

/// Check `value` against the descriptor's limit on `path`, reporting at `path`.
pub fn within_limit(path: &str, value: &str, errs: &mut ValidationErrors) {
    within_limit_at(path, path, value, errs);
}

/// Check `value` against the descriptor's limit on `limit_path`, reporting at `path`, with
/// text in strict EUC-KR: core's one field checker, bound to [`DESCRIPTOR`].
pub fn within_limit_at(path: &str, limit_path: &str, value: &str, errs: &mut ValidationErrors) {
    DESCRIPTOR.check_field(path, limit_path, value, Some(Charset::EucKr), errs);
}

/// Whether `value` is representable in strict EUC-KR; if not, an error naming `path` and the
/// character's position (never the value).
pub fn text(path: &str, value: &str, errs: &mut ValidationErrors) -> bool {
    check_text(path, value, Charset::EucKr, errs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrepresentable_text_names_the_field_not_the_value() {
        let mut errs = ValidationErrors::default();
        within_limit("paymentId", "똠", &mut errs);
        let s = errs.to_string();
        assert!(s.starts_with("paymentId:"), "{s}");
        assert!(!s.contains('똠'), "{s}");
    }

    #[test]
    fn limits_count_euc_kr_bytes() {
        let mut errs = ValidationErrors::default();
        within_limit("paymentId", &"가".repeat(25), &mut errs);
        assert!(errs.is_empty(), "{errs}");
        within_limit("paymentId", &"가".repeat(26), &mut errs);
        assert!(errs.to_string().contains("at most 50 bytes"), "{errs}");
    }
}
