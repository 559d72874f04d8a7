//! Hostile input against the real binary (`paymux serve` in sandbox mode): oversized and
//! deeply nested bodies, invalid UTF-8, wrong types, out-of-range amounts, unknown enum values,
//! bad credentials, unknown paths and methods. Every answer must be a 4xx PortOne error
//! (`{"type", "message"}` JSON), never a 5xx, and the server must still take a valid payment
//! afterwards. See docs/RELIABILITY.md (item 5).
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

mod common;

use std::time::Duration;

use serde_json::{json, Value};

const SECRET: &str = "hostile-api-secret";
const CARD_OK: &str = "4518420012345678";

/// How a hostile request authenticates.
#[derive(Clone, Copy)]
enum Auth {
    Good,
    None,
    Wrong,
    Garbage,
}

struct Case {
    name: String,
    method: reqwest::Method,
    path: String,
    auth: Auth,
    body: Option<Vec<u8>>,
    /// The status expected, when one is certain (otherwise any 4xx).
    status: Option<u16>,
}

fn case(name: &str, method: reqwest::Method, path: &str, body: Option<Vec<u8>>) -> Case {
    Case {
        name: name.to_string(),
        method,
        path: path.to_string(),
        auth: Auth::Good,
        body,
        status: None,
    }
}

fn customer() -> Value {
    json!({ "id": "matthew", "name": { "full": "홍길동" },
            "phoneNumber": "01012345678", "email": "buyer@example.com" })
}

/// A valid keyed-in card payment through the sandbox's group.
fn card_body(group: &str, total: Value) -> Value {
    json!({
        "channelGroupId": group,
        "orderName": "커피 2잔",
        "amount": { "total": total },
        "currency": "KRW",
        "customer": customer(),
        "productType": "PHYSICAL",
        "method": { "card": { "credential": {
            "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
            "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37"
        } } },
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
    })
}

fn with(mut v: Value, pointer: &str, new: Value) -> Value {
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} in the body")) = new;
    v
}

fn bytes(v: &Value) -> Option<Vec<u8>> {
    Some(serde_json::to_vec(v).unwrap())
}

fn cases(group: &str) -> Vec<Case> {
    use reqwest::Method as M;
    let good = card_body(group, json!(1000));
    let pay = "/payments/hostile0001/instant";
    let mut v = Vec::new();

    // Size and shape of the body.
    let mut big = good.clone();
    big["orderName"] = json!("가".repeat(30_000)); // ~90 KB of UTF-8
    v.push(Case {
        status: Some(413),
        ..case("oversized body (90 KB)", M::POST, pay, bytes(&big))
    });
    v.push(Case {
        status: Some(413),
        ..case(
            "oversized body (1 MiB of spaces)",
            M::POST,
            pay,
            Some(vec![b' '; 1 << 20]),
        )
    });
    v.push(case(
        "deeply nested arrays",
        M::POST,
        pay,
        Some(vec![b'['; 10_000]),
    ));
    let mut deep = "{\"a\":".repeat(5_000).into_bytes();
    deep.extend(std::iter::repeat(b'}').take(5_000));
    v.push(case("deeply nested objects", M::POST, pay, Some(deep)));
    let mut deep_field = b"{\"orderName\":".to_vec();
    deep_field.extend(vec![b'['; 5_000]);
    v.push(case(
        "deep value in a field",
        M::POST,
        pay,
        Some(deep_field),
    ));
    v.push(case(
        "invalid UTF-8",
        M::POST,
        pay,
        Some(b"{\"orderName\":\"\xff\xfe\xc3\x28\"}".to_vec()),
    ));
    let mut utf8_in_good = serde_json::to_vec(&good).unwrap();
    let at = utf8_in_good
        .windows(3)
        .position(|w| w == "커".as_bytes())
        .expect("the order name is in the body");
    utf8_in_good[at] = 0xff;
    v.push(case(
        "invalid UTF-8 inside a valid body",
        M::POST,
        pay,
        Some(utf8_in_good),
    ));
    v.push(case("empty body", M::POST, pay, Some(Vec::new())));
    v.push(case("no body", M::POST, pay, None));
    v.push(case(
        "truncated JSON",
        M::POST,
        pay,
        Some(b"{\"orderName\": \"x".to_vec()),
    ));
    v.push(case(
        "trailing garbage",
        M::POST,
        pay,
        Some([serde_json::to_vec(&good).unwrap(), b"}}".to_vec()].concat()),
    ));
    v.push(case("JSON null", M::POST, pay, Some(b"null".to_vec())));
    v.push(case("JSON array", M::POST, pay, Some(b"[1,2,3]".to_vec())));
    v.push(case(
        "JSON string",
        M::POST,
        pay,
        Some(b"\"pay me\"".to_vec()),
    ));
    v.push(case("NUL bytes", M::POST, pay, Some(vec![0u8; 64])));
    v.push(case(
        "lone surrogate escape",
        M::POST,
        pay,
        bytes(&with(good.clone(), "/orderName", json!("x"))).map(|b| {
            String::from_utf8(b)
                .unwrap()
                .replace("\"orderName\":\"x\"", "\"orderName\":\"\\ud800\"")
                .into_bytes()
        }),
    ));

    // Wrong types.
    for (name, pointer, value) in [
        ("amount as a string", "/amount", json!("1000")),
        ("amount.total as a string", "/amount/total", json!("1000")),
        (
            "amount.total as an object",
            "/amount/total",
            json!({"n": 1}),
        ),
        ("amount.total as true", "/amount/total", json!(true)),
        ("amount.total null", "/amount/total", Value::Null),
        ("orderName as a number", "/orderName", json!(42)),
        ("orderName as an array", "/orderName", json!(["a"])),
        ("customer as a string", "/customer", json!("matthew")),
        ("method as an array", "/method", json!([1])),
        (
            "card number as a number",
            "/method/card/credential/number",
            json!(4518420012345678u64),
        ),
        ("channelGroupId as a number", "/channelGroupId", json!(1)),
        // Amounts out of range.
        ("negative amount", "/amount/total", json!(-1000)),
        ("fractional amount", "/amount/total", json!(1000.5)),
        (
            "amount above 2^53",
            "/amount/total",
            json!(9_007_199_254_740_993u64),
        ),
        ("amount u64::MAX", "/amount/total", json!(u64::MAX)),
        ("amount i64::MIN", "/amount/total", json!(i64::MIN)),
        ("amount 1e300", "/amount/total", json!(1e300)),
        (
            "negative tax-free amount",
            "/amount",
            json!({"total": 1000, "taxFree": -1}),
        ),
        (
            "tax-free above total",
            "/amount",
            json!({"total": 1000, "taxFree": 2000}),
        ),
        // Unknown enum values.
        ("unknown currency", "/currency", json!("DOGECOIN")),
        ("lower-case currency", "/currency", json!("krw")),
        ("unknown productType", "/productType", json!("SPACESHIP")),
        (
            "unknown method key",
            "/method",
            json!({"crypto": {"wallet": "x"}}),
        ),
        (
            "two method keys",
            "/method",
            json!({"card": {}, "virtualAccount": {}}),
        ),
        ("empty method", "/method", json!({})),
    ] {
        v.push(case(
            name,
            M::POST,
            pay,
            bytes(&with(good.clone(), pointer, value)),
        ));
    }
    let raw = String::from_utf8(serde_json::to_vec(&good).unwrap()).unwrap();
    for (name, lit) in [
        ("amount 1e400 (overflows f64)", "1e400"),
        ("amount -0", "-0"),
        ("amount with 400 digits", &"9".repeat(400)),
        ("amount NaN literal", "NaN"),
    ] {
        let b = raw.replace("\"total\":1000", &format!("\"total\":{lit}"));
        v.push(case(name, M::POST, pay, Some(b.into_bytes())));
    }

    // Other endpoints with bad bodies.
    for path in [
        "/payments/hostile0002/billing-key",
        "/payments/hostile0003/schedule",
        "/payments/hostile0004/cancel",
        "/billing-keys",
        "/checkout/sessions",
    ] {
        v.push(case(
            &format!("{path}: wrong type"),
            M::POST,
            path,
            Some(b"[]".to_vec()),
        ));
        v.push(case(
            &format!("{path}: deep"),
            M::POST,
            path,
            Some(vec![b'{'; 10_000]),
        ));
        v.push(Case {
            status: Some(413),
            ..case(
                &format!("{path}: oversized"),
                M::POST,
                path,
                Some(vec![b'{'; 100_000]),
            )
        });
    }
    v.push(case(
        "cancel: negative amount",
        M::POST,
        "/payments/hostile0004/cancel",
        bytes(&json!({"amount": -5, "reason": "x"})),
    ));
    v.push(case(
        "cancel: huge amount",
        M::POST,
        "/payments/hostile0004/cancel",
        bytes(&json!({"amount": u64::MAX, "reason": "x"})),
    ));
    v.push(case(
        "put group: wrong types",
        M::PUT,
        "/channel-groups/hostile",
        bytes(&json!({"channels": 7})),
    ));
    v.push(case(
        "put group: deep",
        M::PUT,
        "/channel-groups/hostile",
        Some(vec![b'['; 10_000]),
    ));
    v.push(case(
        "revoke schedules: garbage",
        M::DELETE,
        "/payment-schedules",
        Some(b"\xff\xff".to_vec()),
    ));

    // Identifiers in the path.
    v.push(case(
        "payment id of 10,000 chars",
        M::GET,
        &format!("/payments/{}", "a".repeat(10_000)),
        None,
    ));
    v.push(case(
        "payment id with invalid UTF-8",
        M::GET,
        "/payments/%FF%FE",
        None,
    ));
    v.push(case(
        "payment id with NUL",
        M::GET,
        "/payments/ab%00cd",
        None,
    ));
    v.push(case(
        "query with invalid UTF-8",
        M::GET,
        "/payments/hostile0001?storeId=%FF",
        None,
    ));
    v.push(case(
        "billing key of garbage",
        M::GET,
        "/billing-keys/%FF%00",
        None,
    ));
    v.push(case(
        "checkout page with invalid UTF-8",
        M::GET,
        "/checkout/%FF",
        None,
    ));
    v.push(case(
        "checkout return with garbage",
        M::POST,
        "/checkout/return/%FF",
        Some(b"\xff".to_vec()),
    ));

    // Credentials.
    for (name, auth) in [
        ("missing auth", Auth::None),
        ("wrong auth", Auth::Wrong),
        ("garbage auth header", Auth::Garbage),
    ] {
        v.push(Case {
            auth,
            status: Some(401),
            ..case(name, M::POST, pay, bytes(&good))
        });
        v.push(Case {
            auth,
            status: Some(401),
            ..case(
                &format!("{name} (GET)"),
                M::GET,
                "/payments/hostile0001",
                None,
            )
        });
    }

    // Paths and methods.
    v.push(Case {
        status: Some(404),
        ..case("unknown path", M::GET, "/no/such/endpoint", None)
    });
    v.push(Case {
        status: Some(404),
        ..case("unknown path (POST)", M::POST, "/payment", bytes(&good))
    });
    // `/payments` is the list (GET): another method there is a 405.
    v.push(Case {
        status: Some(405),
        ..case("list path (POST)", M::POST, "/payments", bytes(&good))
    });
    v.push(Case {
        status: Some(405),
        ..case("wrong method", M::DELETE, pay, None)
    });
    v.push(Case {
        status: Some(405),
        ..case(
            "wrong method (PATCH)",
            M::PATCH,
            "/payments/hostile0001",
            None,
        )
    });
    v
}

async fn send(client: &reqwest::Client, base: &str, c: &Case) -> (u16, String, Option<String>) {
    let mut r = client.request(c.method.clone(), format!("{base}{}", c.path));
    r = match c.auth {
        Auth::Good => r.header("Authorization", format!("PortOne {SECRET}")),
        Auth::None => r,
        Auth::Wrong => r.header("Authorization", format!("PortOne {SECRET}x")),
        Auth::Garbage => r.header("Authorization", &b"Bearer \xff\xfe"[..]),
    };
    if let Some(b) = &c.body {
        r = r.header("Content-Type", "application/json").body(b.clone());
    }
    match r.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            if status == 413 {
                // The unread rest of the body makes the connection unusable; say so, or a
                // pooling client's next request fails with no answer.
                let conn = resp
                    .headers()
                    .get("connection")
                    .and_then(|v| v.to_str().ok());
                assert_eq!(
                    conn,
                    Some("close"),
                    "{}: 413 without Connection: close",
                    c.name
                );
            }
            let ct = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let text = resp.text().await.unwrap_or_default();
            (status, text, ct)
        }
        // The server may close an oversized upload early; that is a refusal, not a crash.
        Err(e) if c.status == Some(413) => (
            413,
            format!("{{\"type\":\"closed\",\"message\":\"{e}\"}}"),
            None,
        ),
        Err(e) => panic!("{}: no answer: {e}", c.name),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_4xx_portone_errors_and_the_server_stays_healthy() {
    let server = common::start_sandbox("hostile-api", SECRET);
    let base = server.base.clone();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let groups: Value = client
        .get(format!("{base}/channel-groups"))
        .header("Authorization", format!("PortOne {SECRET}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let group = groups["items"][0]["id"].as_str().unwrap().to_string();

    let all = cases(&group);
    let mut failures = Vec::new();
    for c in &all {
        let (status, text, ct) = send(&client, &base, c).await;
        let body: Option<Value> = serde_json::from_str(&text).ok();
        let well_formed = body.as_ref().is_some_and(|b| {
            b["type"].as_str().is_some_and(|t| !t.is_empty())
                && b["message"].as_str().is_some_and(|m| !m.is_empty())
        });
        let status_ok = match c.status {
            Some(want) => status == want,
            None => (400..500).contains(&status),
        };
        if !status_ok || !well_formed {
            failures.push(format!(
                "{}: {} {} -> {status} ({ct:?}) {}",
                c.name,
                c.method,
                &c.path[..c.path.len().min(60)],
                &text[..text.len().min(200)]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests were not a 4xx PortOne error:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );

    // A zero amount passes PortOne's schema (amounts are non-negative), but no PG charges
    // nothing: paymux refuses it up front, naming the field, and records no payment.
    let resp = client
        .post(format!("{base}/payments/hostilezero01/instant"))
        .header("Authorization", format!("PortOne {SECRET}"))
        .json(&card_body(&group, json!(0)))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, 400, "zero amount -> {body}");
    assert_eq!(body["type"], "INVALID_REQUEST", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("amount.total"),
        "{body}"
    );
    let resp = client
        .get(format!("{base}/payments/hostilezero01"))
        .header("Authorization", format!("PortOne {SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404, "no payment was recorded");

    // Still alive and correct: a valid payment goes through.
    let resp = client
        .post(format!("{base}/payments/hostileok0001/instant"))
        .header("Authorization", format!("PortOne {SECRET}"))
        .json(&card_body(&group, json!(1000)))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    let output = server.output.lock().unwrap().clone();
    assert!(
        !output.contains("panicked"),
        "the server panicked:\n{output}"
    );
    assert!(!output.contains(CARD_OK), "a card number was logged");
}
