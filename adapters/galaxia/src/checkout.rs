//! The payment window: `checkout.prepare` builds the form the browser hands to Galaxia's
//! `GX_pay(form, viewType, protocolType)` (`PayInput.php`); `checkout.complete` takes what the
//! window posted back (`PayReturn.php`) and sends its `MESSAGE` to BillGate for approval —
//! except for a virtual account (service 1800), which the window has issued already.
//!
//! What `PayReturn.php` sends: `Message::setMessages($MESSAGE)` drops the 4-byte length,
//! decrypts and parses the telegram with the merchant's key; `ServiceBroker::invoke` then
//! writes `getData()` — the same header and records, encrypted again. paymux does exactly
//! that ([`verify_return`] + [`Telegram::to_frame`]); for a well-formed `MESSAGE` the bytes
//! sent equal the bytes posted, which a test checks. For 1800 `PayReturn.php` approves
//! nothing: the return carries the account, and [`local_answer`] hands the verified fields on as
//! a local answer ([`WireTarget::Local`]) that `decode` reads, with nothing sent.
//!
//! The window's own URL is chosen inside Galaxia's loader script (`gx_web_client.js`), which
//! is not public; the [`WireTarget::Browser`] URL is therefore that loader script, and the
//! view names the `GX_pay` protocol type to call it with.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use paymux_core::adapter::{
    kst, CheckoutCompleteCall, CheckoutPrepareCall, CheckoutRequest, EncodeContext, ScriptArg,
    ScriptCall, WindowOpen, WireRequest, WireTarget, WireView,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::{
    Carrier, CheckoutCard, CheckoutCustomer, CheckoutMobile, PaymentPayMethod,
};
use paymux_core::money::Money;
use paymux_core::outcome::VirtualAccountIssued;
use paymux_core::secret::Secret;
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::{codec, crypto, form_urlencode, Charset};
use serde_json::json;

use crate::channel::resolve_item_code;
use crate::channel::GalaxiaChannel;
use crate::frame::{order_date, Telegram};
use crate::protocol::{code, service, CARD_COMPANIES_V2, CARRIERS};

/// `CheckSumUtil::INIT_KEY` (`Util.php`).
const CHECKSUM_SALT: &str = "billgatehashkey";
/// The amount a billing-key window shows when none is given (founding document).
const BILLING_WINDOW_DEFAULT_AMOUNT: i64 = 1000;
/// `SERVICE_TYPE` of an ordinary payment (`PayInput.php`: "일반결제:0000").
const SERVICE_TYPE_NORMAL: &str = "0000";

/// `CHECK_SUM = rnd8hex + md5hex(rnd8hex + SERVICE_ID + ORDER_ID + AMOUNT + "billgatehashkey")`
/// (`Util.php` `CheckSumUtil::genCheckSum`); the 4 random bytes come from the nonce.
pub fn check_sum(nonce: &[u8; 16], service_id: &str, order_id: &str, amount: &str) -> String {
    let rnd = codec::hex_lower(&nonce[..4]);
    let digest =
        crypto::md5(format!("{rnd}{service_id}{order_id}{amount}{CHECKSUM_SALT}").as_bytes());
    format!("{rnd}{}", codec::hex_lower(&digest))
}

/// `HASH_DATA = sha256hex(SERVICE_ID + ORDER_ID + ORDER_DATE + amount)` (`PayReturn.php`).
pub fn hash_data(service_id: &str, order_id: &str, order_date: &str, amount: &str) -> String {
    codec::hex_lower(&crypto::sha256(
        format!("{service_id}{order_id}{order_date}{amount}").as_bytes(),
    ))
}

/// One window: its service code, order, amount and the method-specific fields.
struct Window<'a> {
    service_code: &'static str,
    order_id: &'a str,
    order_name: &'a str,
    amount: Money,
    customer: Option<&'a CheckoutCustomer>,
    bypass: Option<&'a serde_json::Value>,
    extra: Vec<(&'static str, String)>,
}

/// Build the window form (`checkout.prepare`).
pub fn prepare(
    ctx: &EncodeContext<'_>,
    ch: &GalaxiaChannel,
    call: &CheckoutPrepareCall,
) -> Result<WireRequest, PgError> {
    let window = window_of(ctx, &call.checkout)?;
    let return_url = call.return_url.as_deref().unwrap_or_default();
    let item_code = resolve_item_code(ctx.channel, window.bypass)?;
    let amount = window.amount.to_string();
    let date = order_date(&ctx.now);
    let customer = window.customer;
    let text = |v: Option<&String>| v.cloned().unwrap_or_default();
    let mut fields: Vec<(&str, String)> = vec![
        ("SERVICE_ID", ch.mid.clone()),
        ("SERVICE_TYPE", SERVICE_TYPE_NORMAL.into()),
        ("SERVICE_CODE", window.service_code.into()),
        ("AMOUNT", amount.clone()),
        ("ITEM_NAME", window.order_name.into()),
        ("ITEM_CODE", item_code),
        (
            "USER_ID",
            text(customer.and_then(|c| c.customer_id.as_ref())),
        ),
        (
            "USER_NAME",
            customer
                .and_then(CheckoutCustomer::full_name)
                .unwrap_or_default(),
        ),
        ("ORDER_ID", window.order_id.into()),
        ("ORDER_DATE", date),
        ("USER_EMAIL", text(customer.and_then(|c| c.email.as_ref()))),
        (
            "CHECK_SUM",
            check_sum(&ctx.nonce, &ch.mid, window.order_id, &amount),
        ),
        ("CANCEL_FLAG", "Y".into()),
        ("RETURN_URL", return_url.into()),
    ];
    fields.extend(window.extra);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = form_urlencode(&pairs, Charset::EucKr)?;
    let (script, protocol_type) = ch.window();
    Ok(WireRequest {
        target: WireTarget::Browser {
            url: script.into(),
            accept_charset: "EUC-KR",
            // The loader script opens the window: `GX_pay(form, "submit", protocolType)`.
            open: WindowOpen::Script {
                calls: vec![ScriptCall {
                    function: "GX_pay".into(),
                    args: vec![
                        ScriptArg::FormId,
                        ScriptArg::Text("submit".into()),
                        ScriptArg::Text(protocol_type.into()),
                    ],
                }],
            },
            shown_amount: Some(window.amount),
        },
        body,
        view: WireView::lazy(move || {
            json!({
                "script": script,
                "GX_pay": { "protocolType": protocol_type },
                "fields": fields.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            })
        }),
        read_timeout: None,
    })
}

fn window_of<'a>(ctx: &EncodeContext<'_>, req: &'a CheckoutRequest) -> Result<Window<'a>, PgError> {
    Ok(match req {
        CheckoutRequest::Payment(r) => {
            let mut extra = Vec::new();
            let service_code = match r.pay_method {
                PaymentPayMethod::Card => {
                    if let Some(card) = &r.card {
                        extra.extend(card_fields(card)?);
                    }
                    service::CARD
                }
                PaymentPayMethod::Transfer => {
                    if r.is_escrow == Some(true) {
                        extra.push(("ESCROW_FLAG", "Y".into()));
                    }
                    service::TRANSFER
                }
                PaymentPayMethod::VirtualAccount => {
                    let due = r
                        .virtual_account
                        .as_ref()
                        .and_then(|v| v.account_expiry.as_ref())
                        .and_then(|e| e.due_date.as_deref());
                    extra.push(("QUOTA", deposit_days(ctx, due)?.to_string()));
                    extra.push(("EXPIRE_TIME", "235959".into()));
                    let escrow = if r.is_escrow == Some(true) { "Y" } else { "N" };
                    extra.push(("ESCROW_FLAG", escrow.into()));
                    service::VIRTUAL_ACCOUNT
                }
                PaymentPayMethod::Mobile => {
                    extra.extend(mobile_fields(r.mobile.as_ref(), r.customer.as_ref()));
                    service::MOBILE
                }
                other => {
                    return Err(PgError::Unsupported {
                        adapter: crate::ADAPTER_ID,
                        what: format!("checkout.prepare with {other:?}"),
                    })
                }
            };
            Window {
                service_code,
                order_id: &r.payment_id,
                order_name: &r.order_name,
                amount: r.total_amount,
                customer: r.customer.as_ref(),
                bypass: r.bypass.as_ref(),
                extra,
            }
        }
        CheckoutRequest::IssueBillingKey(r) => {
            // Amount 0 or absent shows 1000 and charges nothing (founding document).
            let shown = r
                .display_amount
                .filter(|a| *a > Money::ZERO)
                .unwrap_or_else(|| Money::new(BILLING_WINDOW_DEFAULT_AMOUNT).unwrap_or_default());
            let mut extra = Vec::new();
            if let Some(company) = r.card.as_ref().and_then(|c| c.card_company.as_ref()) {
                let card = CheckoutCard {
                    card_company: Some(company.clone()),
                    ..Default::default()
                };
                extra.extend(card_fields(&card)?);
            }
            Window {
                service_code: service::CARD,
                order_id: r.issue_id.as_deref().unwrap_or_default(),
                order_name: r.issue_name.as_deref().unwrap_or_default(),
                amount: shown,
                customer: r.customer.as_ref(),
                bypass: r.bypass.as_ref(),
                extra,
            }
        }
        CheckoutRequest::IssueBillingKeyAndPay(r) => Window {
            service_code: service::MOBILE,
            order_id: &r.payment_id,
            order_name: &r.order_name,
            amount: r.total_amount,
            customer: r.customer.as_ref(),
            bypass: r.bypass.as_ref(),
            extra: mobile_fields(r.mobile.as_ref(), r.customer.as_ref()),
        },
    })
}

/// `CARD_TYPE` + `DIRECT_USE` for a card company, `INSTALLMENT_PERIOD` for the months.
pub fn card_fields(card: &CheckoutCard) -> Result<Vec<(&'static str, String)>, ValidationErrors> {
    let mut out = Vec::new();
    let mut errs = ValidationErrors::default();
    if let Some(company) = &card.card_company {
        match CARD_COMPANIES_V2
            .iter()
            .find(|(name, _)| *name == company.code())
        {
            Some((_, galaxia)) => {
                out.push(("CARD_TYPE", galaxia.to_string()));
                out.push(("DIRECT_USE", "0001".into()));
            }
            None => errs.add(
                "card.cardCompany",
                format!(
                    "Galaxia's CARD_TYPE table has no code for {}",
                    company.code()
                ),
            ),
        }
    }
    if let Some(months) = card
        .installment
        .as_ref()
        .and_then(|i| i.month_option.as_ref())
    {
        if let Some(m) = months.fixed_month {
            // One value: only that plan is shown.
            out.push(("INSTALLMENT_PERIOD", m.to_string()));
        } else if let Some(list) = &months.available_month_list {
            // A list (possibly empty): lump sum (0) plus the listed months.
            let mut all: Vec<i32> = std::iter::once(0).chain(list.iter().copied()).collect();
            all.sort_unstable();
            all.dedup();
            let joined: Vec<String> = all.iter().map(i32::to_string).collect();
            out.push(("INSTALLMENT_PERIOD", joined.join(":")));
        }
    }
    errs.into_result().map(|()| out)
}

fn mobile_fields(
    mobile: Option<&CheckoutMobile>,
    customer: Option<&CheckoutCustomer>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(code) = mobile.and_then(|m| m.carrier).and_then(carrier_code) {
        out.push(("MOBILE_COMPANY_CODE", code.into()));
    }
    if let Some(phone) = customer.and_then(|c| c.phone_number.as_ref()) {
        // `PayInput.php`: "-(하이픈) 없이 입력".
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        out.push(("MOBILE_NUMBER", digits));
    }
    out
}

/// Galaxia's `MOBILE_COMPANY_CODE` for a PortOne carrier ([`CARRIERS`]).
pub fn carrier_code(carrier: Carrier) -> Option<&'static str> {
    let name = serde_json::to_value(carrier).ok()?;
    let name = name.as_str()?;
    CARRIERS
        .iter()
        .find(|(_, sdk, _)| *sdk == name)
        .map(|(_, _, code)| *code)
}

/// A virtual-account due date: `YYYY-MM-DD` or `YYYYMMDD`, required.
pub fn parse_due_date(due: Option<&str>) -> Result<NaiveDate, &'static str> {
    let due = due.ok_or("is required for VIRTUAL_ACCOUNT with Galaxia")?;
    let fmt = match due.len() {
        10 => "%Y-%m-%d",
        8 => "%Y%m%d",
        _ => return Err("must be YYYY-MM-DD or YYYYMMDD"),
    };
    NaiveDate::parse_from_str(due, fmt).map_err(|_| "must be YYYY-MM-DD or YYYYMMDD")
}

/// The window's `QUOTA` for a virtual account: days until the due date, 1 to 30
/// (`PayInput.php`: "지정가능일[1 - 30]").
fn deposit_days(ctx: &EncodeContext<'_>, due: Option<&str>) -> Result<i64, PgError> {
    const PATH: &str = "virtualAccount.accountExpiry.dueDate";
    let mut errs = ValidationErrors::default();
    let date = match parse_due_date(due) {
        Ok(d) => d,
        Err(rule) => {
            errs.add(PATH, rule);
            return Err(PgError::Validation(errs));
        }
    };
    let days = (date - ctx.now.date_naive()).num_days();
    if !(1..=30).contains(&days) {
        errs.add(PATH, format!("must be 1 to 30 days from today (is {days})"));
        return Err(PgError::Validation(errs));
    }
    Ok(days)
}

/// The fields of a virtual-account return (service 1800) that `checkout.complete` hands to
/// `decode` as its local answer, in this order.
pub const VIRTUAL_ACCOUNT_FIELDS: &[&str] = &[
    "SERVICE_CODE",
    "RESPONSE_CODE",
    "RESPONSE_MESSAGE",
    "TRANSACTION_ID",
    "ACCOUNT_NUMBER",
    "BANK_CODE",
    "MIX_TYPE",
    "EXPIRE_DATE",
    "EXPIRE_TIME",
    "AMOUNT",
];

/// What the window sends for [`WireTarget::Local`]'s `answered_by`.
pub const VIRTUAL_ACCOUNT_WINDOW: &str = "Galaxia's virtual-account window (service 1800)";

/// What a verified window return leads to.
#[derive(Debug)]
pub enum Return {
    /// Send this telegram (the decrypted `MESSAGE`) for approval: card, transfer and mobile
    /// payments, billing-key windows.
    Approve(Telegram),
    /// Nothing to approve: the window issued a virtual account (service 1800), and these are
    /// its return fields ([`VIRTUAL_ACCOUNT_FIELDS`], those present).
    Issued(Vec<(&'static str, String)>),
}

/// Read and verify what the window posted back. Checks, each naming `returned.<FIELD>`: the
/// window succeeded, it is for this payment and merchant, `HASH_DATA` matches the amount the
/// gateway prepared, and then either `MESSAGE` decrypts with the channel key to this merchant
/// and order ([`Return::Approve`]) or — for a virtual account, whose return has no `MESSAGE`
/// — `HASH_DATA` is present, `AMOUNT` is the prepared amount and the account is readable
/// ([`Return::Issued`]).
pub fn verify_return(ctx: &ChannelContext, call: &CheckoutCompleteCall) -> Result<Return, PgError> {
    let ch = GalaxiaChannel::from_context(ctx)?;
    let get = |k: &str| call.returned.get(k).map(|v| v.expose().as_str());
    let invalid = |path: &str, rule: String| {
        let mut e = ValidationErrors::default();
        e.add(format!("returned.{path}").as_str(), rule);
        PgError::Validation(e)
    };
    match get("RESPONSE_CODE") {
        Some(code::SUCCESS) => {}
        Some(other) => {
            return Err(PgError::WindowFailed {
                pg_code: other.to_string(),
                pg_message: get("RESPONSE_MESSAGE").unwrap_or_default().to_string(),
            });
        }
        None => return Err(invalid("RESPONSE_CODE", "is required".into())),
    }
    if get("SERVICE_ID") != Some(ch.mid.as_str()) {
        return Err(invalid(
            "SERVICE_ID",
            "does not match the channel's mid".into(),
        ));
    }
    if get("ORDER_ID") != Some(call.payment_id.as_str()) {
        return Err(invalid("ORDER_ID", "does not match paymentId".into()));
    }
    let virtual_account = get("SERVICE_CODE") == Some(service::VIRTUAL_ACCOUNT);
    // No MESSAGE to decrypt: HASH_DATA is the only check of the amount, so it is required.
    if virtual_account && get("HASH_DATA").is_none() {
        return Err(invalid(
            "HASH_DATA",
            "is required for a virtual account: it is the only check of the amount".into(),
        ));
    }
    if let Some(received) = get("HASH_DATA") {
        let amount = prior_total(call)?;
        let expected = hash_data(
            &ch.mid,
            &call.payment_id,
            get("ORDER_DATE").unwrap_or_default(),
            &amount.to_string(),
        );
        if !crypto::ct_eq(
            expected.as_bytes(),
            received.to_ascii_lowercase().as_bytes(),
        ) {
            return Err(invalid(
                "HASH_DATA",
                "does not match SERVICE_ID + ORDER_ID + ORDER_DATE + amount: tampered, or another amount".into(),
            ));
        }
    }
    if virtual_account {
        return issued_account(call).map(Return::Issued);
    }
    let message = get("MESSAGE").ok_or_else(|| invalid("MESSAGE", "is required".into()))?;
    let telegram = Telegram::from_frame(message.as_bytes(), &ch.cipher).map_err(|e| {
        invalid(
            "MESSAGE",
            format!("cannot be read with the channel key ({e})"),
        )
    })?;
    if telegram.mid != ch.mid || telegram.order_id != call.payment_id {
        return Err(invalid(
            "MESSAGE",
            "is for another merchant or order".into(),
        ));
    }
    if get("SERVICE_CODE").is_some_and(|s| s != telegram.service_code) {
        return Err(invalid(
            "MESSAGE",
            "is for another service code than SERVICE_CODE".into(),
        ));
    }
    Ok(Return::Approve(telegram))
}

/// `prior.amount.total`: the amount the window was opened with.
fn prior_total(call: &CheckoutCompleteCall) -> Result<Money, PgError> {
    call.prior.amount.map(|a| a.total).ok_or_else(|| {
        let mut e = ValidationErrors::default();
        e.add(
            "prior.amount",
            "is required to verify the window's return: the amount the window was opened with",
        );
        PgError::Validation(e)
    })
}

/// The fields of a verified virtual-account return: `AMOUNT` must be the prepared amount and
/// the account must read ([`virtual_account_from_return`]).
fn issued_account(call: &CheckoutCompleteCall) -> Result<Vec<(&'static str, String)>, PgError> {
    let va = virtual_account_from_return(&call.returned)?;
    let prepared = prior_total(call)?;
    if va.amount != Some(prepared) {
        let mut e = ValidationErrors::default();
        e.add(
            "returned.AMOUNT",
            format!("must be the amount the window was opened with ({prepared})"),
        );
        return Err(PgError::Validation(e));
    }
    if let Some(mix) = call.returned.get("MIX_TYPE").map(|m| m.expose().trim()) {
        if !mix.is_empty() && mix != "0000" && mix != "1000" {
            let mut e = ValidationErrors::default();
            e.add(
                "returned.MIX_TYPE",
                "must be 0000 (normal) or 1000 (escrow)",
            );
            return Err(PgError::Validation(e));
        }
    }
    Ok(VIRTUAL_ACCOUNT_FIELDS
        .iter()
        .filter_map(|k| Some((*k, call.returned.get(*k)?.expose().trim().to_string())))
        .collect())
}

/// The local answer `checkout.complete` hands on for a virtual-account window
/// ([`WireTarget::Local`]): the verified return fields of [`Return::Issued`]. `PayReturn.php`
/// sends nothing for 1800, so neither does paymux. (An [`Return::Approve`] telegram goes over
/// TCP like any other: `encode` builds that request.)
pub fn local_answer(fields: Vec<(&'static str, String)>) -> Result<WireRequest, PgError> {
    let answer: serde_json::Map<String, serde_json::Value> = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
        .collect();
    let answer = serde_json::Value::Object(answer);
    let body = serde_json::to_vec(&answer).map_err(|e| PgError::MalformedResponse {
        detail: e.to_string(),
    })?;
    Ok(WireRequest::local(
        VIRTUAL_ACCOUNT_WINDOW,
        body,
        WireView::from(answer),
    ))
}

/// `decode` of a [`local_answer`]: the issued account.
pub fn decode_local(body: &[u8]) -> Result<VirtualAccountIssued, PgError> {
    let fields: BTreeMap<String, String> =
        serde_json::from_slice(body).map_err(|e| PgError::MalformedResponse {
            detail: format!("the verified window return does not read back: {e}"),
        })?;
    let returned = fields
        .into_iter()
        .map(|(k, v)| (k, Secret::new(v)))
        .collect();
    virtual_account_from_return(&returned)
}

/// A virtual account issued by the window (service 1800). `PayReturn.php` approves nothing for
/// it: the return already carries ACCOUNT_NUMBER, BANK_CODE, EXPIRE_DATE (YYYYMMDD),
/// EXPIRE_TIME (HHMMSS) and AMOUNT. Reads the fields only; [`verify_return`] checks whose
/// they are.
pub fn virtual_account_from_return(
    returned: &BTreeMap<String, Secret<String>>,
) -> Result<VirtualAccountIssued, PgError> {
    let get = |k: &str| {
        returned
            .get(k)
            .map(|v| v.expose().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let invalid = |path: &str, rule: &str| {
        let mut e = ValidationErrors::default();
        e.add(format!("returned.{path}").as_str(), rule);
        PgError::Validation(e)
    };
    if get("SERVICE_CODE").as_deref() != Some(service::VIRTUAL_ACCOUNT) {
        return Err(invalid("SERVICE_CODE", "must be 1800 (virtual account)"));
    }
    let code = get("RESPONSE_CODE").unwrap_or_default();
    if code != code::SUCCESS {
        return Err(invalid(
            "RESPONSE_CODE",
            "the window did not issue an account",
        ));
    }
    let account_number =
        get("ACCOUNT_NUMBER").ok_or_else(|| invalid("ACCOUNT_NUMBER", "is required"))?;
    let expires_at = get("EXPIRE_DATE").and_then(|d| {
        let time = get("EXPIRE_TIME").unwrap_or_else(|| "235959".into());
        let naive = NaiveDateTime::parse_from_str(&format!("{d}{time}"), "%Y%m%d%H%M%S").ok()?;
        kst().from_local_datetime(&naive).single()
    });
    let amount = match get("AMOUNT") {
        None => None,
        Some(a) => Some(
            a.parse::<i64>()
                .ok()
                .and_then(|n| Money::new(n).ok())
                .ok_or_else(|| invalid("AMOUNT", "must be an amount"))?,
        ),
    };
    Ok(VirtualAccountIssued {
        pg_tx_id: get("TRANSACTION_ID"),
        // BANK_CODE is the KFTC code zero-padded to four digits (`0088`): PortOne's name for
        // it, or the code as sent when the table has none.
        bank: get("BANK_CODE")
            .map(|c| paymux_core::display::bank_of_kftc(&c).map_or(c, str::to_string)),
        account_number,
        remittee_name: None,
        expires_at,
        issued_at: None,
        amount,
        pg_code: code,
        pg_message: get("RESPONSE_MESSAGE").unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_sum_follows_util_php() {
        let nonce = [0xab, 0xcd, 0x01, 0x02, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9];
        let s = check_sum(&nonce, "M2103135", "test_1", "1004");
        assert_eq!(&s[..8], "abcd0102");
        let expected = codec::hex_lower(&crypto::md5(b"abcd0102M2103135test_11004billgatehashkey"));
        assert_eq!(&s[8..], expected);
    }

    #[test]
    fn every_sdk_carrier_has_a_galaxia_code() {
        use Carrier::*;
        let codes: Vec<_> = [Skt, Kt, Lgu, Kct, Hello, Sk7].map(carrier_code).to_vec();
        let expected = ["0000", "0001", "0002", "0010", "0011", "0012"].map(Some);
        assert_eq!(codes, expected);
    }

    #[test]
    fn due_dates_in_both_formats() {
        assert!(parse_due_date(Some("2025-01-31")).is_ok());
        assert!(parse_due_date(Some("20250131")).is_ok());
        assert!(parse_due_date(Some("2025/01/31")).is_err());
        assert!(parse_due_date(Some("20251331")).is_err());
        assert!(parse_due_date(None).is_err());
    }

    #[test]
    fn installment_lists() {
        use paymux_core::model::{Installment, InstallmentMonthOption};
        let with = |opt: InstallmentMonthOption| CheckoutCard {
            installment: Some(Installment {
                month_option: Some(opt),
                ..Default::default()
            }),
            ..Default::default()
        };
        let lump_only = with(InstallmentMonthOption {
            available_month_list: Some(vec![]),
            ..Default::default()
        });
        assert_eq!(
            card_fields(&lump_only).unwrap(),
            vec![("INSTALLMENT_PERIOD", "0".to_string())]
        );
        let list = with(InstallmentMonthOption {
            available_month_list: Some(vec![6, 2, 3]),
            ..Default::default()
        });
        assert_eq!(card_fields(&list).unwrap()[0].1, "0:2:3:6");
        let single = with(InstallmentMonthOption {
            fixed_month: Some(3),
            ..Default::default()
        });
        assert_eq!(card_fields(&single).unwrap()[0].1, "3");
    }
}
