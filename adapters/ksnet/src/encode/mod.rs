//! Unified request → KSNET wire structs → exact bytes, per operation. Pure: the clock and
//! randomness come from [`EncodeContext`].
//!
//! The mapping is done once, protocol-neutrally ([`Order`], [`Amounts`], [`KeyedCard`],
//! [`CancelPlan`], [`VirtualAccountPlan`], [`TradeKey`]); [`webfep`] and [`kspay`] only render
//! those into their wire structs. Operations no public source documents (billing keys, the
//! status inquiry) are built in this module too (each marked **reconstructed**; the list is
//! [`crate::reconstructed::RECONSTRUCTIONS`]).

pub mod kspay;
pub mod webfep;

use chrono::{DateTime, FixedOffset, Months, NaiveDateTime};
use paymux_core::adapter::{
    kst, BillingKeyPaymentCall, CancelCall, DeleteBillingKeyCall, EncodeContext, GetPaymentCall,
    IssueBillingKeyCall, Method, PgRequest, PriorCancel, PriorTransaction, WireRequest, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::{
    CardCredential, CustomerInput, InstantPaymentMethodInputVirtualAccount,
    InstantPaymentMethodInputVirtualAccountExpiry, ProductType, VirtualAccountOptionType,
};
use paymux_core::money::{Money, PaymentAmountInput};
use paymux_core::secret::Secret;
use paymux_core::validation::{FieldPath, ValidationErrors};
pub use paymux_core::wire::codec::digits14;
use paymux_core::wire::{fixed, Charset};

use crate::channel::{KsnetChannel, Protocol};
pub use crate::frame::kspay::PartialCancel;
use crate::frame::kspay::{KspayInquiryRequest, Request, RequestRecord};
use crate::frame::webfep::{to_body, CardCertRequest, WebfepInquiryRequest};
use crate::protocol::webfep::CARD_CERT;
use crate::protocol::{
    self, policy, width, Bank, BILLING_KEY_PRODUCT_NAME, KSPAY_INQUIRY, WEBFEP_INQUIRY,
};

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let ch = KsnetChannel::from_context(ctx.channel)?;
    match req {
        PgRequest::Instant(c) => {
            let order = order(&c.payment_id, &c.body.order_name, c.body.customer.as_ref())
                .with_product(c.body.product_type);
            let currency = WireCurrency::of(c.body.currency.code())?;
            match &c.body.method {
                paymux_core::model::InstantPaymentMethodInput::Card(card) => {
                    let amounts = amounts(&c.body.amount, currency)?;
                    let keyed = keyed_card(&card.credential)?;
                    let terms = Terms {
                        installment: installment(card.installment_month),
                        free_interest: card.use_free_interest_from_merchant == Some(true),
                    };
                    let source = CardSource::Keyed(keyed);
                    match ch.protocol {
                        Protocol::Webfep => webfep::approve(&ch, &order, &amounts, &terms, &source),
                        Protocol::Kspay => {
                            kspay::approve(ctx, &ch, &order, &amounts, &terms, &source)
                        }
                    }
                }
                paymux_core::model::InstantPaymentMethodInput::VirtualAccount(va) => {
                    let plan = virtual_account(ctx, &c.body.amount, va)?;
                    match ch.protocol {
                        Protocol::Webfep => webfep::virtual_account(&ch, &order, &plan),
                        Protocol::Kspay => kspay::virtual_account(ctx, &ch, &order, &plan),
                    }
                }
            }
        }
        PgRequest::Cancel(c) => {
            check_cancel_window(&c.prior, &ctx.now)?;
            let plan = resolve_cancel(c)?;
            match ch.protocol {
                Protocol::Webfep => webfep::cancel(&ch, &c.payment_id, &plan, false),
                Protocol::Kspay => kspay::cancel(ctx, &ch, &c.payment_id, &plan, false),
            }
        }
        PgRequest::IssueBillingKey(c) => issue_billing_key(ctx, &ch, c),
        PgRequest::PayWithBillingKey(c) => charge_billing_key(ctx, &ch, c),
        PgRequest::DeleteBillingKey(c) => delete_billing_key(ctx, &ch, c),
        PgRequest::Get(c) => inquiry(ctx, &ch, c),
        PgRequest::CheckoutPrepare(_) | PgRequest::CheckoutComplete(_) => Err(window_unsupported()),
        // No revocation call for an unpaid account in KSNET's public reference.
        PgRequest::CloseVirtualAccount(_) => Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: req.operation().to_string(),
        }),
    }
}

/// The error for the payment window, which this adapter does not build.
pub fn window_unsupported() -> PgError {
    PgError::Unsupported {
        adapter: crate::ADAPTER_ID,
        what: "the KSNET payment window (checkout): PortOne's KSNET window is an iframe this adapter does not build".into(),
    }
}

/// What kind of goods (`productType` / `GoodType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    /// PortOne `PHYSICAL` → WEBFEP `REAL`, KSPay `0`.
    Real,
    /// PortOne `DIGITAL` → `DIGITAL`, KSPay `1`.
    Digital,
}

impl From<ProductType> for ProductKind {
    fn from(p: ProductType) -> Self {
        match p {
            ProductType::Physical => ProductKind::Real,
            ProductType::Digital => ProductKind::Digital,
        }
    }
}

/// The order part every request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// `orderNumb` / `OrderNumber`: the paymentId (or billingKey).
    pub number: String,
    /// `userName` / `UserName`.
    pub user_name: String,
    /// `userEmail` / `Email`.
    pub email: Option<String>,
    /// KSPay `PhoneNo`: digits only, as the keyed-in sample strips `-`.
    pub phone: Option<String>,
    /// The full order name (`orderName`); each protocol cuts it to 50 bytes at a character
    /// boundary.
    pub product_name: String,
    /// `productType` / `GoodType`.
    pub product: Option<ProductKind>,
}

impl Order {
    /// Set the product kind.
    pub fn with_product(mut self, p: Option<ProductType>) -> Self {
        self.product = p.map(ProductKind::from);
        self
    }

    /// The order name cut to `productName`'s 50 bytes of EUC-KR, never inside a syllable.
    pub fn product_name_50(&self) -> Result<String, PgError> {
        Ok(fixed::truncate_field_to_bytes(
            "orderName",
            &self.product_name,
            width::PRODUCT_NAME,
            Charset::EucKr,
        )?)
    }
}

/// The order part of a request from the unified fields.
pub fn order(number: &str, product_name: &str, customer: Option<&CustomerInput>) -> Order {
    Order {
        number: number.to_string(),
        user_name: customer.and_then(|c| c.full_name()).unwrap_or_default(),
        email: customer.and_then(|c| c.email.clone()),
        phone: customer
            .and_then(|c| c.phone_number.as_deref())
            .map(|p| p.chars().filter(char::is_ascii_digit).collect()),
        product_name: product_name.to_string(),
        product: None,
    }
}

/// KRW or USD on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireCurrency {
    /// Won: amounts as they are.
    Krw,
    /// Dollars: "모든 금액을 1달러=1000으로 표기" (cents × 10).
    Usd,
}

impl WireCurrency {
    /// From an ISO code; anything but KRW/USD is a validation error at `currency`.
    pub fn of(code: &str) -> Result<WireCurrency, ValidationErrors> {
        match code {
            "KRW" => Ok(WireCurrency::Krw),
            "USD" => Ok(WireCurrency::Usd),
            _ => {
                let mut e = ValidationErrors::default();
                e.add("currency", "KSNET accepts only KRW and USD");
                Err(e)
            }
        }
    }

    /// A unified amount (minor units) as the wire's integer.
    pub fn to_wire(self, m: Money) -> Option<u64> {
        let v = u64::try_from(m.get()).ok()?;
        let v = match self {
            WireCurrency::Krw => v,
            WireCurrency::Usd => v.checked_mul(policy::USD_CENTS_TO_WIRE)?,
        };
        (v <= policy::MAX_WIRE_AMOUNT).then_some(v)
    }

    /// A wire amount back in minor units (`None` when it does not convert exactly).
    pub fn from_wire(self, v: u64) -> Option<Money> {
        let minor = match self {
            WireCurrency::Krw => v,
            WireCurrency::Usd if v % policy::USD_CENTS_TO_WIRE == 0 => {
                v / policy::USD_CENTS_TO_WIRE
            }
            WireCurrency::Usd => return None,
        };
        Money::new(i64::try_from(minor).ok()?).ok()
    }
}

/// Amounts as the wire wants them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amounts {
    /// 총금액.
    pub total: u64,
    /// 면세금액, when the request gave one.
    pub tax_free: Option<u64>,
    /// 세금 (VAT), when the request gave one (else KSNET computes it).
    pub vat: Option<u64>,
    /// Currency.
    pub currency: WireCurrency,
}

/// Resolve and convert `amount` (errors name `amount.total`, `amount.taxFree`, `amount.vat`).
pub fn amounts(
    amount: &PaymentAmountInput,
    currency: WireCurrency,
) -> Result<Amounts, ValidationErrors> {
    let resolved = amount.resolve(&FieldPath::root("amount"))?;
    let mut errs = ValidationErrors::default();
    let wire = |m: Money, path: &str, errs: &mut ValidationErrors| match currency.to_wire(m) {
        Some(v) => v,
        None => {
            errs.add(
                path,
                format!(
                    "does not fit KSNET's 9-digit amount field (at most {} in {})",
                    policy::MAX_WIRE_AMOUNT,
                    match currency {
                        WireCurrency::Krw => "KRW",
                        WireCurrency::Usd => "1/1000 USD",
                    }
                ),
            );
            0
        }
    };
    let total = wire(resolved.total, "amount.total", &mut errs);
    let tax_free = amount
        .tax_free
        .map(|_| wire(resolved.tax_free, "amount.taxFree", &mut errs));
    let vat = amount
        .vat
        .map(|_| wire(resolved.vat, "amount.vat", &mut errs));
    errs.into_result()?;
    Ok(Amounts {
        total,
        tax_free,
        vat,
        currency,
    })
}

/// Instalment months as the 2-digit field wants them (`00` = lump sum).
pub fn installment(month: Option<i32>) -> u32 {
    u32::try_from(month.unwrap_or(0).clamp(0, 99)).unwrap_or(0)
}

/// Instalment terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// Months (0 = lump sum).
    pub installment: u32,
    /// Merchant-borne interest-free instalments (`useFreeInterestFromMerchant`).
    pub free_interest: bool,
}

/// A keyed-in card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedCard {
    /// Card number.
    pub number: Secret<String>,
    /// Expiry `yyMM`.
    pub expiry: String,
    /// Password (2) and birth date / business number, for the old-cert approval.
    pub old_cert: Option<(Secret<String>, Secret<String>)>,
}

/// How the card is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardSource {
    /// Card number and expiry (+ old-cert data).
    Keyed(KeyedCard),
    /// A batch key (**reconstructed** billing key).
    Batch(Secret<String>),
}

/// The card of a credential. Password and birth/BRN go together (old-cert) or not at all.
pub fn keyed_card(cred: &CardCredential) -> Result<KeyedCard, ValidationErrors> {
    let base = "method.card.credential";
    let old_cert = match (
        &cred.password_two_digits,
        &cred.birth_or_business_registration_number,
    ) {
        (Some(p), Some(b)) => Some((p.clone(), b.clone())),
        (None, None) => None,
        (Some(_), None) => {
            let mut e = ValidationErrors::default();
            e.add(
                format!("{base}.birthOrBusinessRegistrationNumber").as_str(),
                "is required with passwordTwoDigits: KSNET's old-cert approval (card/pay/oldcert, 1300) takes both; give neither for card/pay/noncert",
            );
            return Err(e);
        }
        (None, Some(_)) => {
            let mut e = ValidationErrors::default();
            e.add(
                format!("{base}.passwordTwoDigits").as_str(),
                "is required with birthOrBusinessRegistrationNumber: KSNET's old-cert approval (card/pay/oldcert, 1300) takes both; give neither for card/pay/noncert",
            );
            return Err(e);
        }
    };
    Ok(KeyedCard {
        number: cred.number.clone(),
        expiry: format!("{}{}", cred.expiry_year, cred.expiry_month),
        old_cert,
    })
}

/// What identifies the original transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradeKey {
    /// The PG's TID.
    Tid(String),
    /// The merchant's order number and the original trade date `yyyyMMdd`.
    Order {
        /// Order number (the paymentId).
        number: String,
        /// `yyyyMMdd`.
        date: String,
    },
}

/// The key of `prior`: its TID, else the order number with the date of `prior.orderDate`
/// (or `prior.paidAt`). Errors name `prior.pgTxId`.
pub fn trade_key(payment_id: &str, prior: &PriorTransaction) -> Result<TradeKey, ValidationErrors> {
    if let Some(tid) = prior.pg_tx_id.as_deref().filter(|t| !t.trim().is_empty()) {
        return Ok(TradeKey::Tid(tid.to_string()));
    }
    let date = prior
        .order_date
        .as_deref()
        .filter(|d| d.len() >= 8 && d.bytes().take(8).all(|b| b.is_ascii_digit()))
        .map(|d| d[..8].to_string())
        .or_else(|| {
            prior
                .paid_at
                .map(|p| p.with_timezone(&kst()).format("%Y%m%d").to_string())
        });
    match date {
        Some(date) => Ok(TradeKey::Order {
            number: payment_id.to_string(),
            date,
        }),
        None => {
            let mut e = ValidationErrors::default();
            e.add(
                "prior.pgTxId",
                "is required: KSNET finds the payment by its TID, or by the order number with the original date (give prior.orderDate or prior.paidAt)",
            );
            Err(e)
        }
    }
}

/// One cancel, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelPlan {
    /// The original payment.
    pub key: TradeKey,
    /// `None`: FULL (first cancel, of everything). `Some`: PARTIAL.
    pub partial: Option<PartialCancel>,
    /// Amount cancelled now.
    pub amount: Money,
    /// Cancellable before this cancel.
    pub cancellable: Money,
    /// Method of the original payment.
    pub method: Method,
    /// Currency of the original payment: the unit of the amounts on the wire.
    pub currency: WireCurrency,
}

/// The currency of the earlier payment (`prior.currency`; absent means KRW).
pub fn prior_currency(prior: &PriorTransaction) -> Result<WireCurrency, ValidationErrors> {
    match &prior.currency {
        None => Ok(WireCurrency::Krw),
        Some(c) => WireCurrency::of(c.code()).map_err(|_| {
            let mut e = ValidationErrors::default();
            e.add("prior.currency", "KSNET payments are in KRW or USD");
            e
        }),
    }
}

/// Resolve a cancel against `prior.amount` with core's cancel rules, then KSNET's: at most 9
/// partial cancels, none for MOBILE payments. Errors name the field at fault and are raised
/// before anything is sent.
pub fn resolve_cancel(call: &CancelCall) -> Result<CancelPlan, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let key = trade_key(&call.payment_id, &call.prior);
    if call.prior.amount.is_none() {
        errs.add(
            "prior.amount",
            "is required: KSNET cancels FULL only the untouched payment, PARTIAL otherwise",
        );
        if let Err(e) = key {
            errs.extend(e);
        }
        return Err(errs);
    }
    let key = key?;
    let method = call.prior.method.unwrap_or(Method::Card);
    // The cancel body carries no currency: the original payment's is in `prior.currency`.
    let currency = prior_currency(&call.prior)?;
    let PriorCancel {
        resolved,
        cancellable: left,
        full,
        ..
    } = call.resolve_against_prior()?;
    if full {
        return Ok(CancelPlan {
            key,
            partial: None,
            amount: resolved.amount,
            cancellable: left,
            method,
            currency,
        });
    }
    if method == Method::Mobile {
        errs.add(
            "amount",
            "KSNET cannot partially cancel a MOBILE payment (휴대폰 소액 결제 승인 건은 부분취소가 불가능합니다): cancel it in full",
        );
        return Err(errs);
    }
    if call.prior.cancel_count >= policy::MAX_PARTIAL_CANCELS {
        errs.add(
            "prior.cancelCount",
            format!(
                "KSNET allows at most {} partial cancels per payment (cancelSeq 1-9); this would be number {}",
                policy::MAX_PARTIAL_CANCELS,
                call.prior.cancel_count + 1
            ),
        );
        return Err(errs);
    }
    let wire = |m: Money| currency.to_wire(m).unwrap_or(u64::MAX);
    Ok(CancelPlan {
        key,
        partial: Some(PartialCancel {
            amount: wire(resolved.amount),
            tax_free: wire(resolved.tax_free),
            seq: call.prior.cancel_count + 1,
        }),
        amount: resolved.amount,
        cancellable: left,
        method,
        currency,
    })
}

/// "취소는 결제일 기준 6개월까지만 가능합니다": checked against `prior.paidAt` (else
/// `prior.orderDate`) when the gateway knows it. Needs the clock, so it runs while encoding,
/// still before anything is sent.
pub fn check_cancel_window(
    prior: &PriorTransaction,
    now: &DateTime<FixedOffset>,
) -> Result<(), ValidationErrors> {
    let paid = prior.paid_at.or_else(|| {
        let d = prior.order_date.as_deref()?;
        let naive = NaiveDateTime::parse_from_str(d, "%Y%m%d%H%M%S").ok()?;
        naive.and_local_timezone(kst()).single()
    });
    let Some(paid) = paid else { return Ok(()) };
    let Some(limit) = paid.checked_add_months(Months::new(policy::CANCEL_WINDOW_MONTHS)) else {
        return Ok(());
    };
    if *now > limit {
        let mut e = ValidationErrors::default();
        e.add(
            if prior.paid_at.is_some() {
                "prior.paidAt"
            } else {
                "prior.orderDate"
            },
            format!(
                "KSNET cancels only within {} months of the payment (취소는 결제일 기준 6개월까지만 가능합니다); this one was paid on {}",
                policy::CANCEL_WINDOW_MONTHS,
                paid.format("%Y-%m-%d")
            ),
        );
        return Err(e);
    }
    Ok(())
}

/// A virtual-account issue, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualAccountPlan {
    /// The bank.
    pub bank: &'static Bank,
    /// Amount (KRW).
    pub amount: u64,
    /// Deposit deadline, KST.
    pub close: NaiveDateTime,
    /// A permanent (fixed) account number, when the request names one.
    pub account: Option<String>,
}

/// The static checks of a virtual-account request (no clock): bank, fixed account, amount
/// split, cash receipt. Errors name the field.
pub fn check_virtual_account(
    amount: &PaymentAmountInput,
    va: &InstantPaymentMethodInputVirtualAccount,
) -> Result<(&'static Bank, u64, Option<String>), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let base = "method.virtualAccount";
    let bank = protocol::bank_by_portone(va.bank.code());
    if bank.is_none() {
        errs.add(
            format!("{base}.bank").as_str(),
            format!(
                "KSNET issues virtual accounts at {} only",
                protocol::BANKS
                    .iter()
                    .map(|b| b.portone)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let account = match (va.option.r#type, &va.option.fixed) {
        (VirtualAccountOptionType::Fixed, Some(f)) => match (&f.account_number, &f.pg_account_id) {
            (Some(n), _) => {
                let digits: String = n.chars().filter(|c| *c != '-').collect();
                if digits.is_empty()
                    || digits.len() > width::VIRTUAL_ACCOUNT
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    errs.add(
                        format!("{base}.option.fixed.accountNumber").as_str(),
                        "must be the permanent account number KSNET gave the merchant: at most 15 digits",
                    );
                }
                Some(digits)
            }
            (None, _) => {
                errs.add(
                    format!("{base}.option.fixed.pgAccountId").as_str(),
                    "KSNET has no account ids: give option.fixed.accountNumber (a permanent account KSNET gave the merchant)",
                );
                None
            }
        },
        _ => None,
    };
    if amount.tax_free.is_some_and(|t| t > Money::ZERO) {
        errs.add(
            "amount.taxFree",
            "KSNET's virtual accounts carry no tax-free amount (일회성 가상계좌의 경우 부가세, 면세 금액 설정을 지원하지 않습니다)",
        );
    }
    if amount.vat.is_some() {
        errs.add(
            "amount.vat",
            "KSNET's virtual accounts carry no VAT amount (일회성 가상계좌의 경우 부가세, 면세 금액 설정을 지원하지 않습니다)",
        );
    }
    if let Some(r) = &va.cash_receipt {
        if r.r#type != paymux_core::model::CashReceiptInputType::NoReceipt {
            errs.add(
                format!("{base}.cashReceipt.type").as_str(),
                "KSNET's virtual-account request has no cash-receipt fields: only NO_RECEIPT",
            );
        }
    }
    let total = WireCurrency::Krw.to_wire(amount.total);
    if total.is_none() {
        errs.add("amount.total", "does not fit KSNET's 9-digit amount field");
    }
    errs.into_result()?;
    match (bank, total) {
        (Some(b), Some(t)) => Ok((b, t, account)),
        _ => Err(ValidationErrors::default()),
    }
}

/// Resolve a virtual-account issue; the deadline must lie in the future.
pub fn virtual_account(
    ctx: &EncodeContext<'_>,
    amount: &PaymentAmountInput,
    va: &InstantPaymentMethodInputVirtualAccount,
) -> Result<VirtualAccountPlan, PgError> {
    let (bank, total, account) = check_virtual_account(amount, va)?;
    let now = ctx.now.with_timezone(&kst());
    let (close, path) = match va.expiry {
        InstantPaymentMethodInputVirtualAccountExpiry::ValidHours(h) => (
            now + chrono::Duration::hours(i64::from(h)),
            "method.virtualAccount.expiry.validHours",
        ),
        InstantPaymentMethodInputVirtualAccountExpiry::DueDate(d) => (
            d.with_timezone(&kst()),
            "method.virtualAccount.expiry.dueDate",
        ),
    };
    if close <= now {
        let mut e = ValidationErrors::default();
        e.add(
            path,
            "must lie in the future: it is the deposit deadline (마감일시)",
        );
        return Err(e.into());
    }
    Ok(VirtualAccountPlan {
        bank,
        amount: total,
        close: close.naive_local(),
        account,
    })
}

/// The method of an earlier payment; absent means CARD.
pub fn prior_method(prior: &PriorTransaction) -> Method {
    prior.method.unwrap_or(Method::Card)
}

/// `BatchUseType` 1. The order number is the gateway's billing-key id.
pub fn issue_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    call: &IssueBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let Some(card) = body.method.card.as_ref() else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "billing-key.issue without a card".into(),
        });
    };
    let keyed = keyed_card(&card.credential)?;
    let ord = order(
        &call.billing_key,
        BILLING_KEY_PRODUCT_NAME,
        body.customer.as_ref(),
    );
    let Some((password, birth)) = keyed.old_cert.clone() else {
        let mut e = paymux_core::validation::ValidationErrors::default();
        e.add(
            "method.card.credential.passwordTwoDigits",
            "is required to issue a KSNET billing key (with birthOrBusinessRegistrationNumber)",
        );
        return Err(e.into());
    };
    match ch.protocol {
        Protocol::Webfep => {
            let request = CardCertRequest {
                mid: ch.mid.clone(),
                payload: call.billing_key.clone(),
                order_numb: call.billing_key.clone(),
                user_name: ord.user_name.clone(),
                product_name: ord.product_name_50()?,
                card_numb: keyed.number.clone(),
                expiry_date: keyed.expiry.clone(),
                password2: password,
                user_info: birth,
            };
            let bytes = to_body(&request).map_err(|reason| PgError::NotSent { reason })?;
            webfep::http_request(ch, CARD_CERT, bytes, WireView::lazy(move || request.view()))
        }
        Protocol::Kspay => {
            let zero = Amounts {
                total: 0,
                tax_free: None,
                vat: None,
                currency: WireCurrency::Krw,
            };
            let terms = Terms {
                installment: 0,
                free_interest: false,
            };
            let request = Request {
                head: kspay::head(ctx, ch, &ord),
                records: vec![RequestRecord::Credit(kspay::credit(
                    &zero,
                    &terms,
                    &CardSource::Keyed(keyed),
                    true,
                ))],
            };
            kspay::tcp_request(ch, request)
        }
    }
}

/// **Reconstructed** billing-key charge: the key stands for the card (`BatchUseType` 1).
pub fn charge_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    call: &BillingKeyPaymentCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let key = call.prior.pg_billing_key.clone().unwrap_or_default();
    let ord = order(&call.payment_id, &body.order_name, body.customer.as_ref())
        .with_product(body.product_type);
    let currency = WireCurrency::of(body.currency.code())?;
    let amts = amounts(&body.amount, currency)?;
    let terms = Terms {
        installment: installment(body.installment_month),
        free_interest: body.use_free_interest_from_merchant == Some(true),
    };
    let source = CardSource::Batch(key);
    match ch.protocol {
        Protocol::Webfep => webfep::approve(ch, &ord, &amts, &terms, &source),
        Protocol::Kspay => kspay::approve(ctx, ch, &ord, &amts, &terms, &source),
    }
}

/// **Reconstructed** billing-key delete: a FULL cancel of the issuing transaction.
pub fn delete_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    call: &DeleteBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let key = call
        .prior
        .pg_billing_key
        .as_ref()
        .map(|k| k.expose().clone())
        .unwrap_or_default();
    let plan = CancelPlan {
        key: TradeKey::Tid(key),
        partial: None,
        amount: Money::ZERO,
        cancellable: Money::ZERO,
        method: Method::Card,
        currency: WireCurrency::Krw,
    };
    match ch.protocol {
        Protocol::Webfep => webfep::cancel(ch, &call.billing_key, &plan, true),
        Protocol::Kspay => kspay::cancel(ctx, ch, &call.billing_key, &plan, true),
    }
}

/// **Reconstructed** status inquiry, keyed like a cancel: by TID when the gateway has one,
/// else by order number and the original date (an `Unknown` outcome has no TID).
pub fn inquiry(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    call: &GetPaymentCall,
) -> Result<WireRequest, PgError> {
    let key = trade_key(&call.payment_id, &call.prior)?;
    match ch.protocol {
        Protocol::Webfep => {
            let (key_type, key, date) = webfep::key_fields(&key);
            let request = WebfepInquiryRequest {
                mid: ch.mid.clone(),
                payload: call.payment_id.clone(),
                org_trade_key_type: key_type.to_string(),
                org_trade_key: key,
                org_trade_date: date,
            };
            let bytes = to_body(&request).map_err(|reason| PgError::NotSent { reason })?;
            webfep::http_request(
                ch,
                WEBFEP_INQUIRY,
                bytes,
                WireView::lazy(move || request.view()),
            )
        }
        Protocol::Kspay => {
            let (inquiry_type, tid, date, number) = match &key {
                TradeKey::Tid(t) => ("1", t.clone(), String::new(), String::new()),
                TradeKey::Order { number, date } => {
                    ("2", String::new(), date.clone(), number.clone())
                }
            };
            let ord = order(&call.payment_id, "", None);
            let request = Request {
                head: kspay::head(ctx, ch, &ord),
                records: vec![RequestRecord::Inquiry(KspayInquiryRequest {
                    approval_type: KSPAY_INQUIRY.into(),
                    inquiry_type: inquiry_type.into(),
                    transaction_no: tid,
                    trade_date: date,
                    order_number: number,
                    filler: String::new(),
                })],
            };
            kspay::tcp_request(ch, request)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits14_writes_what_chrono_writes() {
        for t in [
            "2025-03-14T09:26:53+09:00",
            "0001-01-01T00:00:00+09:00",
            "0999-12-31T23:59:59+09:00",
            "9999-12-31T23:59:59+09:00",
            "2016-12-31T23:59:60+09:00",
        ] {
            let t = DateTime::parse_from_rfc3339(t).unwrap();
            let chrono = t.format("%Y%m%d%H%M%S").to_string();
            if let Some(fast) = digits14(&t) {
                assert_eq!(fast, chrono);
            }
            if let Some(fast) = digits14(&t.naive_local()) {
                assert_eq!(fast, chrono);
            }
        }
        assert_eq!(
            digits14(&DateTime::parse_from_rfc3339("2025-03-14T09:26:53+09:00").unwrap())
                .as_deref(),
            Some("20250314092653")
        );
    }

    #[test]
    fn usd_amounts_are_thousandths_of_a_dollar() {
        let m = Money::new(1234).unwrap();
        assert_eq!(WireCurrency::Usd.to_wire(m), Some(12_340));
        assert_eq!(WireCurrency::Usd.from_wire(12_340), Some(m));
        assert_eq!(WireCurrency::Usd.from_wire(12_345), None);
        assert_eq!(
            WireCurrency::Krw.to_wire(Money::new(1_000_000_000).unwrap()),
            None
        );
    }

    #[test]
    fn installment_is_clamped_to_two_digits() {
        assert_eq!(installment(None), 0);
        assert_eq!(installment(Some(3)), 3);
        assert_eq!(installment(Some(-1)), 0);
    }
}
