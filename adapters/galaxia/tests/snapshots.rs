//! Wire snapshots: for every operation and method, the masked readable view and the exact
//! frame (BillGate frames are ASCII: length, clear header, base64 cipher text; window forms
//! are percent-encoded EUC-KR). Deterministic through a fixed clock and nonce.

mod common;

use common::*;
use paymux_core::adapter::{Operation, PgAdapter, PgRequest, WireTarget};
use paymux_galaxia::GalaxiaAdapter;
use serde_json::{json, Value};

/// Validate and encode against Galaxia's test host (no endpoint override).
fn wire(req: &PgRequest) -> Value {
    let ch = channel("");
    let ctx = ctx(&ch);
    paymux_core::execute::validate(&GalaxiaAdapter, &ctx, req).expect("valid request");
    let w = GalaxiaAdapter.encode(&ctx, req).expect("encodes");
    let target = match &w.target {
        WireTarget::Tcp { host, port, .. } => json!({ "tcp": format!("{host}:{port}") }),
        WireTarget::Browser {
            url,
            accept_charset,
            ..
        } => {
            json!({ "browser": url, "acceptCharset": accept_charset })
        }
        WireTarget::Http { url, .. } => json!({ "http": url }),
        WireTarget::Local { answered_by } => json!({ "local": answered_by }),
    };
    json!({
        "operation": req.operation().as_str(),
        "target": target,
        "view": w.view,
        "bytes": String::from_utf8(w.body).expect("frames and forms are ASCII"),
    })
}

const ORDER_DATE: &str = "20250301101500";

#[test]
fn payment_instant_card() {
    insta::assert_yaml_snapshot!(wire(&instant("order-0001", CARD_OK, 1004)));
}

#[test]
fn billing_key_issue_card() {
    insta::assert_yaml_snapshot!(wire(&issue_billing_key("bk-portone-1", CARD_OK)));
}

#[test]
fn payment_billing_key_card() {
    insta::assert_yaml_snapshot!(wire(&charge_billing_key(
        "order-0002",
        "SIMBK000000000000001",
        "CARD"
    )));
}

#[test]
fn payment_billing_key_mobile() {
    insta::assert_yaml_snapshot!(wire(&charge_billing_key(
        "order-0003",
        "SIMBK000000000000002",
        "MOBILE"
    )));
}

#[test]
fn billing_key_delete() {
    insta::assert_yaml_snapshot!(wire(&delete_billing_key(
        "bk-portone-1",
        "SIMBK000000000000001"
    )));
}

#[test]
fn payment_cancel_card_full() {
    let p = prior("SIM09000000000001", "CARD", 1004, 0, ORDER_DATE);
    insta::assert_yaml_snapshot!(wire(&cancel("order-0001", None, p)));
}

#[test]
fn payment_cancel_card_partial() {
    let p = prior("SIM09000000000001", "CARD", 1004, 0, ORDER_DATE);
    insta::assert_yaml_snapshot!(wire(&cancel("order-0001", Some(300), p)));
}

#[test]
fn payment_cancel_card_partial_of_the_remaining_balance() {
    let p = prior("SIM09000000000001", "CARD", 1004, 300, ORDER_DATE);
    insta::assert_yaml_snapshot!(wire(&cancel("order-0001", Some(704), p)));
}

#[test]
fn payment_cancel_transfer_full() {
    let p = prior("SIM10000000000001", "TRANSFER", 1004, 0, ORDER_DATE);
    insta::assert_yaml_snapshot!(wire(&cancel("win-transfer", None, p)));
}

#[test]
fn payment_cancel_transfer_partial() {
    let p = prior("SIM10000000000001", "TRANSFER", 1004, 0, ORDER_DATE);
    insta::assert_yaml_snapshot!(wire(&cancel("win-transfer", Some(500), p)));
}

#[test]
fn payment_cancel_mobile_full() {
    let p = prior("SIM11000000000001", "MOBILE", 1004, 0, ORDER_DATE);
    insta::assert_yaml_snapshot!(wire(&cancel("win-mobile", None, p)));
}

#[test]
fn payment_cancel_mobile_partial() {
    let p = prior("SIM11000000000001", "MOBILE", 1004, 0, ORDER_DATE);
    insta::assert_yaml_snapshot!(wire(&cancel("win-mobile", Some(400), p)));
}

#[test]
fn payment_get_by_tid() {
    let p = prior("SIM09000000000001", "CARD", 1004, 0, ORDER_DATE);
    insta::assert_yaml_snapshot!(wire(&inquiry("order-0001", p)));
}

#[test]
fn payment_get_by_order_only() {
    let p = json!({ "method": "CARD", "orderDate": ORDER_DATE });
    insta::assert_yaml_snapshot!(wire(&inquiry("order-0099", p)));
}

#[test]
fn checkout_prepare_card() {
    let extra = json!({
        "card": { "cardCompany": "SHINHAN_CARD", "installment": { "monthOption": { "availableMonthList": [2, 3, 6] } } }
    });
    insta::assert_yaml_snapshot!(wire(&checkout_payment("CARD", extra)));
}

#[test]
fn checkout_prepare_transfer() {
    insta::assert_yaml_snapshot!(wire(&checkout_payment(
        "TRANSFER",
        json!({ "isEscrow": true })
    )));
}

#[test]
fn checkout_prepare_virtual_account() {
    let extra = json!({ "virtualAccount": { "accountExpiry": { "dueDate": "2025-03-21" } } });
    insta::assert_yaml_snapshot!(wire(&checkout_payment("VIRTUAL_ACCOUNT", extra)));
}

#[test]
fn checkout_prepare_mobile() {
    insta::assert_yaml_snapshot!(wire(&checkout_payment(
        "MOBILE",
        json!({ "mobile": { "carrier": "KT" } })
    )));
}

#[test]
fn checkout_prepare_billing_key_window() {
    let req = request(
        Operation::CheckoutPrepare,
        json!({
            "returnUrl": "https://gw.example.com/galaxia/return",
            "checkout": {
                "kind": "ISSUE_BILLING_KEY",
                "storeId": "store-1",
                "channelKey": "galaxia-test",
                "billingKeyMethod": "CARD",
                "issueId": "orderMonthly0001",
                "issueName": "빌링키 발급",
                "customer": { "customerId": "matthew" },
                "bypass": { "galaxia": { "ITEM_CODE": "ITEM01" } }
            }
        }),
    );
    insta::assert_yaml_snapshot!(wire(&req));
}

#[test]
fn checkout_prepare_billing_key_and_pay() {
    let req = request(
        Operation::CheckoutPrepare,
        json!({
            "returnUrl": "https://gw.example.com/galaxia/return",
            "checkout": {
                "kind": "ISSUE_BILLING_KEY_AND_PAY",
                "storeId": "store-1",
                "channelKey": "galaxia-test",
                "billingKeyAndPayMethod": "MOBILE",
                "paymentId": "orderNo0001",
                "orderName": "주문명:결제테스트",
                "totalAmount": 1000,
                "currency": "KRW",
                "customer": { "customerId": "matthew", "phoneNumber": "01012345678" },
                "redirectUrl": "https://shop.example.com/return",
                "mobile": { "carrier": "LGU" },
                "bypass": { "galaxia": { "ITEM_CODE": "ITEM01" } }
            }
        }),
    );
    insta::assert_yaml_snapshot!(wire(&req));
}

#[test]
fn checkout_complete_card() {
    let returned = window_return("win-card", "0900", "3000", 1004, &[("0031", "00")]);
    insta::assert_yaml_snapshot!(wire(&checkout_complete("win-card", returned, "CARD", 1004)));
}

/// `checkout.complete` sends exactly the bytes the window posted (`PayReturn.php` decrypts,
/// parses and re-encrypts; for a well-formed MESSAGE that is the identity).
#[test]
fn checkout_complete_sends_the_posted_message_unchanged() {
    let returned = window_return("win-card", "0900", "3000", 1004, &[("0031", "00")]);
    let posted = returned["MESSAGE"].expose().clone();
    let req = checkout_complete("win-card", returned, "CARD", 1004);
    let ch = channel("");
    let w = GalaxiaAdapter.encode(&ctx(&ch), &req).unwrap();
    assert_eq!(w.body, posted.as_bytes());
}

/// A virtual-account window's return is final: nothing is sent, and the local answer (the
/// verified return fields, read by `decode`) is what the wire view records.
#[test]
fn checkout_complete_virtual_account() {
    let returned = virtual_account_return("win-va", 45000);
    insta::assert_yaml_snapshot!(wire(&checkout_complete(
        "win-va",
        returned,
        "VIRTUAL_ACCOUNT",
        45000
    )));
}
