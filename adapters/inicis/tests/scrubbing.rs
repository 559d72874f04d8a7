//! Card numbers, passwords, birth dates, refund accounts, billing keys, `authToken`s and the
//! channel's keys, IV and signKey never appear in Debug output, errors, views, notices or the
//! committed snapshots; and the README's reconstruction table matches `RECONSTRUCTIONS`.

mod common;

use common::*;
use paymux_core::adapter::{IncomingNotice, PgAdapter, WireResponse};
use paymux_inicis::channel::InicisChannel;
use paymux_inicis::reconstructed::RECONSTRUCTIONS;
use paymux_inicis::simulator::{TEST_API_IV, TEST_API_KEY, TEST_BILLING_API_KEY, TEST_SIGN_KEY};
use paymux_inicis::InicisAdapter;
use serde_json::json;

const BILL_KEY: &str = "INIBillTstBK20250301101500000004";
const AUTH_TOKEN: &str = "SIMAUTH0000000500000000snapshot";

fn secrets() -> Vec<String> {
    vec![
        CARD_OK.into(),
        CARD_DECLINED.into(),
        CARD_LATE.into(),
        CARD_DROP.into(),
        BIRTH.into(),
        REFUND_ACCOUNT.into(),
        BILL_KEY.into(),
        AUTH_TOKEN.into(),
        TEST_API_KEY.into(),
        TEST_API_IV.into(),
        TEST_BILLING_API_KEY.into(),
        TEST_SIGN_KEY.into(),
        format!("\"{PASSWORD}\""),
    ]
}

fn assert_scrubbed(what: &str, text: &str) {
    for s in secrets() {
        assert!(!text.contains(&s), "{what} shows a secret ({s:?}): {text}");
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
        seen += 1;
    }
    assert!(seen >= 10, "the snapshots are where they should be");
}

#[test]
fn views_debug_and_errors_hold_no_secret() {
    let ch = channel("");
    let c = ctx(&ch);
    let returned = json!({
        "resultCode": "0000", "mid": "INIpayTest", "orderNumber": "o-5",
        "authToken": AUTH_TOKEN, "idc_name": "stg",
        "authUrl": "https://stgstdpay.inicis.com/api/payAuth",
        "netCancelUrl": "https://stgstdpay.inicis.com/api/netCancel"
    });
    let reqs = [
        instant("o-1", CARD_OK, 1000),
        issue_billing_key("bk-1", CARD_DECLINED),
        charge("o-2", BILL_KEY, 1000),
        cancel("o-1", Some(10), prior("T1", "CARD", 1000, 0, 0)),
        vacct_refund("o-3", Some(10), "T3", 1000),
        inquiry("o-1", prior("T1", "CARD", 1000, 0, 0)),
        checkout("o-4", 1000),
        complete("o-5", returned, 1000),
    ];
    for req in &reqs {
        assert_scrubbed("request Debug", &format!("{req:?}"));
        let w = InicisAdapter.encode(&c, req).unwrap();
        assert_scrubbed("wire Debug", &format!("{w:?}"));
        assert_scrubbed("view", &w.view.to_string());
        // A garbled answer: the error names the problem, never echoes the bytes.
        let garbage = WireResponse {
            status: Some(200),
            headers: vec![],
            body: format!("{CARD_OK} {TEST_API_KEY}").into_bytes(),
        };
        if let Err(e) = InicisAdapter.decode(&c, req, &w, &garbage) {
            assert_scrubbed("decode error", &e.to_string());
        }
    }
    // A validation error on a card field names the field, not the value.
    let bad = instant("o-9", "45184200123456789012345", 1000);
    let e = paymux_core::execute::validate(&InicisAdapter, &c, &bad).unwrap_err();
    assert!(
        e.to_string().contains("method.card.credential.number"),
        "{e}"
    );
    assert!(!e.to_string().contains("45184200123456789012345"));
    // The channel's Debug.
    assert_scrubbed(
        "channel",
        &format!("{:?}", InicisChannel::from_context(&ch).unwrap()),
    );
    assert_scrubbed("channel context", &format!("{ch:?}"));
}

#[test]
fn a_notice_view_masks_the_account_and_the_depositor() {
    let ch = channel("");
    let body = format!(
        "no_tid=T9&no_oid=o-9&id_merchant=INIpayTest&type_msg=0200&amt_input=5000&no_vacct={REFUND_ACCOUNT}&nm_input=%C8%AB%B1%E6%B5%BF&dt_trans=20250301&tm_trans=101500"
    );
    let n = InicisAdapter
        .decode_notice(
            &ch,
            &IncomingNotice {
                content_type: "application/x-www-form-urlencoded",
                headers: &[],
                body: body.as_bytes(),
            },
        )
        .unwrap();
    let shown = format!("{n:?}");
    assert_scrubbed("notice", &shown);
    assert!(!shown.contains("홍길동"), "{shown}");
}

#[test]
fn the_readme_lists_every_reconstruction() {
    let readme = include_str!("../README.md");
    for r in RECONSTRUCTIONS {
        assert!(
            readme.contains(&format!("| {} |", r.part)),
            "README lacks the reconstruction {:?}",
            r.part
        );
    }
}
