//! NICE's simulator request handler (every path, with and without credentials) on arbitrary
//! bodies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paymux_core::simulator::http::Request;
use paymux_nice::simulator::{handle, Ledger, TEST_CLIENT_KEY, TEST_SECRET_KEY};

const PATHS: [(&str, &str); 11] = [
    ("POST", "/v1/subscribe/regist"),
    ("POST", "/v1/subscribe/BIKYnictest00m2503011015000001/payments"),
    ("POST", "/v1/subscribe/BIKYnictest00m2503011015000001/expire"),
    ("POST", "/v1/payments/nictest00m01012503011015000001/cancel"),
    ("POST", "/v1/payments/nictest00m01012503011015000001"),
    ("GET", "/v1/payments/nictest00m01012503011015000001"),
    ("GET", "/v1/payments/find/order-1"),
    ("POST", "/window"),
    ("POST", "/window/W0000000100000000"),
    ("POST", "/paymux/window"),
    ("POST", "/paymux/deposit"),
];

fuzz_target!(|data: &[u8]| {
    let Some((pick, body)) = data.split_first() else {
        return;
    };
    let (method, path) = PATHS[usize::from(*pick) % PATHS.len()];
    let headers = if pick & 0x80 == 0 {
        vec![(
            "authorization".to_string(),
            paymux_nice::frame::basic_credentials(TEST_CLIENT_KEY, TEST_SECRET_KEY),
        )]
    } else {
        Vec::new()
    };
    let req = Request {
        method: method.into(),
        path: path.into(),
        query: "orderDate=20250301".into(),
        headers,
        body: body.to_vec(),
    };
    let mut ledger = Ledger::default();
    let _ = handle(&mut ledger, &req, &paymux_fuzz::now());
});
