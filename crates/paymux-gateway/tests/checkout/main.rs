//! Hosted checkout (payment windows) end to end: the gateway, Galaxia's and Smartro's
//! simulators with their payment windows, the test-only `testwin` PG, and a webhook receiver.
//!
//! - Plain HTTP ([`scenarios`], on SQLite and PostgreSQL): the API's rules, every window flow,
//!   and the session state machine (double, concurrent, tampered and late returns).
//! - A real browser ([`browser`]): headless Chromium driven by `tests/browser/checkout.mjs`
//!   (playwright-core). Skipped loudly when Chromium or `tests/browser/node_modules` is
//!   missing; under `CI` that is a failure.

mod browser;
mod harness;
mod minibrowser;
mod scenarios;
mod sdk;
mod sdk_browser;
#[path = "../support/test_db.rs"]
mod test_db;
mod testwin;

use std::time::Duration;

use harness::Backend;

/// Short sessions so the expiry scenarios run quickly.
fn short_sessions(o: &mut paymux_gateway::GatewayOptions) {
    o.tuning.checkout_session_ttl = Duration::from_secs(4);
}

macro_rules! on_both_backends {
    ($($name:ident $(with $tweak:expr)?),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                harness::run_with(Backend::Sqlite, |_o| { $($tweak(_o);)? }, scenarios::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                harness::run_with(Backend::Postgres, |_o| { $($tweak(_o);)? }, scenarios::$name).await
            }
        }
    )*};
}

on_both_backends!(
    api_rules,
    galaxia_virtual_account_windows_issue_accounts,
    card_window_over_http,
    double_and_concurrent_returns_approve_once,
    tampered_returns_are_refused,
    expired_sessions_never_approve with short_sessions,
    declined_and_cancelled_windows_fail,
    billing_key_windows,
    group_and_virtual_account_windows,
    window_vat_follows_the_chosen_pg,
    no_redirect_url_shows_a_result_page,
    no_card_data_is_stored_or_logged,
    unknown_outcome_is_reconciled,
    escrow_windows_show_the_escrow_status,
);

/// The browser SDKs' session endpoints over HTTP (see [`sdk`]).
macro_rules! sdk_scenarios {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            harness::run_with(Backend::Sqlite, sdk::browser_stores, sdk::$name).await
        }
    )*};
}

sdk_scenarios!(
    browser_sessions_refuse_hostile_input,
    browser_popup_return_posts_once,
    browser_v1_redirect_answers_m_redirect_url,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn customer_pages_name_who_may_frame_them() {
    harness::run_with(
        Backend::Sqlite,
        sdk::named_origin_stores,
        sdk::customer_pages_name_who_may_frame_them,
    )
    .await
}

/// The six flows in headless Chromium (see `tests/browser/checkout.mjs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn checkout_in_headless_chromium() {
    browser::run().await
}

/// The browser SDKs in headless Chromium (see `tests/browser/sdk.mjs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn browser_sdks_in_headless_chromium() {
    sdk_browser::run().await
}
