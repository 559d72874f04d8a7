//! Cross-type tests: PortOne's documented request bodies, masking, and every generic rule.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::*;
use crate::money::Currency;

fn parse<T: DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}\n{v:#}"))
}

/// Serialize → deserialize gives back an equal value.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(t: &T) {
    let json = serde_json::to_string(t).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, t);
}

// ---------------------------------------------------------------------------------------------
// PortOne's documented bodies (opi/ko/extra/smart-routing/integration.md, V2 tabs, and
// opi/ko/integration/start/v2/billing/*.md). JavaScript variables are replaced by values.
// ---------------------------------------------------------------------------------------------

/// Smart routing, keyed-in card tab. Copied as shown.
fn doc_instant_card() -> Value {
    json!({
        "channelGroupId": "channel-group-test-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac",
        "orderName": "월간 이용권 정기결제",
        "customer": { "name": { "full": "김포트" } },
        "amount": { "total": 8900 },
        "currency": "KRW",
        "method": {
            "card": {
                "credential": {
                    "number": "0000123400001234",
                    "expiryYear": "26",
                    "expiryMonth": "12",
                    "birthOrBusinessRegistrationNumber": "900101",
                    "passwordTwoDigits": "00"
                }
            }
        },
        "productType": "PHYSICAL"
    })
}

/// Smart routing, keyed-in virtual-account tab, with the doc's two mistakes fixed:
/// `virtaulAccount` → `virtualAccount`, and `productCount`, which the doc nests inside
/// `method`, moved to the top level where `InstantPaymentInput` has it.
fn doc_instant_virtual_account() -> Value {
    json!({
        "channelGroupId": "channel-group-live-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac",
        "orderName": "월간 이용권 정기결제",
        "customer": {
            "name": { "full": "김포트" },
            "phoneNumber": "01000001234",
            "email": "port@portone.io"
        },
        "amount": { "total": 8900 },
        "currency": "KRW",
        "method": {
            "virtualAccount": {
                "bank": "KOOKMIN",
                "expiry": { "dueDate": "2023-12-21T00:00:00+09:00" },
                "option": { "type": "NORMAL" },
                "cashReceipt": {
                    "type": "PERSONAL",
                    "customerIdentityNumber": "01000001234"
                },
                "remitteeName": "포트원"
            }
        },
        "productCount": 1
    })
}

/// Smart routing, billing-key issue tab, with the doc's typo `chanenlGroupId` fixed to
/// `channelGroupId`.
fn doc_issue_billing_key() -> Value {
    json!({
        "channelGroupId": "channel-group-live-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac",
        "customer": {
            "id": "customerId_2333",
            "name": { "full": "김포트" },
            "phoneNumber": "01000001234",
            "email": "port@portone.io"
        },
        "method": {
            "card": {
                "credential": {
                    "number": "0000123400001234",
                    "expiryYear": "26",
                    "expiryMonth": "12",
                    "birthOrBusinessRegistrationNumber": "900101",
                    "passwordTwoDigits": "00"
                }
            }
        }
    })
}

/// Smart routing, billing-key payment tab. Copied as shown.
fn doc_billing_key_payment() -> Value {
    json!({
        "billingKey": "billing-key-018fa367-cdd9-d8fd-2256-c43ce0e475d6",
        "orderName": "후불 결제",
        "customer": {
            "id": "customerId_2333",
            "name": { "full": "김포트" },
            "phoneNumber": "01000001234",
            "email": "port@portone.io"
        },
        "amount": { "total": 8900 },
        "currency": "KRW",
        "productType": "PHYSICAL",
        "productCount": 1
    })
}

/// billing/schedule.md: `BILLING_KEY_HERE` and `CUSTOMER_ID_HERE` replaced by values.
fn doc_schedule() -> Value {
    json!({
        "payment": {
            "billingKey": "billing-key-018fa367-cdd9-d8fd-2256-c43ce0e475d6",
            "orderName": "월간 이용권 정기결제",
            "customer": { "id": "customerId_2333" },
            "amount": { "total": 8900 },
            "currency": "KRW"
        },
        "timeToPay": "2023-08-24T14:15:22Z"
    })
}

#[test]
fn doc_instant_card_deserializes() {
    let v = doc_instant_card();
    let p: InstantPaymentInput = parse(&v);
    assert_eq!(
        p.channel_group_id.as_deref(),
        Some("channel-group-test-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac")
    );
    assert_eq!(p.channel_key, None);
    assert_eq!(p.order_name, "월간 이용권 정기결제");
    assert_eq!(
        p.customer.as_ref().unwrap().full_name().as_deref(),
        Some("김포트")
    );
    assert_eq!(p.amount.total.get(), 8900);
    assert_eq!(p.amount.tax_free, None);
    assert_eq!(p.currency, Currency::krw());
    assert_eq!(p.product_type, Some(ProductType::Physical));
    let card = p.method.card().expect("card");
    assert_eq!(card.credential.number.expose(), "0000123400001234");
    assert_eq!(card.credential.expiry_year, "26");
    assert_eq!(card.credential.expiry_month, "12");
    assert_eq!(
        card.credential
            .password_two_digits
            .as_ref()
            .unwrap()
            .expose(),
        "00"
    );
    assert_eq!(p.validated(), Ok(()));
    round_trip(&p);
    // The JSON itself round-trips exactly (no field invented or dropped).
    assert_eq!(serde_json::to_value(&p).unwrap(), v);
}

#[test]
fn doc_instant_virtual_account_deserializes() {
    let v = doc_instant_virtual_account();
    let p: InstantPaymentInput = parse(&v);
    let va = p.method.virtual_account().expect("virtual account");
    assert_eq!(va.bank.code(), "KOOKMIN");
    assert_eq!(
        va.expiry,
        InstantPaymentMethodInputVirtualAccountExpiry::DueDate(
            chrono::DateTime::parse_from_rfc3339("2023-12-21T00:00:00+09:00").unwrap()
        )
    );
    assert_eq!(va.option.r#type, VirtualAccountOptionType::Normal);
    let cr = va.cash_receipt.as_ref().unwrap();
    assert_eq!(cr.r#type, CashReceiptInputType::Personal);
    assert_eq!(va.remittee_name.as_deref(), Some("포트원"));
    assert_eq!(p.product_count, Some(1));
    assert_eq!(
        p.customer.as_ref().unwrap().email.as_deref(),
        Some("port@portone.io")
    );
    assert_eq!(p.validated(), Ok(()));
    round_trip(&p);
    assert_eq!(serde_json::to_value(&p).unwrap(), v);
    // The cash-receipt identity number is masked in Debug (the customer's phone number, the
    // same digits here, is not a secret).
    assert!(
        format!("{p:?}").contains("customer_identity_number: Some(Secret(***))"),
        "{p:?}"
    );
}

#[test]
fn doc_virtual_account_typo_as_written_fails_clearly() {
    let mut v = doc_instant_virtual_account();
    let va = v["method"]
        .as_object_mut()
        .unwrap()
        .remove("virtualAccount")
        .unwrap();
    v["method"]["virtaulAccount"] = va; // the doc's spelling
    let e = serde_json::from_value::<InstantPaymentInput>(v)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("method: must contain exactly one of card or virtualAccount, found neither"),
        "{e}"
    );
}

#[test]
fn doc_issue_billing_key_deserializes() {
    let v = doc_issue_billing_key();
    let b: IssueBillingKeyBody = parse(&v);
    assert_eq!(
        b.channel_group_id.as_deref(),
        Some("channel-group-live-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac")
    );
    let cust = b.customer.as_ref().unwrap();
    assert_eq!(cust.id.as_deref(), Some("customerId_2333"));
    assert_eq!(cust.phone_number.as_deref(), Some("01000001234"));
    let cred = &b.method.card.as_ref().unwrap().credential;
    assert_eq!(
        cred.birth_or_business_registration_number
            .as_ref()
            .unwrap()
            .expose(),
        "900101"
    );
    assert_eq!(b.validated(), Ok(()));
    round_trip(&b);
    assert_eq!(serde_json::to_value(&b).unwrap(), v);
}

#[test]
fn doc_billing_key_payment_deserializes() {
    let v = doc_billing_key_payment();
    let b: BillingKeyPaymentInput = parse(&v);
    assert_eq!(
        b.billing_key,
        "billing-key-018fa367-cdd9-d8fd-2256-c43ce0e475d6"
    );
    assert_eq!(b.order_name, "후불 결제");
    assert_eq!(b.channel_key, None);
    assert_eq!(b.product_count, Some(1));
    assert_eq!(b.product_type, Some(ProductType::Physical));
    assert_eq!(b.validated(), Ok(()));
    round_trip(&b);
    assert_eq!(serde_json::to_value(&b).unwrap(), v);
}

#[test]
fn doc_schedule_deserializes() {
    let s: CreatePaymentScheduleBody = parse(&doc_schedule());
    assert_eq!(
        s.time_to_pay,
        chrono::DateTime::parse_from_rfc3339("2023-08-24T14:15:22Z").unwrap()
    );
    assert_eq!(s.payment.amount.total.get(), 8900);
    assert_eq!(
        s.payment.customer.as_ref().unwrap().id.as_deref(),
        Some("customerId_2333")
    );
    assert_eq!(s.validated(), Ok(()));
    round_trip(&s);
}

#[test]
fn bypass_and_extra_fields() {
    let mut v = doc_instant_card();
    v["bypass"] = json!({"galaxia": {"ITEM_CODE": "ITEM001"}});
    v["skipWebhook"] = json!(true);
    v["someFutureField"] = json!(1);
    let p: InstantPaymentInput = parse(&v);
    assert_eq!(
        p.bypass.as_ref().unwrap()["galaxia"]["ITEM_CODE"],
        "ITEM001"
    );
    assert_eq!(p.skip_webhook, Some(true));
    round_trip(&p);
}

// ---------------------------------------------------------------------------------------------
// Masking
// ---------------------------------------------------------------------------------------------

#[test]
fn debug_masks_card_number_birth_date_and_password() {
    let p: InstantPaymentInput = parse(&json!({
        "channelKey": "channel-key-1",
        "orderName": "order",
        "amount": {"total": 1000},
        "currency": "KRW",
        "customer": {"birthYear": "1990", "birthMonth": "01", "birthDay": "01"},
        "method": {"card": {"credential": {
            "number": "4111111111111111",
            "expiryYear": "28",
            "expiryMonth": "06",
            "birthOrBusinessRegistrationNumber": "900101",
            "passwordTwoDigits": "12"
        }}}
    }));
    for dbg in [format!("{p:?}"), format!("{p:#?}")] {
        assert!(dbg.contains("411111******1111"), "{dbg}");
        assert!(!dbg.contains("4111111111111111"), "{dbg}");
        assert!(!dbg.contains("900101"), "{dbg}");
        assert!(!dbg.contains("1990"), "{dbg}");
        assert!(!dbg.contains("\"12\""), "{dbg}");
        assert!(!dbg.contains("12)"), "{dbg}");
    }
    let dbg = format!("{p:?}");
    assert!(
        dbg.contains("password_two_digits: Some(Secret(***))"),
        "{dbg}"
    );
    assert!(
        dbg.contains("birth_or_business_registration_number: Some(Secret(***))"),
        "{dbg}"
    );
    // Serialization still carries the real values (the PG needs them).
    let out = serde_json::to_value(&p).unwrap();
    assert_eq!(
        out["method"]["card"]["credential"]["number"],
        "4111111111111111"
    );
    assert_eq!(
        out["method"]["card"]["credential"]["passwordTwoDigits"],
        "12"
    );
}

// ---------------------------------------------------------------------------------------------
// Validation: every rule names the exact JSON path and the rule.
// ---------------------------------------------------------------------------------------------

/// A valid keyed-in card payment to break one field at a time.
fn card_payment() -> Value {
    json!({
        "channelKey": "channel-key-1",
        "orderName": "월간 이용권",
        "amount": {"total": 11000},
        "currency": "KRW",
        "method": {"card": {"credential": {
            "number": "4111111111111111",
            "expiryYear": "28",
            "expiryMonth": "06",
            "birthOrBusinessRegistrationNumber": "900101",
            "passwordTwoDigits": "12"
        }}}
    })
}

fn set(mut v: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let obj = if parent.is_empty() {
        &mut v
    } else {
        v.pointer_mut(parent).unwrap_or_else(|| panic!("{parent}"))
    };
    obj[key] = value;
    v
}

fn remove(mut v: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let obj = if parent.is_empty() {
        &mut v
    } else {
        v.pointer_mut(parent).unwrap()
    };
    obj.as_object_mut().unwrap().remove(key);
    v
}

/// Validate an `InstantPaymentInput` JSON and return the error text.
fn instant_errors(v: Value) -> String {
    let p: InstantPaymentInput = parse(&v);
    match p.validated() {
        Ok(()) => String::new(),
        Err(e) => e.to_string(),
    }
}

const CRED: &str = "/method/card/credential";

#[test]
fn base_card_payment_is_valid() {
    assert_eq!(instant_errors(card_payment()), "");
}

#[test]
fn order_name_must_not_be_empty() {
    assert_eq!(
        instant_errors(set(card_payment(), "/orderName", json!("  "))),
        "orderName: must not be empty"
    );
}

#[test]
fn exactly_one_channel_for_instant_payment() {
    assert_eq!(
        instant_errors(remove(card_payment(), "/channelKey")),
        "channelKey: is required: give exactly one of channelKey or channelGroupId"
    );
    assert_eq!(
        instant_errors(set(
            card_payment(),
            "/channelGroupId",
            json!("channel-group-1")
        )),
        "channelGroupId: must not be given together with channelKey: give exactly one of them"
    );
}

#[test]
fn exactly_one_channel_for_billing_key_issue() {
    let errors = |v: Value| {
        parse::<IssueBillingKeyBody>(&v)
            .validated()
            .unwrap_err()
            .to_string()
    };
    let both = set(
        doc_issue_billing_key(),
        "/channelKey",
        json!("channel-key-1"),
    );
    assert_eq!(
        errors(both),
        "channelGroupId: must not be given together with channelKey: give exactly one of them"
    );
    let neither = remove(doc_issue_billing_key(), "/channelGroupId");
    assert_eq!(
        errors(neither),
        "channelKey: is required: give exactly one of channelKey or channelGroupId"
    );
}

#[test]
fn billing_key_issue_requires_card() {
    let v = set(doc_issue_billing_key(), "/method", json!({}));
    let e = parse::<IssueBillingKeyBody>(&v).validated().unwrap_err();
    assert_eq!(e.to_string(), "method.card: is required");
}

#[test]
fn amount_must_resolve() {
    assert_eq!(
        instant_errors(set(
            card_payment(),
            "/amount",
            json!({"total": 1000, "taxFree": 1001})
        )),
        "amount.taxFree: must not exceed amount.total"
    );
    assert_eq!(
        instant_errors(set(
            card_payment(),
            "/amount",
            json!({"total": 1000, "taxFree": 500, "vat": 501})
        )),
        "amount.vat: must not exceed the taxable amount (total − taxFree)"
    );
}

#[test]
fn card_number_is_13_to_19_digits_and_never_echoed() {
    for bad in [
        "411111111111",
        "41111111111111111111",
        "4111-1111-1111-1111",
        "",
    ] {
        let e = instant_errors(set(card_payment(), &format!("{CRED}/number"), json!(bad)));
        assert_eq!(
            e, "method.card.credential.number: must be 13 to 19 digits, digits only",
            "{bad}"
        );
        assert!(!e.contains("4111"));
    }
    for ok in ["4111111111111", "4111111111111111111"] {
        assert_eq!(
            instant_errors(set(card_payment(), &format!("{CRED}/number"), json!(ok))),
            ""
        );
    }
}

#[test]
fn expiry_year_is_two_digits() {
    for bad in ["2028", "8", "2a"] {
        assert_eq!(
            instant_errors(set(
                card_payment(),
                &format!("{CRED}/expiryYear"),
                json!(bad)
            )),
            "method.card.credential.expiryYear: must be exactly 2 digits (YY)",
            "{bad}"
        );
    }
}

#[test]
fn expiry_month_is_01_to_12() {
    for bad in ["13", "00", "1", "6 ", "ab"] {
        assert_eq!(
            instant_errors(set(
                card_payment(),
                &format!("{CRED}/expiryMonth"),
                json!(bad)
            )),
            "method.card.credential.expiryMonth: must be a 2-digit month from 01 to 12",
            "{bad}"
        );
    }
    for ok in ["01", "12"] {
        assert_eq!(
            instant_errors(set(
                card_payment(),
                &format!("{CRED}/expiryMonth"),
                json!(ok)
            )),
            ""
        );
    }
}

#[test]
fn birth_or_business_number_is_yymmdd_or_10_digits() {
    let path = format!("{CRED}/birthOrBusinessRegistrationNumber");
    for bad in [
        "901301",
        "900132",
        "19900101",
        "12345",
        "123456789",
        "12345678901",
    ] {
        let e = instant_errors(set(card_payment(), &path, json!(bad)));
        assert_eq!(
            e,
            "method.card.credential.birthOrBusinessRegistrationNumber: must be a birth date as 6 digits yyMMdd or a 10-digit business registration number",
            "{bad}"
        );
        assert!(!e.contains(bad));
    }
    for ok in ["900101", "000229", "1234567890"] {
        assert_eq!(
            instant_errors(set(card_payment(), &path, json!(ok))),
            "",
            "{ok}"
        );
    }
}

#[test]
fn password_is_two_digits() {
    for bad in ["1", "123", "a1"] {
        assert_eq!(
            instant_errors(set(
                card_payment(),
                &format!("{CRED}/passwordTwoDigits"),
                json!(bad)
            )),
            "method.card.credential.passwordTwoDigits: must be exactly 2 digits",
            "{bad}"
        );
    }
}

#[test]
fn installment_month_is_0_to_36() {
    for bad in [37, -1] {
        assert_eq!(
            instant_errors(set(
                card_payment(),
                "/method/card/installmentMonth",
                json!(bad)
            )),
            "method.card.installmentMonth: must be between 0 (lump sum) and 36 months"
        );
    }
    for ok in [0, 36] {
        assert_eq!(
            instant_errors(set(
                card_payment(),
                "/method/card/installmentMonth",
                json!(ok)
            )),
            ""
        );
    }
    let b = set(doc_billing_key_payment(), "/installmentMonth", json!(48));
    assert_eq!(
        parse::<BillingKeyPaymentInput>(&b)
            .validated()
            .unwrap_err()
            .to_string(),
        "installmentMonth: must be between 0 (lump sum) and 36 months"
    );
}

#[test]
fn product_count_and_products() {
    assert_eq!(
        instant_errors(set(card_payment(), "/productCount", json!(0))),
        "productCount: must be at least 1"
    );
    let products = json!([
        {"id": "p1", "name": "", "amount": 1000, "quantity": 1},
        {"id": "p2", "name": "양말", "amount": 500, "quantity": -1}
    ]);
    assert_eq!(
        instant_errors(set(card_payment(), "/products", products)),
        "products[0].name: must not be empty; products[1].quantity: must not be negative"
    );
    // Product amounts are Money: negative or fractional prices fail to deserialize.
    let neg = set(
        card_payment(),
        "/products",
        json!([{"id": "p", "name": "n", "amount": -1, "quantity": 1}]),
    );
    assert!(serde_json::from_value::<InstantPaymentInput>(neg).is_err());
}

#[test]
fn currency_is_a_three_letter_code() {
    for bad in ["krw", "KRWW", "WON1", ""] {
        assert_eq!(
            instant_errors(set(card_payment(), "/currency", json!(bad))),
            "currency: must be a three-letter ISO 4217 currency code such as KRW",
            "{bad}"
        );
    }
}

#[test]
fn notice_urls_are_http() {
    let urls = json!([
        "https://example.com/hook",
        "ftp://example.com",
        "example.com"
    ]);
    assert_eq!(
        instant_errors(set(card_payment(), "/noticeUrls", urls)),
        "noticeUrls[1]: must be an absolute http:// or https:// URL; \
         noticeUrls[2]: must be an absolute http:// or https:// URL"
    );
}

#[test]
fn customer_rules() {
    let c = |customer: Value| instant_errors(set(card_payment(), "/customer", customer));
    assert_eq!(
        c(json!({"name": {"full": ""}})),
        "customer.name.full: must not be empty"
    );
    assert_eq!(
        c(json!({"name": {"full": "김포트", "separated": {"first": "포트", "last": "김"}}})),
        "customer.name.separated: must not be given together with full: give exactly one of them"
    );
    assert_eq!(
        c(json!({"name": {}})),
        "customer.name.full: is required: give exactly one of full or separated"
    );
    assert_eq!(
        c(json!({"name": {"separated": {"first": "", "last": "김"}}})),
        "customer.name.separated.first: must not be empty"
    );
    assert_eq!(
        c(json!({"email": "port@"})),
        "customer.email: must be an e-mail address such as name@example.com"
    );
    assert_eq!(
        c(json!({"birthYear": "90", "birthMonth": "13", "birthDay": "01"})),
        "customer.birthYear: must be a 4-digit year such as 1990; \
         customer.birthMonth: must be a 2-digit month from 01 to 12"
    );
    assert_eq!(
        c(json!({"birthYear": "1990", "birthMonth": "02", "birthDay": "30"})),
        "customer.birthDay: must form a real date with birthYear and birthMonth"
    );
    assert_eq!(
        c(json!({"country": "Korea", "address": {"addressLine1": "", "addressLine2": ""}})),
        "customer.country: must be an ISO 3166-1 alpha-2 country code such as KR; \
         customer.address.addressLine1: must not be empty"
    );
    assert_eq!(c(json!({"gender": "OTHER", "country": "KR"})), "");
}

#[test]
fn method_must_have_exactly_one_of_card_or_virtual_account() {
    let va = doc_instant_virtual_account()["method"]["virtualAccount"].clone();
    let both = set(card_payment(), "/method/virtualAccount", va);
    let e = serde_json::from_value::<InstantPaymentInput>(both)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("method: must contain exactly one of card or virtualAccount, not both"),
        "{e}"
    );
    let neither = set(card_payment(), "/method", json!({}));
    let e = serde_json::from_value::<InstantPaymentInput>(neither)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("method: must contain exactly one of card or virtualAccount, found neither"),
        "{e}"
    );
    // The same rule as a ValidationError with its path.
    let err = InstantPaymentMethodInput::from_parts(None, None).unwrap_err();
    assert_eq!(err.path.as_str(), "method");
}

#[test]
fn virtual_account_expiry_rules() {
    let va = doc_instant_virtual_account;
    let e = instant_errors(set(
        va(),
        "/method/virtualAccount/expiry",
        json!({"validHours": 0}),
    ));
    assert_eq!(
        e,
        "method.virtualAccount.expiry.validHours: must be greater than 0"
    );
    assert_eq!(
        instant_errors(set(
            va(),
            "/method/virtualAccount/expiry",
            json!({"validHours": 72})
        )),
        ""
    );

    let both = set(
        va(),
        "/method/virtualAccount/expiry",
        json!({"validHours": 72, "dueDate": "2023-12-21T00:00:00+09:00"}),
    );
    let e = serde_json::from_value::<InstantPaymentInput>(both)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "method.virtualAccount.expiry: must contain exactly one of validHours or dueDate, not both"
        ),
        "{e}"
    );
    let neither = set(va(), "/method/virtualAccount/expiry", json!({}));
    let e = serde_json::from_value::<InstantPaymentInput>(neither)
        .unwrap_err()
        .to_string();
    assert!(e.contains("found neither"), "{e}");
    // dueDate must be RFC 3339.
    let not_rfc3339 = set(
        va(),
        "/method/virtualAccount/expiry",
        json!({"dueDate": "2023-12-21"}),
    );
    assert!(serde_json::from_value::<InstantPaymentInput>(not_rfc3339).is_err());
}

#[test]
fn virtual_account_bank_option_and_cash_receipt_rules() {
    let va = doc_instant_virtual_account;
    assert_eq!(
        instant_errors(set(va(), "/method/virtualAccount/bank", json!("kookmin"))),
        "method.virtualAccount.bank: must be a PortOne bank code in SCREAMING_SNAKE_CASE such as KOOKMIN"
    );
    assert_eq!(
        instant_errors(set(
            va(),
            "/method/virtualAccount/option",
            json!({"type": "FIXED"})
        )),
        "method.virtualAccount.option.fixed: is required when type is FIXED"
    );
    assert_eq!(
        instant_errors(set(
            va(),
            "/method/virtualAccount/option",
            json!({"type": "FIXED", "fixed": {"pgAccountId": "a", "accountNumber": "1"}})
        )),
        "method.virtualAccount.option.fixed.accountNumber: must not be given together with pgAccountId: give exactly one of them"
    );
    assert_eq!(
        instant_errors(set(
            va(),
            "/method/virtualAccount/option",
            json!({"type": "NORMAL", "fixed": {"pgAccountId": "a"}})
        )),
        "method.virtualAccount.option.fixed: must only be given when type is FIXED"
    );
    assert_eq!(
        instant_errors(remove(va(), "/method/virtualAccount/cashReceipt")),
        "method.virtualAccount.cashReceipt: is required"
    );
    assert_eq!(
        instant_errors(set(va(), "/method/virtualAccount/cashReceipt", json!({"type": "CORPORATE"}))),
        "method.virtualAccount.cashReceipt.customerIdentityNumber: is required unless type is NO_RECEIPT"
    );
    assert_eq!(
        instant_errors(set(
            va(),
            "/method/virtualAccount/cashReceipt",
            json!({"type": "NO_RECEIPT"})
        )),
        ""
    );
    // An unknown option type is a deserialization error listing PortOne's values.
    let bad = set(
        va(),
        "/method/virtualAccount/option",
        json!({"type": "NOMAL"}),
    );
    let e = serde_json::from_value::<InstantPaymentInput>(bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown variant `NOMAL`, expected `NORMAL` or `FIXED`"),
        "{e}"
    );
}

#[test]
fn every_broken_rule_is_reported_at_once() {
    let v = card_payment();
    let v = set(v, "/orderName", json!(""));
    let v = set(v, &format!("{CRED}/expiryMonth"), json!("13"));
    let v = set(v, "/productCount", json!(0));
    let e = parse::<InstantPaymentInput>(&v).validated().unwrap_err();
    let paths: Vec<&str> = e.0.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "method.card.credential.expiryMonth",
            "orderName",
            "productCount"
        ]
    );
}

#[test]
fn bypass_must_be_an_object() {
    assert_eq!(
        instant_errors(set(card_payment(), "/bypass", json!("galaxia"))),
        "bypass: must be a JSON object keyed by PG (e.g. {\"galaxia\": {...}})"
    );
}

#[test]
fn cancel_reason_must_not_be_empty() {
    let b: CancelPaymentBody = parse(&json!({"reason": ""}));
    assert_eq!(
        b.validated().unwrap_err().to_string(),
        "reason: must not be empty"
    );
    let b: CancelPaymentBody = parse(&json!({"reason": "고객 변심", "amount": 0}));
    assert_eq!(
        b.validated().unwrap_err().to_string(),
        "amount: must be greater than 0 (omit it to cancel everything left)"
    );
    let b: CancelPaymentBody = parse(&json!({
        "reason": "환불",
        "refundAccount": {"bank": "SHINHAN", "number": "110-123-456789", "holderName": ""},
        "refundEmail": "nope"
    }));
    assert_eq!(
        b.validated().unwrap_err().to_string(),
        "refundAccount.holderName: must not be empty; \
         refundEmail: must be an e-mail address such as name@example.com"
    );
    assert!(serde_json::from_value::<CancelPaymentBody>(json!({})).is_err());
    let full: CancelPaymentBody = parse(&json!({
        "reason": "x", "requester": "ADMIN", "promotionDiscountRetainOption": "RETAIN",
        "currentCancellableAmount": 5000, "skipWebhook": false
    }));
    assert_eq!(full.requester, Some(CancelRequester::Admin));
    round_trip(&full);
}

#[test]
fn schedule_needs_time_to_pay() {
    let v = remove(doc_schedule(), "/timeToPay");
    let e = serde_json::from_value::<CreatePaymentScheduleBody>(v)
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing field `timeToPay`"), "{e}");
    let v = set(doc_schedule(), "/timeToPay", json!("next tuesday"));
    assert!(serde_json::from_value::<CreatePaymentScheduleBody>(v).is_err());
    // The nested payment is validated under `payment.`.
    let v = set(doc_schedule(), "/payment/orderName", json!(""));
    assert_eq!(
        parse::<CreatePaymentScheduleBody>(&v)
            .validated()
            .unwrap_err()
            .to_string(),
        "payment.orderName: must not be empty"
    );
}

#[test]
fn revoke_needs_billing_key_or_schedule_ids() {
    let e = parse::<RevokePaymentSchedulesBody>(&json!({"scheduleIds": []}))
        .validated()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "scheduleIds: is required (non-empty) unless billingKey is given"
    );
    assert_eq!(
        parse::<RevokePaymentSchedulesBody>(&json!({"billingKey": "bk"})).validated(),
        Ok(())
    );
    assert_eq!(
        parse::<RevokePaymentSchedulesBody>(&json!({"scheduleIds": ["s1"]})).validated(),
        Ok(())
    );
}

#[test]
fn billing_key_payment_cash_receipt_rules() {
    let v = set(
        doc_billing_key_payment(),
        "/cashReceipt",
        json!({"type": "PERSONAL"}),
    );
    assert_eq!(
        parse::<BillingKeyPaymentInput>(&v)
            .validated()
            .unwrap_err()
            .to_string(),
        "cashReceipt.customerIdentityNumber: is required unless type is NO_RECEIPT"
    );
    let v = set(
        doc_billing_key_payment(),
        "/cashReceipt",
        json!({"type": "PERSONAL", "customerIdentityNumber": "01012345678"}),
    );
    let b: BillingKeyPaymentInput = parse(&v);
    assert_eq!(b.validated(), Ok(()));
    assert!(!format!("{b:?}").contains("01012345678"));
}
