//! The channels page: each configured channel with its PG, environment, what its adapter can
//! do, its health as routing sees it, and its approval rate over the last 24 hours.
//! Credentials are never shown (only the PG merchant id, which is not a secret).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use paymux_routing::ChannelHealth;
use serde_json::{json, Value};

use super::i18n::words;
use super::render::{self, Ctx};
use super::Cs;
use crate::util;

/// Most settled attempts the page reads.
const MAX_ROWS: i64 = 50_000;

/// `GET /console/channels`.
pub async fn list(State(console): Cs, ctx: Ctx) -> Response {
    let t = words(ctx.lang);
    let since = util::now() - chrono::Duration::hours(24);
    let rows =
        match crate::store::console::outcomes_since(&console.app.db, util::micros(since), MAX_ROWS)
            .await
        {
            Ok(r) => r,
            Err(e) => return super::groups::storage_error(&ctx, e),
        };
    let items: Vec<Value> = console
        .app
        .channels
        .iter()
        .map(|c| {
            let caps = &c.descriptor.capabilities;
            let operations: Vec<String> = caps
                .operations
                .iter()
                .map(|op| {
                    if op.methods.is_empty() {
                        op.operation.as_str().to_string()
                    } else {
                        let m: Vec<&str> = op.methods.iter().map(|m| m.as_str()).collect();
                        format!("{} ({})", op.operation.as_str(), m.join(", "))
                    }
                })
                .collect();
            let health = match console.app.health.status(&c.ctx.key) {
                ChannelHealth::Healthy {
                    consecutive_failures: 0,
                } => t.get("health_ok").to_string(),
                ChannelHealth::Healthy {
                    consecutive_failures: n,
                } => format!("{} ({n} {})", t.get("health_ok"), t.get("health_failures")),
                ChannelHealth::CoolingDown { remaining } => {
                    format!("{} ({}s)", t.get("health_cooling"), remaining.as_secs())
                }
                ChannelHealth::ProbeReady | ChannelHealth::Probing => {
                    t.get("health_probe").to_string()
                }
            };
            let mine = rows.iter().filter(|r| r.channel_key == c.ctx.key);
            let (approved, declined) = mine.fold((0u64, 0u64), |(a, d), r| match r.approved {
                Some(true) => (a + 1, d),
                Some(false) => (a, d + 1),
                None => (a, d),
            });
            let approval = if approved + declined > 0 {
                format!(
                    "{:.1}% ({approved}/{})",
                    100.0 * approved as f64 / (approved + declined) as f64,
                    approved + declined
                )
            } else {
                "–".into()
            };
            json!({
                "key": c.ctx.key,
                "name": c.record.name,
                "pg": format!("{} ({})", c.descriptor.display_name, c.descriptor.pg_provider),
                "env": t.get(match c.record.environment {
                    paymux_core::channel::Environment::Test => "env_test",
                    paymux_core::channel::Environment::Live => "env_live",
                }),
                "mid": c.record.pg_merchant_id,
                "maturity": c.descriptor.maturity.as_str(),
                "operations": operations,
                "currencies": caps.currencies.join(", "),
                "partial_cancel": caps.partial_cancel,
                "health": health,
                "approval": approval,
            })
        })
        .collect();
    render::page(
        &ctx,
        StatusCode::OK,
        "channels.html",
        minijinja::context! { channels => items },
    )
}
