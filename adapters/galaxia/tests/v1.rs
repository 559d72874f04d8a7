//! PortOne V1 `IMP.request_pay` parameters: the founding document's three examples translate
//! to unified checkout requests that pass Galaxia's rules and encode to a window form.

mod common;

use common::*;
use paymux_core::adapter::{CheckoutPrepareCall, CheckoutRequest, PgAdapter, PgRequest};
use paymux_core::model::checkout::v1::{translate, RequestPay};
use paymux_galaxia::GalaxiaAdapter;
use serde_json::{json, Value};

/// The founding document's examples, as JSON. Its placeholders (`{콘솔 내 연동 정보의 채널키}`,
/// `{모바일에서 ... URL}`) are replaced by concrete values; everything else is as written.
fn founding_payment() -> Value {
    json!({
        "channelKey": "galaxia-test",
        "pay_method": "card",
        "merchant_uid": "orderNo0001",
        "name": "주문명:결제테스트",
        "amount": 1000,
        "customer_id": "matthew",
        "m_redirect_url": "https://shop.example.com/return",
        "bypass": { "galaxia": { "ITEM_CODE": "상품코드" } }
    })
}

fn founding_billing_key() -> Value {
    json!({
        "channelKey": "galaxia-test",
        "pay_method": "card",
        "merchant_uid": "orderMonthly0001",
        "name": "빌링키 발급",
        "amount": 1000,
        "customer_id": "matthew",
        "customer_uid": "your-customer-unique-id",
        "m_redirect_url": "https://shop.example.com/return",
        "bypass": { "galaxia": { "ITEM_CODE": "상품코드" } }
    })
}

fn founding_billing_key_and_pay() -> Value {
    json!({
        "channelKey": "galaxia-test",
        "pay_method": "phone",
        "merchant_uid": "orderNo0001",
        "name": "주문명:결제테스트",
        "amount": 1000,
        "customer_id": "matthew",
        "customer_uid": "your-customer-unique-id",
        "m_redirect_url": "https://shop.example.com/return",
        "bypass": { "galaxia": { "ITEM_CODE": "상품코드" } }
    })
}

fn v1(v: Value) -> RequestPay {
    serde_json::from_value(v).unwrap()
}

/// Translate, validate and encode; returns the window form fields.
fn window_fields(v: Value) -> Vec<(String, String)> {
    let t = translate(&v1(v), "store-1").unwrap();
    let req = PgRequest::CheckoutPrepare(CheckoutPrepareCall {
        return_url: Some("https://gw.example.com/galaxia/return".into()),
        checkout: t.checkout,
    });
    let ch = channel("");
    let c = ctx(&ch);
    paymux_core::execute::validate(&GalaxiaAdapter, &c, &req).unwrap();
    let w = GalaxiaAdapter.encode(&c, &req).unwrap();
    serde_json::from_value::<Vec<(String, String)>>(w.view["fields"].clone()).unwrap()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn founding_payment_example_translates() {
    let t = translate(&v1(founding_payment()), "store-1").unwrap();
    let CheckoutRequest::Payment(p) = &t.checkout else {
        panic!("payment expected")
    };
    assert_eq!(p.payment_id, "orderNo0001");
    assert_eq!(p.currency.code(), "KRW");
    let f = window_fields(founding_payment());
    assert_eq!(field(&f, "SERVICE_CODE"), Some("0900"));
    assert_eq!(field(&f, "ITEM_CODE"), Some("상품코드"));
    assert_eq!(field(&f, "USER_ID"), Some("matthew"));
    assert_eq!(field(&f, "AMOUNT"), Some("1000"));
}

#[test]
fn founding_billing_key_example_opens_the_billing_key_window() {
    let t = translate(&v1(founding_billing_key()), "store-1").unwrap();
    assert_eq!(t.customer_uid.as_deref(), Some("your-customer-unique-id"));
    let CheckoutRequest::IssueBillingKey(r) = &t.checkout else {
        panic!("billing-key window expected")
    };
    assert_eq!(r.issue_id.as_deref(), Some("orderMonthly0001"));
    let f = window_fields(founding_billing_key());
    assert_eq!(field(&f, "ORDER_ID"), Some("orderMonthly0001"));
    assert_eq!(field(&f, "AMOUNT"), Some("1000"));
    // Amount 0 or absent shows 1000 (and charges nothing).
    let mut zero = founding_billing_key();
    zero["amount"] = json!(0);
    assert_eq!(field(&window_fields(zero), "AMOUNT"), Some("1000"));
}

#[test]
fn founding_billing_key_and_pay_example_is_mobile() {
    let t = translate(&v1(founding_billing_key_and_pay()), "store-1").unwrap();
    assert!(matches!(
        t.checkout,
        CheckoutRequest::IssueBillingKeyAndPay(_)
    ));
    let f = window_fields(founding_billing_key_and_pay());
    assert_eq!(field(&f, "SERVICE_CODE"), Some("1100"));
}

#[test]
fn billing_key_windows_are_card_or_phone_only() {
    let mut v = founding_billing_key();
    v["pay_method"] = json!("trans");
    let e = translate(&v1(v), "s").unwrap_err();
    assert_eq!(e.0[0].path.as_str(), "customer_uid");
    let mut v = founding_payment();
    v["pay_method"] = json!("kakaopay");
    assert_eq!(
        translate(&v1(v), "s").unwrap_err().0[0].path.as_str(),
        "pay_method"
    );
}

#[test]
fn carriers_map_to_galaxia_codes() {
    for (v1_name, code) in [
        ("SKT", "0000"),
        ("KTF", "0001"),
        ("LGT", "0002"),
        ("CJH", "0011"),
        ("KCT", "0010"),
        ("SKL", "0012"),
    ] {
        let mut v = founding_payment();
        v["pay_method"] = json!("phone");
        v["phone"] = json!({ "carrier": v1_name });
        assert_eq!(
            field(&window_fields(v), "MOBILE_COMPANY_CODE"),
            Some(code),
            "{v1_name}"
        );
    }
    let mut v = founding_payment();
    v["phone"] = json!({ "carrier": "XYZ" });
    assert_eq!(
        translate(&v1(v), "s").unwrap_err().0[0].path.as_str(),
        "phone.carrier"
    );
}

#[test]
fn card_quota_and_direct_card() {
    let quota = |q: Value| {
        let mut v = founding_payment();
        v["display"] = json!({ "card_quota": q });
        field(&window_fields(v), "INSTALLMENT_PERIOD").map(str::to_string)
    };
    assert_eq!(quota(json!([])).as_deref(), Some("0"));
    assert_eq!(
        quota(json!([2, 3, 4, 5, 6])).as_deref(),
        Some("0:2:3:4:5:6")
    );
    assert_eq!(quota(json!([3])).as_deref(), Some("3"));

    let mut v = founding_payment();
    v["card"] = json!({ "direct": { "code": "366", "quota": 0 } });
    let f = window_fields(v);
    assert_eq!(field(&f, "CARD_TYPE"), Some("0053"));
    assert_eq!(field(&f, "INSTALLMENT_PERIOD"), Some("0"));
    let mut v = founding_payment();
    v["card"] = json!({ "direct": { "code": "999" } });
    assert_eq!(
        translate(&v1(v), "s").unwrap_err().0[0].path.as_str(),
        "card.direct.code"
    );
}

#[test]
fn notice_url_string_or_array_and_the_rest_of_the_parameters() {
    let mut v = founding_payment();
    v["pay_method"] = json!("vbank");
    v["vbank_due"] = json!("20250320");
    v["escrow"] = json!(true);
    v["notice_url"] = json!("https://shop.example.com/hook");
    v["buyer_name"] = json!("홍길동");
    v["tax_free"] = json!(100);
    let t = translate(&v1(v.clone()), "s").unwrap();
    let CheckoutRequest::Payment(p) = &t.checkout else {
        panic!()
    };
    assert_eq!(
        p.notice_urls.as_deref(),
        Some(&["https://shop.example.com/hook".to_string()][..])
    );
    assert_eq!(p.is_escrow, Some(true));
    assert_eq!(p.tax_free_amount.map(|m| m.get()), Some(100));
    let f = window_fields(v.clone());
    assert_eq!(field(&f, "QUOTA"), Some("6"));
    assert_eq!(field(&f, "ESCROW_FLAG"), Some("Y"));
    v["notice_url"] = json!(["https://a.example.com/h", "https://b.example.com/h"]);
    let t = translate(&v1(v), "s").unwrap();
    let CheckoutRequest::Payment(p) = &t.checkout else {
        panic!()
    };
    assert_eq!(p.notice_urls.as_ref().map(Vec::len), Some(2));
}
