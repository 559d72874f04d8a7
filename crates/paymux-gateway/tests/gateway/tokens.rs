//! PortOne's tokens over HTTP: `POST /login/api-secret`, `POST /token/refresh`, and
//! `Authorization: Bearer <accessToken>` wherever `PortOne <secret>` is accepted — with the
//! hostile cases (tampered, foreign, `alg` confusion, wrong kind, refresh replay, junk
//! headers).

use std::sync::Arc;

use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::harness::*;

fn type_of(v: &Value) -> &str {
    v["type"].as_str().unwrap_or("")
}

async fn call(
    h: &Harness,
    base: &str,
    method: reqwest::Method,
    path: &str,
    auth: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut rb = h.http.request(method, format!("{base}{path}"));
    if let Some(a) = auth {
        rb = rb.header("authorization", a);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let r = rb.send().await.unwrap();
    let s = StatusCode::from_u16(r.status().as_u16()).unwrap();
    let text = r.text().await.unwrap();
    (
        s,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn login(h: &Harness, base: &str, secret: &str) -> (StatusCode, Value) {
    call(
        h,
        base,
        reqwest::Method::POST,
        "/login/api-secret",
        None,
        Some(&json!({"apiSecret": secret})),
    )
    .await
}

async fn refresh(h: &Harness, token: &str) -> (StatusCode, Value) {
    call(
        h,
        &h.gw.base_url,
        reqwest::Method::POST,
        "/token/refresh",
        None,
        Some(&json!({"refreshToken": token})),
    )
    .await
}

/// `GET /payments/nope` with `auth`: 404 `PAYMENT_NOT_FOUND` means the credential passed.
async fn probe(h: &Harness, base: &str, auth: &str) -> (StatusCode, Value) {
    call(
        h,
        base,
        reqwest::Method::GET,
        "/payments/nope",
        Some(auth),
        None,
    )
    .await
}

fn tokens(v: &Value) -> (String, String) {
    (
        v["accessToken"].as_str().expect("accessToken").to_string(),
        v["refreshToken"]
            .as_str()
            .expect("refreshToken")
            .to_string(),
    )
}

pub async fn tokens_login_refresh_and_bearer(h: Arc<Harness>) {
    let base = h.gw.base_url.clone();
    let (s, v) = login(&h, &base, API_SECRET).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v.as_object().unwrap().len(), 2, "{v}");
    let (access, refresh1) = tokens(&v);

    // The access token works where the secret does: a read, and a payment.
    let (s, v) = probe(&h, &base, &format!("Bearer {access}")).await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::NOT_FOUND, "PAYMENT_NOT_FOUND")
    );
    let id = format!("tok-{}", uuid::Uuid::new_v4().simple());
    let (s, v) = call(
        &h,
        &base,
        reqwest::Method::POST,
        &format!("/payments/{id}/instant"),
        Some(&format!("Bearer {access}")),
        Some(&instant_body(("channelKey", "fake-a"), CARD_OK, 1000)),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // A refresh token is no access token, and an access token no refresh token.
    let (s, v) = probe(&h, &base, &format!("Bearer {refresh1}")).await;
    assert_eq!((s, type_of(&v)), (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"));
    let (s, v) = refresh(&h, &access).await;
    assert_eq!((s, type_of(&v)), (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"));

    // Refresh rotates: a new pair, both working.
    let (s, v) = refresh(&h, &refresh1).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (access2, refresh2) = tokens(&v);
    assert_ne!(refresh2, refresh1);
    let (s, _) = probe(&h, &base, &format!("Bearer {access2}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Replaying the used refresh token is refused and revokes its family: the token the
    // rotation handed out stops refreshing too.
    let (s, v) = refresh(&h, &refresh1).await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
        "{v}"
    );
    assert!(
        v["message"].as_str().unwrap().contains("already used"),
        "{v}"
    );
    let (s, v) = refresh(&h, &refresh2).await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
        "{v}"
    );

    // A login supersedes earlier refresh tokens (PortOne: they expire at once).
    let (_, v) = login(&h, &base, API_SECRET).await;
    let (_, refresh3) = tokens(&v);
    let (_, v) = login(&h, &base, API_SECRET).await;
    let (_, refresh4) = tokens(&v);
    let (s, v) = refresh(&h, &refresh3).await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
        "{v}"
    );
    let (s, v) = refresh(&h, &refresh4).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Nothing of the secret or any token in the logs or the database.
    let logs = logs();
    let dump = h.dump().await;
    for t in [&access, &refresh1, &access2, &refresh2, &refresh3] {
        let sig = t.rsplit('.').next().unwrap();
        assert!(!logs.contains(sig), "a token reached the logs");
        assert!(!dump.contains(sig), "a token reached the database");
    }
}

pub async fn tokens_hostile_input(h: Arc<Harness>) {
    let base = h.gw.base_url.clone();
    // Login: wrong secret 401; a body without the secret, empty, unknown fields, wrong
    // types 400 naming the field.
    let (s, v) = login(&h, &base, "wrong-secret").await;
    assert_eq!((s, type_of(&v)), (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"));
    assert!(!v.to_string().contains("wrong-secret"));
    for (body, field) in [
        (json!({}), "apiSecret"),
        (json!({"apiSecret": ""}), "apiSecret"),
        (json!({"apiSecret": 42}), "apiSecret"),
        (json!({"apiSecret": API_SECRET, "extra": 1}), "extra"),
    ] {
        let (s, v) = call(
            &h,
            &base,
            reqwest::Method::POST,
            "/login/api-secret",
            None,
            Some(&body),
        )
        .await;
        assert_eq!(
            (s, type_of(&v)),
            (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
            "{body}"
        );
        assert!(v["message"].as_str().unwrap().contains(field), "{v}");
        assert!(!v.to_string().contains(API_SECRET), "{v}");
    }
    // A body past the size limit: 413, not read further.
    let huge = json!({"apiSecret": "x".repeat(h.gw.state.tuning.body_limit + 1)});
    let (s, v) = call(
        &h,
        &base,
        reqwest::Method::POST,
        "/login/api-secret",
        None,
        Some(&huge),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    let (s, v) = refresh(&h, "").await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        "{v}"
    );

    let (_, v) = login(&h, &base, API_SECRET).await;
    let (access, refresh_token) = tokens(&v);
    let parts: Vec<&str> = access.split('.').collect();

    // Tampered claims (a later expiry, keeping the signature).
    let mut claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 86_400 * 365);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(serde_json::to_vec(&claims).unwrap()),
        parts[2]
    );
    // Signed with another key (what an attacker without the secret can make).
    let foreign = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"not the key"),
    )
    .unwrap();
    // `alg` confusion: none, and RS256 with the HS256 signature.
    let none = format!(
        "{}.{}.",
        B64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    let rs = format!(
        "{}.{}.{}",
        B64.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        parts[1],
        parts[2]
    );
    let huge = "A".repeat(16 * 1024);
    let cases: Vec<(String, &str)> = vec![
        (format!("Bearer {tampered}"), "signature"),
        (format!("Bearer {foreign}"), "signature"),
        (format!("Bearer {none}"), "HS256"),
        (format!("Bearer {rs}"), "HS256"),
        ("Bearer ".into(), "no credential"),
        ("Bearer".into(), "no credential"),
        ("Bearer  ".into(), "no credential"),
        (format!("Bearer {huge}"), "not a paymux token"),
        (format!("bearer {access}"), "must be"),
        (format!("PortOne {access}"), "API secret"),
        (format!("Bearer {API_SECRET}"), "not a paymux token"),
        ("".into(), "must be"),
    ];
    for (auth, said) in &cases {
        let (s, v) = probe(&h, &base, auth).await;
        assert_eq!(
            (s, type_of(&v)),
            (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
            "{:.40}",
            auth
        );
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains(said), "{msg} for {auth:.40}");
        assert!(
            !msg.contains(&access[..20]) && !msg.contains(API_SECRET),
            "{msg}"
        );
    }
    // The same junk as a refresh token.
    for t in [&tampered, &foreign, &none, &rs, &huge, &"x.y.z".to_string()] {
        let (s, v) = refresh(&h, t).await;
        assert_eq!(
            (s, type_of(&v)),
            (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
            "{v}"
        );
    }
    // The real refresh token is still good (none of the above consumed it).
    let (s, v) = refresh(&h, &refresh_token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

pub async fn tokens_across_instances_and_secret_rotation(h: Arc<Harness>) {
    let start = |secret: &str| {
        paymux_gateway::start(paymux_gateway::GatewayOptions {
            listen: "127.0.0.1:0".into(),
            database: h.database_url.clone(),
            api_secret: secret.into(),
            webhook_secret: WEBHOOK_SECRET.into(),
            webhook_previous_secret: None,
            webhook_url: None,
            merchant_id: "merchant-test".into(),
            store_id: "store-test".into(),
            tuning: test_tuning(),
            channels: Vec::new(),
            channel_groups: vec![],
            background_workers: false,
            public_url: None,
            browser_stores: Vec::new(),
            operator_secret: None,
        })
    };
    let (_, v) = login(&h, &h.gw.base_url, API_SECRET).await;
    let (access, refresh_token) = tokens(&v);

    // Another instance with the same secret and database takes the token, and refreshes it
    // (the refresh is recorded in the shared database).
    let twin = start(API_SECRET).await.unwrap();
    let (s, _) = probe(&h, &twin.base_url, &format!("Bearer {access}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = call(
        &h,
        &twin.base_url,
        reqwest::Method::POST,
        "/token/refresh",
        None,
        Some(&json!({"refreshToken": refresh_token})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // ... and the first instance sees it used.
    let (s, _) = refresh(&h, &refresh_token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The same refresh token at both instances at once: exactly one refresh succeeds.
    let (_, v) = login(&h, &h.gw.base_url, API_SECRET).await;
    let (_, fresh) = tokens(&v);
    let mut racers = Vec::new();
    for base in [h.gw.base_url.clone(), twin.base_url.clone()]
        .into_iter()
        .cycle()
        .take(6)
    {
        let http = h.http.clone();
        let body = json!({"refreshToken": fresh});
        racers.push(tokio::spawn(async move {
            http.post(format!("{base}/token/refresh"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for r in racers {
        codes.push(r.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert!(codes.iter().all(|c| *c == 200 || *c == 401), "{codes:?}");
    twin.shutdown().await;

    // The secret rotated: tokens signed under the old one stop working.
    let rotated = start("rotated-secret-0123456789").await.unwrap();
    let (s, v) = probe(&h, &rotated.base_url, &format!("Bearer {access}")).await;
    assert_eq!((s, type_of(&v)), (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"));
    let (s, _) = login(&h, &rotated.base_url, API_SECRET).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    rotated.shutdown().await;
}
