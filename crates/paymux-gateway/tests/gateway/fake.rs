//! The test-only `fake` PG: the testkit's fake ([`paymux_testkit::fake`]) with its `FAKE`
//! profile (card payments, billing keys, cancels, inquiry over JSON telegrams), registered
//! with `inventory` for this test binary only, so the gateway's sandbox starts it like any
//! linked adapter.

use paymux_core::channel::ChannelContext;
use paymux_testkit::fake::FAKE;

pub use paymux_testkit::fake::{FakeSim, LATE_ANSWER, LATE_CANCEL_REASON};

/// The merchant id the simulator accepts.
pub const MID: &str = FAKE.mid;

/// A `fake` channel at `endpoint` with merchant id `mid`.
pub fn channel(key: &str, endpoint: &str, mid: &str) -> ChannelContext {
    FAKE.channel(key, endpoint, mid)
}

paymux_testkit::register_fake!(paymux_testkit::fake::FAKE);
