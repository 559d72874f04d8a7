//! The `payment.instant` frame decrypts with an independent SEED-CBC implementation
//! (OpenSSL's, from its legacy provider) to the documented layout. Skipped, with a notice,
//! where `openssl` or its SEED cipher is not available.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use paymux_core::adapter::PgAdapter;
use paymux_core::wire::codec;
use paymux_galaxia::simulator::{TEST_IV, TEST_KEY};
use paymux_galaxia::GalaxiaAdapter;

fn openssl_seed_decrypt(cipher: &[u8]) -> Option<Vec<u8>> {
    let key = codec::b64_decode("key", TEST_KEY).unwrap();
    let args = [
        "enc",
        "-d",
        "-seed-cbc",
        "-provider",
        "legacy",
        "-provider",
        "default",
        "-K",
        &codec::hex_lower(&key),
        "-iv",
        &codec::hex_lower(TEST_IV.as_bytes()),
    ];
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(cipher).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status.success().then_some(out.stdout)
}

#[test]
fn instant_frame_decrypts_with_openssl_to_the_documented_layout() {
    let ch = channel("");
    let w = GalaxiaAdapter
        .encode(&ctx(&ch), &instant("order-0001", CARD_OK, 1004))
        .unwrap();
    let frame = w.body;
    // LEN(4) VERSION(10) MID(20) SERVICE_CODE(4), then base64.
    assert_eq!(&frame[..4], format!("{:04}", frame.len() - 4).as_bytes());
    assert_eq!(&frame[4..38], b"0100      M2103135            0900");
    let cipher = codec::b64_decode("frame", std::str::from_utf8(&frame[38..]).unwrap()).unwrap();
    let Some(plain) = openssl_seed_decrypt(&cipher) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the independent SEED check: openssl with the legacy provider is missing"
        );
        println!("NOTICE: openssl with SEED (legacy provider) is not available; independent check skipped");
        return;
    };
    // COMMAND(4) ORDER_ID(64) ORDER_DATE(14) NUM_RECORDS(4) then TAG COUNT TOTLEN {VLEN VALUE}.
    assert_eq!(&plain[..4], b"3040");
    assert_eq!(&plain[4..68], format!("{:<64}", "order-0001").as_bytes());
    assert_eq!(&plain[68..82], b"20250314092653");
    assert_eq!(&plain[82..86], b"0019");
    // USER_ID: TAG 0001, COUNT 0001, TOTLEN 0011 (VLEN digits + value), VLEN 0007, value.
    assert_eq!(&plain[86..109], b"0001000100110007user_01");
    // Tag 0002 carries 홍길동 in EUC-KR (6 bytes).
    let name = [0xC8, 0xAB, 0xB1, 0xE6, 0xB5, 0xBF];
    let at = 109;
    assert_eq!(&plain[at..at + 12], b"000200010010");
    assert_eq!(&plain[at + 12..at + 16], b"0006");
    assert_eq!(&plain[at + 16..at + 22], &name);
    // The card number is inside the cipher text, in the clear once decrypted.
    let text = String::from_utf8_lossy(&plain);
    assert!(text.contains(&format!("00080001002000{}{CARD_OK}", CARD_OK.len())));
}
