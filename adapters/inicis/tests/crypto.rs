//! Known answers and an independent second implementation for Inicis' crypto:
//!
//! - `[ENC]`: Inicis' published AES-128-CBC vector (INIAPI FAQ: `refundAcctNum=123456789`,
//!   MID `INIpayTest` → `qwMHVJqsmXKoR+d8wQTS4g==`), and the refund account the adapter
//!   sends decrypts with OpenSSL's AES to the digits given.
//! - `hashData`: recomputed from the bytes on the wire with OpenSSL's SHA-512 (`openssl dgst`),
//!   for a v2 JSON call (over the `data` object exactly as sent, cut out of the body text by
//!   this test, not re-serialized) and for v1 form calls (over the URL-decoded values,
//!   `[ENC]` ones as encrypted).
//!
//! Skipped with a notice where `openssl` is missing, except in CI.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use paymux_core::adapter::PgAdapter;
use paymux_core::wire::{codec, form_urldecode, Charset};
use paymux_inicis::frame;
use paymux_inicis::simulator::{TEST_API_IV, TEST_API_KEY, TEST_BILLING_API_KEY};
use paymux_inicis::InicisAdapter;

fn openssl(args: &[&str], input: &[u8]) -> Option<Vec<u8>> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(input).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status.success().then_some(out.stdout)
}

fn skipped(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the independent {what} check: openssl is missing"
    );
    println!("NOTICE: openssl is not available; independent {what} check skipped");
}

/// SHA-512 of `input` by OpenSSL, lower-case hex.
fn openssl_sha512(input: &[u8]) -> Option<String> {
    let out = openssl(&["dgst", "-sha512", "-r"], input)?;
    let text = String::from_utf8(out).ok()?;
    Some(text.split_whitespace().next()?.to_string())
}

fn openssl_aes_decrypt(b64: &str) -> Option<Vec<u8>> {
    let cipher = codec::b64_decode("x", b64).ok()?;
    openssl(
        &[
            "enc",
            "-d",
            "-aes-128-cbc",
            "-K",
            &codec::hex_lower(TEST_API_KEY.as_bytes()),
            "-iv",
            &codec::hex_lower(TEST_API_IV.as_bytes()),
        ],
        &cipher,
    )
}

#[test]
fn the_published_aes_vector() {
    let got = frame::enc(TEST_API_KEY.as_bytes(), TEST_API_IV.as_bytes(), "123456789").unwrap();
    assert_eq!(got, "qwMHVJqsmXKoR+d8wQTS4g==");
}

#[test]
fn v2_hash_data_covers_the_data_bytes_as_sent() {
    let ch = channel("");
    let req = cancel(
        "order-1",
        Some(300),
        prior(
            "StdpayCARDINIpayTest20250301101500000001",
            "CARD",
            1000,
            0,
            0,
        ),
    );
    let w = InicisAdapter.encode(&ctx(&ch), &req).unwrap();
    let body = String::from_utf8(w.body.clone()).unwrap();
    // Cut `data` out of the text: between `"data":` and `,"hashData"`.
    let start = body.find("\"data\":").unwrap() + "\"data\":".len();
    let end = body.find(",\"hashData\"").unwrap();
    let data = &body[start..end];
    assert!(data.contains("\"confirmPrice\":\"700\""), "{data}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let plain = format!(
        "{TEST_API_KEY}INIpayTestpartialRefund{}{data}",
        v["timestamp"].as_str().unwrap()
    );
    let Some(expected) = openssl_sha512(plain.as_bytes()) else {
        return skipped("SHA-512");
    };
    assert_eq!(v["hashData"], expected);
    // A re-serialization with another key order would not match: the hash is of the bytes.
    let reordered = format!(
        "{TEST_API_KEY}INIpayTestpartialRefund{}{}",
        v["timestamp"].as_str().unwrap(),
        serde_json::to_string(&v["data"]).unwrap()
    );
    if reordered != plain {
        assert_ne!(openssl_sha512(reordered.as_bytes()).unwrap(), expected);
    }
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urldecode(body, Charset::Utf8).unwrap()
}

fn field<'a>(f: &'a [(String, String)], k: &str) -> &'a str {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
        .unwrap()
}

#[test]
fn v1_billing_hash_data_matches_openssl() {
    let ch = channel("");
    let w = InicisAdapter
        .encode(&ctx(&ch), &charge("order-2", "INIBillTstBK01", 1004))
        .unwrap();
    let body = String::from_utf8(w.body.clone()).unwrap();
    assert!(!body.contains('{'), "v1 is a form, not JSON");
    let f = form(&w.body);
    let plain = format!(
        "{TEST_BILLING_API_KEY}BillingCard{}{}INIBillTst{}{}{}",
        field(&f, "timestamp"),
        field(&f, "clientIp"),
        field(&f, "moid"),
        field(&f, "price"),
        field(&f, "billKey"),
    );
    let Some(expected) = openssl_sha512(plain.as_bytes()) else {
        return skipped("SHA-512");
    };
    assert_eq!(field(&f, "hashData"), expected);
}

#[test]
fn vacct_refund_encrypts_the_account_and_hashes_the_cipher_text() {
    let ch = channel("");
    let req = vacct_refund(
        "order-3",
        None,
        "StdpayVBNKINIpayTest20250301101500000001",
        5000,
    );
    let w = InicisAdapter.encode(&ctx(&ch), &req).unwrap();
    let body = String::from_utf8(w.body.clone()).unwrap();
    assert!(
        !body.contains(REFUND_ACCOUNT),
        "the account number is encrypted"
    );
    // Every value is URL-encoded: base64's `+` and `/` and `=` never travel raw.
    let f = form(&w.body);
    let enc = field(&f, "refundAcctNum");
    assert_eq!(field(&f, "type"), "Refund");
    assert_eq!(field(&f, "paymethod"), "Vacct");
    assert_eq!(field(&f, "refundBankCode"), "88");
    for c in ['+', '/', '='] {
        if enc.contains(c) {
            assert!(!body.contains(enc), "{c} must be percent-encoded");
        }
    }
    let plain = format!(
        "{TEST_API_KEY}RefundVacct{}{}INIpayTest{}{enc}",
        field(&f, "timestamp"),
        field(&f, "clientIp"),
        field(&f, "tid"),
    );
    let (Some(decrypted), Some(expected)) =
        (openssl_aes_decrypt(enc), openssl_sha512(plain.as_bytes()))
    else {
        return skipped("AES / SHA-512");
    };
    assert_eq!(decrypted, REFUND_ACCOUNT.as_bytes());
    assert_eq!(field(&f, "hashData"), expected);
}

#[test]
fn keyed_in_card_fields_decrypt_with_openssl() {
    let ch = channel("");
    let w = InicisAdapter
        .encode(&ctx(&ch), &instant("order-4", CARD_OK, 1004))
        .unwrap();
    let f = form(&w.body);
    assert_eq!(field(&f, "type"), "Pay");
    let Some(card) = openssl_aes_decrypt(field(&f, "cardNumber")) else {
        return skipped("AES");
    };
    assert_eq!(card, CARD_OK.as_bytes());
    assert_eq!(
        openssl_aes_decrypt(field(&f, "regNo")).unwrap(),
        BIRTH.as_bytes()
    );
    assert_eq!(field(&f, "cardExpire"), "2806");
}

/// The INIAPI manual's card-refund hash example (iniapi/api-info, "카드취소 기준", as quoted in a
/// public merchant integration's tests): key `ItEQKi3rY7uvDS8l`, `Refund`, `Card`,
/// `20191128121211`, `123.123.123.123`, `INIpayTest`, tid `StdpayCARDINIpayTest20191128121211123456`.
#[test]
fn the_manual_refund_hash_example() {
    let form = frame::V1Form {
        kind: "Refund",
        paymethod: "Card",
        timestamp: "20191128121211".into(),
        client_ip: "123.123.123.123".into(),
        mid: "INIpayTest".into(),
        fields: vec![
            ("tid", "StdpayCARDINIpayTest20191128121211123456".into()),
            ("msg", "거래취소요청".into()),
        ],
        tail: &["tid"],
        hash_data: String::new(),
    }
    .signed(TEST_API_KEY);
    assert_eq!(
        form.hash_data,
        "b2dc4d4308d836a77187fa1f4ce8c540006a41e6a708a63aded363510c7d445600601c9035825fe32f48fe1b7d2ea130f690a2895a41b6fa0a99c6c5f92d6d69"
    );
}

/// The window's published values: `mKey` of `INIpayTest`'s sample signKey (manual std-info;
/// every official sample carries it), and a captured request's `signature`
/// (`oid=INIpayTest_1585030280993`, `price=1000`, `timestamp=1585030280993`).
#[test]
fn the_window_signature_vectors() {
    use paymux_inicis::simulator::TEST_SIGN_KEY;
    assert_eq!(
        frame::sha256_hex(TEST_SIGN_KEY),
        "3a9503069192f207491d4b19bd743fc249a761ed94246c8c42fed06c3cd15a33"
    );
    assert_eq!(
        frame::nvp_signature(&[
            ("timestamp", "1585030280993"),
            ("price", "1000"),
            ("oid", "INIpayTest_1585030280993"),
        ]),
        "e18621eefbed9976fe8a1759ac9863330d046f91f28e0c99c0d8d2fea6828e6b"
    );
}
