//! Inicis' response decoder (as the answer to each fixed request) and its deposit-notice
//! decoder, on arbitrary bytes.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paymux_core::adapter::{IncomingNotice, PgAdapter, PgRequest, WireRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use paymux_inicis::{InicisAdapter, InicisSimulator};

type Fixture = (ChannelContext, Vec<(PgRequest, WireRequest)>);
static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (channel, exchanges) = FIXTURE.get_or_init(|| {
        let channel = InicisSimulator::default().sandbox_channel("inicis-test", "");
        let ex = paymux_fuzz::exchanges(&InicisAdapter, &channel);
        (channel, ex)
    });
    paymux_fuzz::decode_all(&InicisAdapter, channel, exchanges, data);
    let _ = InicisAdapter.decode_notice(
        channel,
        &IncomingNotice {
            content_type: "application/x-www-form-urlencoded",
            headers: &[],
            body: data,
        },
    );
});
