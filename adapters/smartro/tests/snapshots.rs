//! Wire snapshots: the declared capabilities, and for every operation the target, the masked
//! view (the decrypted `EncData` JSON, field by field in wire order) and the exact bytes.
//! Deterministic: a fixed clock, and AES-CBC with Smartro's zero IV has no randomness. After a
//! deliberate change, review with `cargo insta review`.

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireTarget};
use paymux_core::channel::ChannelContext;
use paymux_smartro::{SmartroAdapter, DESCRIPTOR};
use serde_json::{json, Value};

/// Validate and encode against Smartro's test host (or `ch`).
fn wire_on(ch: &ChannelContext, req: &PgRequest) -> Value {
    let ctx = ctx(ch);
    let encoded = paymux_core::execute::validate(&SmartroAdapter, &ctx, req)
        .and_then(|v| paymux_core::execute::encode(&SmartroAdapter, &ctx, &v));
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
        "bytes": String::from_utf8(w.body).expect("Smartro bodies are UTF-8 text"),
    })
}

fn wire(req: &PgRequest) -> Value {
    wire_on(&channel(""), req)
}

/// The plain billing key behind the encrypted one the snapshots use.
const PLAIN_KEY: &str = "SIMBK000000000000001";

const CARD_TID: &str = "pmxtest01m01012503011000000001";
const BILL_TID: &str = "pmxbill01m01012503011000000002";
const VA_TID: &str = "pmxtest01m03012503011000000003";

#[test]
fn descriptor() {
    insta::assert_yaml_snapshot!(&DESCRIPTOR);
}

#[test]
fn payment_instant_virtual_account() {
    insta::assert_yaml_snapshot!(wire(&va("order0001", 10000)));
}

#[test]
fn payment_instant_virtual_account_fixed() {
    insta::assert_yaml_snapshot!(wire(&virtual_account(
        "order0002",
        10000,
        json!({ "dueDate": "2025-03-05T23:59:59+09:00" }),
        json!({ "type": "FIXED", "fixed": { "accountNumber": "56211234567890" } }),
    )));
}

#[test]
fn payment_instant_card_is_refused() {
    insta::assert_yaml_snapshot!(wire(&instant_card("order0003")));
}

#[test]
fn billing_key_issue_card() {
    insta::assert_yaml_snapshot!(wire(&issue_billing_key("bk-portone-1", CARD_OK)));
}

#[test]
fn payment_billing_key_card() {
    insta::assert_yaml_snapshot!(wire(&charge("order0004", &pg_key(PLAIN_KEY), 9900)));
}

#[test]
fn payment_cancel_card_full() {
    insta::assert_yaml_snapshot!(wire(&cancel(
        "order0004",
        None,
        prior(BILL_TID, "CARD", 9900, 0, 0)
    )));
}

#[test]
fn payment_cancel_card_partial_second() {
    insta::assert_yaml_snapshot!(wire(&cancel(
        "order0005",
        Some(3000),
        prior(CARD_TID, "CARD", 10000, 1000, 1)
    )));
}

#[test]
fn payment_cancel_virtual_account_undeposited() {
    let mut p = prior(VA_TID, "VIRTUAL_ACCOUNT", 10000, 0, 0);
    p.as_object_mut().unwrap().remove("paidAt");
    insta::assert_yaml_snapshot!(wire(&cancel("order0001", None, p)));
}

#[test]
fn payment_cancel_virtual_account_refund() {
    let mut req = json!({
        "paymentId": "order0001",
        "reason": "고객 요청",
        "amount": 4000,
        "refundAccount": refund_account(),
        "prior": prior(VA_TID, "VIRTUAL_ACCOUNT", 10000, 0, 0)
    });
    req["amount"] = json!(4000);
    let req = request(paymux_core::adapter::Operation::PaymentCancel, req);
    insta::assert_yaml_snapshot!(wire(&req));
}

#[test]
fn payment_cancel_on_the_alternative_path() {
    let mut ch = channel("");
    ch.options.insert(
        "cancel_path".into(),
        "/payment/cancel/cancelApproval.do".into(),
    );
    insta::assert_yaml_snapshot!(wire_on(
        &ch,
        &cancel("order0005", None, prior(CARD_TID, "CARD", 10000, 0, 0))
    ));
}

#[test]
fn payment_get_by_tid() {
    insta::assert_yaml_snapshot!(wire(&inquiry(
        "order0005",
        prior(CARD_TID, "CARD", 10000, 0, 0)
    )));
}

#[test]
fn payment_get_of_a_lost_billing_charge() {
    insta::assert_yaml_snapshot!(wire(&inquiry(
        "order0006",
        json!({ "pgBillingKey": pg_key(PLAIN_KEY), "method": "CARD" })
    )));
}

#[test]
fn billing_key_delete() {
    insta::assert_yaml_snapshot!(wire(&delete_billing_key(
        "bk-portone-1",
        &pg_key(PLAIN_KEY)
    )));
}

#[test]
fn checkout_prepare_card() {
    insta::assert_yaml_snapshot!(wire(&checkout("order0007", "CARD", 1004)));
}

#[test]
fn checkout_prepare_transfer() {
    insta::assert_yaml_snapshot!(wire(&checkout("order0008", "TRANSFER", 1004)));
}

#[test]
fn checkout_prepare_virtual_account() {
    insta::assert_yaml_snapshot!(wire(&checkout("order0009", "VIRTUAL_ACCOUNT", 1004)));
}

#[test]
fn checkout_prepare_mobile() {
    insta::assert_yaml_snapshot!(wire(&checkout("order0010", "MOBILE", 1004)));
}

#[test]
fn checkout_complete_card() {
    insta::assert_yaml_snapshot!(wire(&complete(
        "order0007",
        CARD_TID,
        "a1B2c3D4e5F6g7H8i9J0k1L2",
        "CARD",
        1004
    )));
}

/// The first value of `field` anywhere in a wire view.
fn view_field(v: &Value, field: &str) -> Option<String> {
    match v {
        Value::Object(m) => m
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| m.values().find_map(|x| view_field(x, field))),
        Value::Array(a) => a.iter().find_map(|x| view_field(x, field)),
        _ => None,
    }
}

/// Smartro truncates the VAT of billing charges and cancels (taxable / 11, fraction dropped),
/// where paymux's default rounds half up: 1,000 has 90 VAT here, 91 elsewhere.
#[test]
fn vat_is_truncated_on_billing_charges_and_cancels() {
    assert_eq!(
        SmartroAdapter.vat_rounding(),
        paymux_core::money::VatRounding::Floor
    );
    let charge = wire(&charge("order0006", &pg_key(PLAIN_KEY), 1000));
    assert_eq!(view_field(&charge["view"], "VatAmt").as_deref(), Some("90"));
    assert_eq!(
        view_field(&charge["view"], "TaxAmt").as_deref(),
        Some("910")
    );
    let cancel = wire(&cancel(
        "order0006",
        Some(1000),
        prior(CARD_TID, "CARD", 5000, 0, 0),
    ));
    assert_eq!(
        view_field(&cancel["view"], "CancelVatAmt").as_deref(),
        Some("90")
    );
    // A VAT the request states is sent as stated.
    let stated = wire(&request(
        paymux_core::adapter::Operation::PaymentBillingKey,
        json!({
            "paymentId": "order0007",
            "billingKey": "bk-portone-1",
            "orderName": "월간 이용권 정기결제",
            "customer": customer(),
            "amount": { "total": 1000, "vat": 91 },
            "currency": "KRW",
            "prior": { "pgBillingKey": pg_key(PLAIN_KEY), "method": "CARD" }
        }),
    ));
    assert_eq!(view_field(&stated["view"], "VatAmt").as_deref(), Some("91"));
}
