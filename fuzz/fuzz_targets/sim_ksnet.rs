//! KSNET's simulator (both interfaces, through its in-memory `respond`) and its KSPay frame
//! parsers on arbitrary bytes. The first byte picks how the bytes are wrapped.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paymux_ksnet::frame::kspay::{Request, Response};
use paymux_ksnet::KsnetSimulator;

static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((kind, body)) = data.split_first() else {
        return;
    };
    let _ = Request::parse(body);
    let _ = Response::parse(body);
    let input = match kind % 3 {
        0 => {
            let mut f = format!("{:04}", body.len().min(9999)).into_bytes();
            f.extend_from_slice(body);
            f
        }
        1 => {
            let mut h = format!(
                "POST /kspay/webfep/api/v1/card/pay/noncert HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: pgapi {}\r\nContent-Length: {}\r\n\r\n",
                paymux_ksnet::simulator::TEST_API_KEY,
                body.len()
            )
            .into_bytes();
            h.extend_from_slice(body);
            h
        }
        _ => body.to_vec(),
    };
    let rt = RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    });
    let _ = rt.block_on(KsnetSimulator::default().respond(&input));
});
