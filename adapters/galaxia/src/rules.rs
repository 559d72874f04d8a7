//! Galaxia's own rules, on top of PortOne's generic ones. Every broken rule names the unified
//! field path; length limits are read from [`DESCRIPTOR`]'s
//! `field_limits`, so routing, docs and validation agree.
//!
//! Sources: PortOne's Galaxia Money Tree guides (V1 `IMP.request_pay`, V2; see
//! `docs/PORTONE.md`): customer id required (≤ 20), order name required, order id ≤ 64, KRW
//! only (the declared currencies: core checks them, windows included), buyer name for
//! transfer, redirect URL on mobile, escrow only for transfer and virtual account,
//! virtual-account due date required, billing-key window card only, billing-key-and-pay
//! mobile only, ITEM_CODE required (≤ 10 bytes).

use paymux_core::adapter::{
    check_text, CancelCall, CheckoutRequest, Method, PgRequest, PriorCancel, PriorTransaction,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::{self, CheckoutCustomer, CustomerInput, PaymentPayMethod};
use paymux_core::money::Money;
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::Charset;

use crate::channel::GalaxiaChannel;
pub use crate::channel::{resolve_item_code, ITEM_CODE_PATH};
use crate::{checkout, DESCRIPTOR};

/// Check a request against Galaxia's rules (the capability check runs before).
pub fn validate(ctx: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
    // A broken channel is a configuration error, reported before the request's content.
    GalaxiaChannel::from_context(ctx)?;
    let mut errs = ValidationErrors::default();
    match req {
        PgRequest::Instant(c) => {
            let b = &c.body;
            customer_id(b.customer.as_ref(), &mut errs);
            order_name("orderName", &b.order_name, &mut errs);
            within_limit("paymentId", "paymentId", &c.payment_id, &mut errs);
            item_code(ctx, b.bypass.as_ref(), &mut errs);
            if b.is_escrow == Some(true) {
                errs.add("isEscrow", ESCROW_RULE);
            }
            customer_text(b.customer.as_ref(), &mut errs);
        }
        PgRequest::IssueBillingKey(c) => {
            customer_id(c.body.customer.as_ref(), &mut errs);
            within_limit("billingKey", "billingKey", &c.billing_key, &mut errs);
            item_code(ctx, c.body.bypass.as_ref(), &mut errs);
            customer_text(c.body.customer.as_ref(), &mut errs);
        }
        PgRequest::PayWithBillingKey(c) => {
            // Its billing-key payment is a card or phone charge: there is no cash receipt to send, and
            // dropping one silently would leave the merchant believing it was issued.
            if c.body.cash_receipt.is_some() {
                errs.add("cashReceipt", "cannot be sent with a Galaxia billing-key payment (a card or phone charge): issue it with POST /cash-receipts where the channel's PG can");
            }
            let b = &c.body;
            customer_id(b.customer.as_ref(), &mut errs);
            order_name("orderName", &b.order_name, &mut errs);
            within_limit("paymentId", "paymentId", &c.payment_id, &mut errs);
            item_code(ctx, b.bypass.as_ref(), &mut errs);
            if c.prior.pg_billing_key.is_none() {
                errs.add(
                    "prior.pgBillingKey",
                    "is required: the USER_KEY Galaxia issued",
                );
            }
            customer_text(b.customer.as_ref(), &mut errs);
        }
        PgRequest::Cancel(c) => {
            original_transaction(&c.prior, &mut errs);
            if c.prior.amount.is_none() {
                errs.add(
                    "prior.amount",
                    "is required: partial cancels are tracked against it",
                );
            } else if let Err(e) = resolve_cancel(c) {
                errs.extend(e);
            }
        }
        PgRequest::Get(c) => {
            within_limit("paymentId", "paymentId", &c.payment_id, &mut errs);
            order_date(&c.prior, &mut errs);
        }
        PgRequest::DeleteBillingKey(c) => {
            within_limit("billingKey", "billingKey", &c.billing_key, &mut errs);
            if c.prior.pg_billing_key.is_none() {
                errs.add(
                    "prior.pgBillingKey",
                    "is required: the USER_KEY Galaxia issued",
                );
            }
        }
        PgRequest::CheckoutPrepare(c) => {
            checkout_prepare(ctx, &c.checkout, &mut errs);
            if c.return_url.is_none() {
                errs.add(
                    "returnUrl",
                    "is required: the window posts its result there (RETURN_URL)",
                );
            }
        }
        PgRequest::CheckoutComplete(c) => {
            checkout::verify_return(ctx, c)?;
        }
        // Refused by the capability check: Galaxia revokes no account through paymux.
        PgRequest::CloseVirtualAccount(_) => {}
    }
    errs.into_result().map_err(PgError::Validation)
}

const ESCROW_RULE: &str = "escrow is available only for TRANSFER and VIRTUAL_ACCOUNT with Galaxia";

fn checkout_prepare(ctx: &ChannelContext, req: &CheckoutRequest, errs: &mut ValidationErrors) {
    match req {
        CheckoutRequest::Payment(r) => {
            checkout_customer_id(r.customer.as_ref(), errs);
            order_name("orderName", &r.order_name, errs);
            within_limit("paymentId", "paymentId", &r.payment_id, errs);
            item_code(ctx, r.bypass.as_ref(), errs);
            let escrow_ok = matches!(
                r.pay_method,
                PaymentPayMethod::Transfer | PaymentPayMethod::VirtualAccount
            );
            if r.is_escrow == Some(true) && !escrow_ok {
                errs.add("isEscrow", ESCROW_RULE);
            }
            match r.pay_method {
                PaymentPayMethod::Transfer => {
                    let named = r.customer.as_ref().and_then(CheckoutCustomer::full_name);
                    if named.is_none() {
                        errs.add("customer.fullName", "is required for TRANSFER with Galaxia");
                    }
                }
                PaymentPayMethod::VirtualAccount => {
                    let due = r
                        .virtual_account
                        .as_ref()
                        .and_then(|v| v.account_expiry.as_ref())
                        .and_then(|e| e.due_date.as_deref());
                    if let Err(rule) = checkout::parse_due_date(due) {
                        errs.add("virtualAccount.accountExpiry.dueDate", rule);
                    }
                }
                _ => {}
            }
            let mobile_window = r.window_type.as_ref().is_some_and(|w| w.mobile.is_some());
            if (r.pay_method == PaymentPayMethod::Mobile || mobile_window)
                && r.redirect_url.is_none()
            {
                errs.add("redirectUrl", REDIRECT_RULE);
            }
            if let Some(card) = &r.card {
                if let Err(e) = checkout::card_fields(card) {
                    errs.extend(e);
                }
            }
            checkout_customer_text(r.customer.as_ref(), errs);
        }
        CheckoutRequest::IssueBillingKey(r) => {
            if r.billing_key_method != model::BillingKeyMethod::Card {
                errs.add(
                    "billingKeyMethod",
                    "Galaxia's billing-key window supports CARD only",
                );
            }
            checkout_customer_id(r.customer.as_ref(), errs);
            match &r.issue_id {
                None => errs.add("issueId", "is required: it is the window's ORDER_ID"),
                Some(id) => within_limit("issueId", "issueId", id, errs),
            }
            match &r.issue_name {
                None => errs.add(
                    "issueName",
                    "is required with Galaxia (the window's ITEM_NAME)",
                ),
                Some(n) => order_name("issueName", n, errs),
            }
            item_code(ctx, r.bypass.as_ref(), errs);
            checkout_customer_text(r.customer.as_ref(), errs);
        }
        CheckoutRequest::IssueBillingKeyAndPay(r) => {
            checkout_customer_id(r.customer.as_ref(), errs);
            order_name("orderName", &r.order_name, errs);
            within_limit("paymentId", "paymentId", &r.payment_id, errs);
            item_code(ctx, r.bypass.as_ref(), errs);
            if r.redirect_url.is_none() {
                errs.add("redirectUrl", REDIRECT_RULE);
            }
            checkout_customer_text(r.customer.as_ref(), errs);
        }
    }
}

const REDIRECT_RULE: &str = "is required for Galaxia's mobile window (it returns only by redirect)";

fn item_code(
    ctx: &ChannelContext,
    bypass: Option<&serde_json::Value>,
    errs: &mut ValidationErrors,
) {
    if let Err(e) = resolve_item_code(ctx, bypass) {
        errs.extend(e);
    }
}

fn order_name(path: &str, name: &str, errs: &mut ValidationErrors) {
    if name.trim().is_empty() {
        errs.add(path, "is required with Galaxia (the ITEM_NAME)");
    } else {
        representable(path, name, errs);
    }
}

fn customer_id(customer: Option<&CustomerInput>, errs: &mut ValidationErrors) {
    match customer.and_then(|c| c.id.as_deref()) {
        None => errs.add("customer.id", "is required with Galaxia (the USER_ID)"),
        Some(id) => within_limit("customer.id", "customer.id", id, errs),
    }
}

fn checkout_customer_id(customer: Option<&CheckoutCustomer>, errs: &mut ValidationErrors) {
    match customer.and_then(|c| c.customer_id.as_deref()) {
        None => errs.add(
            "customer.customerId",
            "is required with Galaxia (the USER_ID)",
        ),
        Some(id) => within_limit("customer.customerId", "customer.customerId", id, errs),
    }
}

fn customer_text(customer: Option<&CustomerInput>, errs: &mut ValidationErrors) {
    let Some(c) = customer else { return };
    if let Some(name) = c.full_name() {
        representable("customer.name", &name, errs);
    }
    if let Some(email) = &c.email {
        representable("customer.email", email, errs);
    }
}

fn checkout_customer_text(customer: Option<&CheckoutCustomer>, errs: &mut ValidationErrors) {
    let Some(c) = customer else { return };
    if let Some(name) = c.full_name() {
        representable("customer.fullName", &name, errs);
    }
    for (path, v) in [
        ("customer.email", &c.email),
        ("customer.phoneNumber", &c.phone_number),
    ] {
        if let Some(v) = v {
            representable(path, v, errs);
        }
    }
}

/// The original payment's TID and order date, needed by every cancel.
fn original_transaction(prior: &PriorTransaction, errs: &mut ValidationErrors) {
    if prior
        .pg_tx_id
        .as_deref()
        .map_or(true, |t| t.trim().is_empty())
    {
        errs.add(
            "prior.pgTxId",
            "is required: the TID of the payment to cancel",
        );
    }
    order_date(prior, errs);
}

/// Galaxia keys a payment by ORDER_ID + ORDER_DATE: operations on it repeat the original date.
fn order_date(prior: &PriorTransaction, errs: &mut ValidationErrors) {
    match prior.order_date.as_deref() {
        None => errs.add(
            "prior.orderDate",
            "is required: Galaxia identifies the payment by ORDER_ID and the original ORDER_DATE",
        ),
        Some(d) if d.len() != 14 || !d.bytes().all(|b| b.is_ascii_digit()) => {
            errs.add("prior.orderDate", "must be 14 digits YYYYMMDDHHMMSS");
        }
        Some(_) => {}
    }
}

/// The method of an earlier payment; absent means CARD, the only server-side payment method.
pub fn prior_method(prior: &PriorTransaction) -> Method {
    prior.method.unwrap_or(Method::Card)
}

/// Check `value` against the descriptor's limit for `limit_path`, reporting at `path`, with
/// text in strict EUC-KR: core's one field checker, bound to [`DESCRIPTOR`].
pub fn within_limit(path: &str, limit_path: &str, value: &str, errs: &mut ValidationErrors) {
    DESCRIPTOR.check_field(path, limit_path, value, Some(Charset::EucKr), errs);
}

/// Whether `value` can be sent in strict EUC-KR; if not, an error naming `path` (never the
/// value).
fn representable(path: &str, value: &str, errs: &mut ValidationErrors) -> bool {
    check_text(path, value, Charset::EucKr, errs)
}

/// Which cancel telegram a cancel becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelPlan {
    /// Method of the original payment.
    pub method: Method,
    /// Amount cancelled now.
    pub amount: Money,
    /// What stays cancellable afterwards.
    pub remaining_after: Money,
    /// First cancel, of everything.
    pub full: bool,
}

/// Resolve the cancel amount against `prior.amount`, so the balance never goes negative.
/// Errors name `amount` (or the cancel field at fault) and are raised before anything is sent.
pub fn resolve_cancel(call: &CancelCall) -> Result<CancelPlan, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let PriorCancel {
        resolved,
        cancellable: left,
        full,
        ..
    } = call.resolve_against_prior()?;
    let method = prior_method(&call.prior);
    if method == Method::VirtualAccount && !full {
        errs.add(
            "amount",
            "a VIRTUAL_ACCOUNT payment can only be cancelled in full (CancelReturn.php: 9000 with the TID)",
        );
        return Err(errs);
    }
    Ok(CancelPlan {
        method,
        amount: resolved.amount,
        remaining_after: left.checked_sub(resolved.amount).unwrap_or(Money::ZERO),
        full,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(item_code: Option<&str>) -> ChannelContext {
        let mut c = ChannelContext::from_toml(
            "key='k'\nadapter='galaxia'\nenvironment='test'\n[credentials]\nmid='M1'\nkey='QkZJRlBDRTI4T0c1OUtBMw=='\niv='PRJ59Q2GHPT844TQ'\n",
        )
        .unwrap();
        if let Some(i) = item_code {
            c.options.insert("item_code".into(), i.into());
        }
        c
    }

    #[test]
    fn item_code_comes_from_bypass_then_channel_then_is_an_error() {
        let bypass = serde_json::json!({"galaxia": {"ITEM_CODE": "A1"}});
        assert_eq!(
            resolve_item_code(&channel(Some("C")), Some(&bypass)).unwrap(),
            "A1"
        );
        assert_eq!(resolve_item_code(&channel(Some("C")), None).unwrap(), "C");
        let e = resolve_item_code(&channel(None), None).unwrap_err();
        assert_eq!(e.0[0].path.as_str(), ITEM_CODE_PATH);
    }

    #[test]
    fn item_code_limit_counts_euc_kr_bytes() {
        let five_hangul = serde_json::json!({"galaxia": {"ITEM_CODE": "상품코드다"}});
        assert!(resolve_item_code(&channel(None), Some(&five_hangul)).is_ok());
        let six_hangul = serde_json::json!({"galaxia": {"ITEM_CODE": "상품코드다섯"}});
        let e = resolve_item_code(&channel(None), Some(&six_hangul)).unwrap_err();
        assert!(e.to_string().contains("at most 10 bytes"), "{e}");
    }

    #[test]
    fn unrepresentable_text_names_the_field_not_the_value() {
        let mut errs = ValidationErrors::default();
        within_limit("customer.id", "customer.id", "똠", &mut errs);
        let s = errs.to_string();
        assert!(s.starts_with("customer.id:"), "{s}");
        assert!(!s.contains('똠'), "{s}");
    }
}
