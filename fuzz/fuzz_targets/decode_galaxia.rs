//! Galaxia's response decoder on arbitrary bytes (as the answer to each fixed request).
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paymux_core::adapter::{PgRequest, WireRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use paymux_galaxia::{GalaxiaAdapter, GalaxiaSimulator};

type Fixture = (ChannelContext, Vec<(PgRequest, WireRequest)>);
static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (channel, exchanges) = FIXTURE.get_or_init(|| {
        let channel = GalaxiaSimulator::default().sandbox_channel("galaxia-test", "");
        let ex = paymux_fuzz::exchanges(&GalaxiaAdapter, &channel);
        (channel, ex)
    });
    paymux_fuzz::decode_all(&GalaxiaAdapter, channel, exchanges, data);
});
