//! Unified request → Toss Payments call, per operation (pure: the clock comes from
//! [`EncodeContext`]). Every call is documented in Toss's public reference; the window is in
//! [`crate::checkout`].
//!
//! Money-moving calls carry an `Idempotency-Key` derived from the payment and the attempt
//! ([`idempotency_key`]): the same request sent again after a lost answer carries the same key,
//! and Toss answers it with the first answer instead of charging (or cancelling) twice
//! (<https://docs.tosspayments.com/guides/using-api/idempotency-key>).

use paymux_core::adapter::{
    BillingKeyPaymentCall, CancelCall, CloseVirtualAccountCall, EncodeContext, GetPaymentCall,
    InstantPaymentCall, IssueBillingKeyCall, PgRequest, WireRequest, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::{CustomerInput, InstantPaymentMethodInput};
use paymux_core::money::Money;
use paymux_core::secret::Secret;
use paymux_core::validation::{FieldPath, ValidationErrors};
use serde_json::json;

use crate::channel::TossChannel;
use crate::checkout;
use crate::frame::{
    self, BillingAuthCardRequest, BillingPayRequest, CancelRequest, CashReceipt, KeyInRequest,
    RefundReceiveAccount, VirtualAccountRequest,
};
use crate::protocol::{bank_code, path, CLOSE_REASON};
use crate::rules::{self, idempotency_key, resolve_cancel};

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let ch = TossChannel::from_context(ctx.channel)?;
    match req {
        PgRequest::Instant(c) => match &c.body.method {
            InstantPaymentMethodInput::Card(_) => key_in(&ch, c),
            InstantPaymentMethodInput::VirtualAccount(_) => virtual_account(ctx, &ch, c),
        },
        PgRequest::IssueBillingKey(c) => issue_billing_key(&ch, c),
        PgRequest::PayWithBillingKey(c) => charge_billing_key(&ch, c),
        PgRequest::Cancel(c) => cancel(&ch, c),
        PgRequest::Get(c) => get(&ch, c),
        PgRequest::DeleteBillingKey(_) => Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "billing-key.delete: Toss's public reference has no call to delete a billing key"
                .into(),
        }),
        PgRequest::CheckoutPrepare(c) => checkout::prepare(&ch, c),
        PgRequest::CheckoutComplete(c) => checkout::complete(&ch, c),
        PgRequest::CloseVirtualAccount(c) => close_virtual_account(&ch, c),
    }
}

fn invalid(path: &str, rule: &str) -> PgError {
    let mut e = ValidationErrors::default();
    e.add(path, rule);
    PgError::Validation(e)
}

fn name_and_email(c: Option<&CustomerInput>) -> (Option<String>, Option<String>) {
    let c = c.cloned().unwrap_or_default();
    (c.full_name(), c.email)
}

/// `POST /v1/payments/key-in`.
fn key_in(ch: &TossChannel, call: &InstantPaymentCall) -> Result<WireRequest, PgError> {
    let b = &call.body;
    let InstantPaymentMethodInput::Card(card) = &b.method else {
        return Err(invalid("method", "is not a card"));
    };
    let amount = b.amount.resolve(&FieldPath::root("amount"))?;
    let cred = &card.credential;
    let base = "method.card.credential";
    let (name, email) = name_and_email(b.customer.as_ref());
    let msg = KeyInRequest {
        amount: amount.total.get(),
        order_id: call.payment_id.clone(),
        order_name: b.order_name.clone(),
        card_number: Secret::new(rules::digits(cred.number.expose())),
        card_expiration_year: rules::expiry_year(&cred.expiry_year)
            .ok_or_else(|| invalid(&format!("{base}.expiryYear"), "must be 2 or 4 digits"))?,
        card_expiration_month: rules::expiry_month(&cred.expiry_month)
            .ok_or_else(|| invalid(&format!("{base}.expiryMonth"), "must be 01 to 12"))?,
        customer_identity_number: cred
            .birth_or_business_registration_number
            .clone()
            .ok_or_else(|| {
                invalid(
                    &format!("{base}.birthOrBusinessRegistrationNumber"),
                    "is required (customerIdentityNumber)",
                )
            })?,
        card_password: cred.password_two_digits.clone(),
        card_installment_plan: card.installment_month,
        tax_free_amount: non_zero(amount.tax_free),
        customer_email: email,
        customer_name: name,
    };
    Ok(frame::json_call(
        "POST",
        ch.url(path::KEY_IN),
        ch.auth(),
        path::KEY_IN.into(),
        Some(&|b: &[u8]| idempotency_key("key-in", &call.payment_id, 1, &ch.secret_key, b)),
        msg,
    ))
}

fn non_zero(m: Money) -> Option<i64> {
    (m != Money::ZERO).then(|| m.get())
}

/// `POST /v1/virtual-accounts`.
fn virtual_account(
    ctx: &EncodeContext<'_>,
    ch: &TossChannel,
    call: &InstantPaymentCall,
) -> Result<WireRequest, PgError> {
    let b = &call.body;
    let InstantPaymentMethodInput::VirtualAccount(va) = &b.method else {
        return Err(invalid("method", "is not a virtual account"));
    };
    let p = "method.virtualAccount";
    let amount = b.amount.resolve(&FieldPath::root("amount"))?;
    let bank = bank_code(va.bank.code()).ok_or_else(|| {
        invalid(
            &format!("{p}.bank"),
            "Toss Payments has no bank code for it",
        )
    })?;
    let (valid_hours, due_date) = rules::deposit_deadline(&va.expiry, &ctx.now)
        .map_err(|rule| invalid(&format!("{p}.expiry"), &rule))?;
    let customer = b.customer.clone().unwrap_or_default();
    let cash_receipt = va.cash_receipt.as_ref().and_then(|r| {
        rules::cash_receipt_type(r.r#type).map(|t| CashReceipt {
            r#type: t,
            registration_number: Secret::new(rules::digits(
                r.customer_identity_number
                    .as_ref()
                    .map(|n| n.expose().as_str())
                    .unwrap_or_default(),
            )),
        })
    });
    let msg = VirtualAccountRequest {
        amount: amount.total.get(),
        order_id: call.payment_id.clone(),
        order_name: b.order_name.clone(),
        customer_name: customer.full_name().ok_or_else(|| {
            invalid(
                "customer.name.full",
                "is required for a Toss virtual account",
            )
        })?,
        bank: bank.to_string(),
        valid_hours,
        due_date,
        customer_email: customer.email.clone(),
        customer_mobile_phone: customer.phone_number.as_deref().map(rules::digits),
        tax_free_amount: non_zero(amount.tax_free),
        cash_receipt,
    };
    Ok(frame::json_call(
        "POST",
        ch.url(path::VIRTUAL_ACCOUNTS),
        ch.auth(),
        path::VIRTUAL_ACCOUNTS.into(),
        Some(&|b: &[u8]| {
            idempotency_key("virtual-account", &call.payment_id, 1, &ch.secret_key, b)
        }),
        msg,
    ))
}

/// `POST /v1/billing/authorizations/card`: no money moves, so no idempotency key.
fn issue_billing_key(ch: &TossChannel, call: &IssueBillingKeyCall) -> Result<WireRequest, PgError> {
    let b = &call.body;
    let card = b
        .method
        .card
        .as_ref()
        .ok_or_else(|| invalid("method.card", "is required"))?;
    let cred = &card.credential;
    let base = "method.card.credential";
    let (name, email) = name_and_email(b.customer.as_ref());
    let msg = BillingAuthCardRequest {
        customer_key: b
            .customer
            .as_ref()
            .and_then(|c| c.id.clone())
            .ok_or_else(|| invalid("customer.id", "is required (customerKey)"))?,
        card_number: Secret::new(rules::digits(cred.number.expose())),
        card_expiration_year: rules::expiry_year(&cred.expiry_year)
            .ok_or_else(|| invalid(&format!("{base}.expiryYear"), "must be 2 or 4 digits"))?,
        card_expiration_month: rules::expiry_month(&cred.expiry_month)
            .ok_or_else(|| invalid(&format!("{base}.expiryMonth"), "must be 01 to 12"))?,
        customer_identity_number: cred
            .birth_or_business_registration_number
            .clone()
            .ok_or_else(|| {
                invalid(
                    &format!("{base}.birthOrBusinessRegistrationNumber"),
                    "is required (customerIdentityNumber)",
                )
            })?,
        card_password: cred.password_two_digits.clone(),
        customer_name: name,
        customer_email: email,
    };
    Ok(frame::json_call(
        "POST",
        ch.url(path::BILLING_AUTH_CARD),
        ch.auth(),
        path::BILLING_AUTH_CARD.into(),
        None,
        msg,
    ))
}

/// `POST /v1/billing/{billingKey}`. The billing key is in Toss's path: the view shows it masked.
fn charge_billing_key(
    ch: &TossChannel,
    call: &BillingKeyPaymentCall,
) -> Result<WireRequest, PgError> {
    let b = &call.body;
    let amount = b.amount.resolve(&FieldPath::root("amount"))?;
    let stored = rules::stored_key(call.prior.pg_billing_key.as_ref())?;
    let (name, email) = name_and_email(b.customer.as_ref());
    let msg = BillingPayRequest {
        customer_key: stored.customer_key.clone(),
        amount: amount.total.get(),
        order_id: call.payment_id.clone(),
        order_name: b.order_name.clone(),
        customer_email: email,
        customer_name: name,
        tax_free_amount: non_zero(amount.tax_free),
        card_installment_plan: b.installment_month,
    };
    let key = stored.billing_key.expose();
    Ok(frame::json_call(
        "POST",
        ch.url(&format!("{}{key}", path::BILLING)),
        ch.auth(),
        format!("{}{}", path::BILLING, stored.billing_key.masked()),
        Some(&|b: &[u8]| idempotency_key("billing", &call.payment_id, 1, &ch.secret_key, b)),
        msg,
    )
    .with_url_secret(Secret::new(key.clone())))
}

/// `POST /v1/payments/{paymentKey}/cancel`: `cancelAmount` omitted when everything left is
/// cancelled (a full cancel, or the last partial one).
fn cancel(ch: &TossChannel, call: &CancelCall) -> Result<WireRequest, PgError> {
    let plan = resolve_cancel(call)?;
    let payment_key = call.prior.pg_tx_id.clone().unwrap_or_default();
    let first = call
        .prior
        .amount
        .map_or(true, |a| a.cancelled == Money::ZERO);
    let refund_receive_account = match (&call.body.refund_account, plan.refund) {
        (Some(a), true) => Some(RefundReceiveAccount {
            bank: bank_code(a.bank.code()).unwrap_or_default().to_string(),
            account_number: Secret::new(rules::digits(a.number.expose())),
            holder_name: a.holder_name.clone(),
        }),
        _ => None,
    };
    let msg = CancelRequest {
        cancel_reason: call.body.reason.clone(),
        // A first cancel of everything omits the amount (전액 취소); any other names it.
        cancel_amount: (!(plan.full && first)).then(|| plan.amount.get()),
        tax_free_amount: non_zero(plan.tax_free),
        refund_receive_account,
    };
    let p = format!("{}{payment_key}{}", path::PAYMENTS, path::CANCEL_SUFFIX);
    Ok(frame::json_call(
        "POST",
        ch.url(&p.clone()),
        ch.auth(),
        p,
        Some(&|b: &[u8]| {
            idempotency_key(
                "cancel",
                &call.payment_id,
                call.prior.cancel_count + 1,
                &ch.secret_key,
                b,
            )
        }),
        msg,
    ))
}

/// Revoke an undeposited virtual account: Toss's cancel, `POST /v1/payments/{paymentKey}/cancel`,
/// of the `WAITING_FOR_DEPOSIT` payment with only `cancelReason` — no `cancelAmount` (an unpaid
/// account cannot be partly cancelled) and no `refundReceiveAccount` (nothing was paid in, so
/// nothing is refunded). Toss answers the Payment object `CANCELED`, and the account takes no
/// deposit any more (<https://docs.tosspayments.com/reference#결제-취소>).
fn close_virtual_account(
    ch: &TossChannel,
    call: &CloseVirtualAccountCall,
) -> Result<WireRequest, PgError> {
    let payment_key = call.prior.pg_tx_id.clone().unwrap_or_default();
    let msg = CancelRequest {
        cancel_reason: CLOSE_REASON.into(),
        cancel_amount: None,
        tax_free_amount: None,
        refund_receive_account: None,
    };
    let p = format!("{}{payment_key}{}", path::PAYMENTS, path::CANCEL_SUFFIX);
    Ok(frame::json_call(
        "POST",
        ch.url(&p.clone()),
        ch.auth(),
        p,
        // One close per payment: a close sent again after a lost answer repeats the key, and
        // Toss answers it with the first answer.
        Some(&|b: &[u8]| idempotency_key("close", &call.payment_id, 1, &ch.secret_key, b)),
        msg,
    ))
}

/// `GET /v1/payments/{paymentKey}`, or `GET /v1/payments/orders/{orderId}` when no paymentKey
/// came back (an unknown outcome).
fn get(ch: &TossChannel, call: &GetPaymentCall) -> Result<WireRequest, PgError> {
    let p = match call.prior.pg_tx_id.as_deref().filter(|k| !k.is_empty()) {
        Some(key) => format!("{}{key}", path::PAYMENTS),
        None => format!("{}{}", path::BY_ORDER, call.payment_id),
    };
    let shown = p.clone();
    Ok(frame::http_call(
        "GET",
        ch.url(&p),
        ch.auth(),
        None,
        Vec::new(),
        WireView::lazy(move || json!({ "request": format!("GET {shown}") })),
    ))
}
