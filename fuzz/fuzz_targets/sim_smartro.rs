//! Smartro's simulator request handler (every path) on arbitrary bodies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paymux_smartro::simulator::{handle, Ledger};

const PATHS: [&str; 10] = [
    "/payment/approval/urlCallApproval.do",
    "/payment/approval/cancel.do",
    "/payment/cancel/cancelApproval.do",
    "/payment/approval/ssbbill.do",
    "/payment/approval/vbank.do",
    "/payment/approval/billkey.do",
    "/payment/approval/billkeyDelete.do",
    "/payment/approval/inquiry.do",
    "/paymux/window",
    "/paymux/deposit",
];

fuzz_target!(|data: &[u8]| {
    let Some((path, body)) = data.split_first() else {
        return;
    };
    let mut ledger = Ledger::default();
    let now = paymux_fuzz::now();
    let _ = handle(
        &mut ledger,
        "POST",
        PATHS[usize::from(*path) % PATHS.len()],
        body,
        &now,
    );
});
