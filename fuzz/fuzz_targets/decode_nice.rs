//! NICE's response decoder on arbitrary bytes (as the answer to each fixed request), and its
//! webhook decoder on the same bytes.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paymux_core::adapter::{IncomingNotice, PgAdapter, PgRequest, WireRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use paymux_nice::{NiceAdapter, NiceSimulator};

type Fixture = (ChannelContext, Vec<(PgRequest, WireRequest)>);
static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (channel, exchanges) = FIXTURE.get_or_init(|| {
        let channel = NiceSimulator::default().sandbox_channel("nice-test", "");
        let ex = paymux_fuzz::exchanges(&NiceAdapter, &channel);
        (channel, ex)
    });
    paymux_fuzz::decode_all(&NiceAdapter, channel, exchanges, data);
    let notice = IncomingNotice {
        content_type: "application/json",
        headers: &[],
        body: data,
    };
    let _ = NiceAdapter.decode_notice(channel, &notice);
});
