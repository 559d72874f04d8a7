//! Toss Payments' response decoder on arbitrary bytes (as the answer to each fixed request),
//! and its notice decoder on the same bytes.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paymux_core::adapter::{IncomingNotice, PgAdapter, PgRequest, WireRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use paymux_tosspayments::{TossAdapter, TossSimulator};

type Fixture = (ChannelContext, Vec<(PgRequest, WireRequest)>);
static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (channel, exchanges) = FIXTURE.get_or_init(|| {
        let channel = TossSimulator::default().sandbox_channel("tosspayments-test", "");
        let ex = paymux_fuzz::exchanges(&TossAdapter, &channel);
        (channel, ex)
    });
    paymux_fuzz::decode_all(&TossAdapter, channel, exchanges, data);
    let _ = TossAdapter.decode_notice(
        channel,
        &IncomingNotice {
            content_type: "application/json",
            headers: &[],
            body: data,
        },
    );
});
