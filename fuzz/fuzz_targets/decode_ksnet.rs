//! KSNET's response decoder (KSPay interface) on arbitrary bytes (as the answer to each fixed request).
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paymux_core::adapter::{PgRequest, WireRequest};
use paymux_core::channel::ChannelContext;
use paymux_ksnet::{KsnetAdapter, KsnetSimulator};

type Fixture = (ChannelContext, Vec<(PgRequest, WireRequest)>);
static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (channel, exchanges) = FIXTURE.get_or_init(|| {
        let channel =
            KsnetSimulator::sandbox_channel_for(paymux_ksnet::Protocol::Kspay, "ksnet-test", "");
        let ex = paymux_fuzz::exchanges(&KsnetAdapter, &channel);
        (channel, ex)
    });
    paymux_fuzz::decode_all(&KsnetAdapter, channel, exchanges, data);
});
