//! `testwin`: the testkit's fake PG ([`paymux_testkit::fake`]) with its `TESTWIN` profile, a
//! payment window that completes card payments **and virtual accounts** through the adapter
//! contract (`checkout.complete` → an HTTP approval call), so the gateway's virtual-account
//! window path can be driven end to end. (Galaxia issues virtual accounts inside its window and
//! its adapter declares no `checkout.complete` for them; the gateway refuses such windows, see
//! `galaxia_virtual_account_windows_are_refused`.) Registered for this test binary only.

pub use paymux_testkit::fake::{FakeSim as TestWinSim, TESTWIN};

paymux_testkit::register_fake!(paymux_testkit::fake::TESTWIN);
