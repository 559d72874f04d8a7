//! No panics on any input: arbitrary bytes into the decoders, the frame parsers and the
//! simulator (both interfaces, through its in-memory `respond`).

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, WireResponse};
use paymux_ksnet::frame::kspay::{Request, Response};
use paymux_ksnet::{KsnetAdapter, KsnetSimulator, Protocol};
use proptest::prelude::*;

fn kspay_frame(body: &[u8]) -> Vec<u8> {
    let mut f = format!("{:04}", body.len().min(9999)).into_bytes();
    f.extend_from_slice(body);
    f
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn decoders_never_panic(body in proptest::collection::vec(any::<u8>(), 0..1200), framed in any::<bool>()) {
        let body = if framed { kspay_frame(&body) } else { body };
        for protocol in [Protocol::Webfep, Protocol::Kspay] {
            let ch = channel(protocol, "");
            let c = ctx(&ch);
            for req in [instant("o-1", CARD_OK, 1000), cancel("o-1", Some(10), prior("100000000001", 1000, 0, 0)), inquiry("o-1", prior("100000000001", 1000, 0, 0)), issue_billing_key("bk", CARD_OK), virtual_account("o-2", 1000, None)] {
                let sent = KsnetAdapter.encode(&c, &req).unwrap();
                let resp = WireResponse { status: Some(200), headers: vec![], body: body.clone() };
                let _ = KsnetAdapter.decode(&c, &req, &sent, &resp);
            }
        }
        let _ = Request::parse(&body);
        let _ = Response::parse(&body);
    }

    #[test]
    fn the_simulator_never_panics(body in proptest::collection::vec(any::<u8>(), 0..700), kind in 0u8..4) {
        let input = match kind {
            0 => kspay_frame(&body),
            1 => {
                let mut h = format!("POST /kspay/webfep/api/v1/card/pay/noncert HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: pgapi {}\r\nContent-Length: {}\r\n\r\n", paymux_ksnet::simulator::TEST_API_KEY, body.len()).into_bytes();
                h.extend_from_slice(&body);
                h
            }
            2 => {
                let mut h = b"POST ".to_vec();
                h.extend_from_slice(&body);
                h
            }
            _ => body,
        };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let out = rt.block_on(KsnetSimulator::default().respond(&input));
        if kind == 1 {
            // Any readable request gets an HTTP answer with an envelope.
            prop_assert!(out.starts_with(b"HTTP/1.1 "), "{}", out.escape_ascii());
        }
    }
}

/// Mutations of valid KSPay frames: every byte position, a few values each.
#[tokio::test]
async fn mutated_kspay_frames_get_an_answer_or_a_close() {
    let ch = channel(Protocol::Kspay, "");
    let w = KsnetAdapter
        .encode(&ctx(&ch), &instant("o-mut", CARD_OK, 1000))
        .unwrap();
    let sim = KsnetSimulator::default();
    for i in (0..w.body.len()).step_by(7) {
        for v in [b' ', b'0', b'X', 0xB0, 0xFF] {
            let mut f = w.body.clone();
            f[i] = v;
            let _ = sim.respond(&f).await;
            let _ = Request::parse(&f);
        }
    }
}
