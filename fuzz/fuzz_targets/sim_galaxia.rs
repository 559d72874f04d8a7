//! Galaxia's frame parser (what its simulator runs on every request) on arbitrary bytes.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paymux_galaxia::frame::{split_frame, Cipher, Telegram};
use paymux_galaxia::simulator::{TEST_IV, TEST_KEY};

static CIPHER: OnceLock<Cipher> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let cipher = CIPHER.get_or_init(|| Cipher::from_text(TEST_KEY, TEST_IV).expect("test key"));
    let _ = split_frame(data);
    if let Ok(t) = Telegram::from_frame(data, cipher) {
        let _ = t.view();
        let _ = t.to_frame(cipher);
    }
});
