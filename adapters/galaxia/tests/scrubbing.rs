//! Card numbers, passwords, birth dates and keys never appear in Debug output, errors, views
//! or the committed snapshots (transcript scrubbing, as ActiveMerchant tests it).

mod common;

use common::*;
use paymux_core::adapter::{Operation, PgAdapter};
use paymux_galaxia::simulator::{TEST_IV, TEST_KEY};
use paymux_galaxia::GalaxiaAdapter;
use serde_json::json;

const SECRETS: &[&str] = &[
    CARD_OK,
    CARD_DECLINED,
    CARD_LATE,
    CARD_DROP,
    BIRTH,
    TEST_KEY,
    RAW_KEY,
    TEST_IV,
];

fn assert_scrubbed(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows a secret: {text}");
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
        // The password travels in tag 0009; its view is always masked.
        if text.contains("name: PASSWORD") {
            assert!(
                text.contains("tag: \"0009\"\n      value: \"***\""),
                "{}",
                path.display()
            );
        }
        seen += 1;
    }
    assert!(seen >= 20, "snapshots missing: {seen}");
}

#[test]
fn debug_views_and_errors_hold_no_secret() {
    let ch = channel("");
    let c = ctx(&ch);
    let req = instant("order-0001", CARD_OK, 1004);
    assert_scrubbed("request Debug", &format!("{req:?}"));
    assert_scrubbed("channel Debug", &format!("{ch:?}"));
    let w = GalaxiaAdapter.encode(&c, &req).unwrap();
    assert_scrubbed("WireRequest Debug", &format!("{w:?}"));
    assert_scrubbed("view", &w.view.to_string());
    let issue = GalaxiaAdapter
        .encode(&c, &issue_billing_key("bk", CARD_OK))
        .unwrap();
    assert_scrubbed("billing-key view", &format!("{issue:?}"));

    // Errors name fields, not values: a bad card, a bad birth date, an unencodable name.
    let mut bad = serde_json::to_value(json!({
        "paymentId": "order-x", "orderName": "똠", "amount": {"total": 1000}, "currency": "KRW",
        "customer": {"id": "user_01"},
        "method": {"card": {"credential": {"number": format!("{CARD_OK}9999"), "expiryYear": "28",
            "expiryMonth": "13", "birthOrBusinessRegistrationNumber": "880399", "passwordTwoDigits": PASSWORD}}}
    }))
    .unwrap();
    bad["channelKey"] = json!("galaxia-test");
    let req = request(Operation::PaymentInstant, bad);
    let e = paymux_core::execute::validate(&GalaxiaAdapter, &c, &req);
    let text = format!(
        "{e:?} {}",
        e.as_ref()
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string())
    );
    assert!(e.is_err());
    assert_scrubbed("validation error", &text);
    assert!(!text.contains("880399"), "{text}");

    // A wrong channel key names the credential only.
    let mut broken = ch.clone();
    broken.credentials.insert(
        "key".into(),
        paymux_core::Secret::new("bm90LTE2LWJ5dGVz".into()),
    );
    let e = GalaxiaAdapter
        .encode(&ctx(&broken), &req)
        .unwrap_err()
        .to_string();
    assert!(e.contains("credentials.key"), "{e}");
    assert!(!e.contains("bm90LTE2LWJ5dGVz"), "{e}");
}
