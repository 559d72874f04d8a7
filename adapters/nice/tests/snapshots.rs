//! Wire snapshots: the declared capabilities, and for every operation the target (headers
//! masked), the masked view and the exact bytes. Deterministic: a fixed clock and nonce, and
//! NICE's ciphers (AES-ECB; AES-CBC with a key-derived IV) have no randomness. After a
//! deliberate change, review with `cargo insta review`.

// The simulator (its sandbox channel) is part of the default `simulator` feature.
#![cfg(feature = "simulator")]

mod common;

use common::*;
use paymux_core::adapter::{PgRequest, WireTarget};
use paymux_core::channel::ChannelContext;
use paymux_nice::channel::{seal_bid, NiceChannel};
use paymux_nice::{NiceAdapter, DESCRIPTOR};
use serde_json::{json, Value};

/// Validate and encode on `ch`.
fn wire_on(ch: &ChannelContext, req: &PgRequest) -> Value {
    let ctx = ctx(ch);
    let encoded = paymux_core::execute::validate(&NiceAdapter, &ctx, req)
        .and_then(|v| paymux_core::execute::encode(&NiceAdapter, &ctx, &v));
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
        "bytes": String::from_utf8(w.body).expect("NICE bodies are UTF-8 text"),
    })
}

fn wire(req: &PgRequest) -> Value {
    wire_on(&channel("", None), req)
}

/// The manual's example bid, sealed as paymux stores it.
fn stored_key() -> String {
    let ch = NiceChannel::from_context(&channel("", None)).unwrap();
    seal_bid(&ch, "BIKYnictest00m1104191651325596")
        .unwrap()
        .expose()
        .clone()
}

/// A test card (the literal stays out of the snapshots' headers).
const TEST_CARD: &str = "4111111111111111";

const TID: &str = "nictest00m01012503011015000001";

#[test]
fn descriptor() {
    insta::assert_yaml_snapshot!(&DESCRIPTOR);
}

#[test]
fn billing_key_issue_default_cipher() {
    insta::assert_yaml_snapshot!(wire(&issue_key("bk-0001", TEST_CARD)));
}

#[test]
fn billing_key_issue_a2_cipher() {
    insta::assert_yaml_snapshot!(wire_on(
        &channel("", Some("A2")),
        &issue_key("bk-0001", TEST_CARD)
    ));
}

#[test]
fn payment_billing_key_card() {
    insta::assert_yaml_snapshot!(wire(&pay_with_key("order-0001", &stored_key(), 9900)));
}

#[test]
fn billing_key_delete() {
    insta::assert_yaml_snapshot!(wire(&delete_key(&stored_key())));
}

#[test]
fn payment_cancel_card_full() {
    insta::assert_yaml_snapshot!(wire(&cancel("order-0001", TID, 9900, 0, 0, None)));
}

#[test]
fn payment_cancel_card_partial() {
    insta::assert_yaml_snapshot!(wire(&cancel("order-0001", TID, 9900, 0, 0, Some(1000))));
}

#[test]
fn payment_cancel_virtual_account_refund() {
    let r = req(
        paymux_core::adapter::Operation::PaymentCancel,
        json!({
            "paymentId": "order-0003",
            "reason": "환불",
            "refundAccount": { "bank": "SHINHAN", "number": "110-123-456789", "holderName": "홍길동" },
            "prior": { "pgTxId": "nictest00m03012503011015000003", "method": "VIRTUAL_ACCOUNT",
                       "paidAt": "2025-03-01T12:00:00+09:00", "amount": { "total": 30000 } }
        }),
    );
    insta::assert_yaml_snapshot!(wire(&r));
}

#[test]
fn virtual_account_close() {
    insta::assert_yaml_snapshot!(wire(&req(
        paymux_core::adapter::Operation::VirtualAccountClose,
        json!({
            "paymentId": "order-0006",
            "prior": { "pgTxId": "nictest00m03012503011015000003", "method": "VIRTUAL_ACCOUNT" }
        })
    )));
}

#[test]
fn virtual_account_close_needs_the_tid() {
    insta::assert_yaml_snapshot!(wire(&req(
        paymux_core::adapter::Operation::VirtualAccountClose,
        json!({ "paymentId": "order-0006", "prior": {} })
    )));
}

#[test]
fn payment_get_by_tid() {
    insta::assert_yaml_snapshot!(wire(&get("order-0001", Some(TID))));
}

#[test]
fn payment_get_by_order_id() {
    insta::assert_yaml_snapshot!(wire(&get("order-0001", None)));
}

#[test]
fn checkout_prepare_card() {
    insta::assert_yaml_snapshot!(wire(&checkout("order-0004", "CARD", 12500)));
}

#[test]
fn checkout_prepare_transfer() {
    insta::assert_yaml_snapshot!(wire(&checkout("order-0005", "TRANSFER", 12500)));
}

#[test]
fn checkout_prepare_virtual_account() {
    insta::assert_yaml_snapshot!(wire(&checkout("order-0006", "VIRTUAL_ACCOUNT", 12500)));
}

#[test]
fn checkout_complete_card() {
    // The README's auth return, signed with the sandbox secret key.
    let returned = json!({
        "authResultCode": "0000",
        "authResultMsg": "인증 성공",
        "tid": "UT0000113m01012111051714341073",
        "clientId": CLIENT_KEY,
        "orderId": "c74a5960-830b-4cd8-82a9-fa1ce739a18f",
        "amount": "1004",
        "mallReserved": "",
        "authToken": "NICEUNTTB06096FF8F653AA366E7EEED1101AAAE",
        "signature": "99ea68bf15681741e793ece56ab87891b9bdc94cd54abdcb55b2884f4336155a"
    });
    insta::assert_yaml_snapshot!(wire(&complete(
        "c74a5960-830b-4cd8-82a9-fa1ce739a18f",
        &returned,
        1004,
        "CARD"
    )));
}

#[test]
fn payment_instant_card_is_refused() {
    insta::assert_yaml_snapshot!(wire(&instant_card("order-0007")));
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

    /// A test phone number; the snapshots show `{receiptNo}` in its place.
    const IDENTITY: &str = "01000001234";
    const RECEIPT_TID: &str = "nictest00m04012503011015000001";

    fn issue(kind: CashReceiptType, identity: &str) -> CashReceiptRequest {
        let amount = PaymentAmountInput {
            total: Money::new(15_000).unwrap(),
            tax_free: Some(Money::new(4_000).unwrap()),
            vat: None,
        }
        .resolve(&FieldPath::root("amount"))
        .unwrap();
        CashReceiptRequest::Issue(IssueCashReceiptCall {
            payment_id: "cash-0001".into(),
            order_name: "나이스상품".into(),
            receipt_type: kind,
            currency: Currency::krw(),
            amount,
            identity_number: Secret::new(identity.into()),
            customer_name: Some("홍길동".into()),
            customer_email: Some("hong@example.com".into()),
            customer_phone: None,
            paid_at: None,
        })
    }

    fn prior() -> PriorCashReceipt {
        PriorCashReceipt {
            pg_receipt_id: Some(RECEIPT_TID.into()),
            amount: None,
            requested_at: None,
        }
    }

    fn wire_receipt(req: &CashReceiptRequest) -> Value {
        let ch = channel("", None);
        let ctx = ctx(&ch);
        let w = match paymux_core::execute::prepare_cash_receipt(&NiceAdapter, &ctx, req) {
            Ok(w) => w,
            Err(e) => {
                return json!({ "operation": req.operation().as_str(), "error": e.to_string() })
            }
        };
        let WireTarget::Http {
            method,
            url,
            headers,
            ..
        } = &w.target
        else {
            panic!("NICE calls are HTTP");
        };
        let bytes = String::from_utf8(w.body.clone()).unwrap();
        assert!(!w.view.to_string().contains(IDENTITY), "the view masks it");
        json!({
            "operation": req.operation().as_str(),
            "http": format!("{method} {url}"),
            "headers": headers.iter().map(|h| format!("{}: {}", h.name, h.view_value())).collect::<Vec<_>>(),
            "view": w.view,
            "bytes": bytes.replace(IDENTITY, "{receiptNo}"),
        })
    }

    #[test]
    fn cash_receipt_issue_personal() {
        insta::assert_yaml_snapshot!(wire_receipt(&issue(CashReceiptType::Personal, IDENTITY)));
    }

    #[test]
    fn cash_receipt_issue_corporate_needs_a_business_number() {
        // A phone number is not a business registration number: refused, naming the field.
        insta::assert_yaml_snapshot!(wire_receipt(&issue(CashReceiptType::Corporate, IDENTITY)));
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
