//! The deposit notice: what the simulator sends decodes as a verified deposit; anything
//! altered, forged or malformed is `NoticeRefused`, never a panic.

mod common;

use common::*;
use paymux_core::adapter::{IncomingNotice, NoticeEvent, NoticeTrust, PgAdapter, PgNotice};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::TxState;
use paymux_core::simulator::Notice;
use paymux_core::wire::{form_urlencode, Charset};
use paymux_smartro::simulator::{deposit_notice, payment, State, TEST_MERCHANT_KEY, TEST_MID};
use paymux_smartro::SmartroAdapter;
use proptest::prelude::*;

const TID: &str = "pmxtest01m03012507251636283998";

fn notice() -> Notice {
    let p = payment(
        TEST_MID,
        "order0007",
        TID.into(),
        "VBANK",
        Money::new(12_500).unwrap(),
        State::Deposited,
    );
    deposit_notice(&p)
}

fn decode_body(content_type: &str, body: &[u8]) -> Result<PgNotice, PgError> {
    SmartroAdapter.decode_notice(
        &channel(""),
        &IncomingNotice {
            content_type,
            headers: &[],
            body,
        },
    )
}

fn decode(n: &Notice) -> Result<PgNotice, PgError> {
    decode_body(&n.content_type, &n.body)
}

/// The notice's fields with `name` replaced (or removed with `None`), re-encoded.
fn altered(name: &str, value: Option<&str>) -> Vec<u8> {
    let n = notice();
    let pairs = paymux_core::wire::form::form_urldecode(&n.body, Charset::Utf8).unwrap();
    let kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter_map(|(k, v)| {
            if k == name {
                value.map(|nv| (k, nv.to_string()))
            } else {
                Some((k, v))
            }
        })
        .collect();
    let refs: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form_urlencode(&refs, Charset::Utf8).unwrap()
}

fn refusal(r: Result<PgNotice, PgError>) -> String {
    match r {
        Err(PgError::NoticeRefused { detail }) => detail,
        other => panic!("expected NoticeRefused, got {other:?}"),
    }
}

#[test]
fn the_simulators_deposit_notice_is_a_verified_deposit() {
    let n = decode(&notice()).unwrap();
    assert_eq!(n.trust, NoticeTrust::Verified);
    assert_eq!(n.pg_tx_id.as_deref(), Some(TID));
    assert_eq!(n.order_id.as_deref(), Some("order0007"));
    assert_eq!(
        n.event,
        NoticeEvent::Deposited {
            amount: Some(Money::new(12_500).unwrap()),
            at: None
        }
    );
    assert_eq!((n.ack.status, n.ack.body.as_slice()), (200, &b"OK"[..]));
    // The view masks the signature and never holds the merchant key.
    let shown = format!("{:?}", n.view);
    assert!(shown.contains("(\"SignValue\", \"***\")"), "{shown}");
    assert!(!shown.contains(TEST_MERCHANT_KEY), "{shown}");
}

#[test]
fn altered_fields_break_the_signature() {
    // SignValue covers Tid and ResultCode.
    let other_tid = TID.replace("3998", "3999");
    let d = refusal(decode_body(
        "application/x-www-form-urlencoded",
        &altered("Tid", Some(&other_tid)),
    ));
    assert!(d.contains("SignValue"), "{d}");
    let d = refusal(decode_body(
        "application/x-www-form-urlencoded",
        &altered("SignValue", Some("AAAA")),
    ));
    assert!(d.contains("SignValue"), "{d}");
}

#[test]
fn other_merchants_missing_fields_and_unknown_codes_are_refused() {
    let ct = "application/x-www-form-urlencoded";
    assert!(refusal(decode_body(ct, &altered("Mid", Some("othermid01")))).contains("Mid"));
    for f in ["Tid", "SignValue", "ResultCode", "Mid"] {
        let d = refusal(decode_body(ct, &altered(f, None)));
        assert!(d.contains(f), "{f}: {d}");
    }
    // A code the notice does not use: the signature is checked first, so sign it properly.
    let sign = paymux_smartro::frame::notice_sign_value(TID, "3001", TEST_MERCHANT_KEY);
    let body = form_urlencode(
        &[
            ("ResultCode", "3001"),
            ("Tid", TID),
            ("Mid", TEST_MID),
            ("SignValue", &sign),
        ],
        Charset::Utf8,
    )
    .unwrap();
    assert!(refusal(decode_body(ct, &body)).contains("ResultCode"));
    // A signed amount that is not a number.
    assert!(refusal(decode_body(ct, &altered("Amt", Some("12,500")))).contains("Amt"));
}

#[test]
fn cancelled_and_cash_receipt_notices_are_status_changes() {
    for (code, claimed) in [("2013", Some(TxState::Cancelled)), ("7001", None)] {
        let sign = paymux_smartro::frame::notice_sign_value(TID, code, TEST_MERCHANT_KEY);
        let body = form_urlencode(
            &[
                ("ResultCode", code),
                ("Tid", TID),
                ("Mid", TEST_MID),
                ("Moid", "order0007"),
                ("SignValue", &sign),
            ],
            Charset::Utf8,
        )
        .unwrap();
        let n = decode_body("application/x-www-form-urlencoded", &body).unwrap();
        assert_eq!(n.event, NoticeEvent::StatusChanged { claimed }, "{code}");
    }
}

#[test]
fn garbage_is_refused_without_echoing_it() {
    for body in [
        &b""[..],
        b"\xff\xfe\x00garbage",
        b"%%%%=&&==",
        b"{\"ResultCode\":\"4110\"}",
    ] {
        let d = refusal(decode_body("application/x-www-form-urlencoded", body));
        assert!(!d.contains("garbage"), "{d}");
    }
}

proptest! {
    #[test]
    fn decoding_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_body("application/x-www-form-urlencoded", &body);
    }

    #[test]
    fn any_altered_amount_decodes_or_is_refused_never_panics(amt in "[0-9a-z,.-]{0,14}") {
        let _ = decode_body("application/x-www-form-urlencoded", &altered("Amt", Some(&amt)));
    }
}
