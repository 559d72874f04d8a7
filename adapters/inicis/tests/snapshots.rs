//! Wire snapshots: the declared capabilities, and for every operation the target, the masked
//! view (the vendor's field names, card data and keys masked) and the bytes. Deterministic: a
//! fixed clock, and AES-CBC with a fixed key and IV has no randomness.
//!
//! The bytes are exact except for secrets sent in the clear (the `billKey` of a billing
//! charge, the window's `authToken`), which are replaced by a marker; `bytesSha256` pins the
//! exact bytes all the same. After a deliberate change, review with `cargo insta review` (or
//! `INSTA_UPDATE=always` and read the diff).

#![cfg(feature = "simulator")]

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireTarget};
use paymux_core::wire::codec::hex_lower;
use paymux_core::wire::crypto::sha256;
use paymux_inicis::{InicisAdapter, DESCRIPTOR};
use serde_json::{json, Value};

const CARD_TID: &str = "StdpayCARDINIpayTest20250301101500000001";
const BILL_TID: &str = "INIAPICARDINIBillTst20250301101500000002";
const VA_TID: &str = "StdpayVBNKINIpayTest20250301101500000003";
const BILL_KEY: &str = "INIBillTstBK20250301101500000004";
const AUTH_TOKEN: &str = "SIMAUTH0000000500000000snapshot";

fn redact(bytes: &str) -> String {
    let mut out = bytes.to_string();
    for secret in [BILL_KEY, AUTH_TOKEN] {
        out = out.replace(secret, "<secret>");
    }
    out
}

/// Validate (unless `validate` is false) and encode.
fn wire_with(req: &PgRequest, validate: bool) -> Value {
    let ch = channel("");
    let ctx = ctx(&ch);
    let encoded = if validate {
        paymux_core::execute::prepare(&InicisAdapter, &ctx, req)
    } else {
        InicisAdapter.encode(&ctx, req)
    };
    let w = match encoded {
        Ok(w) => w,
        Err(e) => return json!({ "operation": req.operation().as_str(), "error": e.to_string() }),
    };
    let target = match &w.target {
        WireTarget::Http {
            method,
            url,
            headers,
            ..
        } => json!({
            "http": format!("{method} {url}"),
            "headers": headers.iter().map(|h| format!("{}: {}", h.name, h.view_value())).collect::<Vec<_>>(),
        }),
        WireTarget::Browser {
            url,
            accept_charset,
            ..
        } => json!({ "browser": url, "acceptCharset": accept_charset }),
        WireTarget::Tcp { host, port, .. } => json!({ "tcp": format!("{host}:{port}") }),
        WireTarget::Local { answered_by } => json!({ "local": answered_by }),
    };
    json!({
        "operation": req.operation().as_str(),
        "target": target,
        "view": w.view,
        "bytes": redact(&String::from_utf8(w.body.clone()).expect("Inicis bodies are UTF-8 text")),
        "bytesSha256": hex_lower(&sha256(&w.body)),
    })
}

fn wire(req: &PgRequest) -> Value {
    wire_with(req, true)
}

#[test]
fn descriptor() {
    insta::assert_yaml_snapshot!(&DESCRIPTOR);
}

#[test]
fn payment_instant_card() {
    insta::assert_json_snapshot!(wire(&instant("order-0001", CARD_OK, 1004)));
}

#[test]
fn billing_key_issue_card() {
    insta::assert_json_snapshot!(wire(&issue_billing_key("bk-portone-1", CARD_OK)));
}

#[test]
fn payment_billing_key_card() {
    insta::assert_json_snapshot!(wire(&charge("order-0002", BILL_KEY, 9900)));
}

#[test]
fn payment_cancel_card_full() {
    insta::assert_json_snapshot!(wire(&cancel(
        "order-0001",
        None,
        prior(CARD_TID, "CARD", 1004, 0, 0)
    )));
}

#[test]
fn payment_cancel_card_partial() {
    insta::assert_json_snapshot!(wire(&cancel(
        "order-0001",
        Some(300),
        prior(CARD_TID, "CARD", 1004, 0, 0)
    )));
}

#[test]
fn payment_cancel_billing_charge_under_the_billing_mid() {
    insta::assert_json_snapshot!(wire(&cancel(
        "order-0002",
        None,
        prior(BILL_TID, "CARD", 9900, 0, 0)
    )));
}

#[test]
fn payment_cancel_virtual_account_refund_full() {
    insta::assert_json_snapshot!(wire_with(
        &vacct_refund("order-0003", None, VA_TID, 5000),
        false
    ));
}

#[test]
fn payment_cancel_virtual_account_refund_partial() {
    insta::assert_json_snapshot!(wire(&vacct_refund("order-0003", Some(2000), VA_TID, 5000)));
}

#[test]
fn payment_get_by_tid() {
    insta::assert_json_snapshot!(wire(&inquiry(
        "order-0001",
        prior(CARD_TID, "CARD", 1004, 0, 0)
    )));
}

#[test]
fn payment_get_without_a_tid() {
    insta::assert_json_snapshot!(wire(&inquiry("order-0001", json!({}))));
}

#[test]
fn checkout_prepare_card() {
    insta::assert_json_snapshot!(wire(&checkout("order-0005", 12500)));
}

#[test]
fn checkout_prepare_virtual_account() {
    insta::assert_json_snapshot!(wire(&checkout_va("order-0006", 5000)));
}

#[test]
fn payment_cancel_virtual_account_undeposited() {
    insta::assert_json_snapshot!(wire(&cancel(
        "order-0006",
        None,
        json!({ "pgTxId": VA_TID, "amount": { "total": 5000, "cancelled": 0 }, "method": "VIRTUAL_ACCOUNT" })
    )));
}

#[test]
fn checkout_complete_card() {
    let returned = json!({
        "resultCode": "0000", "resultMsg": "인증 성공", "mid": "INIpayTest",
        "orderNumber": "order-0005", "authToken": AUTH_TOKEN, "idc_name": "stg",
        "authUrl": "https://stgstdpay.inicis.com/api/payAuth",
        "netCancelUrl": "https://stgstdpay.inicis.com/api/netCancel", "charset": "UTF-8"
    });
    insta::assert_json_snapshot!(wire(&complete("order-0005", returned, 12500)));
}
