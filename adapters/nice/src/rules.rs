//! NICE's own rules, on top of PortOne's generic ones. Every broken rule names the unified
//! field path and never the value.
//!
//! Length limits are declared in [`DESCRIPTOR`]'s `field_limits` and checked here from that
//! declaration, counted in **UTF-8 bytes**: the wire is UTF-8 JSON (`returnCharSet: utf-8`) and
//! the manual's "Byte" column does not say which charset it counts in; a value within N UTF-8
//! bytes is within N whether NICE counts characters, EUC-KR bytes or UTF-8 bytes.
//!
//! | rule | path | source |
//! |---|---|---|
//! | keyed-in card payments are not in the start API | — (`Unsupported`) | the manual has no keyed-in card call (`common/api.md` URI 목록) |
//! | `paymentId` (orderId) ≤ 64 | `paymentId` | every request table: orderId 64 |
//! | billing-key issue needs the birth date / business number and the card password | `method.card.credential.*` | `api/payment-subscribe.md` encData 필드 상세: idNo, cardPw 필수 |
//! | expiry `YY` / `MM` | `method.card.credential.expiry*` | encData 필드 상세 |
//! | a card number is 16 digits at most | `method.card.credential.number` | encData: cardNo 16 |
//! | amounts ≤ 12 digits | `amount.total` | amount 12 |
//! | a deposited virtual account is refunded to `refundAccount` | `refundAccount` | `api/cancel.md`: 가상계좌 (입금 후) 환불 |
//! | an undeposited virtual account is cancelled whole | `amount` | `api/cancel.md`: 가상계좌 (발급 후) 전체취소 only |
//! | the window needs a server-approval client key | `credentials.client_key` | `api/payment-window-server.md`: S2_/R2_ |
//! | a virtual account window needs `vbankHolder` | `customer.fullName` | `api/payment-window-server.md`: vbankHolder 필수 |

use paymux_core::adapter::{
    check_capabilities, CancelCall, CheckoutRequest, Method, PgRequest, PriorCancel,
    PriorTransaction,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::{CheckoutCustomer, CustomerInput, PaymentPayMethod};
use paymux_core::money::Money;
use paymux_core::validation::ValidationErrors;

use crate::channel::NiceChannel;
use crate::frame::digits;
use crate::{protocol, DESCRIPTOR};

/// Why a keyed-in card payment is refused: the start API has no such call.
pub const NO_KEYED_IN: &str = "payment.instant with CARD: NICE's start API has no keyed-in card payment (its manual's URI list has none; pay cards through the window with checkout.prepare, or issue a billing key with billing-key.issue and charge it)";
/// Why a server-side virtual account is refused.
pub const NO_SERVER_VBANK: &str = "payment.instant with VIRTUAL_ACCOUNT: NICE's start API issues virtual accounts through the payment window only (checkout.prepare with VIRTUAL_ACCOUNT)";

/// Largest amount NICE's `amount` (12 digits) carries.
pub const MAX_AMOUNT: i64 = 999_999_999_999;

/// Check a request: the operations NICE lacks first (with the reason), then the declared
/// capabilities, the channel and NICE's rules.
pub fn validate(ctx: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
    if let PgRequest::Instant(c) = req {
        return Err(unsupported_instant(c.body.method.card().is_some()));
    }
    check_capabilities(&DESCRIPTOR, req)?;
    let ch = NiceChannel::from_context(ctx)?;
    let mut errs = ValidationErrors::default();
    match req {
        PgRequest::Instant(_) => {}
        PgRequest::IssueBillingKey(c) => {
            let b = &c.body;
            if c.billing_key.len() > 64 {
                errs.add(
                    "billingKey",
                    "must be at most 64 bytes with NICE (it is the orderId of /v1/subscribe/regist)",
                );
            }
            customer_limits(b.customer.as_ref(), &mut errs);
            if let Some(card) = &b.method.card {
                let base = "method.card.credential";
                let cred = &card.credential;
                let number = cred.number.expose();
                if !(13..=16).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit())
                {
                    errs.add(
                        format!("{base}.number").as_str(),
                        "must be 13 to 16 digits with NICE (cardNo, 16)",
                    );
                }
                if !two_digits(&cred.expiry_year) {
                    errs.add(
                        format!("{base}.expiryYear").as_str(),
                        "must be 2 digits (expYear, YY)",
                    );
                }
                if !two_digits(&cred.expiry_month)
                    || !(1..=12).contains(&cred.expiry_month.parse::<u8>().unwrap_or(0))
                {
                    errs.add(
                        format!("{base}.expiryMonth").as_str(),
                        "must be 01 to 12 (expMonth, MM)",
                    );
                }
                match &cred.birth_or_business_registration_number {
                    None => errs.add(
                        format!("{base}.birthOrBusinessRegistrationNumber").as_str(),
                        "is required with NICE (idNo: birth date YYMMDD or business number)",
                    ),
                    Some(n)
                        if ![6, 10].contains(&n.expose().len())
                            || !n.expose().bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        errs.add(
                            format!("{base}.birthOrBusinessRegistrationNumber").as_str(),
                            "must be 6 digits (YYMMDD) or 10 digits (business number)",
                        )
                    }
                    Some(_) => {}
                }
                match &cred.password_two_digits {
                    None => errs.add(
                        format!("{base}.passwordTwoDigits").as_str(),
                        "is required with NICE (cardPw: the card password's first 2 digits)",
                    ),
                    Some(p) if !two_digits(p.expose()) => errs.add(
                        format!("{base}.passwordTwoDigits").as_str(),
                        "must be 2 digits (cardPw)",
                    ),
                    Some(_) => {}
                }
            }
        }
        PgRequest::PayWithBillingKey(c) => {
            // Its billing-key payment is a card charge: there is no cash receipt to send, and
            // dropping one silently would leave the merchant believing it was issued.
            if c.body.cash_receipt.is_some() {
                errs.add("cashReceipt", "cannot be sent with a NICE Pay billing-key payment (a card charge): issue it with POST /cash-receipts where the channel's PG can");
            }
            let b = &c.body;
            within_limit("paymentId", &c.payment_id, &mut errs);
            within_limit("orderName", &b.order_name, &mut errs);
            amount_total(b.amount.total, &mut errs);
            customer_limits(b.customer.as_ref(), &mut errs);
            if b.installment_month.is_some_and(|m| !(0..=99).contains(&m)) {
                errs.add("installmentMonth", "must be 0 to 99 (cardQuota)");
            }
            billing_key(&ch, &c.prior, &mut errs);
        }
        PgRequest::Cancel(c) => {
            within_limit("reason", &c.body.reason, &mut errs);
            within_limit("paymentId", &c.payment_id, &mut errs);
            if c.prior
                .pg_tx_id
                .as_deref()
                .map_or(true, |t| t.trim().is_empty())
            {
                errs.add(
                    "prior.pgTxId",
                    "is required: the tid of the payment to cancel",
                );
            }
            if let Err(e) = resolve_cancel(c) {
                errs.extend(e);
            }
        }
        PgRequest::Get(c) => within_limit("paymentId", &c.payment_id, &mut errs),
        PgRequest::DeleteBillingKey(c) => billing_key(&ch, &c.prior, &mut errs),
        PgRequest::CheckoutPrepare(c) => {
            let r = match &c.checkout {
                CheckoutRequest::Payment(r) => r,
                CheckoutRequest::IssueBillingKey(_) => {
                    return Err(PgError::Unsupported {
                        adapter: crate::ADAPTER_ID,
                        what: "checkout.prepare of requestIssueBillingKey (NICE's start API issues billing keys from card data: billing-key.issue)".into(),
                    })
                }
                CheckoutRequest::IssueBillingKeyAndPay(_) => {
                    return Err(PgError::Unsupported {
                        adapter: crate::ADAPTER_ID,
                        what: "checkout.prepare of requestIssueBillingKeyAndPay".into(),
                    })
                }
            };
            if ch.client_approval_key() {
                errs.add(
                    "credentials.client_key",
                    "is a client-approval key (S1_/R1_): paymux approves on the server, which needs a server-approval key (S2_/R2_)",
                );
            }
            within_limit("paymentId", &r.payment_id, &mut errs);
            within_limit("orderName", &r.order_name, &mut errs);
            amount_total(r.total_amount, &mut errs);
            checkout_customer(r.customer.as_ref(), &mut errs);
            if r.pay_method == PaymentPayMethod::VirtualAccount
                && r.customer
                    .as_ref()
                    .and_then(CheckoutCustomer::full_name)
                    .is_none()
            {
                errs.add(
                    "customer.fullName",
                    "is required for VIRTUAL_ACCOUNT with NICE (vbankHolder)",
                );
            }
            match c.return_url.as_deref() {
                None => errs.add(
                    "returnUrl",
                    "is required: the window posts the auth result there (returnUrl)",
                ),
                Some(u) if u.len() > 500 => {
                    errs.add("returnUrl", "must be at most 500 characters (returnUrl)")
                }
                Some(_) => {}
            }
        }
        PgRequest::CheckoutComplete(c) => {
            if let Some(failed) = crate::checkout::window_failure(c) {
                return Err(failed);
            }
            if let Err(e) = crate::checkout::read_return(&ch, c) {
                errs.extend(e);
            }
        }
        PgRequest::CloseVirtualAccount(c) => {
            within_limit("paymentId", &c.payment_id, &mut errs);
            if c.prior
                .pg_tx_id
                .as_deref()
                .map_or(true, |t| t.trim().is_empty())
            {
                errs.add(
                    "prior.pgTxId",
                    "is required: the tid of the virtual account to close",
                );
            }
        }
    }
    errs.into_result().map_err(PgError::Validation)
}

/// The refusal of `payment.instant`, saying why.
pub fn unsupported_instant(card: bool) -> PgError {
    PgError::Unsupported {
        adapter: crate::ADAPTER_ID,
        what: if card { NO_KEYED_IN } else { NO_SERVER_VBANK }.into(),
    }
}

fn two_digits(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())
}

fn amount_total(total: Money, errs: &mut ValidationErrors) {
    if total.get() > MAX_AMOUNT {
        errs.add("amount.total", "must be at most 12 digits (amount)");
    }
}

fn customer_limits(customer: Option<&CustomerInput>, errs: &mut ValidationErrors) {
    let Some(c) = customer else { return };
    if let Some(name) = c.full_name() {
        within_limit("customer.name.full", &name, errs);
    }
    if let Some(p) = &c.phone_number {
        within_limit("customer.phoneNumber", p, errs);
    }
    if let Some(e) = &c.email {
        within_limit("customer.email", e, errs);
    }
}

fn checkout_customer(customer: Option<&CheckoutCustomer>, errs: &mut ValidationErrors) {
    let Some(c) = customer else { return };
    if let Some(id) = &c.customer_id {
        within_limit("customer.customerId", id, errs);
    }
    if let Some(name) = c.full_name() {
        within_limit("customer.fullName", &name, errs);
    }
    if let Some(p) = &c.phone_number {
        within_limit("customer.phoneNumber", p, errs);
    }
    if let Some(e) = &c.email {
        within_limit("customer.email", e, errs);
    }
}

fn billing_key(ch: &NiceChannel, prior: &PriorTransaction, errs: &mut ValidationErrors) {
    match &prior.pg_billing_key {
        None => errs.add(
            "prior.pgBillingKey",
            "is required: the billing key billing-key.issue returned",
        ),
        Some(k) => {
            if let Err(rule) = crate::channel::open_bid(ch, k) {
                errs.add("prior.pgBillingKey", rule);
            }
        }
    }
}

/// Check `value` against the descriptor's limit on `path` (core's one field checker, bound to
/// [`DESCRIPTOR`]). The error names `path`, never the value.
pub fn within_limit(path: &str, value: &str, errs: &mut ValidationErrors) {
    DESCRIPTOR.check_field(path, path, value, None, errs);
}

/// What a cancel becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelPlan {
    /// Method of the original payment (absent = CARD: billing-key charges).
    pub method: Method,
    /// Amount cancelled now.
    pub amount: Money,
    /// Tax-free part of it.
    pub tax_free: Money,
    /// What stays cancellable afterwards.
    pub remaining_after: Money,
    /// First cancel, of everything: `cancelAmt` is left out ("값이 누락이면 전액취소").
    pub full: bool,
    /// A deposited virtual account: the money goes back to `refundAccount`.
    pub refund: bool,
}

/// Resolve a cancel against `prior.amount`, so the balance never goes negative. Errors name
/// the field at fault and are raised before anything is sent.
pub fn resolve_cancel(call: &CancelCall) -> Result<CancelPlan, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let PriorCancel {
        resolved,
        cancellable: left,
        full,
        ..
    } = call.resolve_against_prior()?;
    if resolved.amount.get() > MAX_AMOUNT {
        errs.add("amount", "must be at most 12 digits (cancelAmt)");
    }
    let method = call.prior.method.unwrap_or(Method::Card);
    let deposited = call.prior.paid_at.is_some();
    let refund = method == Method::VirtualAccount && deposited;
    if method == Method::VirtualAccount && !deposited && !full {
        errs.add(
            "amount",
            "an undeposited VIRTUAL_ACCOUNT is cancelled whole with NICE (api/cancel.md)",
        );
    }
    if refund {
        match &call.body.refund_account {
            None => errs.add(
                "refundAccount",
                "is required to refund a deposited VIRTUAL_ACCOUNT payment with NICE",
            ),
            Some(a) => {
                if protocol::bank_code(a.bank.code()).is_none() {
                    errs.add(
                        "refundAccount.bank",
                        format!("NICE has no bank code for {}", a.bank.code()),
                    );
                }
                let n = digits(a.number.expose());
                if n.is_empty() || n.len() > 16 {
                    errs.add(
                        "refundAccount.number",
                        "must be 1 to 16 digits (refundAccount, 16)",
                    );
                }
            }
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(CancelPlan {
        method,
        amount: resolved.amount,
        tax_free: resolved.tax_free,
        remaining_after: left.checked_sub(resolved.amount).unwrap_or(Money::ZERO),
        full,
        refund,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_utf8_bytes_and_name_the_path_only() {
        let mut e = ValidationErrors::default();
        within_limit("customer.customerId", &"가".repeat(6), &mut e);
        assert!(e.is_empty(), "{e}");
        within_limit("customer.customerId", &"가".repeat(7), &mut e);
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].path.as_str(), "customer.customerId");
        assert!(!e.to_string().contains('가'));
    }

    #[test]
    fn two_digit_fields() {
        assert!(two_digits("07"));
        assert!(!two_digits("7"));
        assert!(!two_digits("a7"));
    }
}
