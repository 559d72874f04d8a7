//! The reliability issue's scenarios, end to end through the binary a user runs: `paymux serve
//! --config` as separate processes (so they can be killed), the vendors' simulators in this
//! process (so their ledgers can be compared with the gateway's books), on SQLite and on
//! PostgreSQL. Each runs a CI-sized load; `cargo xtask reliability --scale N` runs N times
//! as much and collects the `RELIABILITY …` figure lines into docs/RELIABILITY.md.
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

#[path = "../common/mod.rs"]
mod common;

mod harness;

mod crash;
mod duplicates;
mod faults;
mod secrets;
mod unknown;
