//! The standard window (INIStdPay, <https://manual.inicis.com/stdpay/>).
//!
//! 1. `checkout.prepare` builds the form `INIStdPay.pay(formId)` submits (STEP1): `version`,
//!    `gopaymethod`, `mid`, `oid`, `price`, `timestamp` (milliseconds), `use_chkfake`,
//!    `signature = sha256("oid=…&price=…&timestamp=…")`, `verification` (the same with
//!    `signKey`), `mKey = sha256(signKey)`, `currency`, goods and buyer, `returnUrl`,
//!    `closeUrl`, `charset`.
//! 2. The window posts its auth result to `returnUrl` (STEP2): `resultCode`, `mid`,
//!    `orderNumber`, `authToken`, `authUrl`, `netCancelUrl`, `idc_name`, ….
//! 3. `checkout.complete` (STEP3) POSTs `mid`, `authToken`, `price`, `signature =
//!    sha256("authToken=…&timestamp=…")`, `verification`, `timestamp`, `charset`, `format` to
//!    `authUrl` — **only** when `idc_name` is one Inicis documents and `authUrl` and
//!    `netCancelUrl` are exactly that IDC's URLs (the official sample's own check; on a channel
//!    with an `endpoint`, that endpoint's). A URL from the browser is never called otherwise.
//! 4. After an approval whose outcome is in doubt (no answer, an unreadable answer, a
//!    `authSignature`, `MOID` or `TotPrice` that does not match), [`net_cancel`] builds the
//!    documented net cancel: the approval's fields, sent to `netCancelUrl`
//!    ([`crate::netcancel`] sends it).

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use paymux_core::adapter::kst;
use paymux_core::adapter::{
    CheckoutCompleteCall, CheckoutPrepareCall, CheckoutRequest, EncodeContext, Header, ScriptArg,
    ScriptCall, WindowOpen, WireRequest, WireTarget, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::{parse_sdk_due_date, CheckoutExpiry, PaymentPayMethod};
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::{form_urldecode, form_urlencode, Charset};
use serde_json::json;

use crate::channel::InicisChannel;
use crate::frame::{masked_view, nvp_signature, sha256_hex};
use crate::protocol::{code, fixed, READ_TIMEOUT_MS};

/// The window's timestamp: milliseconds since the epoch (`TimeInMillis`, manual stdpay).
pub fn millis(ctx: &EncodeContext<'_>) -> String {
    ctx.now.timestamp_millis().to_string()
}

fn sign_key(ch: &InicisChannel) -> Result<String, PgError> {
    ch.sign_key
        .as_ref()
        .map(|k| k.expose().clone())
        .ok_or_else(|| {
            let mut e = ValidationErrors::default();
            e.add(
                "channel.credentials.sign_key",
                "is required for Inicis' standard window (signKey)",
            );
            PgError::Validation(e)
        })
}

/// The deposit deadline of a virtual-account window, `YYYYMMDD` in KST: `dueDate` (read in
/// KST when it has no offset) or now + `validHours`; it must be in the future. Sent as
/// `acceptmethod=vbank(YYYYMMDD)` — **reconstructed** (the manual's window-option table names
/// a `vbank(…)` deadline option; its exact format is not in a stored copy).
pub fn deposit_deadline(
    expiry: Option<&CheckoutExpiry>,
    now: &DateTime<FixedOffset>,
) -> Result<String, String> {
    let now = now.with_timezone(&kst());
    let due = match expiry {
        None => return Err("is required for a VIRTUAL_ACCOUNT window with Inicis".into()),
        Some(e) => match (e.valid_hours, e.due_date.as_deref()) {
            (Some(h), _) => now + Duration::hours(i64::from(h)),
            (None, Some(d)) => match DateTime::parse_from_rfc3339(d) {
                Ok(t) => t.with_timezone(&kst()),
                Err(_) => {
                    let naive = parse_sdk_due_date(d)
                        .or_else(|| {
                            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                                .ok()
                                .and_then(|x| x.and_hms_opt(23, 59, 59))
                        })
                        .ok_or("dueDate is not a date")?;
                    kst()
                        .from_local_datetime(&naive)
                        .single()
                        .ok_or("dueDate is not a KST time")?
                }
            },
            (None, None) => return Err("give validHours or dueDate".into()),
        },
    };
    if due <= now {
        return Err("must be in the future (the deposit deadline)".into());
    }
    Ok(due.format("%Y%m%d").to_string())
}

/// Build the window form (`checkout.prepare`).
pub fn prepare(
    ctx: &EncodeContext<'_>,
    ch: &InicisChannel,
    call: &CheckoutPrepareCall,
) -> Result<WireRequest, PgError> {
    let (r, gopaymethod) =
        match &call.checkout {
            CheckoutRequest::Payment(r) if r.pay_method == PaymentPayMethod::Card => {
                (r, fixed::GOPAYMETHOD_CARD)
            }
            CheckoutRequest::Payment(r) if r.pay_method == PaymentPayMethod::VirtualAccount => {
                (r, fixed::GOPAYMETHOD_VBANK)
            }
            _ => return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: "checkout.prepare other than a CARD or VIRTUAL_ACCOUNT requestPayment window"
                    .into(),
            }),
        };
    let acceptmethod = match r.pay_method {
        PaymentPayMethod::VirtualAccount => {
            let expiry = r
                .virtual_account
                .as_ref()
                .and_then(|v| v.account_expiry.as_ref());
            let due = deposit_deadline(expiry, &ctx.now).map_err(|rule| {
                let mut e = ValidationErrors::default();
                e.add("virtualAccount.accountExpiry", rule);
                PgError::Validation(e)
            })?;
            Some(format!("vbank({due})"))
        }
        _ => None,
    };
    let key = sign_key(ch)?;
    let ts = millis(ctx);
    let price = r.total_amount.to_string();
    let oid = r.payment_id.clone();
    let customer = r.customer.clone().unwrap_or_default();
    let pairs: Vec<(&'static str, String)> = vec![
        ("version", fixed::STD_VERSION.into()),
        ("gopaymethod", gopaymethod.into()),
        ("mid", ch.main.mid.clone()),
        ("oid", oid.clone()),
        ("price", price.clone()),
        ("timestamp", ts.clone()),
        ("use_chkfake", fixed::USE_CHKFAKE.into()),
        (
            "signature",
            nvp_signature(&[("oid", &oid), ("price", &price), ("timestamp", &ts)]),
        ),
        (
            "verification",
            nvp_signature(&[
                ("oid", &oid),
                ("price", &price),
                ("signKey", &key),
                ("timestamp", &ts),
            ]),
        ),
        ("mKey", sha256_hex(&key)),
        ("currency", fixed::CURRENCY_WON.into()),
        ("goodname", r.order_name.clone()),
        ("buyername", customer.full_name().unwrap_or_default()),
        (
            "buyertel",
            customer
                .phone_number
                .clone()
                .map(|p| p.chars().filter(char::is_ascii_digit).collect())
                .unwrap_or_default(),
        ),
        ("buyeremail", customer.email.clone().unwrap_or_default()),
        ("returnUrl", call.return_url.clone().unwrap_or_default()),
        ("closeUrl", r.redirect_url.clone().unwrap_or_default()),
        ("charset", fixed::CHARSET.into()),
    ];
    let mut pairs = pairs;
    if let Some(a) = acceptmethod {
        pairs.push(("acceptmethod", a));
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = form_urlencode(&refs, Charset::Utf8)?;
    let script = ch.window_script();
    let shown = script.clone();
    Ok(WireRequest {
        target: WireTarget::Browser {
            url: script,
            accept_charset: "UTF-8",
            // INIStdPay.js opens the window with the form: `INIStdPay.pay(formId)`.
            open: WindowOpen::Script {
                calls: vec![ScriptCall {
                    function: "INIStdPay.pay".into(),
                    args: vec![ScriptArg::FormId],
                }],
            },
            shown_amount: Some(r.total_amount),
        },
        body,
        view: WireView::lazy(move || {
            json!({
                "script": shown,
                "call": "INIStdPay.pay(formId): the window posts authToken, authUrl, netCancelUrl and idc_name to returnUrl",
                "fields": masked_view(&pairs),
            })
        }),
        read_timeout: None,
    })
}

/// The window's return, checked: what the approval needs.
#[derive(Clone)]
pub struct AuthReturn {
    /// `authToken`.
    pub auth_token: String,
    /// `authUrl`, one the channel allows.
    pub auth_url: String,
    /// `netCancelUrl`, one the channel allows.
    pub net_cancel_url: String,
}

/// The window's own verdict: `resultCode` other than `0000` means nothing to approve.
pub fn window_failure(call: &CheckoutCompleteCall) -> Option<PgError> {
    let get = |k: &str| call.returned.get(k).map(|v| v.expose().trim().to_string());
    match get("resultCode") {
        Some(c) if c == code::STD_OK => None,
        Some(c) => Some(PgError::WindowFailed {
            pg_code: c,
            pg_message: get("resultMsg").unwrap_or_default(),
        }),
        None => None,
    }
}

/// Read and check the window's return. Errors name `returned.<field>` and the rule, never
/// the value (a hostile URL is not echoed).
pub fn read_return(
    ch: &InicisChannel,
    call: &CheckoutCompleteCall,
) -> Result<AuthReturn, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let get = |k: &str| {
        call.returned
            .get(k)
            .map(|v| v.expose().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if get("resultCode").is_none() {
        errs.add(
            "returned.resultCode",
            "is required (the window's return gives it)",
        );
    }
    match get("mid") {
        Some(m) if m == ch.main.mid => {}
        Some(_) => errs.add("returned.mid", "is not the channel's MID"),
        None => errs.add("returned.mid", "is required"),
    }
    match get("orderNumber") {
        Some(o) if o == call.payment_id => {}
        Some(_) => errs.add("returned.orderNumber", "is not this payment's paymentId"),
        None => errs.add("returned.orderNumber", "is required"),
    }
    let token = get("authToken");
    match &token {
        None => errs.add("returned.authToken", "is required"),
        Some(t) if t.len() > 4096 || !t.is_ascii() => {
            errs.add("returned.authToken", "is not an Inicis authToken")
        }
        _ => {}
    }
    let idc = get("idc_name").unwrap_or_default();
    let allowed = ch.allowed_auth_urls(&idc);
    if allowed.is_none() {
        errs.add(
            "returned.idc_name",
            "must be one of Inicis' documented IDCs (fc, ks, stg)",
        );
    }
    let (auth_ok, net_ok) = match &allowed {
        Some((a, n)) => (
            get("authUrl").as_deref() == Some(a.as_str()),
            get("netCancelUrl").as_deref() == Some(n.as_str()),
        ),
        None => (false, false),
    };
    if !auth_ok {
        errs.add(
            "returned.authUrl",
            "is not the approval URL of the named Inicis IDC: refusing to call it",
        );
    }
    if !net_ok {
        errs.add(
            "returned.netCancelUrl",
            "is not the net-cancel URL of the named Inicis IDC",
        );
    }
    errs.into_result()?;
    let (auth_url, net_cancel_url) = allowed.unwrap_or_default();
    Ok(AuthReturn {
        auth_token: token.unwrap_or_default(),
        auth_url,
        net_cancel_url,
    })
}

/// What `decode` checks an approval's answer against, re-read from the approval it sent
/// ([`SentApproval::read`]): the adapter's own form, so nothing rides along in the request
/// besides its bytes, and reading it back (a short form) costs nothing worth keeping a copy
/// for.
#[derive(Clone, Debug)]
pub struct SentApproval {
    /// `mid`.
    pub mid: String,
    /// The approval `timestamp` (the `tstamp` of `authSignature`).
    pub timestamp: String,
    /// The merchant's order id the window was for.
    pub oid: String,
    /// The price the merchant expects, when known.
    pub price: Option<String>,
}

impl SentApproval {
    /// Read from `sent`, the approval [`complete`] encoded for `call`. `None` when `sent` is
    /// not such a form.
    pub fn read(sent: &WireRequest, call: &CheckoutCompleteCall) -> Option<SentApproval> {
        let pairs = form_urldecode(&sent.body, Charset::Utf8).ok()?;
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        Some(SentApproval {
            mid: get("mid")?,
            timestamp: get("timestamp")?,
            oid: call.payment_id.clone(),
            price: get("price"),
        })
    }
}

fn post_form(pairs: &[(&'static str, String)]) -> Result<Vec<u8>, PgError> {
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(form_urlencode(&refs, Charset::Utf8)?)
}

fn form_target(url: String) -> WireTarget {
    WireTarget::Http {
        url_secret: None,
        method: "POST".into(),
        url,
        headers: vec![Header {
            name: "Content-Type".into(),
            value: "application/x-www-form-urlencoded; charset=UTF-8".into(),
            sensitive: false,
        }],
    }
}

/// Approve the window's auth (`checkout.complete`).
pub fn complete(
    ctx: &EncodeContext<'_>,
    ch: &InicisChannel,
    call: &CheckoutCompleteCall,
) -> Result<WireRequest, PgError> {
    if let Some(failed) = window_failure(call) {
        return Err(failed);
    }
    let ret = read_return(ch, call)?;
    let key = sign_key(ch)?;
    let ts = millis(ctx);
    let price = call
        .prior
        .amount
        .map(|a| a.total.to_string())
        .filter(|p| p != "0");
    let mut pairs: Vec<(&'static str, String)> = vec![
        ("mid", ch.main.mid.clone()),
        ("authToken", ret.auth_token.clone()),
    ];
    if let Some(p) = &price {
        pairs.push(("price", p.clone()));
    }
    pairs.extend([
        (
            "signature",
            nvp_signature(&[("authToken", &ret.auth_token), ("timestamp", &ts)]),
        ),
        (
            "verification",
            nvp_signature(&[
                ("authToken", &ret.auth_token),
                ("signKey", &key),
                ("timestamp", &ts),
            ]),
        ),
        ("timestamp", ts.clone()),
        ("charset", fixed::CHARSET.into()),
        ("format", fixed::FORMAT.into()),
    ]);
    let body = post_form(&pairs)?;
    Ok(WireRequest {
        target: form_target(ret.auth_url),
        body,
        view: WireView::lazy(move || json!({ "form": masked_view(&pairs) })),
        read_timeout: Some(std::time::Duration::from_millis(READ_TIMEOUT_MS)),
    })
}

/// The documented net cancel of an approval (manual stdpay 망취소요청: "승인요청 전문과 동일한
/// 스펙", sent to the `netCancelUrl` of the return): the approval's own bytes and view, to the
/// `netCancelUrl` read again from the return (`call`, as [`complete`] read it). `None` when the
/// return does not name an allowed one.
pub fn net_cancel(
    ch: &InicisChannel,
    call: &CheckoutCompleteCall,
    approval: &WireRequest,
) -> Option<WireRequest> {
    let ret = read_return(ch, call).ok()?;
    Some(WireRequest {
        target: form_target(ret.net_cancel_url),
        body: approval.body.clone(),
        view: approval.view.clone(),
        read_timeout: Some(std::time::Duration::from_millis(READ_TIMEOUT_MS)),
    })
}
