//! The simulated payment window over plain HTTP (no browser): `POST /window` with the form
//! `checkout.prepare` built, the payer's answer, and the fields posted back to `ReturnUrl`
//! taken to `checkout.complete` through the real transport.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use paymux_core::adapter::{EncodeContext, Operation, PgAdapter, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::execute::execute;
use paymux_core::outcome::{DeclineKind, Outcome};
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::{NetTransport, Timeouts};
use paymux_smartro::protocol::sim;
use paymux_smartro::simulator::window::{WINDOW_AUTHENTICATED, WINDOW_CANCELLED};
use paymux_smartro::{SmartroAdapter, SmartroSimulator};
use serde_json::json;

struct Sandbox {
    sim: Arc<SmartroSimulator>,
    handle: SimulatorHandle,
    channel: ChannelContext,
}

async fn sandbox() -> Sandbox {
    let sim = Arc::new(SmartroSimulator::default().with_late_delay(Duration::from_millis(500)));
    let handle = sim
        .clone()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let channel = sim.sandbox_channel("smartro-test", &handle.endpoint());
    Sandbox {
        sim,
        handle,
        channel,
    }
}

impl Sandbox {
    /// POST a form to the simulator: status, content type, page.
    async fn post(&self, path: &str, body: Vec<u8>) -> (u16, String, String) {
        let r = reqwest::Client::new()
            .post(format!("http://{}{path}", self.handle.endpoint()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, ct, r.text().await.unwrap())
    }

    /// The window form `checkout.prepare` builds, as the gateway's sandbox page posts it.
    fn form(&self, req: &PgRequest) -> Vec<u8> {
        let ctx = EncodeContext::now(&self.channel);
        paymux_core::execute::validate(&SmartroAdapter, &ctx, req).unwrap();
        let mut body = SmartroAdapter.encode(&ctx, req).unwrap().body;
        body.extend_from_slice(b"&PAYMUX_WINDOW=PAYMENT");
        body
    }

    /// Open the window for `req`; the page.
    async fn open(&self, req: &PgRequest) -> String {
        let (status, ct, page) = self.post("/window", self.form(req)).await;
        assert_eq!(status, 200, "{page}");
        assert!(ct.starts_with("text/html"), "{ct}");
        page
    }

    /// Answer an opened window page; the fields posted back to `ReturnUrl`.
    async fn answer(&self, page: &str, answer: &str) -> BTreeMap<String, String> {
        let (status, _, back) = self.post(&action(page), answer.as_bytes().to_vec()).await;
        assert_eq!(status, 200, "{back}");
        assert!(
            back.contains("action=\"https://merchant.example/pay/return\"")
                && back.contains("accept-charset=\"UTF-8\"")
                && back.contains(".submit()"),
            "{back}"
        );
        hidden(&back)
    }

    async fn complete(
        &self,
        payment_id: &str,
        returned: &BTreeMap<String, String>,
        method: &str,
    ) -> Result<Outcome, PgError> {
        let req = PgRequest::from_json(
            Operation::CheckoutComplete,
            &json!({
                "paymentId": payment_id,
                "returned": returned,
                "prior": { "amount": { "total": 1004 }, "method": method }
            })
            .to_string(),
        )
        .unwrap();
        let ctx = EncodeContext::now(&self.channel);
        let t = Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(5),
        };
        execute(&SmartroAdapter, &NetTransport::new(), &ctx, &req, t).await
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The window form's action (`/window/{token}`).
fn action(page: &str) -> String {
    let start = page.find("action=\"/window/").expect(page) + "action=\"".len();
    let end = start + page[start..].find('"').unwrap();
    unescape(&page[start..end])
}

/// The hidden inputs of the auto-submitting return page.
fn hidden(page: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in page.split("<input type=\"hidden\" ").skip(1) {
        let name = part
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let value = part
            .split("value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        out.insert(unescape(name), unescape(value));
    }
    out
}

#[tokio::test]
async fn the_window_renders_for_a_valid_form_and_refuses_a_bad_signature() {
    let sb = sandbox().await;
    let req = checkout("winpage1", "CARD", 1004);
    let page = sb.open(&req).await;
    for id in ["pay", "cancel", "card-number", "item-name", "amount"] {
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "#{id} missing: {page}"
        );
    }
    assert!(page.contains("나이키 와플 트레이너 2 SD") && page.contains("1,004원"));
    let phone = sb.open(&checkout("winpage2", "MOBILE", 1004)).await;
    assert!(phone.contains("id=\"phone-number\"") && phone.contains("01012345678"));
    let bank = sb.open(&checkout("winpage3", "TRANSFER", 1004)).await;
    assert!(bank.contains("id=\"bank\"") && !bank.contains("id=\"card-number\""));

    // The amount changed in the browser: EncryptData no longer matches.
    let form = String::from_utf8(sb.form(&req)).unwrap();
    let tampered = form.replace("Amt=1004", "Amt=10");
    assert_ne!(form, tampered);
    let (status, ct, page) = sb.post("/window", tampered.into_bytes()).await;
    assert_eq!(status, 400, "{page}");
    assert!(
        ct.starts_with("text/html") && page.contains("EncryptData"),
        "{page}"
    );
    // A form without a signature at all, an unknown token, another method.
    let (status, _, _) = sb.post("/window", b"Mid=pmxtest01m&Amt=1".to_vec()).await;
    assert_eq!(status, 400);
    let (status, _, _) = sb.post("/window/W0", b"ACTION=approve".to_vec()).await;
    assert_eq!(status, 410);
    // The server API on the same port still answers JSON.
    let (status, ct, _) = sb
        .post("/payment/approval/urlCallApproval.do", b"{}".to_vec())
        .await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"), "{ct}");
}

/// The element's text (`id="…">text<`).
fn text_of(page: &str, id: &str) -> String {
    let start = page.find(&format!("id=\"{id}\">")).expect(id) + id.len() + 6;
    page[start..].split('<').next().unwrap().to_string()
}

#[tokio::test]
async fn the_window_reads_like_a_shop_and_keeps_the_stable_ids() {
    let sb = sandbox().await;
    let page = sb.open(&checkout("winshop1", "CARD", 12500)).await;
    assert_eq!(text_of(&page, "amount"), "12,500원");
    assert_eq!(text_of(&page, "merchant"), "paymux 테스트 상점");
    assert!(!page.contains("pmxtest01m"), "the MID is not shown: {page}");
    // What every simulator's window has (external drivers depend on it).
    assert!(page.contains("name=\"cardNumber\""), "{page}");
    assert!(page.contains("<button id=\"pay\"") && page.contains("<button id=\"cancel\""));
    assert!(!page.contains(paymux_smartro::simulator::TEST_MERCHANT_KEY));
    // Banks by their Korean names, the KFTC code as the value.
    let va = sb
        .open(&checkout("winshop2", "VIRTUAL_ACCOUNT", 12500))
        .await;
    assert!(
        va.contains("<option value=\"004\">국민은행</option>"),
        "{va}"
    );
    assert!(
        va.contains(">산업은행<") && !va.contains(">KOOKMIN<"),
        "{va}"
    );
    // The card field's earlier name still works.
    let back = sb
        .answer(&page, &format!("ACTION=approve&CardNum={CARD_OK}"))
        .await;
    assert_eq!(back["ResultCode"], WINDOW_AUTHENTICATED);
}

#[tokio::test]
async fn approve_posts_back_what_checkout_complete_approves() {
    let sb = sandbox().await;
    let page = sb.open(&checkout("winok1", "CARD", 1004)).await;
    // A bad card number shows the window again, with an error.
    let (status, _, again) = sb
        .post(&action(&page), b"ACTION=approve&cardNumber=12".to_vec())
        .await;
    assert_eq!(status, 200);
    assert!(
        again.contains("id=\"error\"") && again.contains("id=\"pay\""),
        "{again}"
    );
    let back = sb
        .answer(&again, &format!("ACTION=approve&cardNumber={CARD_OK}"))
        .await;
    assert_eq!(back["ResultCode"], WINDOW_AUTHENTICATED);
    assert_eq!(
        (
            back["Moid"].as_str(),
            back["Amt"].as_str(),
            back["PayMethod"].as_str(),
            back["Mid"].as_str()
        ),
        ("winok1", "1004", "CARD", "pmxtest01m")
    );
    assert!(back["Tid"].starts_with("pmxtest01m") && !back["TrAuthKey"].is_empty());
    assert!(
        !back.values().any(|v| v.contains(CARD_OK)),
        "the card number left the window"
    );
    // The window page answers once.
    let (status, _, _) = sb.post(&action(&page), b"ACTION=approve".to_vec()).await;
    assert_eq!(status, 410);

    let o = sb.complete("winok1", &back, "CARD").await;
    let Ok(Outcome::Approved(a)) = o else {
        panic!("{o:?}")
    };
    assert_eq!(
        (a.pg_code.as_str(), a.pg_tx_id.as_deref()),
        ("3001", Some(back["Tid"].as_str()))
    );
    let e = sb.sim.ledger();
    assert!(
        e.iter()
            .any(|e| e.order_id == "winok1" && e.state == "APPROVED"),
        "{e:?}"
    );

    // Other methods: phone and bank entry.
    let page = sb.open(&checkout("winok2", "MOBILE", 1004)).await;
    let back = sb
        .answer(&page, "ACTION=approve&PhoneNum=010-1234-5678")
        .await;
    let o = sb.complete("winok2", &back, "MOBILE").await;
    assert!(
        matches!(o, Ok(Outcome::Approved(ref a)) if a.pg_code == "A000"),
        "{o:?}"
    );
    let page = sb.open(&checkout("winok3", "TRANSFER", 1004)).await;
    let back = sb.answer(&page, "ACTION=approve&BankCode=088").await;
    let o = sb.complete("winok3", &back, "TRANSFER").await;
    assert!(
        matches!(o, Ok(Outcome::Approved(ref a)) if a.pg_code == "4000"),
        "{o:?}"
    );
}

#[tokio::test]
async fn cancel_posts_back_a_failure_and_nothing_is_paid() {
    let sb = sandbox().await;
    let page = sb.open(&checkout("wincancel1", "CARD", 1004)).await;
    let back = sb.answer(&page, "ACTION=cancel").await;
    assert_eq!(back["ResultCode"], WINDOW_CANCELLED);
    assert_eq!(back["Moid"], "wincancel1");
    // The adapter reads the window's own verdict and sends nothing.
    let o = sb.complete("wincancel1", &back, "CARD").await;
    let Err(PgError::WindowFailed { pg_code, .. }) = o else {
        panic!("{o:?}")
    };
    assert_eq!(pg_code, WINDOW_CANCELLED);
    assert!(
        sb.sim.ledger().is_empty(),
        "a cancelled window paid something"
    );
}

#[tokio::test]
async fn test_cards_apply_at_approval() {
    let sb = sandbox().await;
    for (pid, card, code, kind) in [
        (
            "wincard1",
            CARD_DECLINED,
            sim::CARD_DECLINED,
            DeclineKind::CardDeclined,
        ),
        (
            "wincard2",
            CARD_NO_FUNDS,
            sim::INSUFFICIENT_FUNDS,
            DeclineKind::InsufficientFunds,
        ),
    ] {
        let page = sb.open(&checkout(pid, "CARD", 1004)).await;
        let back = sb
            .answer(&page, &format!("ACTION=approve&cardNumber={card}"))
            .await;
        // The window itself authenticates; the issuer's answer comes with the approval.
        assert_eq!(back["ResultCode"], WINDOW_AUTHENTICATED);
        let o = sb.complete(pid, &back, "CARD").await;
        let Ok(Outcome::Declined(d)) = o else {
            panic!("{o:?}")
        };
        assert_eq!((d.pg_code.as_str(), d.kind), (code, kind));
    }
    assert!(sb.sim.ledger().is_empty());
}
