//! Smartro's own rules, on top of PortOne's generic ones. Every broken rule names the unified
//! field path and never the value.
//!
//! Length limits are declared in [`DESCRIPTOR`]'s `field_limits` and checked here from that
//! declaration, counted in **UTF-8 bytes**: the wire is UTF-8 JSON (and the window form UTF-8,
//! `EncodingType=utf8`), and a value within N UTF-8 bytes is within N whether Smartro counts
//! characters, EUC-KR bytes or UTF-8 bytes — the strictest reading of the manual's lengths.
//!
//! | rule | path | source |
//! |---|---|---|
//! | `paymentId` letters and digits only, ≤ 40 | `paymentId` | PortOne Smartro guide ("특수문자 사용 불가", "최대 40자"); Moid 40 |
//! | currency KRW or USD | `currency` | PortOne Smartro guide; declared currencies |
//! | keyed-in payments: virtual accounts only | — (`Unsupported`) | PortOne Smartro guide ("가상계좌 발급만 가능") |
//! | billing-key issue needs `customer.id` ≤ 20 | `customer.id` | PortOne Smartro guide (customerId "20자 이하"); MallUserId 20 |
//! | billing charges need `customer.id` (MallUserId), name, phone, e-mail | `customer.*` | id42417833469 ("MallUserId는 필수"); PortOne V1 API guide |
//! | virtual accounts need name, phone, e-mail; a supported bank; a future deadline | `customer.*`, `method.virtualAccount.*` | PortOne V1 API guide (vbank 필수 파라미터) |
//! | `productCount` 1–99 (GoodsCnt, 2 digits) | `productCount` | id36707751919 (`GoodsCnt maxlength=2`) |
//! | a deposited virtual account's refund needs `refundAccount.holderPhoneNumber` | `refundAccount…` | PortOne V1 API guide (refund_tel) |
//! | amounts ≤ 12 digits | `amount.total` | manual: Amt 12 |

use chrono::{DateTime, Duration, FixedOffset};
use paymux_core::adapter::{
    check_capabilities, CancelCall, CheckoutRequest, Method, PgRequest, PriorCancel,
    PriorTransaction,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::{
    CheckoutCustomer, CustomerInput, InstantPaymentMethodInputVirtualAccountExpiry as Expiry,
    PaymentPayMethod, VirtualAccountOptionType,
};
use paymux_core::money::{Money, VatRounding};
use paymux_core::validation::ValidationErrors;

use crate::channel::SmartroChannel;
use crate::frame::digits;
use crate::{protocol, DESCRIPTOR};

/// Why a fixed virtual account needs `accountNumber`: `vacct.do` takes it in `SubId` with
/// `TransType` `04` and has no field for a PG-side account id.
pub const FIXED_BY_ACCOUNT_NUMBER: &str =
    "Smartro issues fixed accounts by accountNumber only (SubId with TransType 04)";

/// Smartro's VAT rule for the server calls paymux computes the VAT of (billing charges,
/// cancels and the virtual-account issue's cash-receipt split, when the request leaves `vat` /
/// `vatAmount` out): taxable / 11 **truncated**, not
/// rounded half up. Source: merchant code reproducing Smartro's rule and citing its manual
/// (`id41891908595`, `calVat`; vendor notes §3a). The window's `VatAmt` keeps the half-up
/// rule: no source shows the window's.
pub const VAT_ROUNDING: VatRounding = VatRounding::Floor;

/// Largest amount Smartro's `Amt` (12 digits) carries.
pub const MAX_AMT: i64 = 999_999_999_999;

/// Check a request: declared capabilities first, then the channel, then Smartro's rules.
pub fn validate(ctx: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
    if let PgRequest::Instant(c) = req {
        if c.body.method.card().is_some() {
            return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: "payment.instant with CARD: Smartro's API keyed-in payments issue virtual accounts only (pay cards in the window or with a billing key)".into(),
            });
        }
    }
    check_capabilities(&DESCRIPTOR, req)?;
    let ch = SmartroChannel::from_context(ctx)?;
    let mut errs = ValidationErrors::default();
    match req {
        PgRequest::Instant(c) => {
            let b = &c.body;
            payment_id(&c.payment_id, &mut errs);
            within_limit("orderName", &b.order_name, &mut errs);
            amount_total(b.amount.total, &mut errs);
            product_count(b.product_count, &mut errs);
            buyer(b.customer.as_ref(), "a virtual account", &mut errs);
            customer_limits(b.customer.as_ref(), &mut errs);
            if b.is_escrow == Some(true) {
                errs.add(
                    "isEscrow",
                    "Smartro issues escrow virtual accounts only through its window",
                );
            }
            if let Some(va) = b.method.virtual_account() {
                let p = "method.virtualAccount";
                if protocol::bank_code(va.bank.code()).is_none() {
                    errs.add(
                        format!("{p}.bank").as_str(),
                        format!(
                            "Smartro has no bank code for {} (supported: {})",
                            va.bank.code(),
                            protocol::BANKS
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                if va.option.r#type == VirtualAccountOptionType::Fixed
                    && va
                        .option
                        .fixed
                        .as_ref()
                        .is_some_and(|f| f.account_number.is_none())
                {
                    errs.add(
                        format!("{p}.option.fixed.pgAccountId").as_str(),
                        FIXED_BY_ACCOUNT_NUMBER,
                    );
                }
            }
        }
        PgRequest::IssueBillingKey(c) => {
            let b = &c.body;
            if b.customer.as_ref().and_then(|c| c.id.as_deref()).is_none() {
                errs.add(
                    "customer.id",
                    "is required with Smartro to issue a billing key (MallUserId, at most 20)",
                );
            }
            customer_limits(b.customer.as_ref(), &mut errs);
            if let Some(card) = &b.method.card {
                let base = "method.card.credential";
                if card
                    .credential
                    .birth_or_business_registration_number
                    .is_none()
                {
                    errs.add(
                        format!("{base}.birthOrBusinessRegistrationNumber").as_str(),
                        "is required with Smartro (BuyerAuthNum of a keyed-in billing key)",
                    );
                }
                if card.credential.password_two_digits.is_none() {
                    errs.add(
                        format!("{base}.passwordTwoDigits").as_str(),
                        "is required with Smartro (CardPwd of a keyed-in billing key)",
                    );
                }
            }
        }
        PgRequest::PayWithBillingKey(c) => {
            // Its billing-key payment is a card charge: there is no cash receipt to send, and
            // dropping one silently would leave the merchant believing it was issued.
            if c.body.cash_receipt.is_some() {
                errs.add("cashReceipt", "cannot be sent with a Smartro billing-key payment (a card charge): issue it with POST /cash-receipts where the channel's PG can");
            }
            let b = &c.body;
            payment_id(&c.payment_id, &mut errs);
            within_limit("orderName", &b.order_name, &mut errs);
            amount_total(b.amount.total, &mut errs);
            product_count(b.product_count, &mut errs);
            if b.customer.as_ref().and_then(|c| c.id.as_deref()).is_none() {
                errs.add("customer.id", "is required with Smartro (MallUserId)");
            }
            buyer(b.customer.as_ref(), "a billing-key charge", &mut errs);
            customer_limits(b.customer.as_ref(), &mut errs);
            billing_key(&ch, &c.prior, &mut errs);
        }
        PgRequest::Cancel(c) => {
            within_limit("reason", &c.body.reason, &mut errs);
            if c.prior
                .pg_tx_id
                .as_deref()
                .map_or(true, |t| t.trim().is_empty())
            {
                errs.add(
                    "prior.pgTxId",
                    "is required: the Tid of the payment to cancel",
                );
            }
            if let Err(e) = resolve_cancel(c) {
                errs.extend(e);
            }
        }
        PgRequest::Get(c) => payment_id(&c.payment_id, &mut errs),
        PgRequest::DeleteBillingKey(c) => billing_key(&ch, &c.prior, &mut errs),
        PgRequest::CheckoutPrepare(c) => {
            match &c.checkout {
                CheckoutRequest::Payment(r) => {
                    payment_id(&r.payment_id, &mut errs);
                    within_limit("orderName", &r.order_name, &mut errs);
                    amount_total(r.total_amount, &mut errs);
                    checkout_customer(r.customer.as_ref(), &mut errs);
                    match r.pay_method {
                        PaymentPayMethod::VirtualAccount => {
                            let expiry = r
                                .virtual_account
                                .as_ref()
                                .and_then(|v| v.account_expiry.as_ref());
                            if expiry.is_none() {
                                errs.add(
                                    "virtualAccount.accountExpiry",
                                    "is required for VIRTUAL_ACCOUNT with Smartro (VbankExpDate)",
                                );
                            }
                        }
                        PaymentPayMethod::Mobile if r.product_type.is_none() => errs.add(
                            "productType",
                            "is required for MOBILE with Smartro (GoodsCl)",
                        ),
                        _ => {}
                    }
                    if let Err(e) = crate::checkout::bypass_fields(r.bypass.as_ref()) {
                        errs.extend(e);
                    }
                }
                CheckoutRequest::IssueBillingKey(_) => {
                    return Err(PgError::Unsupported {
                        adapter: crate::ADAPTER_ID,
                        what: "checkout.prepare of requestIssueBillingKey (the SS-Pay billing window's request fields are not public; issue keys with billing-key.issue)".into(),
                    })
                }
                CheckoutRequest::IssueBillingKeyAndPay(_) => {
                    return Err(PgError::Unsupported {
                        adapter: crate::ADAPTER_ID,
                        what: "checkout.prepare of requestIssueBillingKeyAndPay".into(),
                    })
                }
            }
            match c.return_url.as_deref() {
                None => errs.add(
                    "returnUrl",
                    "is required: the window posts Tid and TrAuthKey there (ReturnUrl)",
                ),
                Some(u) if u.len() > 200 => {
                    errs.add("returnUrl", "must be at most 200 characters (ReturnUrl)")
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
        // Refused by the capability check: no revocation call in Smartro's public material.
        PgRequest::CloseVirtualAccount(_) => {}
    }
    errs.into_result().map_err(PgError::Validation)
}

/// `paymentId` (Moid): letters and digits only, within the declared limit.
fn payment_id(id: &str, errs: &mut ValidationErrors) {
    if !id.is_empty() && !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        errs.add(
            "paymentId",
            "must contain only letters and digits: Smartro refuses special characters in Moid",
        );
        return;
    }
    within_limit("paymentId", id, errs);
}

fn amount_total(total: Money, errs: &mut ValidationErrors) {
    if total.get() > MAX_AMT {
        errs.add("amount.total", "must be at most 12 digits (Amt)");
    }
}

fn product_count(count: Option<i32>, errs: &mut ValidationErrors) {
    if count.is_some_and(|c| !(1..=99).contains(&c)) {
        errs.add(
            "productCount",
            "must be 1 to 99 with Smartro (GoodsCnt, 2 digits)",
        );
    }
}

/// Name, phone and e-mail: required for server-side payments (BuyerName, BuyerTel, BuyerEmail).
fn buyer(customer: Option<&CustomerInput>, what: &str, errs: &mut ValidationErrors) {
    let c = customer.cloned().unwrap_or_default();
    if c.full_name().is_none() {
        errs.add(
            "customer.name.full",
            format!("is required with Smartro for {what} (BuyerName)"),
        );
    }
    if c.phone_number
        .as_deref()
        .map_or(true, |p| p.trim().is_empty())
    {
        errs.add(
            "customer.phoneNumber",
            format!("is required with Smartro for {what} (BuyerTel)"),
        );
    }
    if c.email.is_none() {
        errs.add(
            "customer.email",
            format!("is required with Smartro for {what} (BuyerEmail)"),
        );
    }
}

fn customer_limits(customer: Option<&CustomerInput>, errs: &mut ValidationErrors) {
    let Some(c) = customer else { return };
    if let Some(id) = &c.id {
        within_limit("customer.id", id, errs);
    }
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
    let c = customer.cloned().unwrap_or_default();
    match c.phone_number.as_deref() {
        None => errs.add(
            "customer.phoneNumber",
            "is required with Smartro to open the window (BuyerTel)",
        ),
        Some(p) => within_limit("customer.phoneNumber", p, errs),
    }
    if let Some(id) = &c.customer_id {
        within_limit("customer.customerId", id, errs);
    }
    if let Some(name) = c.full_name() {
        within_limit("customer.fullName", &name, errs);
    }
    if let Some(e) = &c.email {
        within_limit("customer.email", e, errs);
    }
}

/// The stored billing key must be there and decrypt with this channel's merchant key.
fn billing_key(ch: &SmartroChannel, prior: &PriorTransaction, errs: &mut ValidationErrors) {
    match &prior.pg_billing_key {
        None => errs.add(
            "prior.pgBillingKey",
            "is required: the BillTokenKey Smartro issued",
        ),
        Some(k) => {
            if crate::channel::bill_token_key(ch, k).is_err() {
                errs.add(
                    "prior.pgBillingKey",
                    "is not a BillTokenKey issued to this channel: it does not decrypt with the merchant key",
                );
            }
        }
    }
}

/// The deposit deadline of a keyed-in virtual account (KST `yyyyMMdd`; Smartro fixes the time
/// at 23:59:59, PortOne V1 caution guide). Must be after `now` (checked when encoding, which
/// knows the clock).
pub fn deposit_deadline(
    expiry: &Expiry,
    now: &DateTime<FixedOffset>,
) -> Result<chrono::NaiveDate, String> {
    let kst = paymux_core::adapter::kst();
    let now = now.with_timezone(&kst);
    let due = match expiry {
        Expiry::ValidHours(h) => now + Duration::hours(i64::from(*h)),
        Expiry::DueDate(d) => d.with_timezone(&kst),
    };
    if due <= now {
        return Err("must be in the future (the deposit deadline)".into());
    }
    Ok(due.date_naive())
}

/// Check `value` against the descriptor's limit on `path`: not longer than declared, in the
/// declared unit (core's one field checker, bound to [`DESCRIPTOR`]). The error names `path`,
/// never the value.
pub fn within_limit(path: &str, value: &str, errs: &mut ValidationErrors) {
    DESCRIPTOR.check_field(path, path, value, None, errs);
}

/// The method of an earlier payment; absent means CARD (billing-key charges).
pub fn prior_method(prior: &PriorTransaction) -> Method {
    prior.method.unwrap_or(Method::Card)
}

/// What a cancel becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelPlan {
    /// Method of the original payment.
    pub method: Method,
    /// Amount cancelled now.
    pub amount: Money,
    /// Tax-free part of it.
    pub tax_free: Money,
    /// VAT part of it.
    pub vat: Money,
    /// What stays cancellable afterwards.
    pub remaining_after: Money,
    /// First cancel, of everything (`PartialCancelCode` 0).
    pub full: bool,
    /// A deposited virtual account: money goes back to `refundAccount`.
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
    } = call.resolve_against_prior_with(VAT_ROUNDING)?;
    if resolved.amount.get() > MAX_AMT {
        errs.add("amount", "must be at most 12 digits (CancelAmt)");
    }
    let method = prior_method(&call.prior);
    let deposited = call.prior.paid_at.is_some();
    let refund = method == Method::VirtualAccount && deposited;
    if method == Method::VirtualAccount && !deposited && !full {
        errs.add(
            "amount",
            "an undeposited VIRTUAL_ACCOUNT is revoked whole: cancel the full amount",
        );
    }
    if refund {
        match &call.body.refund_account {
            None => errs.add(
                "refundAccount",
                "is required to refund a deposited VIRTUAL_ACCOUNT payment with Smartro",
            ),
            Some(a) => {
                if a.holder_phone_number
                    .as_deref()
                    .map_or(true, |p| digits(p).is_empty())
                {
                    errs.add(
                        "refundAccount.holderPhoneNumber",
                        "is required with Smartro for a virtual-account refund",
                    );
                }
                if protocol::bank_code(a.bank.code()).is_none() {
                    errs.add(
                        "refundAccount.bank",
                        format!("Smartro has no bank code for {}", a.bank.code()),
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
        vat: resolved.vat,
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
        within_limit("customer.id", &"가".repeat(6), &mut e);
        assert!(e.is_empty(), "{e}");
        within_limit("customer.id", &"가".repeat(7), &mut e);
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].path.as_str(), "customer.id");
        assert!(!e.to_string().contains('가'));
    }

    #[test]
    fn payment_ids_are_alphanumeric() {
        let mut e = ValidationErrors::default();
        payment_id("order0001", &mut e);
        assert!(e.is_empty());
        payment_id("order-0001", &mut e);
        assert_eq!(e.0[0].path.as_str(), "paymentId");
    }

    #[test]
    fn deadlines_must_be_ahead() {
        let now = DateTime::parse_from_rfc3339("2025-03-01T23:00:00+09:00").unwrap();
        let d = deposit_deadline(&Expiry::ValidHours(2), &now).unwrap();
        assert_eq!(d.to_string(), "2025-03-02");
        let past = DateTime::parse_from_rfc3339("2025-02-28T00:00:00+09:00").unwrap();
        assert!(deposit_deadline(&Expiry::DueDate(past), &now).is_err());
        // A UTC deadline is read in KST.
        let utc = DateTime::parse_from_rfc3339("2025-03-02T16:00:00Z").unwrap();
        assert_eq!(
            deposit_deadline(&Expiry::DueDate(utc), &now)
                .unwrap()
                .to_string(),
            "2025-03-03"
        );
    }
}
