//! The operator console (`/console`) through the binary a user runs, in sandbox mode:
//!
//! - over HTTP: no page and no change without the operator secret (not even with the API
//!   secret), the session cookie's attributes, CSRF and cross-origin changes refused, the
//!   group rules refused by the server in the console guide's words, sign-out ending the
//!   session, and merchant text (order name, customer name, `customData`) rendered inert and
//!   card numbers masked;
//! - in headless Chromium (`tests/browser/console.mjs`): the whole walk-through, with
//!   screenshots at 1280×800 and 390×844 kept as test artifacts.
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

const SECRET: &str = "console-e2e-api-secret";
const OPERATOR: &str = "console-e2e-operator-secret-0123456789";
const WEIGHTS_TOTAL_KO: &str =
    "비율의 합은 100% 미만이거나 초과될 수 없습니다. 총 합이 100%여야만 합니다.";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Sign in; the session cookie (`name=value`) and the `Set-Cookie` line.
async fn sign_in(base: &str) -> (String, String) {
    let r = client()
        .post(format!("{base}/console/login"))
        .form(&[("secret", OPERATOR)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), "/console/groups");
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let pair = set.split(';').next().unwrap().trim().to_string();
    (pair, set)
}

async fn get_page(base: &str, cookie: &str, path: &str) -> (u16, String) {
    let r = client()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The CSRF token a signed-in page carries.
fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..].split('"').next().unwrap().to_string()
}

async fn post_form(
    base: &str,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
    origin: Option<&str>,
) -> (u16, String, String) {
    let mut req = client()
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .form(form);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let r = req.send().await.unwrap();
    let loc = location(&r);
    (r.status().as_u16(), loc, r.text().await.unwrap())
}

async fn groups(base: &str) -> Vec<Value> {
    let (s, v) = common::call_as(
        SECRET,
        reqwest::Method::GET,
        format!("{base}/channel-groups"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

fn group_form<'a>(csrf: &'a str, name: &'a str, weights: [&'a str; 3]) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("env", "test"),
        ("name", name),
        ("key_0", "galaxia-test"),
        ("weight_0", weights[0]),
        ("enabled_0", "1"),
        ("key_1", "ksnet-test"),
        ("weight_1", weights[1]),
        ("enabled_1", "1"),
        ("key_2", "smartro-test"),
        ("weight_2", weights[2]),
        ("enabled_2", "1"),
    ]
}

#[tokio::test]
async fn console_needs_the_operator_secret_and_refuses_forged_changes() {
    let sb = common::start_sandbox_with("console-sec", SECRET, &["--operator-secret", OPERATOR]);
    let base = sb.base.clone();
    let before = groups(&base).await.len();

    // The banner says where the console is and prints the sandbox's operator secret.
    let wanted = format!("{base}/console (operator secret: {OPERATOR})");
    let mut printed = String::new();
    for _ in 0..100 {
        printed = sb.output.lock().unwrap().clone();
        if printed.contains(&wanted) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(printed.contains(&wanted), "{printed}");

    // No page without a session: every one sends the browser to the sign-in page, showing
    // nothing; a change without a session changes nothing.
    for path in [
        "/console",
        "/console/groups",
        "/console/groups/new?env=test",
        "/console/channels",
        "/console/payments",
        "/console/payments/anything",
    ] {
        let r = client().get(format!("{base}{path}")).send().await.unwrap();
        let status = r.status().as_u16();
        let loc = location(&r);
        let body = r.text().await.unwrap();
        assert_eq!((status, loc.as_str()), (303, "/console/login"), "{path}");
        assert!(!body.contains("galaxia-test"), "{path}: {body}");
    }
    let (s, loc, _) = post_form(
        &base,
        "paymux_console=forged",
        "/console/groups",
        &group_form("x", "forged", ["50", "30", "20"]),
        None,
    )
    .await;
    assert_eq!((s, loc.as_str()), (303, "/console/login"));
    assert_eq!(groups(&base).await.len(), before, "nothing was created");

    // Neither a wrong secret nor the API secret signs in.
    for wrong in ["", "nope", SECRET] {
        let r = client()
            .post(format!("{base}/console/login"))
            .form(&[("secret", wrong)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{wrong:?}");
        assert!(r.headers().get("set-cookie").is_none());
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("운영자 시크릿이 올바르지 않습니다"));
    }

    // The operator secret does: an HTTP-only, SameSite=Strict cookie scoped to the console.
    let (cookie, set) = sign_in(&base).await;
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age="] {
        assert!(set.contains(attr), "{set}");
    }
    let r = client()
        .get(format!("{base}/console/groups"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    assert!(
        page.contains("sandbox demo group"),
        "the sandbox group is listed"
    );
    let csrf = csrf_of(&page);
    assert!(csrf.len() >= 32);

    // CSRF: a change without the token, with another token, or from another origin is
    // refused, and nothing changes.
    let form = group_form(&csrf, "csrf group", ["50", "30", "20"]);
    let no_token: Vec<_> = form.iter().filter(|(k, _)| *k != "csrf").cloned().collect();
    let mut wrong_token = form.clone();
    wrong_token[0] = ("csrf", "0000");
    for (what, f, origin) in [
        ("no token", &no_token, None),
        ("wrong token", &wrong_token, None),
        ("other origin", &form, Some("http://evil.example")),
    ] {
        let (s, _, body) = post_form(&base, &cookie, "/console/groups", f, origin).await;
        assert_eq!(s, 403, "{what}");
        assert!(
            body.contains("콘솔 화면에서 보낸 것이 아니거나"),
            "{what}: {body}"
        );
    }
    assert_eq!(groups(&base).await.len(), before, "nothing was created");

    // The server enforces the guide's rules too: weights totalling 90 are refused with the
    // guide's sentence, and nothing is stored.
    let (s, _, body) = post_form(
        &base,
        &cookie,
        "/console/groups",
        &group_form(&csrf, "ninety", ["40", "30", "20"]),
        None,
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert!(body.contains(WEIGHTS_TOTAL_KO), "{body}");
    assert!(body.contains("they sum to 90"), "{body}");
    // A live channel in a test group and 11 channels are refused too (in the guide's words).
    let (s, _, body) = post_form(
        &base,
        &cookie,
        "/console/groups",
        &[("csrf", csrf.as_str()), ("env", "test"), ("name", "none")],
        None,
    )
    .await;
    assert_eq!(s, 400);
    assert!(body.contains("채널은 최소 1개부터 최대 10개까지"), "{body}");
    assert_eq!(groups(&base).await.len(), before);

    // With the token, from this origin: created (the group the API lists).
    let origin = base.clone();
    let (s, loc, _) = post_form(
        &base,
        &cookie,
        "/console/groups",
        &form,
        Some(origin.as_str()),
    )
    .await;
    assert_eq!(s, 303);
    assert!(
        loc.starts_with("/console/groups/channel-group-test-"),
        "{loc}"
    );
    let all = groups(&base).await;
    assert_eq!(all.len(), before + 1);
    let made = all.iter().find(|g| g["name"] == "csrf group").unwrap();
    assert_eq!(made["channels"][0]["weight"], 50);

    // Delete: the guide's warning first, then the group is gone.
    let made_id = made["id"].as_str().unwrap().to_string();
    let (s, warning) = get_page(&base, &cookie, &format!("/console/groups/{made_id}/delete")).await;
    assert_eq!(s, 200);
    assert!(
        warning.contains("삭제된 그룹은 복원되지 않으며"),
        "{warning}"
    );
    let path = format!("/console/groups/{made_id}/delete");
    let (s, _, _) = post_form(&base, &cookie, &path, &[], None).await;
    assert_eq!(s, 403, "a delete without the token is refused");
    assert_eq!(groups(&base).await.len(), before + 1);
    let (s, loc, _) = post_form(&base, &cookie, &path, &[("csrf", &csrf)], None).await;
    assert_eq!(
        (s, loc.as_str()),
        (303, "/console/groups?done=group_deleted")
    );
    assert_eq!(groups(&base).await.len(), before);

    // Sign-out ends the session on the server: the old cookie no longer opens a page.
    let (s, loc, _) = post_form(&base, &cookie, "/console/logout", &[("csrf", &csrf)], None).await;
    assert_eq!((s, loc.as_str()), (303, "/console/login"));
    let r = client()
        .get(format!("{base}/console/groups"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
}

#[tokio::test]
async fn merchant_text_is_inert_and_card_numbers_masked_in_the_console() {
    let sb = common::start_sandbox_with("console-xss", SECRET, &["--operator-secret", OPERATOR]);
    let base = sb.base.clone();
    let id = format!("payment-xss-{}", std::process::id());
    let order = "<script>alert('order')</script>";
    let name = "<img src=x onerror=alert('name')>";
    let custom =
        json!({"note": "<svg onload=alert('meta')>", "card": "4111 1111 1111 1111"}).to_string();
    let (s, r) = common::call_as(
        SECRET,
        reqwest::Method::POST,
        format!("{base}/payments/{id}/instant"),
        Some(json!({
            "channelKey": "ksnet-test",
            "orderName": order,
            "customer": {"name": {"full": name}, "phoneNumber": "01000001234"},
            "customData": custom,
            "amount": {"total": 1000},
            "currency": "KRW",
            "productType": "PHYSICAL",
            "method": {"card": {"credential": {
                "number": "0000123400001234", "expiryYear": "26", "expiryMonth": "12",
                "birthOrBusinessRegistrationNumber": "900101", "passwordTwoDigits": "00"
            }}}
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (cookie, _) = sign_in(&base).await;
    for path in [
        "/console/payments".to_string(),
        "/console/payments?field=ORDER_NAME&q=script".to_string(),
        format!("/console/payments/{id}"),
    ] {
        let (s, html) = get_page(&base, &cookie, &path).await;
        assert_eq!(s, 200, "{path}");
        for raw in ["<script>alert", "<img src=x", "<svg onload"] {
            assert!(!html.contains(raw), "{path}: {raw} in {html}");
        }
        assert!(html.contains("&lt;script&gt;alert("), "{path}");
        assert!(html.contains("&lt;img src=x onerror=alert("), "{path}");
        assert!(!html.contains("0000123400001234"), "{path}");
        assert!(!html.contains("4111 1111 1111 1111"), "{path}");
    }
    // Hostile query and path input: refused with a message, never echoed raw.
    for (path, status) in [
        ("/console/payments?status=NOPE", 400),
        ("/console/payments?from=yesterday", 400),
        ("/console/payments?page=-1", 400),
        ("/console/payments?field=CARD_BIN&q=411111", 400),
        (
            "/console/payments?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            200,
        ),
        ("/console/payments/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404),
        ("/console/groups/%3Cscript%3E/chart", 404),
        ("/console/groups/new?env=%3Cscript%3E", 200),
    ] {
        let (s, html) = get_page(&base, &cookie, path).await;
        assert_eq!(s, status, "{path}: {html}");
        assert!(!html.contains("<script>alert"), "{path}: {html}");
    }
    let (_, detail) = get_page(&base, &cookie, &format!("/console/payments/{id}")).await;
    assert!(
        detail.contains("&lt;svg onload=alert("),
        "customData shown, inert"
    );
    assert!(
        detail.contains("411111******1111"),
        "customData's card masked"
    );
    assert!(
        detail.contains("Transaction.Paid"),
        "its webhooks are listed"
    );

    // Resend: a new delivery of the same body (listed beside the first).
    let csrf = csrf_of(&detail);
    let webhook_id = {
        let at = detail.find("<code>whmsg_").expect("a webhook id") + 6;
        detail[at..].split('<').next().unwrap().to_string()
    };
    let resend = format!("/console/payments/{id}/webhooks/{webhook_id}/resend");
    let (s, _, _) = post_form(&base, &cookie, &resend, &[], None).await;
    assert_eq!(s, 403, "a resend without the token is refused");
    let (s, loc, _) = post_form(&base, &cookie, &resend, &[("csrf", &csrf)], None).await;
    assert_eq!(
        (s, loc.as_str()),
        (
            303,
            format!("/console/payments/{id}?done=webhook_resent").as_str()
        )
    );
    let (_, after) = get_page(&base, &cookie, &format!("/console/payments/{id}")).await;
    assert_eq!(
        after.matches("<strong>Transaction.Paid</strong>").count(),
        detail.matches("<strong>Transaction.Paid</strong>").count() + 1,
        "{after}"
    );
    let other = format!("/console/payments/no-such-payment/webhooks/{webhook_id}/resend");
    let (s, _, _) = post_form(&base, &cookie, &other, &[("csrf", &csrf)], None).await;
    assert_eq!(
        s, 404,
        "only a payment's own webhooks are resent from its page"
    );

    // Cancel through the API's own cancel flow: a partial cancel, then a refused one.
    let cancel = format!("/console/payments/{id}/cancel");
    let (s, loc, body) = post_form(
        &base,
        &cookie,
        &cancel,
        &[("csrf", &csrf), ("amount", "300"), ("reason", "고객 요청")],
        None,
    )
    .await;
    assert_eq!(s, 303, "{body}");
    assert!(loc.ends_with("?done=cancel_done"), "{loc}");
    let (_, p) = common::call_as(
        SECRET,
        reqwest::Method::GET,
        format!("{base}/payments/{id}"),
        None,
    )
    .await;
    assert_eq!(p["status"], "PARTIAL_CANCELLED", "{p}");
    assert_eq!(p["amount"]["cancelled"], 300, "{p}");
    assert_eq!(p["cancellations"][0]["reason"], "고객 요청", "{p}");
    let (s, _, body) = post_form(
        &base,
        &cookie,
        &cancel,
        &[("csrf", &csrf), ("amount", "5000"), ("reason", "too much")],
        None,
    )
    .await;
    assert!(s >= 400, "{body}");
    let (_, page) = get_page(&base, &cookie, &format!("/console/payments/{id}")).await;
    assert!(page.contains("고객 요청") && page.contains("PARTIAL_CANCELLED"));
}

/// Where the screenshots go (the test's artifacts).
fn artifacts() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console")
}

#[test]
fn console_walkthrough_in_headless_chromium() {
    if !common::browser::can_run("console") {
        return;
    }
    let sb = common::start_sandbox_with("console-ui", SECRET, &["--operator-secret", OPERATOR]);
    let _ = std::fs::remove_dir_all(artifacts());
    let (ok, stdout, stderr) = common::browser::run(
        "console.mjs",
        &[
            ("PAYMUX_BASE_URL", sb.base.clone()),
            ("PAYMUX_API_SECRET", SECRET.to_string()),
            ("PAYMUX_OPERATOR_SECRET", OPERATOR.to_string()),
            ("PAYMUX_ARTIFACTS", artifacts().display().to_string()),
        ],
        Duration::from_secs(240),
    );
    assert!(ok, "the browser run failed:\n{stderr}\n{stdout}");
    let result = common::browser::result(&stdout);

    // What the browser saw, checked against the gateway.
    let group_id = result["groupId"].as_str().unwrap().to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (s, g) = common::call_as(
            SECRET,
            reqwest::Method::GET,
            format!("{}/channel-groups/{group_id}", sb.base),
            None,
        )
        .await;
        assert_eq!(s, 200, "{g}");
        let weights: Vec<i64> = g["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["weight"].as_i64().unwrap())
            .collect();
        assert_eq!(weights, [50, 30, 20], "{g}");
        let pending = g["scheduledChanges"].as_array().unwrap();
        assert_eq!(pending.len(), 1, "the scheduled change is pending: {g}");
        assert_eq!(pending[0]["channels"][0]["weight"], 60, "{g}");
        for id in result["paymentIds"].as_array().unwrap() {
            let (s, p) = common::call_as(
                SECRET,
                reqwest::Method::GET,
                format!("{}/payments/{}", sb.base, id.as_str().unwrap()),
                None,
            )
            .await;
            assert_eq!(s, 200, "{p}");
            assert_eq!(p["channelGroup"]["id"], group_id.as_str(), "{p}");
        }
    });
    assert_eq!(result["refusedMessage"], WEIGHTS_TOTAL_KO, "{result}");
    assert_eq!(result["serverRefused"], true, "{result}");
    assert!(result["listed"].as_u64().unwrap() >= 6, "{result}");
    assert!(result["attempts"].as_u64().unwrap() >= 1, "{result}");
    assert!(result["webhooks"].as_u64().unwrap() >= 1, "{result}");
    // The attempt's wire view: the vendor's request with the card masked, and the PG's
    // answer; never the card number, birth date or password digits sent.
    let wire = result["wireRequest"].as_str().unwrap_or("");
    let answer = result["wireAnswer"].as_str().unwrap_or("");
    assert!(wire.contains("000012******1234"), "{result}");
    assert!(answer.contains("APPROVED"), "{result}");
    for secret in ["0000123400001234", "900101"] {
        assert!(
            !wire.contains(secret) && !answer.contains(secret),
            "{secret}: {result}"
        );
    }
    assert_eq!(
        result["chartTotal"],
        result["paymentIds"].as_array().unwrap().len(),
        "{result}"
    );
    assert_eq!(
        result["dialogs"], 0,
        "no script ran from merchant text: {result}"
    );
    for shot in [
        "desktop-1280x800-groups",
        "desktop-1280x800-group-form",
        "desktop-1280x800-payment",
        "desktop-1280x800-chart",
        "phone-390x844-groups",
        "phone-390x844-group-form",
        "phone-390x844-payment",
        "phone-390x844-chart",
    ] {
        let path = artifacts().join(format!("{shot}.png"));
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(len > 1000, "screenshot {} missing or empty", path.display());
    }
    // The 390-px pages do not scroll sideways (the page itself; wide tables scroll inside).
    assert_eq!(result["phoneOverflow"], json!([]), "{result}");
    // The English switch (the last page was the channel list).
    assert_eq!(result["englishTitle"], "Channels", "{result}");
}
