//! No secret in `Debug` output, views, errors or the committed snapshots: the secret key, the
//! Basic credential, card numbers, birth date, card password and the raw `bid`.
//!
//! NICE puts the `bid` in the URL path of the charge and the expire (`/v1/subscribe/{bid}/…`):
//! the adapter declares it as the URL's secret, so every view of the URL masks it. The billing
//! key paymux stores and returns is sealed (`channel::seal_bid`), so stores, webhooks and views
//! never hold it.

#![cfg(feature = "simulator")]

mod common;

use common::*;
use paymux_core::adapter::PgAdapter;
use paymux_nice::channel::{seal_bid, NiceChannel};
use paymux_nice::NiceAdapter;

const CARD: &str = "4111111111111111";
const BASIC: &str =
    "UzJfYWY0NTQzYTBiZTRkNDlhOTgxMjJlMDFlYzIwNTlhNTY6OWViODU2MDcxMDM2NDZkYTlmOWMwMmIxMjhmMmU1ZWU=";

fn assert_clean(what: &str, text: &str) {
    for secret in [SECRET_KEY, BASIC, CARD, "800101", "BIKYnictest00m"] {
        assert!(!text.contains(secret), "{what} shows a secret");
    }
}

#[test]
fn views_debug_and_errors_are_masked() {
    for mode in [None, Some("A2")] {
        let ch = channel("", mode);
        let ctx = ctx(&ch);
        let nice = NiceChannel::from_context(&ch).unwrap();
        assert_clean("the channel's Debug", &format!("{nice:?} {ch:?}"));
        let key = seal_bid(&nice, "BIKYnictest00m1104191651325596")
            .unwrap()
            .expose()
            .clone();
        for req in [
            issue_key("bk-1", CARD),
            pay_with_key("order-1", &key, 1000),
            delete_key(&key),
            cancel(
                "order-1",
                "nictest00m01012503011015000001",
                1000,
                0,
                0,
                Some(10),
            ),
            checkout("order-2", "CARD", 1000),
        ] {
            let w = NiceAdapter.encode(&ctx, &req).unwrap();
            assert_clean("a view", &w.view.to_string());
            assert_clean("the bytes", &String::from_utf8_lossy(&w.body));
            // The bid in a billing call's path is masked in every view of the URL.
            assert_clean("a URL's view", &w.target.url_view().unwrap_or_default());
            assert_clean("a WireRequest's Debug", &format!("{w:?}"));
            assert_clean("a request's Debug", &format!("{req:?}"));
        }
        // A refused billing key names the field, never the value.
        let bad = pay_with_key("order-3", "BIKYnictest00m1104191651325596", 1000);
        let e = paymux_core::execute::validate(&NiceAdapter, &ctx, &bad).unwrap_err();
        assert!(e.to_string().contains("prior.pgBillingKey"));
        assert_clean("an error", &e.to_string());
    }
}

#[test]
fn committed_snapshots_hold_no_secret() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // The target URL may carry the manual's example bid (see the module doc).
        let text: String = text
            .lines()
            .filter(|l| {
                !l.trim_start()
                    .starts_with("http: \"POST https://sandbox-api.nicepay.co.kr/v1/subscribe/")
            })
            .collect::<Vec<_>>()
            .join("\n");
        // The exact bytes carry encData (ciphertext) and signData (hashes), never plain
        // card data; views mask the rest.
        assert_clean(&path.display().to_string(), &text);
        n += 1;
    }
    assert!(n >= 10);
}
