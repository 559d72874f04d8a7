//! Card numbers, passwords, birth dates, account numbers, billing keys and the merchant key
//! never appear in Debug output, errors, views or the committed snapshots (transcript
//! scrubbing, as ActiveMerchant tests it).

mod common;

use common::*;
use paymux_core::adapter::{Operation, PgAdapter, WireResponse};
use paymux_core::secret::Secret;
use paymux_smartro::frame::Answer;
use paymux_smartro::simulator::TEST_MERCHANT_KEY;
use paymux_smartro::SmartroAdapter;
use serde_json::json;

const PLAIN_KEY: &str = "SIMBK000000000000001";

fn secrets() -> Vec<String> {
    vec![
        CARD_OK.into(),
        CARD_DECLINED.into(),
        CARD_LATE.into(),
        CARD_DROP.into(),
        BIRTH.into(),
        REFUND_ACCOUNT.into(),
        RECEIPT_ID.into(),
        PLAIN_KEY.into(),
        TEST_MERCHANT_KEY.into(),
        // The AES key alone.
        TEST_MERCHANT_KEY[..32].into(),
        format!("\"{PASSWORD}\""),
    ]
}

fn assert_scrubbed(what: &str, text: &str) {
    for s in secrets() {
        assert!(!text.contains(&s), "{what} shows a secret: {text}");
    }
}

#[test]
fn committed_snapshots_hold_no_secret() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_scrubbed(&path.display().to_string(), &text);
        // Masked fields are always starred in views.
        for field in [
            "CardPwd",
            "BuyerAuthNum",
            "ReceiptIdentity",
            "RefundAcctNo",
            "TrAuthKey",
        ] {
            if let Some(i) = text.find(&format!("- {field}: ")) {
                let value = text[i..].lines().next().unwrap_or_default();
                assert!(value.contains("**"), "{}: {value}", path.display());
            }
        }
        seen += 1;
    }
    assert!(seen >= 19, "snapshots missing: {seen}");
}

#[test]
fn debug_views_errors_and_outcomes_hold_no_secret() {
    let ch = channel("");
    let c = ctx(&ch);
    let key = pg_key(PLAIN_KEY);
    let mut refund = json!({
        "paymentId": "order0001",
        "reason": "환불",
        "refundAccount": refund_account(),
        "prior": prior("pmxtest01m03012503011000000003", "VIRTUAL_ACCOUNT", 1000, 0, 0)
    });
    refund["amount"] = json!(1000);
    for req in [
        issue_billing_key("bk", CARD_OK),
        charge("order0002", &key, 1000),
        delete_billing_key("bk", &key),
        va("order0003", 1000),
        request(Operation::PaymentCancel, refund),
        complete(
            "order0004",
            "pmxtest01m01012503011000000001",
            "SECRETAUTHKEY1234",
            "CARD",
            1,
        ),
    ] {
        assert_scrubbed("request Debug", &format!("{req:?} {req:#?}"));
        let w = SmartroAdapter.encode(&c, &req).unwrap();
        assert_scrubbed("WireRequest Debug", &format!("{w:?}"));
        assert_scrubbed("view", &w.view.to_string());
        assert!(!w.view.to_string().contains("SECRETAUTHKEY1234"));
    }
    assert_scrubbed("channel Debug", &format!("{ch:?}"));

    // A decoded billing key is a Secret in the outcome's Debug.
    let aes = paymux_smartro::frame::aes_key(&Secret::new(TEST_MERCHANT_KEY.into())).unwrap();
    let answer = Answer::from_pairs(&[
        ("ResultCode", "3001".into()),
        (
            "BillTokenKey",
            paymux_smartro::frame::encrypt(&aes, PLAIN_KEY.as_bytes()).unwrap(),
        ),
        ("DisplayCardNo", CARD_OK.into()),
    ]);
    assert_scrubbed("answer view", &answer.view().to_string());
    assert_scrubbed("answer Debug", &format!("{answer:?}"));
    let req = issue_billing_key("bk", CARD_OK);
    let sent = SmartroAdapter.encode(&c, &req).unwrap();
    let resp = WireResponse {
        status: Some(200),
        headers: vec![],
        body: answer.to_bytes(),
    };
    let out = SmartroAdapter.decode(&c, &req, &sent, &resp).unwrap();
    assert_scrubbed("outcome Debug", &format!("{out:?} {out:#?}"));
    assert!(!format!("{out:?}").contains(&answer.get("BillTokenKey").unwrap()));

    // Errors name fields, not values: a bad card, a bad birth date, a bad merchant key.
    let bad = request(
        Operation::BillingKeyIssue,
        json!({
            "billingKey": "bk", "channelKey": "smartro-test", "customer": { "id": "u" },
            "method": { "card": { "credential": {
                "number": format!("{CARD_OK}9999"), "expiryYear": "28", "expiryMonth": "13",
                "birthOrBusinessRegistrationNumber": "880399", "passwordTwoDigits": PASSWORD
            } } }
        }),
    );
    let e = paymux_core::execute::validate(&SmartroAdapter, &c, &bad).unwrap_err();
    let text = format!("{e} {e:?}");
    assert_scrubbed("validation error", &text);
    assert!(!text.contains("880399"), "{text}");
    let mut broken = ch.clone();
    broken.credentials.insert(
        "merchant_key".into(),
        Secret::new("short-secret-key".into()),
    );
    let e = SmartroAdapter
        .encode(&ctx(&broken), &va("o", 1))
        .unwrap_err()
        .to_string();
    assert!(e.contains("credentials.merchant_key"), "{e}");
    assert!(!e.contains("short-secret-key"), "{e}");
}
