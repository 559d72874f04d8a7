//! Smart-routing groups, as PortOne's console guide walks through them: list; create (pick
//! the environment, name it, add 1–10 channels of that environment, weights totalling 100,
//! disable a channel); edit, now or scheduled for a future hour; see and cancel scheduled
//! changes; delete with the guide's warning. Every rule is the routing crate's, checked by
//! [`crate::groups`] exactly as for `PUT /channel-groups/{id}`; the page only says a broken
//! one in the guide's words ([`super::i18n::group_rule`]).

use std::collections::HashMap;

use axum::body::{to_bytes, Body};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use minijinja::Value as Tv;
use paymux_core::channel::Environment;
use paymux_core::validation::{ValidationError, ValidationErrors};
use paymux_routing::{ChannelGroup, GroupSchedule, GroupUpdate, MAX_CHANNELS};
use serde_json::{json, Value};

use super::auth::{field, form_pairs, FORM_LIMIT};
use super::i18n::{self, words};
use super::render::{self, show_time, Ctx};
use super::{charts, Cs};
use crate::groups::{self as ops, SaveError};
use crate::util;

/// Flash words a redirect may ask a page to show (only these: the query never puts text on
/// a page).
const FLASHES: &[&str] = &[
    "saved",
    "scheduled_ok",
    "pending_cancelled",
    "pending_gone",
    "group_deleted",
];

/// The flash word named by `?done=`, if it is one of [`FLASHES`].
pub fn flash(ctx: &Ctx, q: &HashMap<String, String>) -> Option<&'static str> {
    let key = q.get("done")?;
    FLASHES
        .iter()
        .find(|k| *k == key)
        .map(|k| words(ctx.lang).get(k))
}

fn env_code(e: Environment) -> &'static str {
    match e {
        Environment::Test => "test",
        Environment::Live => "live",
    }
}

fn group_summary(g: &ChannelGroup) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "env": env_code(g.environment),
        "channels": g.channels.iter().map(|c| json!({
            "key": c.channel_key, "weight": c.weight, "enabled": c.enabled
        })).collect::<Vec<_>>(),
    })
}

/// `GET /console/groups`.
pub async fn list(
    State(console): Cs,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let now = util::now();
    let groups = match ops::list(&console.app).await {
        Ok(g) => g,
        Err(e) => return storage_error(&ctx, e),
    };
    let items: Vec<Value> = groups
        .iter()
        .map(|s| {
            let mut v = group_summary(s.config_at(now));
            v["pending"] = json!(s.pending().iter().filter(|c| c.effective_at > now).count());
            v
        })
        .collect();
    render::page(
        &ctx,
        StatusCode::OK,
        "groups.html",
        minijinja::context! { groups => items, flash => flash(&ctx, &q) },
    )
}

/// One row of the channel table in the form.
struct Row {
    key: String,
    weight: String,
    enabled: bool,
}

/// What the form shows: the group's fields as typed, and the broken rules.
struct Form {
    id: Option<String>,
    name: String,
    env: Environment,
    rows: Vec<Row>,
    failover: bool,
    health_skip: bool,
    schedule: bool,
    schedule_date: String,
    schedule_hour: u32,
}

impl Form {
    fn of(g: &ChannelGroup) -> Form {
        let next_hour = util::now() + chrono::Duration::hours(1);
        let kst = next_hour.with_timezone(&render::kst());
        Form {
            id: Some(g.id.clone()),
            name: g.name.clone(),
            env: g.environment,
            rows: g
                .channels
                .iter()
                .map(|c| Row {
                    key: c.channel_key.clone(),
                    weight: c.weight.to_string(),
                    enabled: c.enabled,
                })
                .collect(),
            failover: g.failover,
            health_skip: g.health_skip,
            schedule: false,
            schedule_date: kst.format("%Y-%m-%d").to_string(),
            schedule_hour: chrono::Timelike::hour(&kst),
        }
    }

    fn empty(env: Environment) -> Form {
        let mut f = Form::of(&ChannelGroup::new("", env, vec![]));
        f.id = None;
        f
    }

    /// Read the submitted form (`env` only when creating: a group's environment is fixed).
    fn read(pairs: &[(String, String)], id: Option<String>, env: Environment) -> Form {
        let mut rows = Vec::new();
        for i in 0..MAX_CHANNELS + 5 {
            let key = field(pairs, &format!("key_{i}")).unwrap_or("").trim();
            if key.is_empty() {
                continue;
            }
            rows.push(Row {
                key: key.to_string(),
                weight: field(pairs, &format!("weight_{i}"))
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                enabled: field(pairs, &format!("enabled_{i}")).is_some(),
            });
        }
        Form {
            id,
            name: field(pairs, "name").unwrap_or("").to_string(),
            env,
            rows,
            failover: field(pairs, "failover").is_some(),
            health_skip: field(pairs, "health_skip").is_some(),
            schedule: field(pairs, "schedule").is_some(),
            schedule_date: field(pairs, "schedule_date").unwrap_or("").to_string(),
            schedule_hour: field(pairs, "schedule_hour")
                .and_then(|h| h.parse().ok())
                .unwrap_or(0),
        }
    }

    /// The admin API's JSON shape of this form, read by the API's own parser
    /// ([`GroupUpdate::from_json`]): type errors come back with the same field paths.
    fn update(&self) -> Result<GroupUpdate, ValidationErrors> {
        let channels: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let weight = if r.weight.is_empty() {
                    Value::Null
                } else {
                    r.weight
                        .parse::<u64>()
                        .map(Value::from)
                        .unwrap_or_else(|_| Value::String(r.weight.clone()))
                };
                let mut c = json!({"channelKey": r.key, "enabled": r.enabled});
                if !weight.is_null() {
                    c["weight"] = weight;
                }
                c
            })
            .collect();
        let mut body = json!({
            "name": self.name,
            "isForTest": self.env == Environment::Test,
            "channels": channels,
            "failover": self.failover,
            "healthSkip": self.health_skip,
        });
        if let Some(id) = &self.id {
            body["id"] = json!(id);
        }
        if self.schedule {
            let at = NaiveDate::parse_from_str(self.schedule_date.trim(), "%Y-%m-%d")
                .ok()
                .filter(|_| self.schedule_hour < 24)
                .and_then(|d| d.and_hms_opt(self.schedule_hour, 0, 0))
                .and_then(|t| render::kst().from_local_datetime(&t).single())
                .ok_or_else(|| {
                    ValidationErrors::from(ValidationError::new(
                        "effectiveAt",
                        "must be a date (YYYY-MM-DD) and an hour 0–23",
                    ))
                })?;
            body["effectiveAt"] = json!(at.with_timezone(&Utc).to_rfc3339());
        }
        GroupUpdate::from_json(&body)
    }

    fn view(&self, ctx: &Ctx, console: &super::Console, errors: &[String]) -> Tv {
        let options: Vec<Value> = console
            .app
            .channels
            .iter()
            .filter(|c| c.record.environment == self.env)
            .map(|c| {
                json!({
                    "key": c.ctx.key,
                    "label": format!("{} · {}", c.ctx.key, c.descriptor.display_name),
                })
            })
            .collect();
        // The rows typed, then empty ones up to the most a group may have; one empty row
        // shows, the page's "+ 채널 추가" reveals the others.
        let filled = self.rows.len();
        let mut rows: Vec<Value> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                json!({"i": i, "key": r.key, "weight": r.weight, "enabled": r.enabled, "hidden": false})
            })
            .collect();
        for i in filled..MAX_CHANNELS.max(filled) {
            rows.push(json!({
                "i": i, "key": "", "weight": "", "enabled": true, "hidden": i > filled
            }));
        }
        minijinja::context! {
            form => json!({
                "id": self.id,
                "is_new": self.id.is_none(),
                "name": self.name,
                "env": env_code(self.env),
                "env_name": words(ctx.lang).get(if self.env == Environment::Test { "env_test" } else { "env_live" }),
                "failover": self.failover,
                "health_skip": self.health_skip,
                "schedule": self.schedule,
                "schedule_date": self.schedule_date,
                "schedule_hour": self.schedule_hour,
                "rows": rows,
                "options": options,
                "max_channels": MAX_CHANNELS,
            }),
            hours => (0..24u32).map(|h| json!({"v": h, "label": format!("{h:02}:00")})).collect::<Vec<_>>(),
            errors => errors,
        }
    }
}

fn env_param(q: &HashMap<String, String>) -> Option<Environment> {
    match q.get("env").map(String::as_str) {
        Some("test") => Some(Environment::Test),
        Some("live") => Some(Environment::Live),
        _ => None,
    }
}

/// `GET /console/groups/new[?env=test|live]`: first the environment (the guide's step 3),
/// then the form with that environment's channels only.
pub async fn new_form(
    State(console): Cs,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(env) = env_param(&q) else {
        return render::page(
            &ctx,
            StatusCode::OK,
            "group_form.html",
            minijinja::context! { choose_env => true },
        );
    };
    let form = Form::empty(env);
    let data = form.view(&ctx, &console, &[]);
    render::page(
        &ctx,
        StatusCode::OK,
        "group_form.html",
        minijinja::context! { choose_env => false, pending => Vec::<Value>::new(), flash => None::<&str>, ..data },
    )
}

async fn read_body(body: Body) -> Vec<(String, String)> {
    to_bytes(body, FORM_LIMIT)
        .await
        .map(|b| form_pairs(&b))
        .unwrap_or_default()
}

/// `POST /console/groups`: create.
pub async fn create_submit(State(console): Cs, ctx: Ctx, body: Body) -> Response {
    let pairs = read_body(body).await;
    let env = match field(&pairs, "env") {
        Some("live") => Environment::Live,
        _ => Environment::Test,
    };
    let form = Form::read(&pairs, None, env);
    save(&console, &ctx, form, None).await
}

/// `GET /console/groups/{id}`: the edit form, scheduled changes, and links.
pub async fn edit_form(
    State(console): Cs,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let schedule = match ops::load(&console.app, &id).await {
        Ok(Some((s, _))) => s,
        Ok(None) => return group_not_found(&ctx),
        Err(e) => return storage_error(&ctx, e),
    };
    let form = Form::of(schedule.config_at(util::now()));
    edit_page(&console, &ctx, &schedule, form, &[], flash(&ctx, &q))
}

fn edit_page(
    console: &super::Console,
    ctx: &Ctx,
    schedule: &GroupSchedule,
    form: Form,
    errors: &[String],
    flash: Option<&str>,
) -> Response {
    let now = util::now();
    let pending: Vec<Value> = schedule
        .pending()
        .iter()
        .filter(|c| c.effective_at > now)
        .map(|c| {
            let mut v = group_summary(&c.group);
            v["at"] = json!(show_time(c.effective_at));
            v["at_micros"] = json!(util::micros(c.effective_at));
            v
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let data = form.view(ctx, console, errors);
    render::page(
        ctx,
        status,
        "group_form.html",
        minijinja::context! { choose_env => false, pending => pending, flash => flash, ..data },
    )
}

/// `POST /console/groups/{id}`: change now, or schedule the change.
pub async fn edit_submit(
    State(console): Cs,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Body,
) -> Response {
    let env = match ops::load(&console.app, &id).await {
        Ok(Some((s, _))) => s.config_at(util::now()).environment,
        Ok(None) => return group_not_found(&ctx),
        Err(e) => return storage_error(&ctx, e),
    };
    let pairs = read_body(body).await;
    let form = Form::read(&pairs, Some(id.clone()), env);
    save(&console, &ctx, form, Some(id)).await
}

async fn save(console: &super::Console, ctx: &Ctx, form: Form, id: Option<String>) -> Response {
    let scheduled = form.schedule;
    let result = match form.update() {
        Ok(update) => ops::save_checked(&console.app, update).await,
        Err(errs) => Err(SaveError::Invalid(errs)),
    };
    match result {
        Ok(saved) => {
            let done = if scheduled { "scheduled_ok" } else { "saved" };
            Redirect::to(&format!("/console/groups/{}?done={done}", saved.id())).into_response()
        }
        Err(SaveError::Invalid(errs)) => {
            let errors: Vec<String> = errs
                .0
                .iter()
                .map(|e| i18n::group_rule(ctx.lang, e))
                .collect();
            match id {
                Some(id) => match ops::load(&console.app, &id).await {
                    Ok(Some((schedule, _))) => {
                        edit_page(console, ctx, &schedule, form, &errors, None)
                    }
                    Ok(None) => group_not_found(ctx),
                    Err(e) => storage_error(ctx, e),
                },
                None => {
                    let data = form.view(ctx, console, &errors);
                    render::page(
                        ctx,
                        StatusCode::BAD_REQUEST,
                        "group_form.html",
                        minijinja::context! { choose_env => false, pending => Vec::<Value>::new(), flash => None::<&str>, ..data },
                    )
                }
            }
        }
        Err(SaveError::Other(e)) => api_error(ctx, &e),
    }
}

/// `GET /console/groups/{id}/delete`: the guide's warning and a confirm button.
pub async fn delete_confirm(State(console): Cs, ctx: Ctx, Path(id): Path<String>) -> Response {
    match ops::current(&console.app, &id).await {
        Ok(Some(g)) => render::page(
            &ctx,
            StatusCode::OK,
            "group_delete.html",
            minijinja::context! { group => group_summary(&g) },
        ),
        Ok(None) => group_not_found(&ctx),
        Err(e) => storage_error(&ctx, e),
    }
}

/// `POST /console/groups/{id}/delete`.
pub async fn delete_submit(State(console): Cs, ctx: Ctx, Path(id): Path<String>) -> Response {
    match ops::delete(&console.app, &id).await {
        Ok(true) => Redirect::to("/console/groups?done=group_deleted").into_response(),
        Ok(false) => group_not_found(&ctx),
        Err(e) => storage_error(&ctx, e),
    }
}

/// `POST /console/groups/{id}/scheduled/{at}/cancel` (`at` in µs since the epoch, as listed).
pub async fn cancel_scheduled(
    State(console): Cs,
    ctx: Ctx,
    Path((id, at)): Path<(String, i64)>,
) -> Response {
    let at = util::from_micros(at);
    match ops::cancel_scheduled(&console.app, &id, at).await {
        Ok(true) => {
            Redirect::to(&format!("/console/groups/{id}?done=pending_cancelled")).into_response()
        }
        Ok(false) => {
            Redirect::to(&format!("/console/groups/{id}?done=pending_gone")).into_response()
        }
        Err(e) => api_error(&ctx, &e),
    }
}

/// `GET /console/groups/{id}/chart[?window=5m|1h|1d]`: the numbers of
/// `GET /channel-groups/{id}/stats` ([`crate::stats::for_group`]) drawn.
pub async fn chart(
    State(console): Cs,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let group = match ops::current(&console.app, &id).await {
        Ok(Some(g)) => g,
        Ok(None) => return group_not_found(&ctx),
        Err(e) => return storage_error(&ctx, e),
    };
    let stats = match crate::stats::for_group(&console.app, &id).await {
        Ok(Some(s)) => s,
        Ok(None) => return group_not_found(&ctx),
        Err(e) => return storage_error(&ctx, e),
    };
    let wanted = q.get("window").map(String::as_str).unwrap_or("1d");
    // An unknown `window` shows the widest (the stats always count all three).
    let Some(shown) = stats
        .windows
        .iter()
        .find(|w| w.window == wanted)
        .or_else(|| stats.windows.iter().max_by_key(|w| w.seconds))
    else {
        return group_not_found(&ctx);
    };
    let t = words(ctx.lang);
    let svgs = charts::render_all(shown, &stats.windows, t);
    let windows: Vec<Value> = stats
        .windows
        .iter()
        .rev()
        .map(|w| json!({"name": w.window, "label": t.get(&format!("chart_window_{}", w.window))}))
        .collect();
    let warnings: Vec<Value> = stats
        .warnings
        .iter()
        .map(|w| json!({"channel": w.channel_key, "kind": w.kind, "message": w.message}))
        .collect();
    render::page(
        &ctx,
        StatusCode::OK,
        "group_chart.html",
        minijinja::context! {
            group => group_summary(&group),
            window => shown.window,
            windows => windows,
            total => shown.payments,
            table => charts::table(shown),
            warnings => warnings,
            svg_split => Tv::from_safe_string(svgs.split),
            svg_time => Tv::from_safe_string(svgs.over_time),
            svg_approval => Tv::from_safe_string(svgs.approval),
            svg_latency => Tv::from_safe_string(svgs.latency),
        },
    )
}

fn group_not_found(ctx: &Ctx) -> Response {
    render::message(
        ctx,
        StatusCode::NOT_FOUND,
        "not_found_title",
        "group_not_found",
    )
}

/// A storage failure: logged, never shown (it may name internals).
pub fn storage_error(ctx: &Ctx, e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "console storage error");
    render::text_message(
        ctx,
        StatusCode::SERVICE_UNAVAILABLE,
        words(ctx.lang).get("error_title"),
        "storage unavailable (logged)",
    )
}

/// An operation's refusal, as the API words it (its message names the field and the rule).
pub fn api_error(ctx: &Ctx, e: &crate::error::ApiError) -> Response {
    let msg = e
        .body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    render::text_message(
        ctx,
        e.status,
        words(ctx.lang).get("error_title"),
        &super::mask::text(&format!("{} — {msg}", e.kind())),
    )
}
