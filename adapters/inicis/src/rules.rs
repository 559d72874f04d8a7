//! Inicis' own rules, on top of PortOne's generic ones. Every broken rule names the unified
//! field path and never the value. Lengths are declared in [`DESCRIPTOR`]'s `field_limits`
//! (the manual's byte lengths, counted in UTF-8: INIAPI and the window are UTF-8) and checked
//! with core's `AdapterDescriptor::check_field`. The cancel plan (which call, which amounts)
//! lives here because validation and the encoder both need it.

use paymux_core::adapter::{
    check_capabilities, CancelCall, Method, PgRequest, PriorCancel, PriorTransaction,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::{CheckoutRequest, CustomerInput};
use paymux_core::money::Money;
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::Charset;

use crate::channel::InicisChannel;
use crate::protocol;
use crate::DESCRIPTOR;

/// Check a request: declared capabilities first, then the channel, then Inicis' rules.
pub fn validate(ctx: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
    check_capabilities(&DESCRIPTOR, req)?;
    let ch = InicisChannel::from_context(ctx)?;
    let mut errs = ValidationErrors::default();
    match req {
        PgRequest::Instant(c) => {
            within_limit("paymentId", &c.payment_id, &mut errs);
            within_limit("orderName", &c.body.order_name, &mut errs);
            customer(c.body.customer.as_ref(), &mut errs);
            if let Some(card) = c.body.method.card() {
                card_fields("method.card.credential", &card.credential, &mut errs);
            }
        }
        PgRequest::IssueBillingKey(c) => {
            customer(c.body.customer.as_ref(), &mut errs);
            if let Some(card) = &c.body.method.card {
                card_fields("method.card.credential", &card.credential, &mut errs);
            }
        }
        PgRequest::PayWithBillingKey(c) => {
            // Its billing-key payment is a card charge: there is no cash receipt to send, and
            // dropping one silently would leave the merchant believing it was issued.
            if c.body.cash_receipt.is_some() {
                errs.add("cashReceipt", "cannot be sent with a KG Inicis billing-key payment (a card charge): issue it with POST /cash-receipts where the channel's PG can");
            }
            within_limit("paymentId", &c.payment_id, &mut errs);
            within_limit("orderName", &c.body.order_name, &mut errs);
            customer(c.body.customer.as_ref(), &mut errs);
            if c.prior.pg_billing_key.is_none() {
                errs.add(
                    "prior.pgBillingKey",
                    "is required: the billKey Inicis issued",
                );
            }
        }
        PgRequest::Cancel(c) => {
            within_limit("reason", &c.body.reason, &mut errs);
            if c.prior.pg_tx_id.as_deref().map_or(true, str::is_empty) {
                errs.add("prior.pgTxId", "is required: Inicis cancels by tid");
            }
            if let Err(e) = resolve_cancel(c) {
                errs.0.extend(e.0);
            }
        }
        PgRequest::CheckoutPrepare(c) => {
            if ch.sign_key.is_none() {
                errs.add(
                    "channel.credentials.sign_key",
                    "is required for Inicis' standard window (signKey)",
                );
            }
            let CheckoutRequest::Payment(r) = &c.checkout else {
                return Err(PgError::Unsupported {
                    adapter: crate::ADAPTER_ID,
                    what: "checkout.prepare of requestIssueBillingKey / requestIssueBillingKeyAndPay (billing windows are not implemented; issue keys with billing-key.issue)".into(),
                });
            };
            {
                within_limit("paymentId", &r.payment_id, &mut errs);
                within_limit("orderName", &r.order_name, &mut errs);
                if let Some(cu) = &r.customer {
                    if let Some(n) = cu.full_name() {
                        within_limit("customer.fullName", &n, &mut errs);
                    }
                    if let Some(e) = &cu.email {
                        within_limit("customer.email", e, &mut errs);
                    }
                }
            }
        }
        PgRequest::CheckoutComplete(_)
        | PgRequest::Get(_)
        | PgRequest::DeleteBillingKey(_)
        | PgRequest::CloseVirtualAccount(_) => {}
    }
    errs.into_result().map_err(PgError::Validation)
}

/// Check `value` against the descriptor's limit on `path` (UTF-8 bytes). A `paymentId` must
/// also be ASCII (PortOne's Inicis guide: "paymentId 에는 ASCII 문자만 허용됩니다").
pub fn within_limit(path: &str, value: &str, errs: &mut ValidationErrors) {
    if path == "paymentId" && !value.is_ascii() {
        errs.add(path, "must be ASCII with Inicis (oid / moid)");
        return;
    }
    DESCRIPTOR.check_field(path, path, value, Some(Charset::Utf8), errs);
}

fn customer(c: Option<&CustomerInput>, errs: &mut ValidationErrors) {
    let Some(c) = c else { return };
    if let Some(n) = c.full_name() {
        within_limit("customer.name.full", &n, errs);
    }
    if let Some(e) = &c.email {
        within_limit("customer.email", e, errs);
    }
}

fn card_fields(base: &str, c: &paymux_core::model::CardCredential, errs: &mut ValidationErrors) {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(c.number.expose()) || !(13..=19).contains(&c.number.expose().len()) {
        errs.add(
            format!("{base}.number").as_str(),
            "must be 13 to 19 digits (cardNumber)",
        );
    }
    if c.expiry_year.len() != 2 || !digits(&c.expiry_year) {
        errs.add(
            format!("{base}.expiryYear").as_str(),
            "must be two digits (cardExpire YYMM)",
        );
    }
    if c.expiry_month.len() != 2 || !digits(&c.expiry_month) {
        errs.add(
            format!("{base}.expiryMonth").as_str(),
            "must be two digits (cardExpire YYMM)",
        );
    }
}

/// The method of the original payment (card when the gateway did not record one).
pub fn prior_method(prior: &PriorTransaction) -> Method {
    prior.method.unwrap_or(Method::Card)
}

/// What a cancel becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelPlan {
    /// Method of the original payment.
    pub method: Method,
    /// Amount cancelled now (`price` of a partial refund).
    pub amount: Money,
    /// The balance after this cancel (`confirmPrice`).
    pub remaining_after: Money,
    /// The whole payment at once: `refund`; otherwise `partialRefund`.
    pub full: bool,
    /// A deposited virtual account, refunded to `refundAccount` (v1, `[ENC]` account number).
    pub refund_to_account: bool,
}

/// Resolve a cancel against the stored balance (errors name the field).
pub fn resolve_cancel(call: &CancelCall) -> Result<CancelPlan, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let PriorCancel {
        resolved,
        cancellable,
        full,
        ..
    } = call.resolve_against_prior()?;
    let method = prior_method(&call.prior);
    let refund_to_account = method == Method::VirtualAccount && call.prior.paid_at.is_some();
    if method == Method::VirtualAccount && !refund_to_account && !full {
        errs.add(
            "amount",
            "an undeposited VIRTUAL_ACCOUNT is cancelled whole with Inicis",
        );
    }
    if refund_to_account {
        match &call.body.refund_account {
            None => errs.add(
                "refundAccount",
                "is required to refund a deposited VIRTUAL_ACCOUNT payment with Inicis",
            ),
            Some(a) => {
                if protocol::bank_code(a.bank.code()).is_none() {
                    errs.add(
                        "refundAccount.bank",
                        format!("Inicis has no bank code for {}", a.bank.code()),
                    );
                }
                let n = a.number.expose();
                if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit() || c == '-') {
                    errs.add("refundAccount.number", "must be digits (refundAcctNum)");
                }
            }
        }
    }
    errs.into_result()?;
    Ok(CancelPlan {
        method,
        amount: resolved.amount,
        remaining_after: cancellable
            .checked_sub(resolved.amount)
            .unwrap_or(Money::ZERO),
        full,
        refund_to_account,
    })
}
