//! The simulated BillGate payment window, served over HTTP on the simulator's port.
//!
//! 1. `POST /window` takes the merchant's window form exactly as `checkout.prepare` built it
//!    (EUC-KR, `application/x-www-form-urlencoded`): it checks the MID, the required fields
//!    and `CHECK_SUM`, remembers the order under a one-time token and shows the window: card
//!    number entry (card, billing-key window), phone entry (mobile), bank choice (transfer,
//!    virtual account), with **Pay** (`#pay`) and **Cancel** (`#cancel`) buttons. Like every
//!    paymux simulator window, the card number is the input named `cardNumber` (the window
//!    still accepts `CARD_NUMBER`, its earlier name). It shows what a shopper reads: the shop
//!    ([`SHOP_NAME`]; the MID is never shown), the item, the amount as `12,500원` and banks by
//!    their Korean names.
//! 2. `POST /window/{token}` is the payer's answer. The window then posts back to the form's
//!    `RETURN_URL` (EUC-KR, as the vendor's window does) the fields `PayReturn.php` reads:
//!    `SERVICE_ID`, `SERVICE_CODE`, `ORDER_ID`, `ORDER_DATE`, `RESPONSE_CODE`,
//!    `RESPONSE_MESSAGE`, and on success `MESSAGE` (the telegram to send for approval, with
//!    its 4-digit length prefix, SEED-encrypted with the merchant key) and
//!    `HASH_DATA = sha256hex(SERVICE_ID + ORDER_ID + ORDER_DATE + AMOUNT)`. A virtual account
//!    is final in the window: the return carries `ACCOUNT_NUMBER`, `BANK_CODE`, `EXPIRE_DATE`,
//!    `EXPIRE_TIME`, `AMOUNT`, `MIX_TYPE`, `TRANSACTION_ID` instead of a `MESSAGE`.
//!
//! Nothing is approved here: approval happens when the merchant sends `MESSAGE` over the
//! socket, where the shared test cards apply (`…0002` declined, `…0051` insufficient funds,
//! `…0098` late, `…0099` dropped). Cancel answers [`WINDOW_CANCELLED`].
//!
//! Which window: BillGate's form does not say whether it opens an ordinary payment, a
//! billing-key (card registration) window or a billing-key-and-pay window — the real service
//! tells them apart by the merchant's contract. The simulator reads the optional
//! [`WINDOW_KIND_FIELD`] (`PAYMENT`, `ISSUE_BILLING_KEY`, `ISSUE_BILLING_KEY_AND_PAY`; the
//! paymux gateway adds it in sandbox only) and answers with telegram command 3000, 2100 or 3030.
//! The full card number only ever travels inside the encrypted `MESSAGE`; no page, log or
//! ledger entry of the simulator shows it.

use std::collections::BTreeMap;

use chrono::Duration as ChronoDuration;
use paymux_core::adapter::kst;
use paymux_core::display;
use paymux_core::money::Money;
use paymux_core::simulator::http::{Request, Response};
use paymux_core::simulator::ledger::{State, VirtualAccount};
use paymux_core::simulator::window::{
    self as kit, answer_token, bank_select, card_input, digits, entered_card, phone_input, Window,
};
use paymux_core::wire::{codec, form_urldecode, Charset};

use super::ledger::{self, Extra, Payment, MERCHANT};
use super::{merchant_cipher, GalaxiaSimulator};
use crate::checkout::{check_sum, hash_data};
use crate::frame::Telegram;
use crate::protocol::{code, command, service, tag};

/// `RESPONSE_CODE` of a window the payer cancelled. **Simulator**: not Galaxia's code.
pub const WINDOW_CANCELLED: &str = "8701";
/// The optional form field naming the window kind (see the module docs).
pub const WINDOW_KIND_FIELD: &str = "PAYMUX_WINDOW";
/// Path the merchant's form is posted to.
pub const WINDOW_PATH: &str = kit::WINDOW_PATH;
/// The banner of the window.
const VENDOR: &str = "BillGate 결제창";

/// Banks the simulated window offers (BillGate `BANK_CODE`s: KFTC codes padded to 4 digits;
/// their names come from [`display::bank_name`]).
const BANKS: &[&str] = &["0004", "0088", "0020", "0081", "0011"];
/// The shop the window names: BillGate's form carries only the MID, which a shopper should not
/// have to read.
pub const SHOP_NAME: &str = kit::SHOP_NAME;

/// Which window the merchant opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Payment,
    IssueBillingKey,
    IssueBillingKeyAndPay,
}

impl Kind {
    fn parse(s: Option<&str>) -> Option<Kind> {
        match s.map(str::trim) {
            None | Some("") | Some("PAYMENT") => Some(Kind::Payment),
            Some("ISSUE_BILLING_KEY") => Some(Kind::IssueBillingKey),
            Some("ISSUE_BILLING_KEY_AND_PAY") => Some(Kind::IssueBillingKeyAndPay),
            Some(_) => None,
        }
    }

    /// The telegram command the window's `MESSAGE` carries.
    fn command(self) -> &'static str {
        match self {
            Kind::Payment => command::AUTH,
            Kind::IssueBillingKey => command::AUTO_BILL_CERTIFY,
            Kind::IssueBillingKeyAndPay => command::AUTO_BILL_AGREE_AUTH,
        }
    }
}

/// A window waiting for the payer.
#[derive(Debug, Clone)]
pub struct Pending {
    fields: BTreeMap<String, String>,
    kind: Kind,
}

/// Open windows by token.
pub type WindowBook = kit::WindowBook<Pending>;

/// Serve one HTTP request.
pub(super) fn handle(sim: &GalaxiaSimulator, req: &Request) -> Response {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET" | "HEAD", "/") => Response::html(200, index_page()),
        ("POST", WINDOW_PATH) => open_window(sim, &req.body),
        ("POST", p) if answer_token(p).is_some() => {
            submit_window(sim, answer_token(p).unwrap_or_default(), &req.body)
        }
        (_, WINDOW_PATH) => error_page(
            405,
            "The payment window is opened by POSTing the merchant's window form here.",
        ),
        _ => error_page(404, "No such page on the BillGate simulator."),
    }
}

/// An error page.
pub(super) fn error_page(status: u16, message: &str) -> Response {
    Response::html(status, kit::error_page(VENDOR, message))
}

fn index_page() -> String {
    kit::page(
        VENDOR,
        "BillGate simulator",
        "<h1>BillGate simulator</h1><p>Telegrams (4-digit length prefix) and the payment window \
         (<code>POST /window</code> with the merchant's window form) share this port.</p>",
    )
}

fn open_window(sim: &GalaxiaSimulator, body: &[u8]) -> Response {
    let pairs = match form_urldecode(body, Charset::EucKr) {
        Ok(p) => p,
        Err(e) => return error_page(400, &format!("The window form is not valid EUC-KR: {e}")),
    };
    let mut fields = BTreeMap::new();
    for (k, v) in pairs {
        fields.entry(k).or_insert(v);
    }
    match check_form(&fields) {
        Ok(kind) => {
            let token = sim.with_windows(|w| {
                w.open(Pending {
                    fields: fields.clone(),
                    kind,
                })
            });
            Response::html(200, window_page(&token, &fields, kind, None))
        }
        Err(msg) => error_page(400, &msg),
    }
}

/// The checks the vendor's window makes before showing itself.
fn check_form(f: &BTreeMap<String, String>) -> Result<Kind, String> {
    for name in [
        "SERVICE_ID",
        "SERVICE_CODE",
        "ORDER_ID",
        "ORDER_DATE",
        "AMOUNT",
        "ITEM_NAME",
        "ITEM_CODE",
        "RETURN_URL",
        "CHECK_SUM",
    ] {
        if f.get(name).map_or(true, |v| v.trim().is_empty()) {
            return Err(format!("{name} is required."));
        }
    }
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    if merchant_cipher(get("SERVICE_ID")).is_none() {
        return Err("SERVICE_ID is not a merchant this simulator knows.".into());
    }
    let svc = get("SERVICE_CODE");
    if ![
        service::CARD,
        service::TRANSFER,
        service::MOBILE,
        service::VIRTUAL_ACCOUNT,
    ]
    .contains(&svc)
    {
        return Err(format!("SERVICE_CODE {svc} is not a window service."));
    }
    if get("AMOUNT").parse::<i64>().map_or(true, |a| a <= 0) {
        return Err("AMOUNT must be a positive whole number.".into());
    }
    let url = get("RETURN_URL");
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err("RETURN_URL must be an http(s) URL.".into());
    }
    if !check_sum_ok(
        get("CHECK_SUM"),
        get("SERVICE_ID"),
        get("ORDER_ID"),
        get("AMOUNT"),
    ) {
        return Err("CHECK_SUM does not match SERVICE_ID, ORDER_ID and AMOUNT.".into());
    }
    let kind = Kind::parse(f.get(WINDOW_KIND_FIELD).map(String::as_str))
        .ok_or_else(|| format!("{WINDOW_KIND_FIELD} is not a window kind."))?;
    match kind {
        Kind::IssueBillingKey if svc != service::CARD => {
            Err("the billing-key window is for cards (SERVICE_CODE 0900) only.".into())
        }
        Kind::IssueBillingKeyAndPay if svc != service::MOBILE => Err(
            "the billing-key-and-pay window is for mobile phones (SERVICE_CODE 1100) only.".into(),
        ),
        k => Ok(k),
    }
}

/// `CHECK_SUM` = 8 hex random characters + md5hex(random + SERVICE_ID + ORDER_ID + AMOUNT +
/// salt) ([`check_sum`]).
fn check_sum_ok(given: &str, mid: &str, order_id: &str, amount: &str) -> bool {
    let Some(rnd) = given.get(..8) else {
        return false;
    };
    let Ok(bytes) = codec::hex_decode("CHECK_SUM", rnd) else {
        return false;
    };
    let mut nonce = [0u8; 16];
    nonce[..bytes.len().min(4)].copy_from_slice(&bytes[..bytes.len().min(4)]);
    check_sum(&nonce, mid, order_id, amount).eq_ignore_ascii_case(given)
}

fn bank_choice(label: &str) -> String {
    bank_select(
        label,
        "BANK_CODE",
        BANKS
            .iter()
            .map(|code| (*code, display::bank_display(code))),
    )
}

fn window_page(
    token: &str,
    f: &BTreeMap<String, String>,
    kind: Kind,
    error: Option<&str>,
) -> String {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let (title, inputs) = match (get("SERVICE_CODE"), kind) {
        (service::CARD, Kind::IssueBillingKey) => ("카드 등록 (자동결제)", card_input()),
        (service::CARD, _) => ("신용카드 결제", card_input()),
        (service::MOBILE, Kind::IssueBillingKeyAndPay) => (
            "휴대폰 자동결제 등록 및 결제",
            phone_input("PHONE_NUMBER", get("MOBILE_NUMBER")),
        ),
        (service::MOBILE, _) => (
            "휴대폰 결제",
            phone_input("PHONE_NUMBER", get("MOBILE_NUMBER")),
        ),
        (service::VIRTUAL_ACCOUNT, _) => ("가상계좌 발급", bank_choice("입금 은행")),
        _ => ("계좌이체", bank_choice("출금 은행")),
    };
    Window {
        vendor: VENDOR,
        title,
        token,
        item: get("ITEM_NAME"),
        order: get("ORDER_ID"),
        amount: get("AMOUNT"),
        inputs: &inputs,
        approve_label: if kind == Kind::IssueBillingKey {
            "등록하기"
        } else {
            "결제하기"
        },
        error,
    }
    .render()
}

fn submit_window(sim: &GalaxiaSimulator, token: &str, body: &[u8]) -> Response {
    let Some(pending) = sim.with_windows(|w| w.take(token)) else {
        return error_page(
            410,
            "This payment window was already answered, has expired, or was never opened.",
        );
    };
    let answer: BTreeMap<String, String> = form_urldecode(body, Charset::Utf8)
        .map(|p| p.into_iter().collect())
        .unwrap_or_default();
    let f = &pending.fields;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut back: Vec<(&str, String)> = vec![
        ("SERVICE_ID", get("SERVICE_ID")),
        ("SERVICE_CODE", get("SERVICE_CODE")),
        ("ORDER_ID", get("ORDER_ID")),
        ("ORDER_DATE", get("ORDER_DATE")),
    ];
    if answer.get("ACTION").map(String::as_str) != Some("approve") {
        back.push(("RESPONSE_CODE", WINDOW_CANCELLED.into()));
        back.push(("RESPONSE_MESSAGE", "사용자 취소".into()));
        return Response::html(200, return_page(&get("RETURN_URL"), &back));
    }
    let svc = get("SERVICE_CODE");
    let again = |msg: &str| {
        let page = window_page(token, &pending.fields, pending.kind, Some(msg));
        sim.with_windows(|w| w.put_back(token, pending.clone()));
        Response::html(200, page)
    };
    let amount = get("AMOUNT");
    let hash = hash_data(
        &get("SERVICE_ID"),
        &get("ORDER_ID"),
        &get("ORDER_DATE"),
        &amount,
    );
    if svc == service::VIRTUAL_ACCOUNT {
        let bank = answer
            .get("BANK_CODE")
            .filter(|b| BANKS.contains(&b.as_str()))
            .cloned()
            .unwrap_or_else(|| BANKS[0].to_string());
        match issue_account(sim, f, &bank) {
            Ok(fields) => back.extend(fields),
            Err(msg) => return error_page(400, &msg),
        }
        back.push(("HASH_DATA", hash));
        return Response::html(200, return_page(&get("RETURN_URL"), &back));
    }
    let mut t = Telegram::new(
        &get("SERVICE_ID"),
        &svc,
        pending.kind.command(),
        &get("ORDER_ID"),
        &get("ORDER_DATE"),
    );
    let mut tags: Vec<(&str, String)> = vec![
        (tag::USER_ID, get("USER_ID")),
        (tag::ITEM_CODE, get("ITEM_CODE")),
        (tag::ITEM_NAME, get("ITEM_NAME")),
        (tag::DEAL_AMOUNT, amount.clone()),
    ];
    match svc.as_str() {
        service::CARD => {
            let number = entered_card(|k| answer.get(k).map(String::as_str), "CARD_NUMBER");
            if !(13..=19).contains(&number.len()) {
                return again("카드번호를 확인해 주세요 (13–19자리 숫자).");
            }
            tags.push((tag::PIN_NUMBER, number));
            tags.push((tag::QUOTA, "00".into()));
        }
        service::MOBILE => {
            let phone = digits(answer.get("PHONE_NUMBER").map_or("", String::as_str));
            if !(10..=11).contains(&phone.len()) {
                return again("휴대폰 번호를 확인해 주세요 (10–11자리 숫자).");
            }
            tags.push((tag::MOBILE_NUMBER, phone));
            let carrier = get("MOBILE_COMPANY_CODE");
            if !carrier.is_empty() {
                tags.push((tag::MOBILE_COMPANY_CODE, carrier));
            }
        }
        _ => {}
    }
    for (t_code, v) in &tags {
        if !v.is_empty() && t.put(t_code, t_code, v).is_err() {
            return error_page(400, &format!("tag {t_code} cannot be written in EUC-KR"));
        }
    }
    let message = merchant_cipher(&get("SERVICE_ID"))
        .and_then(|c| t.to_frame(&c).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let Some(message) = message else {
        return error_page(400, "the approval telegram could not be built");
    };
    back.push(("RESPONSE_CODE", code::SUCCESS.into()));
    back.push(("RESPONSE_MESSAGE", "인증성공".into()));
    back.push(("MESSAGE", message));
    back.push(("HASH_DATA", hash));
    Response::html(200, return_page(&get("RETURN_URL"), &back))
}

/// Issue a virtual account in the ledger; the return fields the window posts for it.
fn issue_account(
    sim: &GalaxiaSimulator,
    f: &BTreeMap<String, String>,
    bank: &str,
) -> Result<Vec<(&'static str, String)>, String> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let amount = get("AMOUNT")
        .parse::<i64>()
        .ok()
        .and_then(|a| Money::new(a).ok())
        .ok_or("AMOUNT is not an amount")?;
    let days = get("QUOTA").parse::<i64>().unwrap_or(7).clamp(1, 30);
    let now = chrono::Utc::now().with_timezone(&kst());
    let expire_date = (now + ChronoDuration::days(days))
        .format("%Y%m%d")
        .to_string();
    let expire_time = Some(get("EXPIRE_TIME"))
        .filter(|t| t.len() == 6 && t.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or_else(|| "235959".into());
    let escrow = get("ESCROW_FLAG") == "Y";
    sim.with_ledger(|ledger| {
        if ledger.has_order(MERCHANT, &get("ORDER_ID")) {
            return Err("중복 주문번호: this ORDER_ID was already used".to_string());
        }
        let tid = ledger::new_tid(ledger, service::VIRTUAL_ACCOUNT);
        let account = format!("5621{:010}", ledger.next_number());
        let mut p = Payment::approved(
            MERCHANT,
            &get("ORDER_ID"),
            tid.clone(),
            ledger::method(service::VIRTUAL_ACCOUNT),
            amount,
            &now.format("%Y%m%d%H%M%S").to_string(),
            Extra {
                service_code: service::VIRTUAL_ACCOUNT.into(),
                order_date: get("ORDER_DATE"),
                deposited_at: String::new(),
            },
        );
        p.state = State::AwaitingDeposit;
        p.account = Some(VirtualAccount {
            bank: bank.to_string(),
            number: account.clone(),
            due: format!("{expire_date}{expire_time}"),
        });
        ledger.record(p);
        Ok(vec![
            ("RESPONSE_CODE", code::SUCCESS.to_string()),
            ("RESPONSE_MESSAGE", "가상계좌 발급".to_string()),
            ("TRANSACTION_ID", tid),
            ("ACCOUNT_NUMBER", account),
            ("BANK_CODE", bank.to_string()),
            ("EXPIRE_DATE", expire_date),
            ("EXPIRE_TIME", expire_time),
            ("AMOUNT", amount.to_string()),
            ("MIX_TYPE", if escrow { "1000" } else { "0000" }.to_string()),
        ])
    })
}

/// The page that posts the window's result back to the merchant (EUC-KR, like BillGate).
fn return_page(return_url: &str, fields: &[(&str, String)]) -> String {
    kit::return_page(VENDOR, return_url, "EUC-KR", fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    use paymux_core::adapter::{
        EncodeContext, IncomingNotice, NoticeEvent, NoticeTrust, PgAdapter, PgRequest,
    };
    use paymux_core::outcome::{ApprovedDetail, Outcome, TxState};
    use paymux_core::secret::Secret;
    use paymux_core::simulator::Simulator;
    use paymux_core::transport::{NetTransport, Timeouts};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::frame::Cipher;
    use crate::GalaxiaAdapter;

    async fn http(addr: &str, path: &str, body: &[u8]) -> (u16, String) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: sim\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(body).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        let status = text[9..12].parse().unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1.to_string();
        (status, body)
    }

    fn hidden(page: &str) -> BTreeMap<String, String> {
        page.split("<input type=\"hidden\" name=\"")
            .skip(1)
            .filter_map(|s| {
                let (name, rest) = s.split_once('"')?;
                let value = rest.split_once("value=\"")?.1.split_once('"')?.0;
                let value = value
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&");
                Some((name.to_string(), value))
            })
            .collect()
    }

    fn token(page: &str) -> String {
        page.split("action=\"/window/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    }

    #[tokio::test]
    async fn the_window_answers_as_pay_return_php_reads_it() {
        let sim = Arc::new(GalaxiaSimulator::default());
        let handle = sim
            .clone()
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let addr = handle.endpoint();
        let ch = sim.sandbox_channel("g", &addr);
        let ctx = EncodeContext::now(&ch);
        let prepare = PgRequest::from_json(
            paymux_core::adapter::Operation::CheckoutPrepare,
            r#"{"returnUrl": "http://127.0.0.1:9/return", "checkout": {"kind": "PAYMENT",
                "storeId": "s", "paymentId": "w-1", "orderName": "테스트 주문", "totalAmount": 1004,
                "currency": "KRW", "payMethod": "CARD", "channelKey": "g",
                "customer": {"customerId": "u1"}}}"#,
        )
        .unwrap();
        let wire = GalaxiaAdapter.encode(&ctx, &prepare).unwrap();

        // The merchant's form opens the window, which shows the EUC-KR item name intact.
        let (status, page) = http(&addr, WINDOW_PATH, &wire.body).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("테스트 주문") && page.contains("id=\"card-number\""));
        assert!(page.contains("id=\"amount\">1,004원<"), "{page}");
        // A form whose CHECK_SUM does not fit is refused.
        let tampered = String::from_utf8(wire.body.clone())
            .unwrap()
            .replace("AMOUNT=1004", "AMOUNT=1");
        let (status, page) = http(&addr, WINDOW_PATH, tampered.as_bytes()).await;
        assert_eq!(status, 400);
        assert!(page.contains("CHECK_SUM"), "{page}");

        // Approve: the return carries MESSAGE (the 3000 telegram) and HASH_DATA.
        let (_, page) = http(&addr, WINDOW_PATH, &wire.body).await;
        let t = token(&page);
        let (status, back) = http(
            &addr,
            &format!("/window/{t}"),
            b"ACTION=approve&cardNumber=4111-1111-1111-1111",
        )
        .await;
        assert_eq!(status, 200);
        assert!(back.contains("action=\"http://127.0.0.1:9/return\" accept-charset=\"EUC-KR\""));
        assert!(
            !back.contains("4111111111111111"),
            "the card is only inside MESSAGE"
        );
        let f = hidden(&back);
        assert_eq!(f["RESPONSE_CODE"], "0000");
        assert_eq!(f["ORDER_ID"], "w-1");
        assert_eq!(
            f["HASH_DATA"],
            hash_data(super::super::TEST_MID, "w-1", &f["ORDER_DATE"], "1004")
        );
        let cipher = Cipher::from_text(super::super::TEST_KEY, super::super::TEST_IV).unwrap();
        let telegram = Telegram::from_frame(f["MESSAGE"].as_bytes(), &cipher).unwrap();
        assert_eq!(telegram.command, command::AUTH);
        assert_eq!(
            telegram.get(tag::PIN_NUMBER).as_deref(),
            Some("4111111111111111")
        );
        // The token is single-use.
        let (status, _) = http(&addr, &format!("/window/{t}"), b"ACTION=approve").await;
        assert_eq!(status, 410);

        // checkout.complete sends MESSAGE over the same port and is approved.
        let returned: BTreeMap<String, Secret<String>> =
            f.into_iter().map(|(k, v)| (k, Secret::new(v))).collect();
        let complete = PgRequest::CheckoutComplete(paymux_core::adapter::CheckoutCompleteCall {
            payment_id: "w-1".into(),
            returned,
            prior: paymux_core::adapter::PriorTransaction {
                amount: Some(paymux_core::adapter::PriorAmount {
                    total: Money::new(1004).unwrap(),
                    ..Default::default()
                }),
                method: Some(paymux_core::adapter::Method::Card),
                ..Default::default()
            },
        });
        let timeouts = Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(5),
        };
        let out = paymux_core::execute::execute(
            &GalaxiaAdapter,
            &NetTransport::new(),
            &ctx,
            &complete,
            timeouts,
        )
        .await
        .unwrap();
        let Outcome::Approved(a) = out else {
            panic!("{out:?}")
        };
        assert!(matches!(a.detail, ApprovedDetail::Payment { .. }));
        assert_eq!(sim.ledger().len(), 1);

        // Cancel: the simulator's own code, no MESSAGE.
        let mut again = wire.body.clone();
        again.extend_from_slice(b"&PAYMUX_WINDOW=PAYMENT");
        let (_, page) = http(&addr, WINDOW_PATH, &again).await;
        let (_, back) = http(
            &addr,
            &format!("/window/{}", token(&page)),
            b"ACTION=cancel",
        )
        .await;
        let f = hidden(&back);
        assert_eq!(f["RESPONSE_CODE"], WINDOW_CANCELLED);
        assert!(!f.contains_key("MESSAGE"));
        // Telegrams still work on the same port (see the e2e tests); garbage HTTP is answered.
        let (status, _) = http(&addr, "/nope", b"").await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn a_virtual_account_is_issued_in_the_window() {
        let sim = Arc::new(GalaxiaSimulator::default());
        let handle = sim
            .clone()
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let addr = handle.endpoint();
        let ch = sim.sandbox_channel("g", &addr);
        let ctx = EncodeContext::now(&ch);
        let due = (chrono::Utc::now() + ChronoDuration::days(5)).format("%Y-%m-%d");
        let prepare = PgRequest::from_json(
            paymux_core::adapter::Operation::CheckoutPrepare,
            &format!(
                r#"{{"returnUrl": "http://127.0.0.1:9/return", "checkout": {{"kind": "PAYMENT",
                "storeId": "s", "paymentId": "va-1", "orderName": "주문", "totalAmount": 45000,
                "currency": "KRW", "payMethod": "VIRTUAL_ACCOUNT", "channelKey": "g",
                "customer": {{"customerId": "u1"}},
                "virtualAccount": {{"accountExpiry": {{"dueDate": "{due}"}}}}}}}}"#
            ),
        )
        .unwrap();
        let wire = GalaxiaAdapter.encode(&ctx, &prepare).unwrap();
        let (_, page) = http(&addr, WINDOW_PATH, &wire.body).await;
        assert!(page.contains("id=\"bank\""), "{page}");
        let (_, back) = http(
            &addr,
            &format!("/window/{}", token(&page)),
            b"ACTION=approve&BANK_CODE=0088",
        )
        .await;
        let f = hidden(&back);
        let returned: BTreeMap<String, Secret<String>> =
            f.into_iter().map(|(k, v)| (k, Secret::new(v))).collect();
        let va = crate::checkout::virtual_account_from_return(&returned).unwrap();
        assert_eq!(va.bank.as_deref(), Some("SHINHAN"));
        assert_eq!(va.amount.map(|m| m.get()), Some(45000));
        let ledger = sim.ledger();
        assert_eq!(ledger[0].state, "VIRTUAL_ACCOUNT_ISSUED");
        assert_eq!(ledger[0].method, "VIRTUAL_ACCOUNT");

        // The (reconstructed) 5000 inquiry: waiting for the payer is pending, not paid.
        let tid = va.pg_tx_id.clone().unwrap();
        let inquiry = PgRequest::from_json(
            paymux_core::adapter::Operation::PaymentGet,
            &serde_json::json!({"paymentId": "va-1", "prior": {
                "pgTxId": tid, "method": "VIRTUAL_ACCOUNT", "amount": {"total": 45000},
                "orderDate": returned["ORDER_DATE"].expose()}})
            .to_string(),
        )
        .unwrap();
        let ask = || async {
            let out = paymux_core::execute::execute(
                &GalaxiaAdapter,
                &NetTransport::new(),
                &EncodeContext::now(&ch),
                &inquiry,
                Timeouts {
                    connect: Duration::from_secs(2),
                    read: Duration::from_secs(5),
                },
            )
            .await
            .unwrap();
            let Outcome::Approved(a) = out else {
                panic!("{out:?}")
            };
            let ApprovedDetail::Inquiry(r) = a.detail else {
                panic!("{:?}", a.detail)
            };
            (r, a.at)
        };
        let (r, at) = ask().await;
        assert_eq!((r.state, at), (TxState::Pending, None), "{r:?}");
        assert_eq!(r.amount.map(|m| m.get()), Some(45000));

        // The payer deposits: recorded, and the notice decodes as an unsigned deposit.
        assert!(sim.deposit("no-such-tid").is_none());
        let notice = sim.deposit(&tid).expect("a notice");
        assert!(sim.deposit(&tid).is_none(), "one deposit per account");
        assert_eq!(sim.ledger()[0].state, "APPROVED");
        let headers = Vec::new();
        let n = GalaxiaAdapter
            .decode_notice(
                &ch,
                &IncomingNotice {
                    content_type: &notice.content_type,
                    headers: &headers,
                    body: &notice.body,
                },
            )
            .unwrap();
        assert_eq!(n.trust, NoticeTrust::Unsigned);
        assert_eq!(n.order_id.as_deref(), Some("va-1"));
        assert_eq!(n.pg_tx_id.as_deref(), Some(tid.as_str()));
        let NoticeEvent::Deposited {
            amount,
            at: deposited,
        } = n.event
        else {
            panic!("{:?}", n.event)
        };
        assert_eq!(amount.map(|m| m.get()), Some(45000));
        assert!(n
            .view
            .iter()
            .any(|(k, v)| k == "ACCOUNT_NUMBER" && *v == va.account_number));
        // Now the inquiry says paid, dated with the deposit.
        let (r, at) = ask().await;
        assert_eq!(r.state, TxState::Approved, "{r:?}");
        assert_eq!(at, deposited);
        assert!(at.is_some());
    }

    /// The element's text (`id="…">text<`).
    fn text_of(page: &str, id: &str) -> String {
        let start = page.find(&format!("id=\"{id}\">")).expect(id) + id.len() + 6;
        page[start..].split('<').next().unwrap().to_string()
    }

    #[tokio::test]
    async fn the_window_reads_like_a_shop_and_keeps_the_stable_ids() {
        let sim = Arc::new(GalaxiaSimulator::default());
        let handle = sim
            .clone()
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let addr = handle.endpoint();
        let ch = sim.sandbox_channel("g", &addr);
        let ctx = EncodeContext::now(&ch);
        let open = |method: &str, id: &str, extra: &str| {
            let json = format!(
                r#"{{"returnUrl": "http://127.0.0.1:9/return", "checkout": {{"kind": "PAYMENT",
                "storeId": "s", "paymentId": "{id}", "orderName": "<b>겨울 코트</b>",
                "totalAmount": 12500, "currency": "KRW", "payMethod": "{method}",
                "channelKey": "g", "customer": {{"customerId": "u1"}}{extra}}}}}"#
            );
            let req = PgRequest::from_json(paymux_core::adapter::Operation::CheckoutPrepare, &json)
                .unwrap();
            GalaxiaAdapter.encode(&ctx, &req).unwrap().body
        };
        let (status, page) = http(&addr, WINDOW_PATH, &open("CARD", "shop-1", "")).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(text_of(&page, "amount"), "12,500원");
        assert_eq!(text_of(&page, "merchant"), SHOP_NAME);
        assert_eq!(text_of(&page, "item-name"), "&lt;b&gt;겨울 코트&lt;/b&gt;");
        assert!(
            !page.contains(super::super::TEST_MID),
            "the MID is not shown"
        );
        assert!(!page.contains(super::super::TEST_KEY), "no key is shown");
        // What every simulator's window has (external drivers depend on it).
        assert!(page.contains("name=\"cardNumber\""), "{page}");
        assert!(page.contains("<button id=\"pay\"") && page.contains("<button id=\"cancel\""));
        // The card field's earlier name still works.
        let (_, back) = http(
            &addr,
            &format!("/window/{}", token(&page)),
            b"ACTION=approve&CARD_NUMBER=4111111111111111",
        )
        .await;
        assert_eq!(hidden(&back)["RESPONSE_CODE"], "0000", "{back}");

        // Banks by their Korean names.
        let due = (chrono::Utc::now() + ChronoDuration::days(5)).format("%Y-%m-%d");
        let va = format!(r#", "virtualAccount": {{"accountExpiry": {{"dueDate": "{due}"}}}}"#);
        let (_, page) = http(&addr, WINDOW_PATH, &open("VIRTUAL_ACCOUNT", "shop-2", &va)).await;
        assert!(
            page.contains("<option value=\"0004\">국민은행</option>"),
            "{page}"
        );
        assert!(
            page.contains(">신한은행<") && page.contains(">NH농협은행<"),
            "{page}"
        );
    }

    #[test]
    fn check_sum_round_trips() {
        let nonce = [0xab, 0xcd, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let s = check_sum(&nonce, "M2103135", "o-1", "1004");
        assert!(check_sum_ok(&s, "M2103135", "o-1", "1004"));
        assert!(check_sum_ok(&s.to_uppercase(), "M2103135", "o-1", "1004"));
        assert!(!check_sum_ok(&s, "M2103135", "o-1", "1005"));
        assert!(!check_sum_ok("zz", "M2103135", "o-1", "1004"));
    }

    #[test]
    fn window_kinds() {
        assert_eq!(Kind::parse(None), Some(Kind::Payment));
        assert_eq!(
            Kind::parse(Some("ISSUE_BILLING_KEY")).map(Kind::command),
            Some("2100")
        );
        assert_eq!(
            Kind::parse(Some("ISSUE_BILLING_KEY_AND_PAY")).map(Kind::command),
            Some("3030")
        );
        assert_eq!(Kind::parse(Some("x")), None);
    }
}
