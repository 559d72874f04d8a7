//! The fake PG itself: a binary that registers it gets exactly that adapter, and the
//! simulator answers hostile input with errors, never a panic or a silent close.

use std::net::SocketAddr;
use std::sync::Arc;

use paymux_core::adapter::{EncodeContext, Operation, PgAdapter, PgRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_testkit::fake::{wire, FakeAdapter, FakeSim, FAKE, TESTWIN};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

paymux_testkit::register_fake!(paymux_testkit::fake::TESTWIN);

#[test]
fn register_fake_registers_exactly_the_profile_named() {
    let regs = paymux_core::registry::adapters();
    let ids: Vec<_> = regs.iter().map(|r| r.descriptor.id).collect();
    assert_eq!(ids, ["testwin"]);
    let sim = (regs[0].simulator.expect("a simulator"))();
    assert_eq!(sim.adapter_id(), "testwin");
    let channel = sim.sandbox_channel("testwin-test", "127.0.0.1:1");
    assert_eq!(channel.adapter, "testwin");
    assert_eq!(channel.credential("mid").unwrap().expose(), TESTWIN.mid);
    assert_eq!((regs[0].adapter)().descriptor().pg_provider, "TESTWIN");
}

async fn start(sim: FakeSim) -> (Arc<FakeSim>, SimulatorHandle) {
    let sim = Arc::new(sim);
    let handle = sim
        .clone()
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    (sim, handle)
}

async fn exchange(handle: &SimulatorHandle, bytes: &[u8]) -> Vec<u8> {
    let mut c = TcpStream::connect(handle.local_addr).await.unwrap();
    c.write_all(bytes).await.unwrap();
    c.shutdown().await.unwrap();
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out).await;
    out
}

async fn telegram(handle: &SimulatorHandle, v: Value) -> Value {
    let out = exchange(handle, &wire::frame(&v)).await;
    wire::parse(&out, true).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

#[tokio::test]
async fn hostile_telegrams_get_error_answers() {
    let (sim, h) = start(FakeSim::default()).await;
    let body = b"{not json";
    let out = exchange(&h, format!("{:04}", body.len()).as_bytes()).await;
    assert!(
        out.is_empty(),
        "a cut-short telegram is closed without an answer"
    );
    let framed = [format!("{:04}", body.len()).as_bytes(), body].concat();
    let v = wire::parse(&exchange(&h, &framed).await, true).unwrap();
    assert_eq!(v["code"], "E400", "{v}");
    let mid = FAKE.mid;
    for (req, code) in [
        (
            json!({"op": "pay", "mid": "WRONG", "orderId": "o1"}),
            "C001",
        ),
        (json!({"op": "launch", "mid": mid}), "E999"),
        (
            json!({"op": "pay", "mid": mid, "orderId": "o1", "amount": -5, "card": "4111111111111111"}),
            "E400",
        ),
        (
            json!({"op": "pay", "mid": mid, "orderId": "o1", "amount": "5"}),
            "E400",
        ),
        (
            json!({"op": "cancel", "mid": mid, "orderId": "nope"}),
            "N404",
        ),
        (
            json!({"op": "billing_pay", "mid": mid, "orderId": "o2", "amount": 5, "billingKey": "x"}),
            "N404",
        ),
        (
            json!({"op": "delete", "mid": mid, "billingKey": null}),
            "N404",
        ),
    ] {
        assert_eq!(telegram(&h, req.clone()).await["code"], code, "{req}");
    }
    let pay = json!({"op": "pay", "mid": mid, "orderId": "o3", "amount": 1000, "card": "4111111111111111"});
    assert_eq!(telegram(&h, pay.clone()).await["code"], "0000");
    assert_eq!(telegram(&h, pay).await["code"], "DUP");
    for amount in [json!(-1), json!(0), json!(1001), json!("all")] {
        let cancel = json!({"op": "cancel", "mid": mid, "orderId": "o3", "cancelAmount": amount});
        assert_eq!(telegram(&h, cancel).await["code"], "C409", "{amount}");
    }
    let v = telegram(&h, json!({"op": "cancel", "mid": mid, "orderId": "o3"})).await;
    assert_eq!(
        (v["cancelled"].as_i64(), v["remaining"].as_i64()),
        (Some(1000), Some(0))
    );
    assert_eq!(sim.entries("o3")[0].state, "CANCELLED");
    assert_eq!(sim.count("pay", "o1"), 3);
}

async fn post(h: &SimulatorHandle, path: &str, body: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .post(format!("http://{}{path}", h.local_addr))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_window_escapes_what_it_shows_and_refuses_what_it_cannot_use() {
    let (_sim, h) = start(FakeSim::new(TESTWIN)).await;
    let (status, page) = post(&h, "/window", "mid=WRONG&orderName=x").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"error\""), "{page}");
    let form = "mid=TW-MID&orderId=o%22%3E1&orderName=%3Cscript%3Ealert(1)%3C%2Fscript%3E\
                &amount=1000&method=CARD&returnUrl=https%3A%2F%2Fshop%2Fr%3Fa%3D1%26b%3D%22";
    let (_, page) = post(&h, "/window", form).await;
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("id=\"amount\">1,000원<"), "{page}");
    let token = page.split("action=\"/window/").nth(1).unwrap();
    let token = &token[..token.find('"').unwrap()];
    let (status, back) = post(&h, &format!("/window/{token}"), "ACTION=cancel").await;
    assert_eq!(status, 200);
    assert!(
        back.contains("name=\"RESPONSE_CODE\" value=\"CANCEL\""),
        "{back}"
    );
    assert!(
        back.contains("action=\"https://shop/r?a=1&amp;b=&quot;\""),
        "{back}"
    );
    assert!(back.contains("value=\"o&quot;&gt;1\""), "{back}");
    let (status, _) = post(&h, &format!("/window/{token}"), "ACTION=approve").await;
    assert_eq!(status, 410, "a window answers once");
    for (path, body, code) in [
        ("/approve", "{", "E400"),
        (
            "/approve",
            "{\"mid\":\"TW-MID\",\"token\":\"ap-nope\"}",
            "NO_SUCH_TOKEN",
        ),
        ("/approve", "{\"mid\":\"WRONG\",\"token\":\"x\"}", "C001"),
        ("/elsewhere", "", "E404"),
    ] {
        let (_, text) = post(&h, path, body).await;
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["code"], code, "{path} {body}");
    }
    let raw = exchange(
        &h,
        b"POST /window HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
    )
    .await;
    assert!(String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 413"));
    let raw = exchange(&h, b"GET /window HTTP/1.1\r\n\r\n").await;
    assert!(String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 405"));
}

#[test]
fn a_malformed_answer_is_a_typed_error() {
    let adapter = FakeAdapter::new(FAKE);
    let channel = FAKE.channel("c", "127.0.0.1:1", FAKE.mid);
    let ctx = EncodeContext::now(&channel);
    let req = PgRequest::from_json(
        Operation::PaymentGet,
        &json!({"paymentId": "p1", "prior": {}}).to_string(),
    )
    .unwrap();
    let sent = adapter.encode(&ctx, &req).unwrap();
    for body in [&b""[..], b"0003abc", b"\xff\xff\xff\xff"] {
        let resp = WireResponse {
            status: None,
            headers: Vec::new(),
            body: body.to_vec(),
        };
        assert!(
            matches!(
                adapter.decode(&ctx, &req, &sent, &resp),
                Err(PgError::MalformedResponse { .. })
            ),
            "{body:?}"
        );
    }
}
