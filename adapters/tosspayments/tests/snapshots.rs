//! Wire snapshots: the declared capabilities, and for every operation the target (method, URL,
//! headers as views show them: `Authorization` masked), the masked view and the exact bytes.
//! Deterministic: a fixed clock; Toss's JSON has no randomness. After a deliberate change,
//! review with `cargo insta review` and hold each snapshot next to the reference page it cites.

mod common;

use std::collections::BTreeMap;

use common::*;
use paymux_core::adapter::{PgRequest, WireTarget};
use paymux_tosspayments::{TossAdapter, DESCRIPTOR};
use serde_json::{json, Value};

/// Validate and encode against Toss's host.
fn wire(req: &PgRequest) -> Value {
    let ch = channel("");
    let ctx = ctx(&ch);
    let encoded = paymux_core::execute::validate(&TossAdapter, &ctx, req)
        .and_then(|v| paymux_core::execute::encode(&TossAdapter, &ctx, &v));
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
            // Toss puts the billing key in the charge's path; the URL a target carries is exact
            // (core shows it as is), so the snapshot names the key's place instead.
            "http": format!("{method} {}", url.replace("bk_never_in_a_snapshot", "{billingKey}")),
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
    let bytes = String::from_utf8(w.body).expect("Toss bodies are UTF-8");
    // The exact bytes carry card data in the clear: snapshots keep them with the secrets
    // replaced by markers of the same role, so the layout is pinned and nothing leaks.
    let bytes = [
        (CARD_OK, "{cardNumber}"),
        (BIRTH, "{customerIdentityNumber}"),
        (RECEIPT_ID, "{registrationNumber}"),
        (REFUND_ACCOUNT, "{accountNumber}"),
        (&format!("\"{PASSWORD}\""), "\"{cardPassword}\""),
    ]
    .iter()
    .fold(bytes, |b, (secret, marker)| b.replace(*secret, marker));
    json!({
        "operation": req.operation().as_str(),
        "target": target,
        "view": w.view,
        "bytes": bytes,
    })
}

const STORED_KEY: &str = "user_01|bk_never_in_a_snapshot";
const KEY: &str = "tviva20250301101500AbCd1";

#[test]
fn descriptor() {
    insta::assert_yaml_snapshot!(&DESCRIPTOR);
}

#[test]
fn payment_instant_card() {
    insta::assert_yaml_snapshot!(wire(&instant_card("order-0001", CARD_OK, 15000)));
}

#[test]
fn payment_instant_virtual_account() {
    insta::assert_yaml_snapshot!(wire(&virtual_account(
        "order-0002",
        10000,
        json!({ "dueDate": "2025-03-04T23:59:59+09:00" })
    )));
}

#[test]
fn billing_key_issue_card() {
    insta::assert_yaml_snapshot!(wire(&issue_billing_key("bk-portone-1", CARD_OK)));
}

#[test]
fn payment_billing_key_card() {
    insta::assert_yaml_snapshot!(wire(&charge("order-0003", STORED_KEY, 9900)));
}

#[test]
fn payment_cancel_card_full() {
    insta::assert_yaml_snapshot!(wire(&cancel(
        "order-0001",
        None,
        prior(KEY, "CARD", 15000, 0, 0)
    )));
}

#[test]
fn payment_cancel_card_partial_second() {
    insta::assert_yaml_snapshot!(wire(&cancel(
        "order-0001",
        Some(3000),
        prior(KEY, "CARD", 15000, 1000, 1)
    )));
}

#[test]
fn virtual_account_close() {
    let mut p = prior(KEY, "VIRTUAL_ACCOUNT", 10000, 0, 0);
    p.as_object_mut().unwrap().remove("paidAt");
    insta::assert_yaml_snapshot!(wire(&close_virtual_account("order-0002", p)));
}

#[test]
fn virtual_account_close_needs_the_payment_key() {
    insta::assert_yaml_snapshot!(wire(&close_virtual_account("order-0002", json!({}))));
}

#[test]
fn payment_cancel_virtual_account_undeposited() {
    let mut p = prior(KEY, "VIRTUAL_ACCOUNT", 10000, 0, 0);
    p.as_object_mut().unwrap().remove("paidAt");
    insta::assert_yaml_snapshot!(wire(&cancel("order-0002", None, p)));
}

#[test]
fn payment_cancel_virtual_account_refund() {
    let req = json!({
        "paymentId": "order-0002",
        "reason": "환불 요청",
        "refundAccount": { "bank": "SHINHAN", "number": REFUND_ACCOUNT, "holderName": "박토스" },
        "prior": prior(KEY, "VIRTUAL_ACCOUNT", 10000, 0, 0),
    });
    insta::assert_yaml_snapshot!(wire(&request(
        paymux_core::adapter::Operation::PaymentCancel,
        req
    )));
}

#[test]
fn payment_get_by_payment_key() {
    insta::assert_yaml_snapshot!(wire(&get("order-0001", Some(KEY))));
}

#[test]
fn payment_get_by_order_id() {
    insta::assert_yaml_snapshot!(wire(&get("order-0001", None)));
}

#[test]
fn checkout_prepare_card() {
    insta::assert_yaml_snapshot!(wire(&checkout("order-0004", 15000)));
}

fn returned(amount: &str) -> BTreeMap<String, String> {
    [
        ("paymentKey", KEY),
        ("orderId", "order-0004"),
        ("amount", amount),
        ("paymentType", "NORMAL"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[test]
fn checkout_complete_card() {
    insta::assert_yaml_snapshot!(wire(&complete("order-0004", &returned("15000"), 15000)));
}

#[test]
fn checkout_complete_refuses_another_amount() {
    insta::assert_yaml_snapshot!(wire(&complete("order-0004", &returned("100"), 15000)));
}

#[test]
fn billing_key_delete_is_local_only() {
    insta::assert_yaml_snapshot!(wire(&request(
        paymux_core::adapter::Operation::BillingKeyDelete,
        json!({ "billingKey": "bk-portone-1", "prior": { "pgBillingKey": STORED_KEY } })
    )));
}

mod cash_receipts {
    use super::*;
    use paymux_core::adapter::{
        CancelCashReceiptCall, CashReceiptRequest, CashReceiptType, GetCashReceiptCall,
        IssueCashReceiptCall, PriorCashReceipt,
    };
    use paymux_core::money::{Currency, Money, PaymentAmountInput};
    use paymux_core::secret::Secret;
    use paymux_core::validation::FieldPath;

    /// A test phone number; the snapshots show `{customerIdentityNumber}` in its place.
    const IDENTITY: &str = "01000001234";

    fn issue() -> CashReceiptRequest {
        let amount = PaymentAmountInput {
            total: Money::new(15_000).unwrap(),
            tax_free: Some(Money::new(4_000).unwrap()),
            vat: None,
        }
        .resolve(&FieldPath::root("amount"))
        .unwrap();
        CashReceiptRequest::Issue(IssueCashReceiptCall {
            payment_id: "cash-0001".into(),
            order_name: "생수 외 1건".into(),
            receipt_type: CashReceiptType::Personal,
            currency: Currency::krw(),
            amount,
            identity_number: Secret::new(IDENTITY.into()),
            customer_name: Some("홍길동".into()),
            customer_email: None,
            customer_phone: None,
            paid_at: None,
        })
    }

    fn prior() -> PriorCashReceipt {
        PriorCashReceipt {
            pg_receipt_id: Some("tcr2025030110150000000001".into()),
            amount: None,
            requested_at: Some(now()),
        }
    }

    fn wire_receipt(req: &CashReceiptRequest) -> Value {
        let ch = channel("");
        let ctx = ctx(&ch);
        let w =
            paymux_core::execute::prepare_cash_receipt(&TossAdapter, &ctx, req).expect("encodes");
        let WireTarget::Http {
            method,
            url,
            headers,
            ..
        } = &w.target
        else {
            panic!("Toss calls are HTTP");
        };
        let bytes = String::from_utf8(w.body.clone()).unwrap();
        assert!(!w.view.to_string().contains(IDENTITY), "the view masks it");
        json!({
            "operation": req.operation().as_str(),
            "http": format!("{method} {url}"),
            "headers": headers.iter().map(|h| format!("{}: {}", h.name, h.view_value())).collect::<Vec<_>>(),
            "view": w.view,
            "bytes": bytes.replace(IDENTITY, "{customerIdentityNumber}"),
        })
    }

    #[test]
    fn cash_receipt_issue() {
        let v = wire_receipt(&issue());
        insta::assert_yaml_snapshot!(v);
    }

    #[test]
    fn cash_receipt_cancel() {
        insta::assert_yaml_snapshot!(wire_receipt(&CashReceiptRequest::Cancel(
            CancelCashReceiptCall {
                payment_id: "cash-0001".into(),
                reason: "고객 요청".into(),
                prior: prior(),
            }
        )));
    }

    #[test]
    fn cash_receipt_get() {
        insta::assert_yaml_snapshot!(wire_receipt(&CashReceiptRequest::Get(GetCashReceiptCall {
            payment_id: "cash-0001".into(),
            prior: prior(),
        })));
    }
}
