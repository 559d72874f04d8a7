//! End-to-end tests of the gateway over real HTTP, against the in-process fake PG simulator,
//! on SQLite (temp file) and PostgreSQL (`postgres://postgres@127.0.0.1:5432/test`, one
//! schema per test, dropped after; skipped with a loud notice when unreachable).

mod banks_receipts;
mod cash_receipts;
mod console;
mod fake;
mod harness;
mod list_filters;
mod list_range;
mod payment_ops;
mod scenarios;
#[path = "../support/test_db.rs"]
mod test_db;
mod tokens;

use harness::Backend;

macro_rules! on_both_backends {
    (in $module:ident: $($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                harness::run(Backend::Sqlite, $module::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                harness::run(Backend::Postgres, $module::$name).await
            }
        }
    )*};
    ($($name:ident),* $(,)?) => { on_both_backends!(in scenarios: $($name),*); };
}

on_both_backends!(
    auth_is_required,
    instant_payment_via_channel,
    instant_payment_via_group,
    failover_group_routes_around_a_misconfigured_channel,
    duplicate_payment_id_reaches_the_pg_once,
    concurrent_duplicates_approve_exactly_once,
    cancel_partial_then_full,
    declined_card_fails_and_may_be_retried,
    unknown_outcome_is_reconciled_by_inquiry,
    dropped_connection_is_reconciled_to_failed,
    unknown_cancel_is_reconciled_by_inquiry,
    super_billing_key_with_a_failing_channel,
    billing_key_single_channel_and_explicit_channel,
    schedule_runs_once_and_revoke,
    webhooks_are_signed_and_retried,
    invalid_input_is_400_never_500,
    admin_channels_and_groups,
    no_card_data_in_database_or_logs,
    two_instances_share_one_database,
    payment_lists,
    payment_transactions,
    schedule_lists,
    billing_key_lists,
    pre_registered_payments,
);

on_both_backends!(in tokens:
    tokens_login_refresh_and_bearer,
    tokens_hostile_input,
    tokens_across_instances_and_secret_rotation,
);

on_both_backends!(in list_range: payments_list_the_last_90_days_by_default);

on_both_backends!(in payment_ops:
    escrow_and_store_receipts,
    close_needs_a_pg_that_closes,
    promotions_and_kakaopay_orders,
);
/// Cash receipts through NICE's and Toss's simulators (`cash_receipts::run` adds their
/// channels).
mod cash_receipts_through_nice_and_toss {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        cash_receipts::run(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        cash_receipts::run(Backend::Postgres).await
    }
}

/// `GET /billing-keys` by PG company and platform, with a NICE channel beside the fake's.
mod billing_key_list_filters {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        list_filters::run(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        list_filters::run(Backend::Postgres).await
    }
}

/// The console's scenarios (its pages' SQL on both backends), each with the console on.
macro_rules! console_on_both_backends {
    ($($name:ident with $tweak:path),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                harness::run_with(Backend::Sqlite, $tweak, console::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                harness::run_with(Backend::Postgres, $tweak, console::$name).await
            }
        }
    )*};
}

console_on_both_backends!(
    console_pages_on_the_store with console::with_console,
    wire_views_hold_no_secret with console::with_console,
    wire_views_can_be_turned_off with console::with_console_no_wire_views,
    sign_in_tokens_and_notices_are_throttled with console::with_tight_limits,
);

on_both_backends!(in banks_receipts: bank_list, receipt_url_from_the_pg, openapi_document_is_served);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn not_found_is_believed_only_after_the_grace_period() {
    harness::run_with(
        Backend::Sqlite,
        |o| o.tuning.not_found_grace = std::time::Duration::from_secs(600),
        scenarios::not_found_waits_for_grace,
    )
    .await
}

/// `[pg] read_timeout_ms` set shorter than the adapter's recommended read timeout (the fake
/// recommends 30 s): the configured one decides, so a late answer is unknown within it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_configured_read_timeout_beats_the_adapters_recommendation() {
    harness::run_with(
        Backend::Sqlite,
        |o| {
            o.tuning.read_timeout = scenarios::SHORT_READ;
            o.tuning.read_timeout_overrides_adapter = true;
        },
        scenarios::late_answer_is_unknown_within_the_configured_read_timeout,
    )
    .await
}

/// Without `[pg] read_timeout_ms`, the adapter's recommended read timeout is used: the same
/// late answer is waited for and the payment is paid.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_configured_read_timeout_the_adapters_recommendation_is_used() {
    harness::run_with(
        Backend::Sqlite,
        |o| {
            o.tuning.read_timeout = scenarios::SHORT_READ;
            o.tuning.read_timeout_overrides_adapter = false;
        },
        scenarios::late_answer_is_waited_for_with_the_adapters_read_timeout,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhook_backoff_is_capped() {
    harness::run_with(
        Backend::Sqlite,
        |o| {
            o.tuning.webhook_backoff_base = std::time::Duration::from_secs(3600);
            o.tuning.webhook_backoff_max = std::time::Duration::from_millis(300);
        },
        scenarios::webhook_backoff_is_capped,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sandbox_starts_every_registered_simulator() {
    scenarios::sandbox().await
}

/// The official PortOne Python server SDK against the gateway (tests/sdk/). Needs a Python
/// with `portone-server-sdk` installed (`PAYMUX_PYTHON`, default `python3`); skipped with a
/// loud notice otherwise.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn portone_python_sdk_against_the_gateway_on_sqlite() {
    python_sdk_on(Backend::Sqlite).await
}

/// The same SDK run on PostgreSQL: every implemented operation on both stores.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn portone_python_sdk_against_the_gateway_on_postgres() {
    python_sdk_on(Backend::Postgres).await
}

async fn python_sdk_on(backend: Backend) {
    // The cash-receipt calls go to a Toss Payments simulator channel.
    let (toss, handle) = cash_receipts::toss_channel().await;
    harness::run_with(
        backend,
        |o| {
            o.background_workers = true;
            o.tuning.webhook_interval = std::time::Duration::from_millis(100);
            o.channels.push(toss);
        },
        |h| async move {
            scenarios::python_sdk(h).await;
            drop(handle);
        },
    )
    .await
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    scenarios::openapi_lists_every_route().await
}
