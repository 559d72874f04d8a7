//! KSNET's validation rules: each refusal names the unified field path, before anything is
//! sent.

mod common;

use common::*;
use paymux_core::adapter::{Operation, PgAdapter, PgRequest};
use paymux_core::error::PgError;
use paymux_ksnet::{KsnetAdapter, Protocol};
use serde_json::{json, Value};

/// Validate, then encode (the 6-month rule needs the clock); the paths of the first error.
fn refused(req: &PgRequest) -> Vec<String> {
    let ch = channel(Protocol::Webfep, "");
    let c = ctx(&ch);
    let e = paymux_core::execute::validate(&KsnetAdapter, &c, req)
        .and_then(|v| paymux_core::execute::encode(&KsnetAdapter, &c, &v).map(|_| ()))
        .expect_err("refused");
    match e {
        PgError::Validation(v) => v.0.iter().map(|e| e.path.to_string()).collect(),
        other => panic!("expected a validation error, got {other}"),
    }
}

fn accepted(req: &PgRequest) {
    for p in [Protocol::Webfep, Protocol::Kspay] {
        let ch = channel(p, "");
        let c = ctx(&ch);
        paymux_core::execute::validate(&KsnetAdapter, &c, req).expect("valid");
        KsnetAdapter.encode(&c, req).expect("encodes");
    }
}

fn instant_with(f: impl FnOnce(&mut Value)) -> PgRequest {
    let mut b = instant_body("order-r", CARD_OK, 1000, true);
    f(&mut b);
    request(Operation::PaymentInstant, b)
}

fn va_with(f: impl FnOnce(&mut Value)) -> PgRequest {
    let PgRequest::Instant(c) = virtual_account("order-va", 1000, None) else {
        unreachable!()
    };
    let mut b = serde_json::to_value(&c).unwrap();
    f(&mut b);
    request(Operation::PaymentInstant, b)
}

#[test]
fn card_payments_need_a_product_type_and_a_customer_name() {
    assert_eq!(
        refused(&instant_with(|b| b
            .as_object_mut()
            .unwrap()
            .remove("productType")
            .map(drop)
            .unwrap())),
        ["productType"]
    );
    assert_eq!(
        refused(&instant_with(|b| b["customer"] = json!({"id": "u"}))),
        ["customer.name"]
    );
    assert_eq!(
        refused(&instant_with(|b| b["isEscrow"] = json!(true))),
        ["isEscrow"]
    );
    // The name is checked in EUC-KR bytes: 25 syllables pass, 26 do not.
    accepted(&instant_with(|b| {
        b["customer"]["name"]["full"] = json!("가".repeat(25))
    }));
    assert_eq!(
        refused(&instant_with(
            |b| b["customer"]["name"]["full"] = json!("가".repeat(26))
        )),
        ["customer.name.full"]
    );
    assert_eq!(
        refused(&instant_with(
            |b| b["customer"]["email"] = json!(format!("{}@example.com", "a".repeat(40)))
        )),
        ["customer.email"]
    );
    // Both product types map.
    accepted(&instant_with(|b| b["productType"] = json!("DIGITAL")));
}

#[test]
fn password_and_birth_go_together() {
    assert_eq!(
        refused(&instant_with(|b| b["method"]["card"]["credential"]
            .as_object_mut()
            .unwrap()
            .remove("passwordTwoDigits")
            .map(drop)
            .unwrap())),
        ["method.card.credential.passwordTwoDigits"]
    );
    assert_eq!(
        refused(&instant_with(|b| b["method"]["card"]["credential"]
            .as_object_mut()
            .unwrap()
            .remove("birthOrBusinessRegistrationNumber")
            .map(drop)
            .unwrap())),
        ["method.card.credential.birthOrBusinessRegistrationNumber"]
    );
}

#[test]
fn amounts_must_fit_nine_digits_in_the_wire_unit() {
    assert_eq!(
        refused(&instant_with(
            |b| b["amount"] = json!({"total": 1_000_000_000})
        )),
        ["amount.total"]
    );
    // USD: cents × 10 on the wire, so $1,000,000.00 does not fit.
    assert_eq!(
        refused(&instant_with(|b| {
            b["currency"] = json!("USD");
            b["amount"] = json!({"total": 100_000_000});
        })),
        ["amount.total"]
    );
    let e = {
        let ch = channel(Protocol::Webfep, "");
        paymux_core::execute::validate(
            &KsnetAdapter,
            &ctx(&ch),
            &instant_with(|b| b["currency"] = json!("JPY")),
        )
        .unwrap_err()
    };
    assert!(e.to_string().contains("currency"), "{e}");
}

#[test]
fn billing_keys_need_all_five_card_fields() {
    let req = request(
        Operation::BillingKeyIssue,
        json!({
            "billingKey": "bk-1", "channelKey": "ksnet-test", "customer": customer(),
            "method": { "card": { "credential": { "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06" } } }
        }),
    );
    assert_eq!(
        refused(&req),
        [
            "method.card.credential.birthOrBusinessRegistrationNumber",
            "method.card.credential.passwordTwoDigits"
        ]
    );
    let charge = request(
        Operation::PaymentBillingKey,
        json!({
            "paymentId": "p", "billingKey": "bk", "orderName": "x", "customer": customer(),
            "amount": { "total": 100 }, "currency": "KRW", "productType": "PHYSICAL", "prior": {}
        }),
    );
    assert_eq!(refused(&charge), ["prior.pgBillingKey"]);
    assert_eq!(
        refused(&delete_billing_key("bk", "")),
        ["prior.pgBillingKey"]
    );
}

#[test]
fn cancel_rules() {
    // At most 9 partial cancels.
    assert_eq!(
        refused(&cancel(
            "p",
            Some(100),
            prior("100000000001", 10_000, 900, 9)
        )),
        ["prior.cancelCount"]
    );
    accepted(&cancel(
        "p",
        Some(100),
        prior("100000000001", 10_000, 800, 8),
    ));
    // No partial cancel of a MOBILE payment (KSNET's policy, reported before anything else).
    let mut mobile = prior("100000000001", 10_000, 0, 0);
    mobile["method"] = json!("MOBILE");
    assert_eq!(refused(&cancel("p", Some(100), mobile.clone())), ["amount"]);
    // A full MOBILE cancel is not declared (mobile payments come from the window).
    let ch = channel(Protocol::Webfep, "");
    let e = paymux_core::execute::validate(&KsnetAdapter, &ctx(&ch), &cancel("p", None, mobile))
        .unwrap_err();
    assert!(matches!(e, PgError::Unsupported { .. }), "{e}");
    // Six months: paid 2024-09-13 is too old on 2025-03-14, 2024-09-14 is not.
    let mut old = prior("100000000001", 10_000, 0, 0);
    old["paidAt"] = json!("2024-09-13T09:00:00+09:00");
    assert_eq!(refused(&cancel("p", None, old.clone())), ["prior.paidAt"]);
    old["paidAt"] = json!("2024-09-14T10:00:00+09:00");
    accepted(&cancel("p", None, old));
    // Over the balance, and nothing to identify the payment by.
    assert_eq!(
        refused(&cancel(
            "p",
            Some(10_001),
            prior("100000000001", 10_000, 0, 0)
        )),
        ["amount"]
    );
    assert_eq!(
        refused(&cancel("p", None, json!({ "amount": { "total": 100 } }))),
        ["prior.pgTxId"]
    );
    assert_eq!(refused(&inquiry("p", json!({}))), ["prior.pgTxId"]);
}

#[test]
fn virtual_account_rules() {
    accepted(&va_with(|_| {}));
    assert_eq!(
        refused(&va_with(
            |b| b["method"]["virtualAccount"]["bank"] = json!("TOSS")
        )),
        ["method.virtualAccount.bank"]
    );
    assert_eq!(
        refused(&va_with(|b| b["amount"]["taxFree"] = json!(100))),
        ["amount.taxFree"]
    );
    assert_eq!(
        refused(&va_with(
            |b| b["method"]["virtualAccount"]["cashReceipt"] =
                json!({"type": "PERSONAL", "customerIdentityNumber": "01012345678"})
        )),
        ["method.virtualAccount.cashReceipt.type"]
    );
    assert_eq!(
        refused(&va_with(|b| b["method"]["virtualAccount"]["option"] =
            json!({"type": "FIXED", "fixed": {"pgAccountId": "A1"}}))),
        ["method.virtualAccount.option.fixed.pgAccountId"]
    );
    assert_eq!(
        refused(&va_with(
            |b| b["method"]["virtualAccount"]["option"] =
                json!({"type": "FIXED", "fixed": {"accountNumber": "1234567890123456"}})
        )),
        ["method.virtualAccount.option.fixed.accountNumber"]
    );
    assert_eq!(
        refused(&va_with(|b| b["currency"] = json!("USD"))),
        ["currency"]
    );
    assert_eq!(
        refused(&va_with(|b| b["method"]["virtualAccount"]["expiry"] =
            json!({"dueDate": "2025-03-14T09:00:00+09:00"}))),
        ["method.virtualAccount.expiry.dueDate"]
    );
    // validHours from the clock: 2025-03-14 09:26:53 + 72 h.
    let ch = channel(Protocol::Webfep, "");
    let w = KsnetAdapter
        .encode(
            &ctx(&ch),
            &va_with(|b| b["method"]["virtualAccount"]["expiry"] = json!({"validHours": 72})),
        )
        .unwrap();
    assert_eq!(w.view["closeDateTime"], "20250317092653");
}

#[test]
fn text_must_be_representable_in_strict_euc_kr() {
    // 똠 exists in CP949 only; KSNET decodes EUC-KR (KS X 1001).
    assert_eq!(
        refused(&instant_with(|b| b["orderName"] = json!("똠얌꿍"))),
        ["orderName"]
    );
    assert_eq!(
        refused(&instant_with(|b| b["paymentId"] = json!("주문-😀"))),
        ["paymentId"]
    );
}

#[test]
fn the_payment_window_is_not_offered() {
    let req = request(
        Operation::CheckoutPrepare,
        json!({ "returnUrl": "https://gw.example/r", "checkout": {
            "kind": "PAYMENT", "storeId": "s", "channelKey": "k", "paymentId": "p", "orderName": "o",
            "totalAmount": 1000, "currency": "KRW", "payMethod": "CARD" } }),
    );
    let ch = channel(Protocol::Webfep, "");
    let e = paymux_core::execute::validate(&KsnetAdapter, &ctx(&ch), &req).unwrap_err();
    assert!(matches!(e, PgError::Unsupported { .. }), "{e}");
}
