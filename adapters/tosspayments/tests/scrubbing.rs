//! No secret in `Debug` output, errors, views or the committed snapshots: card numbers, the
//! birth date, the card password, the secret key (and its Basic header), refund accounts,
//! cash-receipt numbers, billing keys.

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireTarget};
use paymux_core::channel::ChannelContext;
use paymux_core::secret::Secret;
use paymux_tosspayments::frame::basic_auth;
use paymux_tosspayments::TossAdapter;
use serde_json::json;

const BILLING_KEY: &str = "BKsecret0000000000000001";

fn secrets() -> Vec<String> {
    vec![
        CARD_OK.into(),
        CARD_DECLINED.into(),
        BIRTH.into(),
        format!("\"{PASSWORD}\""),
        SECRET_KEY.into(),
        basic_auth(&Secret::new(SECRET_KEY.into()))
            .trim_start_matches("Basic ")
            .to_string(),
        REFUND_ACCOUNT.into(),
        RECEIPT_ID.into(),
        BILLING_KEY.into(),
    ]
}

fn requests() -> Vec<PgRequest> {
    let stored = format!("user_01|{BILLING_KEY}");
    vec![
        instant_card("order-0001", CARD_OK, 15000),
        instant_card("order-0001", CARD_DECLINED, 15000),
        virtual_account("order-0002", 10000, json!({ "validHours": 72 })),
        issue_billing_key("bk-1", CARD_OK),
        charge("order-0003", &stored, 9900),
        cancel("order-0001", None, prior("pk1", "CARD", 15000, 0, 0)),
        request(
            paymux_core::adapter::Operation::PaymentCancel,
            json!({ "paymentId": "order-0002", "reason": "환불",
                "refundAccount": { "bank": "SHINHAN", "number": REFUND_ACCOUNT, "holderName": "박토스" },
                "prior": prior("pk2", "VIRTUAL_ACCOUNT", 10000, 0, 0) }),
        ),
        get("order-0001", None),
        checkout("order-0004", 15000),
    ]
}

fn assert_clean(place: &str, text: &str) {
    for s in secrets() {
        assert!(!text.contains(&s), "a secret appears in {place}: {text}");
    }
}

#[test]
fn views_debug_and_headers_are_masked() {
    let ch = channel("");
    for req in requests() {
        assert_clean("the request's Debug", &format!("{req:?}"));
        let w = TossAdapter.encode(&ctx(&ch), &req).unwrap();
        assert_clean("the view", &w.view.to_string());
        let WireTarget::Http { headers, url, .. } = &w.target else {
            continue;
        };
        for h in headers {
            assert_clean("a header's view", &h.view_value());
            assert_clean("a header's Debug", &format!("{h:?}"));
        }
        // Toss puts the billing key in the charge's URL path: the target's URL is exact (it is
        // what is sent); every view of it — `url_view`, `Debug` — masks the key.
        if !url.contains("/v1/billing/BK") {
            assert_clean("the URL", url);
        }
        assert_clean("the URL's view", &w.target.url_view().unwrap_or_default());
        assert_clean("the wire request's Debug", &format!("{w:?}"));
    }
}

#[test]
fn validation_and_channel_errors_name_fields_never_values() {
    let ch = channel("");
    let mut bad = instant_card("order-0001", CARD_OK, 15000);
    if let PgRequest::Instant(c) = &mut bad {
        if let paymux_core::model::InstantPaymentMethodInput::Card(card) = &mut c.body.method {
            card.credential.number = Secret::new(format!("{CARD_OK}9999999"));
            card.credential.birth_or_business_registration_number =
                Some(Secret::new(format!("{BIRTH}1")));
        }
    }
    let e = paymux_core::execute::validate(&TossAdapter, &ctx(&ch), &bad).unwrap_err();
    assert!(
        e.to_string().contains("method.card.credential.number"),
        "{e}"
    );
    assert_clean("a validation error", &e.to_string());
    let mut live: ChannelContext = ch.clone();
    live.environment = paymux_core::channel::Environment::Live;
    let e = TossAdapter
        .encode(&ctx(&live), &instant_card("order-0001", CARD_OK, 15000))
        .unwrap_err();
    assert!(e.to_string().contains("credentials.secret_key"), "{e}");
    assert_clean("a channel error", &e.to_string());
    assert_clean("the channel's Debug", &format!("{ch:?}"));
}

#[test]
fn committed_snapshots_hold_no_secret() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_clean(&path.display().to_string(), &text);
    }
}
