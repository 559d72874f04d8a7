//! The operator console against the store on SQLite and PostgreSQL: its sessions, the payment
//! list's filters, a payment's attempts with their masked wire views, its cancel and webhooks,
//! the group chart (the numbers of `GET /channel-groups/{id}/stats`), the channel list; no
//! card number, birth date, password or PG billing key in the wire views stored or shown; and
//! the limits on console sign-in, tokens and PG notices.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use paymux_gateway::GatewayOptions;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::harness::*;

pub const OPERATOR: &str = "gateway-test-operator-secret-0123";

/// The harness's gateway with the console on.
pub fn with_console(o: &mut GatewayOptions) {
    o.operator_secret = Some(OPERATOR.into());
}

/// ... with `[observability] wire_views = false`.
pub fn with_console_no_wire_views(o: &mut GatewayOptions) {
    with_console(o);
    o.tuning.wire_views = false;
}

/// ... and short, small limits (a 1-second window, so a test can wait it out).
pub fn with_tight_limits(o: &mut GatewayOptions) {
    with_console(o);
    let section = paymux_gateway::config::LimitsSection {
        window_ms: Some(1_000),
        console_sign_in_failures: Some(3),
        console_sign_in_failures_total: Some(20),
        token_failures: Some(2),
        pg_notices_per_channel: Some(3),
        ..Default::default()
    };
    o.tuning.limits = paymux_gateway::config::LimitsConfig::from_section(&section);
}

fn uid(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// A signed-in console session.
struct Console {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

async fn sign_in_with(base: &str, secret: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/console/login"))
        .form(&[("secret", secret)])
        .send()
        .await
        .unwrap()
}

impl Console {
    async fn sign_in(h: &Harness) -> Console {
        let base = h.gw.base_url.clone();
        let r = sign_in_with(&base, OPERATOR).await;
        assert_eq!(r.status().as_u16(), 303);
        let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
        let cookie = set.split(';').next().unwrap().to_string();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut c = Console {
            http,
            base,
            cookie,
            csrf: String::new(),
        };
        let (s, page) = c.get("/console/groups").await;
        assert_eq!(s, 200);
        let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
        c.csrf = page[at..].split('"').next().unwrap().to_string();
        c
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let mut f: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        f.extend_from_slice(form);
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(&f)
            .send()
            .await
            .unwrap();
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status().as_u16(), loc)
    }
}

/// Every `attempt_wire` row as text (the console's wire views as stored).
async fn wire_rows(h: &Harness) -> Vec<String> {
    let q = "SELECT payment_id, channel_key, operation, request_view, answer_view FROM attempt_wire ORDER BY at";
    let rows: Vec<(String, String, String, String, String)> = match h.backend {
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&h.database_url).await.unwrap();
            sqlx::query_as(q).fetch_all(&mut c).await.unwrap()
        }
        Backend::Sqlite => {
            // On SQLite they live in the diagnostics file beside the database.
            let file = h.database_url.replace("gw.sqlite", "gw.diagnostics.sqlite");
            let mut c = sqlx::SqliteConnection::connect(&file).await.unwrap();
            sqlx::query_as(q).fetch_all(&mut c).await.unwrap()
        }
    };
    rows.into_iter()
        .map(|(p, c, o, req, ans)| format!("{p} {c} {o}\n{req}\n{ans}"))
        .collect()
}

/// The PG billing keys the gateway keeps (to charge them), which no view may show.
async fn pg_billing_keys(h: &Harness) -> Vec<String> {
    let q = "SELECT pg_billing_key FROM billing_key_channels WHERE pg_billing_key IS NOT NULL";
    let rows: Vec<(String,)> = match h.backend {
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&h.database_url).await.unwrap();
            sqlx::query_as(q).fetch_all(&mut c).await.unwrap()
        }
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&h.database_url)
                .await
                .unwrap();
            sqlx::query_as(q).fetch_all(&mut c).await.unwrap()
        }
    };
    rows.into_iter().map(|(k,)| k).collect()
}

async fn pay(h: &Harness, via: (&str, &str), card: &str) -> (String, StatusCode) {
    let id = uid("con");
    let (s, v) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(via, card, 1000),
        )
        .await;
    assert!(s == StatusCode::OK || s == StatusCode::BAD_GATEWAY, "{v}");
    (id, s)
}

pub async fn console_pages_on_the_store(h: Arc<Harness>) {
    let con = Console::sign_in(&h).await;
    let mut paid = Vec::new();
    for _ in 0..4 {
        paid.push(pay(&h, ("channelGroupId", GROUP_AB), CARD_OK).await.0);
    }
    let (declined, s) = pay(&h, ("channelGroupId", GROUP_AB), CARD_DECLINED).await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    // A payment routed first to the misconfigured channel fails over to fake-a: two attempts.
    let mut failed_over = None;
    for _ in 0..64 {
        let (id, s) = pay(&h, ("channelGroupId", GROUP_FAILOVER), CARD_OK).await;
        assert_eq!(s, StatusCode::OK);
        if h.sim.count("pay", &id) == 2 {
            failed_over = Some(id);
            break;
        }
    }
    let failed_over = failed_over.expect("no payment was routed to the bad channel first");
    h.gw.deliver_webhooks_once().await.unwrap();

    // The list and its filters (the list API's, on this backend's SQL).
    let (s, list) = con.get("/console/payments?env=test").await;
    assert_eq!(s, 200);
    for id in paid.iter().chain([&declined, &failed_over]) {
        assert!(list.contains(id.as_str()), "{id} not listed");
    }
    let (s, failed) = con.get("/console/payments?status=FAILED").await;
    assert_eq!(s, 200);
    assert!(failed.contains(&declined) && !failed.contains(&paid[0]));
    let (s, found) = con
        .get(&format!("/console/payments?field=PAYMENT_ID&q={}", paid[1]))
        .await;
    assert_eq!(s, 200);
    assert!(found.contains(&paid[1]) && !found.contains(&paid[2]));

    // A failed-over payment: both attempts, each with what was sent and answered, masked.
    let (s, page) = con.get(&format!("/console/payments/{failed_over}")).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page.matches("<li class=\"attempt\">").count(), 2, "{page}");
    assert_eq!(page.matches("class=\"wire-request\"").count(), 2, "{page}");
    assert_eq!(page.matches("class=\"wire-answer\"").count(), 2, "{page}");
    assert!(
        page.contains("WRONG-MID"),
        "the bad channel's request: {page}"
    );
    assert!(page.contains("411111******1111"), "{page}");
    assert!(!page.contains(CARD_OK), "{page}");
    assert!(page.contains("APPROVED"), "fake-a's answer: {page}");
    // The declined one: the PG's code in the answer view.
    let (_, page) = con.get(&format!("/console/payments/{declined}")).await;
    assert!(page.contains("DECLINED"), "{page}");
    assert!(!page.contains(CARD_DECLINED), "{page}");
    // Webhooks, and the cancel button through the API's cancel.
    let (_, page) = con.get(&format!("/console/payments/{}", paid[0])).await;
    assert!(page.contains("Transaction.Paid"), "{page}");
    let (s, loc) = con
        .post(
            &format!("/console/payments/{}/cancel", paid[0]),
            &[("amount", "300"), ("reason", "console test")],
        )
        .await;
    assert_eq!(s, 303, "{loc}");
    let (_, p) = h.get(&format!("/payments/{}", paid[0])).await;
    assert_eq!(p["status"], "PARTIAL_CANCELLED", "{p}");
    let (_, page) = con.get(&format!("/console/payments/{}", paid[0])).await;
    assert!(page.contains("console test") && page.contains("PARTIAL_CANCELLED"));

    // The chart: the stats endpoint's numbers, not a second count.
    let (s, stats) = h.get(&format!("/channel-groups/{GROUP_AB}/stats")).await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    let day = stats["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["window"] == "1d")
        .unwrap()
        .clone();
    assert_eq!(day["payments"], 5, "{stats}");
    let (s, chart) = con.get(&format!("/console/groups/{GROUP_AB}/chart")).await;
    assert_eq!(s, 200, "{chart}");
    assert!(
        chart.contains("<strong id=\"chart-total\">5</strong>"),
        "{chart}"
    );
    for c in day["channels"].as_array().unwrap() {
        let row = format!(
            "<tr data-channel=\"{}\">",
            c["channelKey"].as_str().unwrap()
        );
        let at = chart.find(&row).expect("a row per channel");
        let cells = &chart[at..chart[at..].find("</tr>").unwrap() + at];
        let selected = format!("<td class=\"count\">{}</td>", c["selected"]);
        assert!(cells.contains(&selected), "{cells} vs {c}");
    }
    let (s, five) = con
        .get(&format!("/console/groups/{GROUP_AB}/chart?window=5m"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(five.matches("<svg class=\"chart\"").count(), 4);
    // A hostile window is the widest one, never echoed.
    let (s, odd) = con
        .get(&format!(
            "/console/groups/{GROUP_AB}/chart?window=%3Cscript%3Ealert(1)%3C/script%3E"
        ))
        .await;
    assert_eq!(s, 200);
    assert!(
        !odd.contains("<script>alert") && odd.contains("<strong id=\"chart-total\">5</strong>")
    );
    // The channel list's approval rate (payments on this backend).
    let (s, channels) = con.get("/console/channels").await;
    assert_eq!(s, 200);
    assert!(
        channels.contains("fake-a") && channels.contains('%'),
        "{channels}"
    );
}

pub async fn wire_views_hold_no_secret(h: Arc<Harness>) {
    let con = Console::sign_in(&h).await;
    let (card_paid, _) = pay(&h, ("channelKey", "fake-a"), CARD_OK).await;
    let (card_declined, _) = pay(&h, ("channelKey", "fake-a"), CARD_DECLINED).await;
    // A billing key, and a payment with it (the request carries the PG's key).
    let (s, v) = h
        .post(
            "/billing-keys",
            &issue_body(("channelKey", "fake-a"), CARD_OK),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let key = v["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    let with_key = uid("bkpay");
    let (s, v) = h
        .post(
            &format!("/payments/{with_key}/billing-key"),
            &json!({"billingKey": key, "orderName": "sub", "amount": {"total": 990}, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let pg_keys = pg_billing_keys(&h).await;
    assert!(!pg_keys.is_empty());

    // Every page read writes what is pending first.
    let mut pages = String::new();
    for id in [&card_paid, &card_declined, &with_key] {
        let (s, page) = con.get(&format!("/console/payments/{id}")).await;
        assert_eq!(s, 200);
        assert!(page.contains("class=\"wire-request\""), "{id}: {page}");
        pages.push_str(&page);
    }
    let rows = wire_rows(&h).await;
    assert_eq!(rows.len(), 3, "{rows:#?}");
    let stored = rows.join("\n");
    assert!(stored.contains("411111******1111"), "{stored}");
    assert!(stored.contains("payment.billing-key"), "{stored}");
    let mut forbidden: Vec<&str> =
        vec![CARD_OK, CARD_DECLINED, BIRTH, "passwordTwoDigits", "\"42\""];
    forbidden.extend(pg_keys.iter().map(String::as_str));
    for secret in &forbidden {
        assert!(
            !stored.contains(secret),
            "attempt_wire holds `{secret}`:\n{stored}"
        );
        assert!(!pages.contains(secret), "a console page shows `{secret}`");
    }
    // The whole database (its file on SQLite) holds no card data either.
    let dump = h.dump().await;
    for secret in [CARD_OK, CARD_DECLINED, "\"880229\"", "passwordTwoDigits"] {
        assert!(!dump.contains(secret), "database holds `{secret}`");
    }
}

/// `[observability] wire_views = false`: a payment's attempts are shown, nothing of what was
/// sent or answered is stored, and the page says why.
pub async fn wire_views_can_be_turned_off(h: Arc<Harness>) {
    let con = Console::sign_in(&h).await;
    let (paid, s) = pay(&h, ("channelKey", "fake-a"), CARD_OK).await;
    assert_eq!(s, StatusCode::OK);
    let (s, page) = con.get(&format!("/console/payments/{paid}")).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page.matches("<li class=\"attempt\">").count(), 1, "{page}");
    assert!(!page.contains("class=\"wire-request\""), "{page}");
    assert!(page.contains("wire_views = false"), "{page}");
    assert!(wire_rows(&h).await.is_empty());
}

pub async fn sign_in_tokens_and_notices_are_throttled(h: Arc<Harness>) {
    let base = h.gw.base_url.clone();
    // Console: three wrong secrets, then 429 with Retry-After — even for the right one.
    for _ in 0..3 {
        assert_eq!(
            sign_in_with(&base, "wrong-secret").await.status().as_u16(),
            401
        );
    }
    for secret in ["wrong-secret", OPERATOR] {
        let r = sign_in_with(&base, secret).await;
        assert_eq!(r.status().as_u16(), 429, "{secret}");
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=1).contains(&wait), "{wait}");
        assert!(r.headers().get("set-cookie").is_none());
        assert!(r.text().await.unwrap().contains("id=\"login-throttled\""));
    }
    // After the window, the right secret signs in.
    let mut status = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = sign_in_with(&base, OPERATOR).await.status().as_u16();
        if status != 429 {
            break;
        }
    }
    assert_eq!(status, 303, "the window passed, the secret works again");

    // Tokens: two refused, then 429 with PortOne's UnauthorizedError body.
    let login = |secret: &'static str| {
        let h = h.clone();
        async move {
            let r = h
                .http
                .post(h.url("/login/api-secret"))
                .json(&json!({"apiSecret": secret}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let body: Value = r.json().await.unwrap();
            (status, retry, body)
        }
    };
    for _ in 0..2 {
        let (s, _, v) = login("not-the-secret").await;
        assert_eq!((s, v["type"].as_str()), (401, Some("UNAUTHORIZED")));
    }
    let (s, retry, v) = login(API_SECRET).await;
    assert_eq!((s, v["type"].as_str()), (429, Some("UNAUTHORIZED")), "{v}");
    assert_eq!(retry.as_deref(), Some("1"));
    assert!(!v.to_string().contains(API_SECRET));
    let r = h
        .http
        .post(h.url("/token/refresh"))
        .json(&json!({"refreshToken": "x.y.z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429, "refresh shares the count");
    let mut status = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = login(API_SECRET).await.0;
        if status != 429 {
            break;
        }
    }
    assert_eq!(status, 200);

    // PG notices: three per channel per window; the fourth is told to come back later.
    let notice = |channel: &'static str| {
        let h = h.clone();
        async move {
            let r = h
                .http
                .post(h.url(&format!("/pg-notices/{channel}")))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.headers().get("retry-after").is_some(),
            )
        }
    };
    for _ in 0..3 {
        let (s, retry) = notice("fake-a").await;
        assert!(s != 503 && !retry, "{s}");
    }
    assert_eq!(notice("fake-a").await, (503, true));
    let (s, _) = notice("fake-b").await;
    assert_ne!(s, 503, "another channel has its own count");
    assert!(
        logs().contains("PG notice deferred"),
        "the deferral is logged"
    );
}
