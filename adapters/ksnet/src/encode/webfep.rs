//! Plans → WEBFEP JSON requests (documented endpoints).

use paymux_core::adapter::{Header, WireRequest, WireTarget, WireView};
use paymux_core::error::PgError;
use paymux_core::validation::ValidationErrors;

use super::{
    Amounts, CancelPlan, CardSource, Order, ProductKind, Terms, TradeKey, VirtualAccountPlan,
    WireCurrency,
};
use crate::channel::KsnetChannel;
use crate::frame::webfep::{self as wire, CancelRequest, CardPayRequest, VaccountRequest};
use crate::protocol::webfep::{
    cancel_type, product_type, trade_key_type, virt_account_type, AUTH_SCHEME, CARD_CANCEL,
    CARD_PAY_NONCERT, CARD_PAY_OLDCERT, CONTENT_TYPE, ESCROW_NONE, VACCOUNT_PERMANENT,
};

/// `POST {base}/kspay/webfep/api/v1/{path}` with the JSON `body`; `view` is its masked form
/// (`WireView::lazy(move || request.view())`).
pub fn http_request(
    ch: &KsnetChannel,
    path: &str,
    body: Vec<u8>,
    view: WireView,
) -> Result<WireRequest, PgError> {
    let url = ch.url(path).ok_or_else(|| PgError::NotSent {
        reason: "a WEBFEP request on a KSPay channel".into(),
    })?;
    let key = ch
        .api_key
        .as_ref()
        .map(|k| k.expose().as_str())
        .unwrap_or_default();
    Ok(WireRequest {
        target: WireTarget::Http {
            url_secret: None,
            method: "POST".into(),
            url,
            headers: vec![
                Header {
                    name: "Content-Type".into(),
                    value: CONTENT_TYPE.into(),
                    sensitive: false,
                },
                Header {
                    name: "Authorization".into(),
                    value: format!("{AUTH_SCHEME} {key}"),
                    sensitive: true,
                },
            ],
        },
        body,
        view,
        read_timeout: None,
    })
}

fn body<T: serde::Serialize>(request: &T) -> Result<Vec<u8>, PgError> {
    wire::to_body(request).map_err(|detail| PgError::NotSent { reason: detail })
}

fn product(order: &Order) -> Result<&'static str, ValidationErrors> {
    match order.product {
        Some(ProductKind::Real) => Ok(product_type::REAL),
        Some(ProductKind::Digital) => Ok(product_type::DIGITAL),
        None => {
            let mut e = ValidationErrors::default();
            e.add(
                "productType",
                "is required for a KSNET card payment (PHYSICAL or DIGITAL)",
            );
            Err(e)
        }
    }
}

/// `card/pay/noncert`, or `card/pay/oldcert` when the card carries password and birth/BRN.
/// A batch key (**reconstructed**) goes to `card/pay/noncert` in `cardNumb` with
/// `batchUseType: "1"`.
pub fn approve(
    ch: &KsnetChannel,
    order: &Order,
    amounts: &Amounts,
    terms: &Terms,
    source: &CardSource,
) -> Result<WireRequest, PgError> {
    let (path, card_numb, expiry_date, password2, user_info, batch) = match source {
        CardSource::Keyed(card) => match &card.old_cert {
            Some((pw, birth)) => (
                CARD_PAY_OLDCERT,
                card.number.clone(),
                card.expiry.clone(),
                Some(pw.clone()),
                Some(birth.clone()),
                None,
            ),
            None => (
                CARD_PAY_NONCERT,
                card.number.clone(),
                card.expiry.clone(),
                None,
                None,
                None,
            ),
        },
        CardSource::Batch(key) => (
            CARD_PAY_NONCERT,
            key.clone(),
            String::new(),
            None,
            None,
            Some(crate::protocol::WEBFEP_BATCH_USE.to_string()),
        ),
    };
    let request = CardPayRequest {
        mid: ch.mid.clone(),
        payload: order.number.clone(),
        order_numb: order.number.clone(),
        user_name: order.user_name.clone(),
        user_email: order.email.clone(),
        product_type: product(order)?.to_string(),
        product_name: order.product_name_50()?,
        total_amount: amounts.total.to_string(),
        tax_free_amount: amounts.tax_free.map(|v| v.to_string()),
        tax: amounts.vat.map(|v| v.to_string()),
        card_numb,
        expiry_date,
        install_month: format!("{:02}", terms.installment),
        currency_type: currency(amounts.currency).to_string(),
        password2,
        user_info,
        batch_use_type: batch,
    };
    // Merchant-borne interest-free instalments need a KSNET contract; the reference shows no
    // field for them, so `useFreeInterestFromMerchant` only reaches KSPay's InterestType.
    let body = body(&request)?;
    http_request(ch, path, body, WireView::lazy(move || request.view()))
}

/// `KRW` / `USD`.
pub fn currency(c: WireCurrency) -> &'static str {
    match c {
        WireCurrency::Krw => "KRW",
        WireCurrency::Usd => "USD",
    }
}

/// `card/cancel`: FULL by TID (or order number + date), or PARTIAL with amounts and sequence.
/// `key_is_secret`: the key is a batch key (billing-key delete), masked in the view.
pub fn cancel(
    ch: &KsnetChannel,
    payload: &str,
    plan: &CancelPlan,
    key_is_secret: bool,
) -> Result<WireRequest, PgError> {
    let request = cancel_request(ch, payload, plan);
    let body = body(&request)?;
    http_request(
        ch,
        CARD_CANCEL,
        body,
        WireView::lazy(move || request.view(key_is_secret)),
    )
}

/// The `card/cancel` body of a plan.
pub fn cancel_request(ch: &KsnetChannel, payload: &str, plan: &CancelPlan) -> CancelRequest {
    let (key_type, key, date) = key_fields(&plan.key);
    let (kind, amount, tax_free, seq) = match plan.partial {
        None => (
            cancel_type::FULL,
            String::new(),
            String::new(),
            String::new(),
        ),
        Some(p) => (
            cancel_type::PARTIAL,
            p.amount.to_string(),
            if p.tax_free > 0 {
                p.tax_free.to_string()
            } else {
                String::new()
            },
            p.seq.to_string(),
        ),
    };
    CancelRequest {
        mid: ch.mid.clone(),
        payload: payload.to_string(),
        cancel_type: kind.to_string(),
        org_trade_key_type: key_type.to_string(),
        org_trade_key: paymux_core::secret::Secret::new(key),
        org_trade_date: date,
        cancel_total_amount: amount,
        cancel_tax_free_amount: tax_free,
        cancel_seq: seq,
    }
}

/// `orgTradeKeyType`, `orgTradeKey`, `orgTradeDate` of a key.
pub fn key_fields(key: &TradeKey) -> (&'static str, String, String) {
    match key {
        TradeKey::Tid(t) => (trade_key_type::TID, t.clone(), String::new()),
        TradeKey::Order { number, date } => {
            (trade_key_type::ORDER_NUMB, number.clone(), date.clone())
        }
    }
}

/// `vaccount/permanent`: type 0 (the PG numbers the account) or 2 with the merchant's
/// permanent account number.
pub fn virtual_account(
    ch: &KsnetChannel,
    order: &Order,
    plan: &VirtualAccountPlan,
) -> Result<WireRequest, PgError> {
    let request = VaccountRequest {
        mid: ch.mid.clone(),
        order_numb: order.number.clone(),
        order_name: order.user_name.clone(),
        good_name: order.product_name_50()?,
        total_amount: plan.amount.to_string(),
        payload: order.number.clone(),
        bank_type: plan.bank.portone.to_string(),
        virt_account_type: if plan.account.is_some() {
            virt_account_type::PERMANENT
        } else {
            virt_account_type::NORMAL
        }
        .to_string(),
        escrow_type: ESCROW_NONE.to_string(),
        close_date_time: super::digits14(&plan.close)
            .unwrap_or_else(|| plan.close.format("%Y%m%d%H%M%S").to_string()),
        virt_account_numb: plan.account.clone().unwrap_or_default(),
    };
    let body = body(&request)?;
    http_request(
        ch,
        VACCOUNT_PERMANENT,
        body,
        WireView::lazy(move || request.view()),
    )
}
