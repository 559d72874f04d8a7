//! Toss Payments' own rules on top of PortOne's generic ones. Every broken rule names the unified
//! field path and never the value. Length limits are declared in
//! [`crate::DESCRIPTOR`]'s `field_limits` (Toss counts characters: the API is
//! JSON in UTF-8) and checked with core's `AdapterDescriptor::check_field`. What validation
//! and the encoder both need (the cancel plan, the stored billing key, the card fields) lives
//! here, so `rules` never imports `encode`.

use chrono::{DateTime, Duration, FixedOffset};
use paymux_core::adapter::{
    check_capabilities, CancelCall, CheckoutCompleteCall, CheckoutPrepareCall, CheckoutRequest,
    Method, PgRequest, PriorCancel, PriorTransaction,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::{
    CardCredential, CashReceiptInputType, CustomerInput, InstantPaymentMethodInput,
    InstantPaymentMethodInputVirtualAccountExpiry as Expiry, VirtualAccountOptionType,
};
use paymux_core::money::Money;
use paymux_core::secret::Secret;
use paymux_core::validation::ValidationErrors;

use crate::channel::TossChannel;
use crate::protocol;
use crate::DESCRIPTOR;

/// The `Idempotency-Key` of a money-moving call:
/// `paymux-{call}-{paymentId}-{attempt}-{mac}`, where `attempt` is 1 for a payment and the
/// cancel's sequence number for a cancel (`prior.cancelCount + 1`), and `mac` is the first 8
/// bytes (hex) of HMAC-SHA256 over the exact body, keyed with the channel's secret key.
///
/// So the *same* request sent again (a retry after a lost answer) repeats its key and Toss
/// answers it with the first answer instead of charging or cancelling twice, while a different
/// attempt under the same paymentId (another card after a decline, another amount) gets a new
/// key. The MAC is keyed so that the key, which views show, reveals nothing of the card data in
/// the body. Toss keys idempotency by key, API key, URL and method, for 15 days, and takes at
/// most 300 characters: `paymentId` is at most 64 (the orderId rule).
pub fn idempotency_key(
    call: &str,
    payment_id: &str,
    attempt: u32,
    secret_key: &Secret<String>,
    body: &[u8],
) -> String {
    let mac = paymux_core::wire::crypto::hmac_sha256(secret_key.expose().as_bytes(), body)
        .map(|m| paymux_core::wire::codec::hex_lower(&m[..8]))
        .unwrap_or_default();
    let key = format!("paymux-{call}-{payment_id}-{attempt}-{mac}");
    key.chars().take(protocol::IDEMPOTENCY_KEY_MAX).collect()
}

/// Longest `validHours` of a virtual account: 30 days (the virtual-account guide: "최대 30일").
pub const MAX_VALID_HOURS: i64 = 720;

/// Check a request: declared capabilities first, then the channel, then Toss's rules.
pub fn validate(ctx: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
    check_capabilities(&DESCRIPTOR, req)?;
    TossChannel::from_context(ctx)?;
    let mut errs = ValidationErrors::default();
    match req {
        PgRequest::Instant(c) => {
            let b = &c.body;
            order_id("paymentId", &c.payment_id, &mut errs);
            within_limit("orderName", &b.order_name, &mut errs);
            customer_limits(b.customer.as_ref(), &mut errs);
            match &b.method {
                InstantPaymentMethodInput::Card(card) => {
                    card_credential("method.card.credential", &card.credential, true, &mut errs);
                    installment(
                        "method.card.installmentMonth",
                        card.installment_month,
                        &mut errs,
                    );
                }
                InstantPaymentMethodInput::VirtualAccount(va) => {
                    let p = "method.virtualAccount";
                    if protocol::bank_code(va.bank.code()).is_none() {
                        errs.add(
                            format!("{p}.bank").as_str(),
                            format!("Toss Payments has no bank code for {}", va.bank.code()),
                        );
                    }
                    if va.option.r#type == VirtualAccountOptionType::Fixed {
                        errs.add(
                            format!("{p}.option.type").as_str(),
                            "FIXED accounts are not issued by POST /v1/virtual-accounts: use NORMAL",
                        );
                    }
                    if let Expiry::ValidHours(h) = va.expiry {
                        if i64::from(h) > MAX_VALID_HOURS {
                            errs.add(
                                format!("{p}.expiry.validHours").as_str(),
                                "must be at most 720 (Toss keeps a virtual account open 30 days at most)",
                            );
                        }
                    }
                    if b.customer
                        .as_ref()
                        .and_then(CustomerInput::full_name)
                        .is_none()
                    {
                        errs.add(
                            "customer.name.full",
                            "is required for a Toss virtual account (customerName)",
                        );
                    }
                }
            }
        }
        PgRequest::IssueBillingKey(c) => {
            let b = &c.body;
            customer_limits(b.customer.as_ref(), &mut errs);
            match b.customer.as_ref().and_then(|c| c.id.as_deref()) {
                None => errs.add(
                    "customer.id",
                    "is required with Toss Payments to issue a billing key (it becomes customerKey)",
                ),
                Some(id) => customer_key("customer.id", id, &mut errs),
            }
            match &b.method.card {
                Some(card) => {
                    card_credential("method.card.credential", &card.credential, true, &mut errs)
                }
                None => errs.add(
                    "method.card",
                    "is required: Toss issues billing keys from card data",
                ),
            }
        }
        PgRequest::PayWithBillingKey(c) => {
            // Its billing-key payment is a card charge: there is no cash receipt to send, and
            // dropping one silently would leave the merchant believing it was issued.
            if c.body.cash_receipt.is_some() {
                errs.add("cashReceipt", "cannot be sent with a Toss Payments billing-key payment (a card charge): issue it with POST /cash-receipts where the channel's PG can");
            }
            let b = &c.body;
            order_id("paymentId", &c.payment_id, &mut errs);
            within_limit("orderName", &b.order_name, &mut errs);
            customer_limits(b.customer.as_ref(), &mut errs);
            installment("installmentMonth", b.installment_month, &mut errs);
            if let Err(e) = stored_key(c.prior.pg_billing_key.as_ref()) {
                errs.extend(e);
            }
        }
        PgRequest::Cancel(c) => {
            within_limit("reason", &c.body.reason, &mut errs);
            payment_key(&c.prior, &mut errs);
            if let Err(e) = resolve_cancel(c) {
                errs.extend(e);
            }
        }
        PgRequest::Get(c) => {
            // By paymentKey when known, else by orderId (an unknown outcome has no key yet).
            if c.prior.pg_tx_id.as_deref().map_or(true, str::is_empty) {
                order_id("paymentId", &c.payment_id, &mut errs);
            } else {
                payment_key(&c.prior, &mut errs);
            }
        }
        PgRequest::CloseVirtualAccount(c) => payment_key(&c.prior, &mut errs),
        // Not declared: `check_capabilities` refused it already.
        PgRequest::DeleteBillingKey(_) => {}
        PgRequest::CheckoutPrepare(c) => checkout_prepare(ctx, c, &mut errs)?,
        PgRequest::CheckoutComplete(c) => {
            if let Some(failed) = window_failure(c) {
                return Err(failed);
            }
            if let Err(e) = window_return(c) {
                errs.extend(e);
            }
        }
    }
    errs.into_result().map_err(PgError::Validation)
}

/// `orderId`: 6–64 characters of letters, digits, `-` and `_` (the key-in reference: "영문 대소문자,
/// 숫자, 특수문자 `-`, `_`로 이루어진 6자 이상 64자 이하의 문자열").
pub fn order_id(path: &str, id: &str, errs: &mut ValidationErrors) {
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        errs.add(
            path,
            "must contain only letters, digits, '-' and '_' (Toss orderId)",
        );
        return;
    }
    if !within_limit(path, id, errs) {
        return;
    }
    if id.len() < 6 {
        errs.add(path, "must be at least 6 characters (Toss orderId)");
    }
}

/// `customerKey`: 2–300 characters of letters, digits and `-`, `_`, `=`, `.`, `@` (the billing
/// reference's rule for 고객 ID; Toss refuses others with `INVALID_CUSTOMER_KEY`).
pub fn customer_key(path: &str, key: &str, errs: &mut ValidationErrors) {
    let n = key.chars().count();
    if !(2..=300).contains(&n) {
        errs.add(
            path,
            format!("must be 2 to 300 characters to be a Toss customerKey (is {n})"),
        );
    } else if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_=.@".contains(&b))
    {
        errs.add(
            path,
            "must contain only letters, digits and - _ = . @ to be a Toss customerKey",
        );
    }
}

/// The card fields Toss takes: a 15–20 digit number (≤ 20, the reference), a 2-digit expiry year
/// and month, `customerIdentityNumber` (YYMMDD or a 10-digit business number; required), and
/// optionally the password's first 2 digits.
pub fn card_credential(
    base: &str,
    c: &CardCredential,
    identity_required: bool,
    errs: &mut ValidationErrors,
) {
    let number = digits(c.number.expose());
    if number.len() < 13 || number.len() > 20 || number.len() != c.number.expose().trim().len() {
        errs.add(
            format!("{base}.number").as_str(),
            "must be 13 to 20 digits (cardNumber)",
        );
    }
    if expiry_year(&c.expiry_year).is_none() {
        errs.add(
            format!("{base}.expiryYear").as_str(),
            "must be a 2- or 4-digit year (cardExpirationYear)",
        );
    }
    if expiry_month(&c.expiry_month).is_none() {
        errs.add(
            format!("{base}.expiryMonth").as_str(),
            "must be a month 01 to 12 (cardExpirationMonth)",
        );
    }
    let id_path = format!("{base}.birthOrBusinessRegistrationNumber");
    match &c.birth_or_business_registration_number {
        None if identity_required => errs.add(
            id_path.as_str(),
            "is required with Toss Payments (customerIdentityNumber: YYMMDD or a business number)",
        ),
        None => {}
        Some(id) => {
            let d = id.expose();
            if !(d.len() == 6 || d.len() == 10) || !d.bytes().all(|b| b.is_ascii_digit()) {
                errs.add(
                    id_path.as_str(),
                    "must be 6 digits (YYMMDD) or 10 digits (business number)",
                );
            }
        }
    }
    if let Some(p) = &c.password_two_digits {
        let p = p.expose();
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            errs.add(
                format!("{base}.passwordTwoDigits").as_str(),
                "must be 2 digits (cardPassword)",
            );
        }
    }
}

/// `cardInstallmentPlan`: 0 (lump sum) to 12 months.
pub fn installment(path: &str, month: Option<i32>, errs: &mut ValidationErrors) {
    if month.is_some_and(|m| !(0..=12).contains(&m)) {
        errs.add(
            path,
            "must be 0 to 12 months with Toss (cardInstallmentPlan)",
        );
    }
}

/// The 2-digit expiry year Toss wants from PortOne's 2- or 4-digit one.
pub fn expiry_year(y: &str) -> Option<String> {
    let y = y.trim();
    if !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match y.len() {
        2 => Some(y.to_string()),
        4 => Some(y[2..].to_string()),
        _ => None,
    }
}

/// The 2-digit expiry month.
pub fn expiry_month(m: &str) -> Option<String> {
    let n: u32 = m.trim().parse().ok()?;
    (1..=12).contains(&n).then(|| format!("{n:02}"))
}

fn payment_key(prior: &PriorTransaction, errs: &mut ValidationErrors) {
    match prior.pg_tx_id.as_deref() {
        None | Some("") => errs.add(
            "prior.pgTxId",
            "is required: the paymentKey Toss gave the payment",
        ),
        Some(k)
            if k.len() > 200
                || !k.bytes().all(|b| {
                    b.is_ascii_graphic() && b != b'/' && b != b'?' && b != b'#' && b != b'%'
                }) =>
        {
            errs.add(
                "prior.pgTxId",
                "is not a Toss paymentKey (printable ASCII without / ? # %, it goes in the URL)",
            )
        }
        Some(_) => {}
    }
}

fn customer_limits(customer: Option<&CustomerInput>, errs: &mut ValidationErrors) {
    let Some(c) = customer else { return };
    if let Some(name) = c.full_name() {
        within_limit("customer.name.full", &name, errs);
    }
    if let Some(e) = &c.email {
        within_limit("customer.email", e, errs);
    }
    if let Some(p) = &c.phone_number {
        let d = digits(p);
        if !(8..=15).contains(&d.len()) {
            errs.add(
                "customer.phoneNumber",
                "must have 8 to 15 digits (customerMobilePhone)",
            );
        }
    }
}

/// Check `value` against the descriptor's limit on `path` (core's one field checker; the error
/// names `path`, never the value). Returns whether it passed.
pub fn within_limit(path: &str, value: &str, errs: &mut ValidationErrors) -> bool {
    DESCRIPTOR.check_field(path, path, value, None, errs)
}

/// Only the digits of `s`.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The stored billing key: paymux keeps Toss's `customerKey` with the `billingKey`, because
/// every charge must repeat the `customerKey` the key was issued for (`NOT_MATCHES_CUSTOMER_KEY`
/// otherwise) and PortOne's charge body need not carry it. Format: `customerKey` `|`
/// `billingKey` (`|` is in neither alphabet).
#[derive(Clone)]
pub struct StoredKey {
    /// 고객 ID.
    pub customer_key: String,
    /// 빌링키.
    pub billing_key: Secret<String>,
}

/// Separator of [`StoredKey`]'s two parts.
pub const STORED_KEY_SEPARATOR: char = '|';

impl StoredKey {
    /// The stored form (a secret: it holds the billing key).
    pub fn to_stored(&self) -> Secret<String> {
        Secret::new(format!(
            "{}{STORED_KEY_SEPARATOR}{}",
            self.customer_key,
            self.billing_key.expose()
        ))
    }
}

/// Read the stored billing key (`prior.pgBillingKey`); errors name the field, never the value.
pub fn stored_key(stored: Option<&Secret<String>>) -> Result<StoredKey, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let Some(stored) = stored else {
        e.add(
            "prior.pgBillingKey",
            "is required: the billing key paymux stored when Toss issued it",
        );
        return Err(e);
    };
    let parsed = stored
        .expose()
        .split_once(STORED_KEY_SEPARATOR)
        .filter(|(c, k)| {
            let mut probe = ValidationErrors::default();
            customer_key("", c, &mut probe);
            probe.is_empty()
                && !k.is_empty()
                && k.len() <= 200
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b))
        });
    match parsed {
        Some((c, k)) => Ok(StoredKey {
            customer_key: c.to_string(),
            billing_key: Secret::new(k.to_string()),
        }),
        None => {
            e.add(
                "prior.pgBillingKey",
                "is not a billing key this adapter stored (customerKey|billingKey)",
            );
            Err(e)
        }
    }
}

/// What a cancel becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelPlan {
    /// Method of the original payment (absent = CARD).
    pub method: Method,
    /// Amount cancelled now.
    pub amount: Money,
    /// Tax-free part of it.
    pub tax_free: Money,
    /// What stays cancellable afterwards.
    pub remaining_after: Money,
    /// Everything left is cancelled now: `cancelAmount` is omitted (Toss: "값이 없으면 전액
    /// 취소").
    pub full: bool,
    /// A deposited virtual account: money goes back to `refundReceiveAccount`.
    pub refund: bool,
}

/// Resolve a cancel against `prior.amount`; errors name the field and come before sending.
pub fn resolve_cancel(call: &CancelCall) -> Result<CancelPlan, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let PriorCancel {
        resolved,
        cancellable: left,
        full,
        ..
    } = call.resolve_against_prior()?;
    let method = call.prior.method.unwrap_or(Method::Card);
    let deposited = call.prior.paid_at.is_some();
    let refund = method == Method::VirtualAccount && deposited;
    if method == Method::VirtualAccount && !deposited && !full {
        errs.add(
            "amount",
            "an undeposited VIRTUAL_ACCOUNT is cancelled whole: cancel the full amount",
        );
    }
    if refund {
        match &call.body.refund_account {
            None => errs.add(
                "refundAccount",
                "is required to refund a deposited VIRTUAL_ACCOUNT payment (refundReceiveAccount)",
            ),
            Some(a) => {
                if protocol::bank_code(a.bank.code()).is_none() {
                    errs.add(
                        "refundAccount.bank",
                        format!("Toss Payments has no bank code for {}", a.bank.code()),
                    );
                }
                let n = digits(a.number.expose());
                if n.is_empty() || n.len() > 20 {
                    errs.add(
                        "refundAccount.number",
                        "must be 1 to 20 digits (accountNumber)",
                    );
                }
                if a.holder_name.trim().is_empty() || a.holder_name.chars().count() > 60 {
                    errs.add(
                        "refundAccount.holderName",
                        "must be 1 to 60 characters (holderName)",
                    );
                }
            }
        }
    }
    errs.into_result()?;
    let remaining_after = left.checked_sub(resolved.amount).unwrap_or(Money::ZERO);
    Ok(CancelPlan {
        method,
        amount: resolved.amount,
        tax_free: resolved.tax_free,
        remaining_after,
        full: remaining_after == Money::ZERO,
        refund,
    })
}

/// The virtual account's deadline Toss is sent: `validHours` as is, or `dueDate` in KST
/// (`yyyy-MM-dd'T'HH:mm:ss`); it must be ahead of `now` and at most 30 days away.
pub fn deposit_deadline(
    expiry: &Expiry,
    now: &DateTime<FixedOffset>,
) -> Result<(Option<u32>, Option<String>), String> {
    let kst = paymux_core::adapter::kst();
    match expiry {
        Expiry::ValidHours(h) => {
            let h = u32::try_from(*h).map_err(|_| "must be greater than 0".to_string())?;
            Ok((Some(h), None))
        }
        Expiry::DueDate(d) => {
            let due = d.with_timezone(&kst);
            let now = now.with_timezone(&kst);
            if due <= now {
                return Err("must be in the future (the deposit deadline)".into());
            }
            if due > now + Duration::hours(MAX_VALID_HOURS) {
                return Err("must be at most 30 days ahead (Toss's longest deposit window)".into());
            }
            Ok((None, Some(due.format("%Y-%m-%dT%H:%M:%S").to_string())))
        }
    }
}

/// `cashReceipt.type` for a PortOne receipt type (`None` = no receipt requested).
pub fn cash_receipt_type(t: CashReceiptInputType) -> Option<&'static str> {
    match t {
        CashReceiptInputType::Personal => Some("소득공제"),
        CashReceiptInputType::Corporate => Some("지출증빙"),
        CashReceiptInputType::NoReceipt => None,
    }
}

/// `checkout.prepare`: a `requestPayment` CARD window (the capability check refused every
/// other method); the channel must carry the client key the window script is opened with.
fn checkout_prepare(
    ctx: &ChannelContext,
    call: &CheckoutPrepareCall,
    errs: &mut ValidationErrors,
) -> Result<(), PgError> {
    let CheckoutRequest::Payment(r) = &call.checkout else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "checkout.prepare of billing-key windows (issue keys with billing-key.issue)"
                .into(),
        });
    };
    if TossChannel::from_context(ctx)?.client_key.is_none() {
        return Err(ctx
            .config_error(
                "credentials.client_key",
                "is required to open the Toss payment window (the client key, test_ck_…)",
            )
            .into());
    }
    order_id("paymentId", &r.payment_id, errs);
    within_limit("orderName", &r.order_name, errs);
    if let Some(c) = &r.customer {
        if let Some(e) = &c.email {
            within_limit("customer.email", e, errs);
        }
    }
    match call.return_url.as_deref() {
        None => errs.add(
            "returnUrl",
            "is required: the window returns paymentKey, orderId and amount there (successUrl)",
        ),
        Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) => {
            errs.add("returnUrl", "must be an http(s) URL (successUrl)")
        }
        Some(_) => {}
    }
    Ok(())
}

/// What the window's success URL carries (the payment-window guide: `paymentKey`, `orderId`,
/// `amount`).
#[derive(Debug, Clone)]
pub struct WindowReturn {
    /// The payment's key, to confirm.
    pub payment_key: String,
    /// 주문번호 (must be the session's paymentId).
    pub order_id: String,
    /// 금액 (must be the session's amount).
    pub amount: i64,
}

/// The window's own verdict: the fail URL carries `code` and `message` and no `paymentKey`
/// (the payer cancelled, or the window failed): nothing to confirm.
pub fn window_failure(call: &CheckoutCompleteCall) -> Option<PgError> {
    let get = |k: &str| call.returned.get(k).map(|v| v.expose().trim().to_string());
    if get("paymentKey").is_some_and(|k| !k.is_empty()) {
        return None;
    }
    get("code")
        .filter(|c| !c.is_empty())
        .map(|code| PgError::WindowFailed {
            pg_code: code,
            pg_message: get("message").unwrap_or_default(),
        })
}

/// Read and check the success URL's fields against the session: same order, same amount
/// (Toss's guide: "결제 요청 금액과 successUrl의 amount가 같은지 확인"), so a tampered return
/// is refused before confirming. Errors name `returned.<field>`.
pub fn window_return(call: &CheckoutCompleteCall) -> Result<WindowReturn, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let get = |k: &str| {
        call.returned
            .get(k)
            .map(|v| v.expose().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let payment_key = get("paymentKey");
    match payment_key.as_deref() {
        None => errs.add(
            "returned.paymentKey",
            "is required (the success URL gives it)",
        ),
        Some(k)
            if k.len() > 200
                || !k
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            errs.add("returned.paymentKey", "is not a Toss paymentKey")
        }
        Some(_) => {}
    }
    let order = get("orderId");
    match order.as_deref() {
        None => errs.add("returned.orderId", "is required (the success URL gives it)"),
        Some(o) if o != call.payment_id => errs.add(
            "returned.orderId",
            "is not this checkout's paymentId: the window answered another order",
        ),
        Some(_) => {}
    }
    let amount = get("amount").and_then(|a| a.parse::<i64>().ok());
    let expected = call.prior.amount.map(|a| a.total.get());
    match (amount, expected) {
        (None, _) => errs.add("returned.amount", "is required and must be an integer"),
        (Some(_), None) => errs.add(
            "prior.amount",
            "is required: the amount the window was opened for",
        ),
        (Some(a), Some(e)) if a != e => errs.add(
            "returned.amount",
            "differs from the amount the window was opened for: refused (a tampered return)",
        ),
        _ => {}
    }
    errs.into_result()?;
    Ok(WindowReturn {
        payment_key: payment_key.unwrap_or_default(),
        order_id: order.unwrap_or_default(),
        amount: amount.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_repeat_per_request_and_stay_short() {
        let sk = Secret::new("test_sk_x".to_string());
        let k = |attempt, body: &[u8]| idempotency_key("cancel", "order-1", attempt, &sk, body);
        assert_eq!(k(2, b"{}"), k(2, b"{}"));
        assert!(k(2, b"{}").starts_with("paymux-cancel-order-1-2-"));
        assert_ne!(k(2, b"{}"), k(3, b"{}"));
        assert_ne!(k(2, br#"{"a":1}"#), k(2, br#"{"a":2}"#));
        let other = Secret::new("test_sk_y".to_string());
        assert_ne!(
            k(2, b"{}"),
            idempotency_key("cancel", "order-1", 2, &other, b"{}")
        );
        let long = idempotency_key("key-in", &"a".repeat(300), 1, &sk, b"{}");
        assert!(long.len() <= protocol::IDEMPOTENCY_KEY_MAX);
    }

    #[test]
    fn order_ids_follow_tosss_alphabet_and_length() {
        let mut e = ValidationErrors::default();
        order_id("paymentId", "order-0001_a", &mut e);
        assert!(e.is_empty(), "{e}");
        order_id("paymentId", "abc", &mut e);
        order_id("paymentId", "order 0001", &mut e);
        assert_eq!(e.0.len(), 2);
        assert!(e.0.iter().all(|x| x.path.as_str() == "paymentId"));
    }

    #[test]
    fn customer_keys_name_the_rule_never_the_value() {
        let mut e = ValidationErrors::default();
        customer_key("customer.id", "user_01@example.com", &mut e);
        assert!(e.is_empty(), "{e}");
        customer_key("customer.id", "x", &mut e);
        customer_key("customer.id", "홍길동님", &mut e);
        customer_key("customer.id", &"a".repeat(301), &mut e);
        assert_eq!(e.0.len(), 3, "{e}");
        assert!(!e.to_string().contains("홍길동"));
    }

    #[test]
    fn stored_keys_round_trip_and_refuse_strangers() {
        let k = StoredKey {
            customer_key: "cust01".into(),
            billing_key: Secret::new("Z_t5vOvQxrj4499PeiJcjen28-V2RyqgYTwN44Rdzk0=".into()),
        };
        let back = stored_key(Some(&k.to_stored())).unwrap();
        assert_eq!(back.customer_key, "cust01");
        assert!(stored_key(Some(&Secret::new("no-separator".into()))).is_err());
        assert!(stored_key(None).is_err());
    }

    #[test]
    fn expiry_parts() {
        assert_eq!(expiry_year("2030").as_deref(), Some("30"));
        assert_eq!(expiry_year("30").as_deref(), Some("30"));
        assert_eq!(expiry_year("3"), None);
        assert_eq!(expiry_month("7").as_deref(), Some("07"));
        assert_eq!(expiry_month("13"), None);
    }

    #[test]
    fn deadlines() {
        let now = DateTime::parse_from_rfc3339("2025-03-01T10:00:00+09:00").unwrap();
        let d = DateTime::parse_from_rfc3339("2025-03-04T00:00:00Z").unwrap();
        assert_eq!(
            deposit_deadline(&Expiry::DueDate(d), &now).unwrap(),
            (None, Some("2025-03-04T09:00:00".into()))
        );
        let past = DateTime::parse_from_rfc3339("2025-02-01T00:00:00+09:00").unwrap();
        assert!(deposit_deadline(&Expiry::DueDate(past), &now).is_err());
        assert_eq!(
            deposit_deadline(&Expiry::ValidHours(72), &now).unwrap(),
            (Some(72), None)
        );
    }
}
