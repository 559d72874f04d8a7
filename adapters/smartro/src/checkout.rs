//! The payment window: `checkout.prepare` builds the form the browser hands to
//! `smartropay.payment({FormId})` after `smartropay.init({mode})` (id36707751919);
//! `checkout.complete` takes the `Tid` and `TrAuthKey` the window's callback posted to the
//! `ReturnUrl` and approves them with `urlCallApproval.do` (id9043725511).
//!
//! The form is signed with `EncryptData = base64(sha256(EdiDate + Mid + Amt + MerchantKey))`
//! (id36707751919), so the amount cannot be changed in the browser. It travels as UTF-8
//! (`EncodingType=utf8`).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};
use paymux_core::adapter::{
    kst, CheckoutCompleteCall, CheckoutPrepareCall, CheckoutRequest, EncodeContext, WindowOpen,
    WireRequest, WireTarget, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::{
    parse_sdk_due_date, CheckoutExpiry, CheckoutProductType, PaymentPayMethod,
};
use paymux_core::money::{vat_of, Money};
use paymux_core::secret::Secret;
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::{form_urlencode, Charset};
use serde_json::json;

use crate::channel::{Call, SmartroChannel};
use crate::frame::{
    self, digits, edi_date, json_object, masked_view, post_json, ApprovalRequest, Params,
    WindowForm,
};
use crate::protocol::{fixed, pay_method, MID_LEN};

/// The `bypass.smartro_v2` fields PortOne documents for Smartro's window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bypass {
    /// `GoodsCnt`.
    pub goods_cnt: Option<u32>,
    /// `SkinColor`.
    pub skin_color: Option<String>,
    /// `OpenType`.
    pub open_type: Option<String>,
}

/// Read `bypass.smartro_v2` (PortOne's key for Smartro). Errors name
/// `bypass.smartro_v2.<FIELD>`.
pub fn bypass_fields(bypass: Option<&serde_json::Value>) -> Result<Bypass, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let mut out = Bypass::default();
    let Some(b) = bypass.and_then(|b| b.get("smartro_v2")) else {
        return Ok(out);
    };
    const P: &str = "bypass.smartro_v2";
    if let Some(v) = b.get("GoodsCnt") {
        match v.as_u64().filter(|n| (1..=99).contains(n)) {
            Some(n) => out.goods_cnt = u32::try_from(n).ok(),
            None => errs.add(
                format!("{P}.GoodsCnt").as_str(),
                "must be a number from 1 to 99",
            ),
        }
    }
    if let Some(v) = b.get("SkinColor") {
        match v
            .as_str()
            .filter(|s| ["RED", "GREEN", "BLUE", "PURPLE"].contains(s))
        {
            Some(s) => out.skin_color = Some(s.to_string()),
            None => errs.add(
                format!("{P}.SkinColor").as_str(),
                "must be RED, GREEN, BLUE or PURPLE",
            ),
        }
    }
    if let Some(v) = b.get("OpenType") {
        match v.as_str().filter(|s| ["KR", "EN"].contains(s)) {
            Some(s) => out.open_type = Some(s.to_string()),
            None => errs.add(format!("{P}.OpenType").as_str(), "must be KR or EN"),
        }
    }
    errs.into_result().map(|()| out)
}

/// The window's deposit deadline (`VbankExpDate`, `yyyyMMdd` in KST): `dueDate` (read in KST
/// when it has no offset) or now + `validHours`. Must be after `now`.
pub fn window_deadline(
    expiry: Option<&CheckoutExpiry>,
    now: &DateTime<FixedOffset>,
) -> Result<NaiveDate, String> {
    let now = now.with_timezone(&kst());
    let due = match expiry {
        None => return Err("is required for VIRTUAL_ACCOUNT with Smartro (VbankExpDate)".into()),
        Some(e) => match (e.valid_hours, e.due_date.as_deref()) {
            (Some(h), _) => now + Duration::hours(i64::from(h)),
            (None, Some(d)) => {
                let naive = parse_sdk_due_date(d).ok_or("dueDate is not a date")?;
                match DateTime::parse_from_rfc3339(d) {
                    Ok(with_offset) => with_offset.with_timezone(&kst()),
                    Err(_) => kst()
                        .from_local_datetime(&naive)
                        .single()
                        .ok_or("dueDate is not a KST time")?,
                }
            }
            (None, None) => return Err("give validHours or dueDate".into()),
        },
    };
    if due <= now {
        return Err("must be in the future (the deposit deadline)".into());
    }
    Ok(due.date_naive())
}

/// Build the window form (`checkout.prepare`).
pub fn prepare(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &CheckoutPrepareCall,
) -> Result<WireRequest, PgError> {
    let r = match &call.checkout {
        CheckoutRequest::Payment(r) => r,
        other => {
            return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: format!(
                    "checkout.prepare of {} (only requestPayment windows)",
                    match other {
                        CheckoutRequest::IssueBillingKey(_) => "requestIssueBillingKey",
                        _ => "requestIssueBillingKeyAndPay",
                    }
                ),
            })
        }
    };
    let pm = match r.pay_method {
        PaymentPayMethod::Card => pay_method::CARD,
        PaymentPayMethod::Transfer => pay_method::BANK,
        PaymentPayMethod::VirtualAccount => pay_method::VBANK,
        PaymentPayMethod::Mobile => pay_method::CELLPHONE,
        other => {
            return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: format!("checkout.prepare with {other:?}"),
            })
        }
    };
    let bypass = bypass_fields(r.bypass.as_ref())?;
    let total = r.total_amount;
    let tax_free = r.tax_free_amount.unwrap_or(Money::ZERO);
    let taxable = total.checked_sub(tax_free).unwrap_or(Money::ZERO);
    let vat = r.vat_amount.unwrap_or_else(|| vat_of(taxable));
    let supply = taxable.checked_sub(vat).unwrap_or(Money::ZERO);
    let vbank_exp_date = if r.pay_method == PaymentPayMethod::VirtualAccount {
        let expiry = r
            .virtual_account
            .as_ref()
            .and_then(|v| v.account_expiry.as_ref());
        let due = window_deadline(expiry, &ctx.now).map_err(|rule| {
            let mut e = ValidationErrors::default();
            e.add("virtualAccount.accountExpiry", rule);
            PgError::Validation(e)
        })?;
        Some(due.format("%Y%m%d").to_string())
    } else {
        None
    };
    // NICE's meaning of GoodsCl (reconstructed): 0 digital contents, 1 physical goods.
    let goods_cl = (r.pay_method == PaymentPayMethod::Mobile).then(|| {
        match r.product_type {
            Some(CheckoutProductType::Real) => "1",
            _ => "0",
        }
        .to_string()
    });
    let customer = r.customer.clone().unwrap_or_default();
    let edi = edi_date(&ctx.now);
    let amt = total.to_string();
    let form = WindowForm {
        pay_method: pm.into(),
        goods_cnt: bypass.goods_cnt.unwrap_or(1).to_string(),
        goods_name: r.order_name.clone(),
        amt: amt.clone(),
        moid: r.payment_id.clone(),
        mid: ch.mid.clone(),
        return_url: call.return_url.clone().unwrap_or_default(),
        stop_url: r.redirect_url.clone(),
        buyer_name: customer.full_name().unwrap_or_default(),
        buyer_tel: customer
            .phone_number
            .as_deref()
            .map(digits)
            .unwrap_or_default(),
        buyer_email: customer.email.clone().unwrap_or_default(),
        mall_ip: ch.mall_ip.clone(),
        vbank_exp_date,
        encrypt_data: frame::encrypt_data(&edi, &ch.mid, &amt, ch.merchant_key.expose()),
        goods_cl,
        edi_date: edi,
        tax_amt: supply.to_string(),
        tax_free_amt: tax_free.to_string(),
        vat_amt: vat.to_string(),
        mall_user_id: customer.customer_id.clone(),
        skin_color: bypass.skin_color,
        open_type: bypass.open_type,
        encoding_type: fixed::ENCODING_TYPE,
    };
    let pairs = form.pairs();
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = form_urlencode(&refs, Charset::Utf8)?;
    let (script, mode) = ch.window(false);
    let (mobile_script, _) = ch.window(true);
    Ok(WireRequest {
        target: WireTarget::Browser {
            url: script.clone(),
            accept_charset: "UTF-8",
            open: WindowOpen::VendorSdkOnly {
                why: "Smartro's script needs a merchant callback \
                      (`smartropay.payment({FormId, Callback})`) that a gateway page cannot \
                      make; use Smartro's SDK for this channel"
                    .into(),
            },
            shown_amount: Some(total),
        },
        body,
        view: WireView::lazy(move || {
            json!({
                "script": script,
                "mobileScript": mobile_script,
                "init": { "mode": mode },
                "call": "smartropay.payment({FormId, Callback}): the callback posts Tid and TrAuthKey to ReturnUrl",
                "fields": masked_view(&pairs),
            })
        }),
        read_timeout: None,
    })
}

/// What the window posted back: `Tid` and `TrAuthKey` (id36707751919's `approvalForm`).
/// Errors name `returned.<FIELD>`.
pub fn read_return(
    ch: &SmartroChannel,
    call: &CheckoutCompleteCall,
) -> Result<ApprovalRequest, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let get = |k: &str| {
        call.returned
            .get(k)
            .map(|v| v.expose().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let tid = get("Tid");
    let key = get("TrAuthKey");
    match &tid {
        None => errs.add(
            "returned.Tid",
            "is required (the window's callback gives it)",
        ),
        Some(t) if t.len() > 40 || !t.is_ascii() => {
            errs.add("returned.Tid", "is not a Smartro Tid (30 ASCII characters)")
        }
        // A TID starts with the MID it was made under (id9043725511, id42417833469).
        Some(t) if t.get(..MID_LEN.min(ch.mid.len())) != Some(ch.mid.as_str()) => errs.add(
            "returned.Tid",
            "is for another merchant: a Tid starts with the channel's Mid",
        ),
        Some(_) => {}
    }
    if key.is_none() {
        errs.add(
            "returned.TrAuthKey",
            "is required (the window's callback gives it)",
        );
    }
    errs.into_result()?;
    Ok(ApprovalRequest {
        tid: tid.unwrap_or_default(),
        tr_auth_key: Secret::new(key.unwrap_or_default()),
    })
}

/// The window's own verdict: a `ResultCode` other than `0000` means the payer cancelled or the
/// window failed, so there is nothing to approve.
pub fn window_failure(call: &CheckoutCompleteCall) -> Option<PgError> {
    let get = |k: &str| call.returned.get(k).map(|v| v.expose().trim().to_string());
    match get("ResultCode") {
        Some(code) if !code.is_empty() && code != "0000" => Some(PgError::WindowFailed {
            pg_code: code,
            pg_message: get("ResultMsg").unwrap_or_default(),
        }),
        _ => None,
    }
}

/// Approve the window's result (`checkout.complete`): `{Tid, TrAuthKey}` in clear JSON.
pub fn complete(ch: &SmartroChannel, call: &CheckoutCompleteCall) -> Result<WireRequest, PgError> {
    if let Some(failed) = window_failure(call) {
        return Err(failed);
    }
    let req = read_return(ch, call)?;
    let pairs = req.pairs();
    Ok(post_json(
        ch.url(Call::Approval),
        json_object(&pairs),
        WireView::lazy(move || json!({ "json": masked_view(&pairs) })),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bypass_is_checked_by_field() {
        let b = json!({"smartro_v2": {"GoodsCnt": 2, "SkinColor": "BLUE", "OpenType": "EN"}});
        let got = bypass_fields(Some(&b)).unwrap();
        assert_eq!(got.goods_cnt, Some(2));
        let bad = json!({"smartro_v2": {"GoodsCnt": 0, "SkinColor": "PINK"}});
        let e = bypass_fields(Some(&bad)).unwrap_err();
        let paths: Vec<_> = e.0.iter().map(|x| x.path.to_string()).collect();
        assert_eq!(
            paths,
            ["bypass.smartro_v2.GoodsCnt", "bypass.smartro_v2.SkinColor"]
        );
    }

    #[test]
    fn window_deadlines() {
        let now = DateTime::parse_from_rfc3339("2025-03-01T10:15:00+09:00").unwrap();
        let e = |d: &str| CheckoutExpiry {
            valid_hours: None,
            due_date: Some(d.into()),
        };
        assert_eq!(
            window_deadline(Some(&e("2025-03-04")), &now)
                .unwrap()
                .to_string(),
            "2025-03-04"
        );
        assert!(window_deadline(Some(&e("2025-02-28")), &now).is_err());
        assert!(window_deadline(None, &now).is_err());
    }
}
