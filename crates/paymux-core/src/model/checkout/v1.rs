//! PortOne V1 `IMP.request_pay(param)`, mapped onto the unified checkout request, for the
//! browser-SDK work to serve V1 pages. The parameters are those of PortOne's V1 guides (first
//! written down for Galaxia); nothing here is specific to one PG: the adapter's own rules run
//! on the unified request afterwards.
//!
//! | V1 parameter | unified (V2 SDK) field |
//! |---|---|
//! | `pay_method` `card` / `trans` / `vbank` / `phone` | `payMethod` CARD / TRANSFER / VIRTUAL_ACCOUNT / MOBILE |
//! | `customer_uid` + `card` | billing-key window (`IssueBillingKey`, `issueId` = `merchant_uid`) |
//! | `customer_uid` + `phone` | billing-key-and-pay (`IssueBillingKeyAndPay`) |
//! | `merchant_uid`, `name`, `amount` | `paymentId`, `orderName`, `totalAmount` (`displayAmount` for the billing-key window) |
//! | `tax_free`, `vat` | `taxFreeAmount`, `vatAmount` |
//! | `customer_id`, `buyer_name`, `buyer_tel`, `buyer_email`, `buyer_addr`, `buyer_postcode` | `customer.customerId`, `.fullName`, `.phoneNumber`, `.email`, `.address.addressLine1`, `.zipcode` |
//! | `m_redirect_url`, `notice_url` (string or array), `app_scheme` | `redirectUrl`, `noticeUrls`, `appScheme` |
//! | `currency` (absent → KRW), `escrow`, `vbank_due` | `currency`, `isEscrow`, `virtualAccount.accountExpiry.dueDate` |
//! | `display.card_quota` `[]` / `[n]` / `[a, b, …]` | `card.installment.monthOption` `availableMonthList: []` / `fixedMonth: n` / `availableMonthList` |
//! | `card.direct.code` (금융결제원 code), `card.direct.quota` | `card.cardCompany`, `card.installment.monthOption.fixedMonth` |
//! | `phone.carrier` SKT, KTF, LGT, CJH, KCT, SKL | `mobile.carrier` SKT, KT, LGU, HELLO, KCT, SK7 |
//! | `bypass` | `bypass` (as given, e.g. `bypass.galaxia.ITEM_CODE`) |
//!
//! V1's `customer_uid` names the billing key itself; V2 has no such field, so it is returned
//! beside the request ([`V1Checkout::customer_uid`]) for the gateway to use as the key id.
//! Errors here name the V1 parameter; the adapter's rules then run on the unified request.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::CheckoutRequest;
use crate::money::Money;
use crate::validation::ValidationErrors;

/// V1 card codes (금융결제원 표준, `card.direct.code`) → V2 SDK `CardCompany`.
pub const CARD_CODES: &[(&str, &str)] = &[
    ("361", "BC_CARD"),
    ("381", "KOOKMIN_CARD"),
    ("367", "HYUNDAI_CARD"),
    ("365", "SAMSUNG_CARD"),
    ("366", "SHINHAN_CARD"),
    ("368", "LOTTE_CARD"),
    ("374", "HANA_CARD"),
    ("373", "JEJU_CARD"),
    ("364", "GWANGJU_CARD"),
    ("048", "SHINHYUP"),
    ("369", "SUHYUP_CARD"),
    ("372", "JEONBUK_CARD"),
    ("371", "NH_CARD"),
    ("370", "CITI_CARD"),
];

/// V1 `phone.carrier` → V2 SDK `Carrier`: KTF is KT, LGT is LG U+, CJH (CJ Hello) is HELLO,
/// SKL (SK Telink) is SK7.
pub const CARRIERS: &[(&str, &str)] = &[
    ("SKT", "SKT"),
    ("KTF", "KT"),
    ("LGT", "LGU"),
    ("CJH", "HELLO"),
    ("KCT", "KCT"),
    ("SKL", "SK7"),
];

/// `IMP.request_pay` parameters (the ones PortOne's V1 guides list).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", schema(as = V1RequestPay))]
pub struct RequestPay {
    /// Channel key.
    #[serde(rename = "channelKey", default)]
    pub channel_key: Option<String>,
    /// `card`, `trans`, `vbank`, `phone`.
    pub pay_method: String,
    /// Merchant order id.
    pub merchant_uid: String,
    /// Order name.
    #[serde(default)]
    pub name: Option<String>,
    /// Amount.
    #[serde(default)]
    pub amount: Option<Money>,
    /// Tax-free part.
    #[serde(default)]
    pub tax_free: Option<Money>,
    /// VAT.
    #[serde(default)]
    pub vat: Option<Money>,
    /// Merchant's customer id.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Billing-key id: asks for the billing-key window.
    #[serde(default)]
    pub customer_uid: Option<String>,
    /// Buyer name.
    #[serde(default)]
    pub buyer_name: Option<String>,
    /// Buyer phone.
    #[serde(default)]
    pub buyer_tel: Option<String>,
    /// Buyer e-mail.
    #[serde(default)]
    pub buyer_email: Option<String>,
    /// Buyer address.
    #[serde(default)]
    pub buyer_addr: Option<String>,
    /// Buyer postcode.
    #[serde(default)]
    pub buyer_postcode: Option<String>,
    /// Mobile redirect URL.
    #[serde(default)]
    pub m_redirect_url: Option<String>,
    /// Webhook URL(s).
    #[serde(default)]
    pub notice_url: Option<NoticeUrl>,
    /// iOS app scheme.
    #[serde(default)]
    pub app_scheme: Option<String>,
    /// Currency (absent → KRW).
    #[serde(default)]
    pub currency: Option<String>,
    /// Escrow.
    #[serde(default)]
    pub escrow: Option<bool>,
    /// Virtual-account due date.
    #[serde(default)]
    pub vbank_due: Option<String>,
    /// Display options.
    #[serde(default)]
    pub display: Option<Display>,
    /// Card options.
    #[serde(default)]
    pub card: Option<Card>,
    /// Phone options.
    #[serde(default)]
    pub phone: Option<Phone>,
    /// Per-PG parameters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub bypass: Option<Value>,
}

/// `notice_url`: one URL or several.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", schema(as = V1NoticeUrl))]
pub enum NoticeUrl {
    /// One URL.
    One(String),
    /// Several.
    Many(Vec<String>),
}

/// `display`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", schema(as = V1Display))]
pub struct Display {
    /// Instalment months shown.
    #[serde(default)]
    pub card_quota: Option<Vec<i32>>,
}

/// `card`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", schema(as = V1Card))]
pub struct Card {
    /// Card-company direct call.
    #[serde(default)]
    pub direct: Option<Direct>,
}

/// `card.direct`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", schema(as = V1CardDirect))]
pub struct Direct {
    /// 금융결제원 card code (`361` = BC, ...).
    pub code: String,
    /// Instalment months (0 = lump sum).
    #[serde(default)]
    pub quota: Option<i32>,
}

/// `phone`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", schema(as = V1Phone))]
pub struct Phone {
    /// SKT, KTF, LGT, CJH, KCT, SKL.
    #[serde(default)]
    pub carrier: Option<String>,
}

/// The unified request, and V1's billing-key id.
#[derive(Debug, Clone)]
pub struct V1Checkout {
    /// The window request.
    pub checkout: CheckoutRequest,
    /// `customer_uid`, for the gateway to name the billing key with.
    pub customer_uid: Option<String>,
}

/// Translate `IMP.request_pay` parameters. `store_id` is the gateway's store (V1 has none).
pub fn translate(p: &RequestPay, store_id: &str) -> Result<V1Checkout, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let method = match p.pay_method.as_str() {
        "card" => "CARD",
        "trans" => "TRANSFER",
        "vbank" => "VIRTUAL_ACCOUNT",
        "phone" => "MOBILE",
        _ => {
            errs.add(
                "pay_method",
                "must be card, trans, vbank or phone (the V1 methods paymux maps)",
            );
            return Err(errs);
        }
    };
    if p.name.as_deref().map_or(true, |n| n.trim().is_empty()) {
        errs.add("name", "is required");
    }
    let mut v = Map::new();
    v.insert("storeId".into(), json!(store_id));
    set(&mut v, "channelKey", &p.channel_key);
    v.insert(
        "orderName".into(),
        json!(p.name.clone().unwrap_or_default()),
    );
    v.insert(
        "currency".into(),
        json!(p.currency.as_deref().unwrap_or("KRW")),
    );
    v.insert("customer".into(), customer(p));
    set(&mut v, "redirectUrl", &p.m_redirect_url);
    set(&mut v, "appScheme", &p.app_scheme);
    set(&mut v, "bypass", &p.bypass);
    if let Some(urls) = &p.notice_url {
        let urls = match urls {
            NoticeUrl::One(u) => vec![u.clone()],
            NoticeUrl::Many(us) => us.clone(),
        };
        v.insert("noticeUrls".into(), json!(urls));
    }
    if let Some(card) = card(p, &mut errs) {
        v.insert("card".into(), card);
    }
    if let Some(carrier) = p.phone.as_ref().and_then(|ph| ph.carrier.as_deref()) {
        match carrier_v2(carrier) {
            Some(c) => {
                v.insert("mobile".into(), json!({ "carrier": c }));
            }
            None => errs.add(
                "phone.carrier",
                "must be one of SKT, KTF, LGT, CJH, KCT, SKL",
            ),
        }
    }

    let kind = match (&p.customer_uid, method) {
        (None, _) => "PAYMENT",
        (Some(_), "CARD") => "ISSUE_BILLING_KEY",
        (Some(_), "MOBILE") => "ISSUE_BILLING_KEY_AND_PAY",
        (Some(_), _) => {
            errs.add(
                "customer_uid",
                "needs pay_method card (billing-key window) or phone (billing-key-and-pay)",
            );
            "PAYMENT"
        }
    };
    match kind {
        "ISSUE_BILLING_KEY" => {
            v.insert("billingKeyMethod".into(), json!("CARD"));
            v.insert("issueId".into(), json!(p.merchant_uid));
            let name = v.remove("orderName").unwrap_or(Value::Null);
            v.insert("issueName".into(), name);
            set(&mut v, "displayAmount", &p.amount);
        }
        _ => {
            v.insert("paymentId".into(), json!(p.merchant_uid));
            match p.amount {
                Some(a) => v.insert("totalAmount".into(), json!(a)),
                None => {
                    errs.add("amount", "is required");
                    v.insert("totalAmount".into(), json!(0))
                }
            };
            set(&mut v, "taxFreeAmount", &p.tax_free);
            set(&mut v, "vatAmount", &p.vat);
            if kind == "PAYMENT" {
                v.insert("payMethod".into(), json!(method));
                set(&mut v, "isEscrow", &p.escrow);
                if let Some(due) = &p.vbank_due {
                    v.insert(
                        "virtualAccount".into(),
                        json!({ "accountExpiry": { "dueDate": due } }),
                    );
                }
            } else {
                v.insert("billingKeyAndPayMethod".into(), json!("MOBILE"));
            }
        }
    }
    v.insert("kind".into(), json!(kind));
    if !errs.is_empty() {
        return Err(errs);
    }
    let checkout: CheckoutRequest = serde_json::from_value(Value::Object(v)).map_err(|e| {
        let mut errs = ValidationErrors::default();
        errs.add("", format!("cannot be read as a checkout request: {e}"));
        errs
    })?;
    Ok(V1Checkout {
        checkout,
        customer_uid: p.customer_uid.clone(),
    })
}

fn set<T: serde::Serialize>(v: &mut Map<String, Value>, key: &str, value: &Option<T>) {
    if let Some(x) = value {
        v.insert(key.into(), json!(x));
    }
}

fn customer(p: &RequestPay) -> Value {
    let mut c = Map::new();
    set(&mut c, "customerId", &p.customer_id);
    set(&mut c, "fullName", &p.buyer_name);
    set(&mut c, "phoneNumber", &p.buyer_tel);
    set(&mut c, "email", &p.buyer_email);
    set(&mut c, "zipcode", &p.buyer_postcode);
    if let Some(addr) = &p.buyer_addr {
        c.insert(
            "address".into(),
            json!({ "addressLine1": addr, "addressLine2": "" }),
        );
    }
    Value::Object(c)
}

/// `card` from `card.direct` and `display.card_quota`.
fn card(p: &RequestPay, errs: &mut ValidationErrors) -> Option<Value> {
    let mut card = Map::new();
    let direct = p.card.as_ref().and_then(|c| c.direct.as_ref());
    if let Some(d) = direct {
        match CARD_CODES.iter().find(|(v1, _)| *v1 == d.code) {
            Some((_, v2)) => {
                card.insert("cardCompany".into(), json!(v2));
            }
            None => errs.add(
                "card.direct.code",
                "is not a known card code (금융결제원 표준, e.g. 361 BC, 381 KB)",
            ),
        }
    }
    let quota = p.display.as_ref().and_then(|d| d.card_quota.as_ref());
    let month_option = match (direct.and_then(|d| d.quota), quota) {
        (Some(q), _) => Some(json!({ "fixedMonth": q })),
        // [] = lump sum only; [n] = only n months; a list = lump sum plus the list.
        (None, Some(list)) if list.len() == 1 => Some(json!({ "fixedMonth": list[0] })),
        (None, Some(list)) => Some(json!({ "availableMonthList": list })),
        (None, None) => None,
    };
    if let Some(m) = month_option {
        card.insert("installment".into(), json!({ "monthOption": m }));
    }
    (!card.is_empty()).then_some(Value::Object(card))
}

/// V1 carrier → SDK `Carrier` name ([`CARRIERS`]).
fn carrier_v2(v1: &str) -> Option<&'static str> {
    CARRIERS
        .iter()
        .find(|(name, _)| *name == v1)
        .map(|(_, sdk)| *sdk)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1(v: Value) -> RequestPay {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_payment_maps_onto_request_payment() {
        let out = translate(
            &v1(json!({
                "pay_method": "trans",
                "merchant_uid": "o-1",
                "name": "주문",
                "amount": 1000,
                "buyer_name": "홍길동",
                "notice_url": "https://shop.example.com/hook"
            })),
            "store-1",
        )
        .unwrap();
        let CheckoutRequest::Payment(p) = out.checkout else {
            panic!("expected a payment window");
        };
        assert_eq!(p.payment_id, "o-1");
        assert_eq!(p.total_amount.get(), 1000);
        assert_eq!(p.currency.code(), "KRW");
        assert!(out.customer_uid.is_none());
    }

    #[test]
    fn customer_uid_picks_the_billing_key_windows() {
        let card = json!({ "pay_method": "card", "merchant_uid": "k-1", "name": "n", "customer_uid": "cu" });
        let out = translate(&v1(card), "s").unwrap();
        assert!(matches!(out.checkout, CheckoutRequest::IssueBillingKey(_)));
        assert_eq!(out.customer_uid.as_deref(), Some("cu"));
        let phone = json!({ "pay_method": "phone", "merchant_uid": "k-2", "name": "n", "amount": 1, "customer_uid": "cu" });
        let out = translate(&v1(phone), "s").unwrap();
        assert!(matches!(
            out.checkout,
            CheckoutRequest::IssueBillingKeyAndPay(_)
        ));
    }

    #[test]
    fn errors_name_the_v1_parameter() {
        let bad = json!({
            "pay_method": "card",
            "merchant_uid": "o",
            "name": " ",
            "card": { "direct": { "code": "999" } },
            "phone": { "carrier": "XYZ" }
        });
        let e = translate(&v1(bad), "s").unwrap_err();
        let paths: Vec<&str> = e.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["name", "card.direct.code", "phone.carrier", "amount"]
        );
        let e = translate(
            &v1(json!({ "pay_method": "kakao", "merchant_uid": "o" })),
            "s",
        );
        assert_eq!(e.unwrap_err().0[0].path.as_str(), "pay_method");
    }

    #[test]
    fn every_v1_card_code_is_a_v2_card_company() {
        for (_, v2) in CARD_CODES {
            let c: super::super::CardCompany = serde_json::from_value(json!(v2)).unwrap();
            assert_eq!(c.code(), *v2);
        }
    }
}
