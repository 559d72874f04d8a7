//! Card numbers, passwords, birth dates, the `pgapi` key and PG billing keys never appear in
//! Debug output, errors, views or the committed snapshots (transcript scrubbing, as
//! ActiveMerchant tests it).

mod common;

use common::*;
use paymux_core::adapter::{Operation, PgAdapter};
use paymux_ksnet::simulator::TEST_API_KEY;
use paymux_ksnet::{KsnetAdapter, Protocol};
use serde_json::json;

const SECRETS: &[&str] = &[
    CARD_OK,
    CARD_DECLINED,
    CARD_LATE,
    CARD_DROP,
    BIRTH,
    TEST_API_KEY,
    PG_KEY,
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
        // The password travels in password2 / Passwd; their views are always starred.
        for line in text
            .lines()
            .filter(|l| l.contains("password2") || l.contains("CREDIT.Passwd"))
        {
            assert!(!line.contains(PASSWORD), "{}: {line}", path.display());
        }
        seen += 1;
    }
    assert!(seen >= 31, "snapshots missing: {seen}");
}

#[test]
fn debug_views_and_errors_hold_no_secret() {
    for protocol in [Protocol::Webfep, Protocol::Kspay] {
        let ch = channel(protocol, "");
        let c = ctx(&ch);
        assert_scrubbed("channel Debug", &format!("{ch:?}"));
        let k = paymux_ksnet::channel::KsnetChannel::from_context(&ch).unwrap();
        assert_scrubbed("KsnetChannel Debug", &format!("{k:?}"));
        for req in [
            instant("order-0001", CARD_OK, 1004),
            issue_billing_key("bk", CARD_OK),
            charge_billing_key("order-0002", PG_KEY, 1000),
            delete_billing_key("bk", PG_KEY),
        ] {
            assert_scrubbed("request Debug", &format!("{req:?}"));
            let w = KsnetAdapter.encode(&c, &req).unwrap();
            assert_scrubbed("WireRequest Debug", &format!("{w:?}"));
            assert_scrubbed("view", &w.view.to_string());
        }

        // Errors name fields, not values: a bad birth date and card (PortOne's generic rules),
        // text EUC-KR cannot carry (KSNET's).
        let bad = |card: &str, expiry_month: &str, birth: &str, name: &str, order_name: &str| {
            request(
                Operation::PaymentInstant,
                json!({
                    "paymentId": "order-x", "channelKey": "ksnet-test", "orderName": order_name,
                    "amount": {"total": 1000}, "currency": "KRW", "productType": "PHYSICAL",
                    "customer": {"name": {"full": name}},
                    "method": {"card": {"credential": {"number": card, "expiryYear": "28",
                        "expiryMonth": expiry_month, "birthOrBusinessRegistrationNumber": birth,
                        "passwordTwoDigits": PASSWORD}}}
                }),
            )
        };
        let long_card = format!("{CARD_OK}9999");
        for (req, paths) in [
            (
                bad(&long_card, "13", "880399", "홍길동", "주문"),
                &[
                    "method.card.credential.number",
                    "method.card.credential.expiryMonth",
                    "method.card.credential.birthOrBusinessRegistrationNumber",
                ][..],
            ),
            (
                bad(CARD_OK, "06", BIRTH, "뷁", "똠"),
                &["orderName", "customer.name.full"][..],
            ),
        ] {
            let e = paymux_core::execute::validate(&KsnetAdapter, &c, &req).unwrap_err();
            let text = format!("{e:?} {e}");
            assert_scrubbed("validation error", &text);
            assert!(
                !text.contains("880399") && !text.contains('똠') && !text.contains('뷁'),
                "{text}"
            );
            for p in paths {
                assert!(text.contains(p), "{p}: {text}");
            }
        }
        let req = bad(CARD_OK, "06", BIRTH, "홍길동", "주문");

        // A broken channel names the option or credential only.
        let mut broken = ch.clone();
        broken.options.insert("protocol".into(), "soap".into());
        let e = KsnetAdapter
            .encode(&ctx(&broken), &req)
            .unwrap_err()
            .to_string();
        assert!(e.contains("options.protocol"), "{e}");
    }
}
