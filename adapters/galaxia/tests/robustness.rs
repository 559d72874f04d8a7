//! No panics on any input: arbitrary bytes into the decoder, the deposit-notice decoder and the
//! frame parser (the one the simulator runs on every request), and every single-byte mutation
//! of real frames. The CI part of docs/RELIABILITY.md item 5; `cargo xtask fuzz` is the long
//! version.

mod common;

use common::*;
use paymux_core::adapter::{IncomingNotice, PgAdapter, PgRequest, WireResponse};
use paymux_galaxia::frame::{split_frame, Cipher, Telegram};
use paymux_galaxia::simulator::{TEST_IV, TEST_KEY};
use paymux_galaxia::GalaxiaAdapter;
use proptest::prelude::*;

fn requests() -> Vec<PgRequest> {
    let p = prior("100000000001", "CARD", 1000, 0, "20250314092653");
    vec![
        instant("o-1", CARD_OK, 1000),
        cancel("o-1", Some(10), p.clone()),
        inquiry("o-1", p),
        issue_billing_key("bk", CARD_OK),
        charge_billing_key("o-2", "SIMBK1", "CARD"),
    ]
}

fn decode_all(body: &[u8]) {
    let ch = channel("");
    let c = ctx(&ch);
    let sent: Vec<_> = requests()
        .into_iter()
        .map(|r| {
            let s = GalaxiaAdapter.encode(&c, &r).unwrap();
            (r, s)
        })
        .collect();
    decode_with(&sent, body);
}

fn decode_with(sent: &[(PgRequest, paymux_core::adapter::WireRequest)], body: &[u8]) {
    let ch = channel("");
    let c = ctx(&ch);
    for (req, sent) in sent {
        let resp = WireResponse {
            status: None,
            headers: vec![],
            body: body.to_vec(),
        };
        let _ = GalaxiaAdapter.decode(&c, req, sent, &resp);
    }
    // The same bytes as a deposit notice: refused or decoded, never a panic.
    let notice = IncomingNotice {
        content_type: "application/x-www-form-urlencoded; charset=EUC-KR",
        headers: &[],
        body,
    };
    let _ = GalaxiaAdapter.decode_notice(&ch, &notice);
    let cipher = Cipher::from_text(TEST_KEY, TEST_IV).unwrap();
    let _ = split_frame(body);
    if let Ok(t) = Telegram::from_frame(body, &cipher) {
        let _ = t.view();
    }
}

/// A frame of the right length around `body`.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut f = format!("{:04}", body.len().min(9999)).into_bytes();
    f.extend_from_slice(body);
    f
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decoder_and_frame_parser_never_panic(body in proptest::collection::vec(any::<u8>(), 0..1200), frame in any::<bool>()) {
        let body = if frame { framed(&body) } else { body };
        decode_all(&body);
    }
}

/// Every byte of real frames (the same cipher both ways, so they decrypt), a few values each:
/// the decoder gets past the framing and the SEED layer into the telegram's fields.
#[test]
fn mutated_real_frames_never_panic_the_decoder() {
    let ch = channel("");
    let c = ctx(&ch);
    let mut cases = 0;
    for req in requests() {
        let sent = GalaxiaAdapter.encode(&c, &req).unwrap();
        let frame = sent.body.clone();
        let only = [(req, sent)];
        // Each frame is decoded as the answer to its own request (debug builds are slow:
        // every 3rd byte, two values; the long version is `cargo xtask fuzz`).
        for at in (0..frame.len()).step_by(3) {
            for v in [b'0', 0xff] {
                let mut m = frame.clone();
                m[at] = v;
                decode_with(&only, &m);
                cases += 1;
            }
        }
        // Truncated at many lengths.
        for n in (0..frame.len()).step_by(5) {
            decode_with(&only, &frame[..n]);
            cases += 1;
        }
    }
    assert!(cases > 1000, "{cases}");
}
