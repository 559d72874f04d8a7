//! Galaxia's rules: each broken rule is a validation error naming the unified field path.

mod common;

use common::*;
use paymux_core::adapter::{Operation, PgAdapter, PgRequest};
use paymux_core::error::PgError;
use paymux_galaxia::{GalaxiaAdapter, DESCRIPTOR};
use serde_json::{json, Value};

/// The paths of the errors `req` gets (generic + Galaxia rules), or none.
fn paths(req: &PgRequest) -> Vec<String> {
    let ch = channel("");
    match paymux_core::execute::validate(&GalaxiaAdapter, &ctx(&ch), req) {
        Ok(_) => vec![],
        Err(PgError::Validation(v)) => v.0.iter().map(|e| e.path.to_string()).collect(),
        Err(other) => vec![format!("<{other}>")],
    }
}

fn instant_with(edit: impl FnOnce(&mut Value)) -> PgRequest {
    let mut v = json!({
        "paymentId": "order-rules",
        "channelKey": "galaxia-test",
        "method": card(CARD_OK),
        "orderName": "테스트상품",
        "customer": customer(),
        "amount": { "total": 1000 },
        "currency": "KRW",
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM01" } }
    });
    edit(&mut v);
    request(Operation::PaymentInstant, v)
}

#[test]
fn a_good_keyed_in_payment_passes() {
    assert_eq!(paths(&instant_with(|_| {})), Vec::<String>::new());
}

#[test]
fn customer_id_is_required_and_at_most_20_characters() {
    assert_eq!(
        paths(&instant_with(|v| v["customer"] = json!({}))),
        ["customer.id"]
    );
    let long = instant_with(|v| v["customer"]["id"] = json!("가".repeat(21)));
    assert_eq!(paths(&long), ["customer.id"]);
    let twenty_hangul = instant_with(|v| v["customer"]["id"] = json!("가".repeat(20)));
    assert_eq!(paths(&twenty_hangul), Vec::<String>::new());
}

#[test]
fn order_name_is_required() {
    let p = paths(&instant_with(|v| v["orderName"] = json!("  ")));
    assert!(p.contains(&"orderName".to_string()), "{p:?}");
}

#[test]
fn payment_id_fits_the_64_byte_order_id() {
    assert_eq!(
        paths(&instant_with(|v| v["paymentId"] = json!("x".repeat(64)))),
        Vec::<String>::new()
    );
    assert_eq!(
        paths(&instant_with(|v| v["paymentId"] = json!("x".repeat(65)))),
        ["paymentId"]
    );
}

#[test]
fn krw_only() {
    assert_eq!(
        paths(&instant_with(|v| v["currency"] = json!("USD"))),
        ["currency"]
    );
}

#[test]
fn escrow_only_for_transfer_and_virtual_account() {
    assert_eq!(
        paths(&instant_with(|v| v["isEscrow"] = json!(true))),
        ["isEscrow"]
    );
    assert_eq!(
        paths(&checkout_payment("CARD", json!({ "isEscrow": true }))),
        ["isEscrow"]
    );
    assert_eq!(
        paths(&checkout_payment("TRANSFER", json!({ "isEscrow": true }))),
        Vec::<String>::new()
    );
}

#[test]
fn item_code_from_bypass_or_channel_at_most_10_euc_kr_bytes() {
    // The sandbox channel has an item_code option, so a missing bypass is fine...
    assert_eq!(
        paths(&instant_with(|v| v["bypass"] = json!({}))),
        Vec::<String>::new()
    );
    // ...but without it the error names the bypass path.
    let mut ch = channel("");
    ch.options.clear();
    let req = instant_with(|v| v["bypass"] = json!({}));
    let e = paymux_core::execute::validate(&GalaxiaAdapter, &ctx(&ch), &req).unwrap_err();
    assert!(
        e.to_string()
            .contains("bypass.galaxia.ITEM_CODE: is required"),
        "{e}"
    );
    // 6 Hangul syllables are 12 bytes in EUC-KR.
    let long = instant_with(|v| v["bypass"]["galaxia"]["ITEM_CODE"] = json!("상품코드여섯"));
    assert_eq!(paths(&long), ["bypass.galaxia.ITEM_CODE"]);
    let limit = DESCRIPTOR
        .capabilities
        .field_limits
        .iter()
        .find(|l| l.path == "bypass.galaxia.ITEM_CODE")
        .unwrap();
    assert_eq!(limit.max, 10);
}

#[test]
fn text_must_be_strict_euc_kr() {
    // 똠 is CP949-only: not in KS X 1001.
    let p = paths(&instant_with(|v| {
        v["customer"]["name"] = json!({ "full": "김똠" })
    }));
    assert_eq!(p, ["customer.name"]);
    let p = paths(&instant_with(|v| v["orderName"] = json!("뷁 상품")));
    assert_eq!(p, ["orderName"]);
}

#[test]
fn buyer_name_is_required_for_transfer() {
    let req = checkout_payment(
        "TRANSFER",
        json!({ "customer": { "customerId": "user_01" } }),
    );
    assert_eq!(paths(&req), ["customer.fullName"]);
}

#[test]
fn redirect_url_is_required_on_mobile() {
    let mut req = checkout_payment("MOBILE", json!({}));
    if let PgRequest::CheckoutPrepare(c) = &mut req {
        if let paymux_core::adapter::CheckoutRequest::Payment(p) = &mut c.checkout {
            p.redirect_url = None;
        }
    }
    assert_eq!(paths(&req), ["redirectUrl"]);
}

#[test]
fn virtual_account_due_date_is_required_in_two_formats() {
    let va = |due: Value| json!({ "virtualAccount": { "accountExpiry": due } });
    assert_eq!(
        paths(&checkout_payment("VIRTUAL_ACCOUNT", json!({}))),
        ["virtualAccount.accountExpiry.dueDate"]
    );
    for ok in ["2025-03-20", "20250320"] {
        let req = checkout_payment("VIRTUAL_ACCOUNT", va(json!({ "dueDate": ok })));
        assert_eq!(paths(&req), Vec::<String>::new(), "{ok}");
    }
    let odd = checkout_payment(
        "VIRTUAL_ACCOUNT",
        va(json!({ "dueDate": "2025-03-20 23:59:59" })),
    );
    assert_eq!(paths(&odd), ["virtualAccount.accountExpiry.dueDate"]);
    // More than 30 days away does not fit the window's QUOTA (checked at encode time).
    let far = checkout_payment("VIRTUAL_ACCOUNT", va(json!({ "dueDate": "2025-05-01" })));
    let ch = channel("");
    let e = GalaxiaAdapter.encode(&ctx(&ch), &far).unwrap_err();
    assert!(
        e.to_string()
            .contains("virtualAccount.accountExpiry.dueDate: must be 1 to 30 days"),
        "{e}"
    );
}

#[test]
fn windows_are_krw_only_too() {
    let mut req = checkout_payment("CARD", json!({}));
    if let PgRequest::CheckoutPrepare(c) = &mut req {
        if let paymux_core::adapter::CheckoutRequest::Payment(p) = &mut c.checkout {
            p.currency = serde_json::from_value(json!("USD")).unwrap();
        }
    }
    assert_eq!(paths(&req), ["currency"]);
    let ch = channel("");
    let e = paymux_core::execute::validate(&GalaxiaAdapter, &ctx(&ch), &req).unwrap_err();
    assert!(e.to_string().contains("accepts only KRW"), "{e}");
}

#[test]
fn billing_key_window_is_card_only() {
    let req = request(
        Operation::CheckoutPrepare,
        json!({ "returnUrl": "https://gw.example.com/r", "checkout": {
            "kind": "ISSUE_BILLING_KEY", "storeId": "s", "channelKey": "galaxia-test",
            "billingKeyMethod": "MOBILE", "issueId": "bk-1", "issueName": "빌링키",
            "customer": { "customerId": "user_01" } } }),
    );
    assert_eq!(paths(&req), ["billingKeyMethod"]);
}

#[test]
fn unsupported_method_and_operation_are_refused_by_capability() {
    let req = checkout_payment("EASY_PAY", json!({}));
    let ch = channel("");
    let e = paymux_core::execute::validate(&GalaxiaAdapter, &ctx(&ch), &req).unwrap_err();
    assert!(matches!(e, PgError::Unsupported { .. }), "{e:?}");
}

#[test]
fn cancels_need_the_original_order_date_and_tid() {
    let req = cancel("order-1", Some(100), json!({ "amount": { "total": 1000 } }));
    assert_eq!(paths(&req), ["prior.pgTxId", "prior.orderDate"]);
    let req = cancel(
        "order-1",
        Some(100),
        json!({ "pgTxId": "T1", "orderDate": "20250301101500" }),
    );
    assert_eq!(paths(&req), ["prior.amount"]);
    let va = cancel(
        "order-1",
        Some(100),
        prior("T1", "VIRTUAL_ACCOUNT", 1000, 0, "20250301101500"),
    );
    // Virtual accounts are window-only and their cancel is not declared.
    let ch = channel("");
    let e = paymux_core::execute::validate(&GalaxiaAdapter, &ctx(&ch), &va).unwrap_err();
    assert!(matches!(e, PgError::Unsupported { .. }), "{e:?}");
}

#[test]
fn checkout_complete_refuses_a_failed_window_and_a_foreign_message() {
    let mut returned = window_return("win-card", "0900", "3000", 1004, &[]);
    returned.insert(
        "RESPONSE_CODE".into(),
        paymux_core::Secret::new("1234".into()),
    );
    // The window's own failure is typed, so a gateway can end the session as FAILED.
    let ch = channel("");
    let failed = checkout_complete("win-card", returned, "CARD", 1004);
    match paymux_core::execute::validate(&GalaxiaAdapter, &ctx(&ch), &failed) {
        Err(PgError::WindowFailed { pg_code, .. }) => assert_eq!(pg_code, "1234"),
        other => panic!("expected WindowFailed, got {other:?}"),
    }
    let other = window_return("win-other", "0900", "3000", 1004, &[]);
    assert_eq!(
        paths(&checkout_complete("win-card", other, "CARD", 1004)),
        ["returned.ORDER_ID"]
    );
    let mut garbled = window_return("win-card", "0900", "3000", 1004, &[]);
    garbled.insert(
        "MESSAGE".into(),
        paymux_core::Secret::new("0010abcdefghij".into()),
    );
    assert_eq!(
        paths(&checkout_complete("win-card", garbled, "CARD", 1004)),
        ["returned.MESSAGE"]
    );
}

#[test]
fn a_window_virtual_account_is_read_from_the_return() {
    let returned: Returned = [
        ("SERVICE_CODE", "1800"),
        ("RESPONSE_CODE", "0000"),
        ("TRANSACTION_ID", "T1800"),
        ("ACCOUNT_NUMBER", "56211234567890"),
        ("BANK_CODE", "0004"),
        ("EXPIRE_DATE", "20250321"),
        ("EXPIRE_TIME", "235959"),
        ("AMOUNT", "1004"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), paymux_core::Secret::new(v.to_string())))
    .collect();
    let va = paymux_galaxia::checkout::virtual_account_from_return(&returned).unwrap();
    assert_eq!(va.account_number, "56211234567890");
    // BANK_CODE 0004 (KFTC, zero-padded) is PortOne's KOOKMIN.
    assert_eq!(va.bank.as_deref(), Some("KOOKMIN"));
    assert_eq!(va.amount.map(|m| m.get()), Some(1004));
    assert_eq!(
        va.expires_at.unwrap().to_rfc3339(),
        "2025-03-21T23:59:59+09:00"
    );
}

type Returned = std::collections::BTreeMap<String, paymux_core::Secret<String>>;

#[test]
fn a_virtual_account_return_is_final_and_verified() {
    use paymux_core::outcome::Outcome;
    let ch = channel("");
    let ok = checkout_complete(
        "win-va",
        virtual_account_return("win-va", 45000),
        "VIRTUAL_ACCOUNT",
        45000,
    );
    assert_eq!(paths(&ok), Vec::<String>::new());
    let wire = GalaxiaAdapter.encode(&ctx(&ch), &ok).unwrap();
    assert!(wire.is_local(), "{wire:?}");
    let answer = wire.local_answer().unwrap();
    let Outcome::VirtualAccountIssued(va) = GalaxiaAdapter
        .decode(&ctx(&ch), &ok, &wire, &answer)
        .unwrap()
    else {
        panic!("not issued")
    };
    assert_eq!(va.account_number, "56210000000001");
    assert_eq!(va.bank.as_deref(), Some("SHINHAN"));
    assert_eq!(va.pg_tx_id.as_deref(), Some("T18000000000001"));
    assert_eq!(va.amount.map(|m| m.get()), Some(45000));
    assert_eq!(
        va.expires_at.unwrap().to_rfc3339(),
        "2025-03-21T23:59:59+09:00"
    );

    let tampered = |edit: &dyn Fn(&mut Returned)| {
        let mut r = virtual_account_return("win-va", 45000);
        edit(&mut r);
        paths(&checkout_complete("win-va", r, "VIRTUAL_ACCOUNT", 45000))
    };
    let set = |k: &'static str, v: &'static str| {
        move |r: &mut Returned| {
            r.insert(k.into(), paymux_core::Secret::new(v.into()));
        }
    };
    assert_eq!(
        tampered(&set("ORDER_ID", "win-other")),
        ["returned.ORDER_ID"]
    );
    assert_eq!(
        tampered(&set("SERVICE_ID", "M0000000")),
        ["returned.SERVICE_ID"]
    );
    // Another amount: HASH_DATA (made for 45000) no longer matches ...
    assert_eq!(
        paths(&checkout_complete(
            "win-va",
            virtual_account_return("win-va", 45000),
            "VIRTUAL_ACCOUNT",
            100
        )),
        ["returned.HASH_DATA"]
    );
    // ... and an AMOUNT that is not the prepared one is refused even with a matching hash.
    assert_eq!(tampered(&set("AMOUNT", "100")), ["returned.AMOUNT"]);
    // Without MESSAGE, HASH_DATA is required.
    assert_eq!(
        tampered(&|r| {
            r.remove("HASH_DATA");
        }),
        ["returned.HASH_DATA"]
    );
    assert_eq!(
        tampered(&|r| {
            r.remove("ACCOUNT_NUMBER");
        }),
        ["returned.ACCOUNT_NUMBER"]
    );
    assert_eq!(tampered(&set("MIX_TYPE", "9999")), ["returned.MIX_TYPE"]);
    // A window that failed is typed as before.
    let mut failed = virtual_account_return("win-va", 45000);
    failed.insert(
        "RESPONSE_CODE".into(),
        paymux_core::Secret::new("W001".into()),
    );
    let req = checkout_complete("win-va", failed, "VIRTUAL_ACCOUNT", 45000);
    assert!(matches!(
        paymux_core::execute::validate(&GalaxiaAdapter, &ctx(&ch), &req),
        Err(PgError::WindowFailed { .. })
    ));
}
