//! The simulated NICE payment window (what `AUTHNICE.requestPay` opens), served on the
//! simulator's port.
//!
//! 1. `POST /window` takes the `requestPay` object exactly as `checkout.prepare` built it
//!    (UTF-8 form fields; the gateway's sandbox adds `PAYMUX_WINDOW`, ignored). It checks the
//!    `clientId` (a server-approval key the simulator knows), `method`, `orderId`, `amount`,
//!    `goodsName`, `returnUrl` and, for `vbank`, `vbankHolder` (a bad form: an error page,
//!    400), and shows the window: card number entry (`card`, the input named `cardNumber`) or
//!    a bank choice (`bank`, `vbank`), with `#pay` and `#cancel` — what every paymux
//!    simulator window has. It shows the shop ([`kit::SHOP_NAME`]), the goods and the amount,
//!    never the client key.
//! 2. `POST /window/{token}` is the payer's answer. Pay mints an authentication and posts to
//!    `returnUrl` (UTF-8, auto-submitting form) what NICE's window posts
//!    (`api/payment-window-server.md` 응답 명세): `authResultCode` `0000`, `authResultMsg`,
//!    `tid`, `clientId`, `orderId`, `amount`, `mallReserved`, `authToken`, and `signature =
//!    hex(sha256(authToken + clientId + amount + SecretKey))`. Cancel posts `authResultCode`
//!    `I002` ("사용자가 결제를 취소하였습니다", `common/code.md`) without a `tid`.
//!
//! Nothing is approved here: approval is `POST /v1/payments/{tid}`, where the test cards
//! apply. The full card number is never shown on a page.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use paymux_core::display;
use paymux_core::money::Money;
use paymux_core::simulator::window::{
    self as kit, answer_token, bank_select, card_input, entered_card, Window,
};
use paymux_core::wire::{form_urldecode, Charset};
use serde_json::{json, Value};

use super::handlers::{Ledger, OpenWindow, Refusal, Reply, WindowAuth};
use super::secret_key;
use crate::frame::sign;
use crate::protocol::{code, method, BANKS};

/// The banner of the window.
const VENDOR: &str = "NICEPAY 결제창";
/// NICE's default deposit window when `vbankValidHours` is absent: D+7
/// (`api/payment-window-server.md`).
const DEFAULT_VALID_HOURS: i64 = 7 * 24;

/// Whether `path` belongs to the window pages.
pub fn serves(path: &str) -> bool {
    path == kit::WINDOW_PATH || answer_token(path).is_some()
}

/// Serve one request to the window pages.
pub fn handle(
    ledger: &mut Ledger,
    http_method: &str,
    path: &str,
    body: &[u8],
    now: &DateTime<FixedOffset>,
) -> Reply {
    match (http_method, path) {
        ("POST", kit::WINDOW_PATH) => open_window(ledger, body),
        ("POST", p) => submit(ledger, answer_token(p).unwrap_or_default(), body, now),
        _ => error_page(
            405,
            "The payment window is opened by POSTing the requestPay form to /window.",
        ),
    }
}

fn error_page(status: u16, message: &str) -> Reply {
    Reply::Page(status, kit::error_page(VENDOR, message))
}

fn read_form(body: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let pairs = form_urldecode(body, Charset::Utf8)
        .map_err(|e| format!("The window form is not valid UTF-8: {e}"))?;
    let mut form = BTreeMap::new();
    for (k, v) in pairs {
        form.entry(k).or_insert(v);
    }
    Ok(form)
}

/// Check a `requestPay` form: its method.
fn check_form(form: &BTreeMap<String, String>) -> Result<&'static str, String> {
    let get = |k: &str| form.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let client = get("clientId").ok_or("필수 파라미터 clientId가 없습니다. (P007)")?;
    if secret_key(client).is_none() {
        return Err("가맹점 아이디가 조회 되지 않습니다 (V001)".into());
    }
    for k in ["orderId", "goodsName", "returnUrl"] {
        if get(k).is_none() {
            return Err(format!("필수 파라미터 {k}가 없습니다. (P007)"));
        }
    }
    amount_of(form).ok_or("파라미터 amount가 숫자형식이 아닙니다. (P010)")?;
    let m = match get("method") {
        Some(method::CARD) => method::CARD,
        Some(method::BANK) => method::BANK,
        Some(method::VBANK) => method::VBANK,
        _ => return Err("지원하지 않는 지불수단 입니다. (U110)".into()),
    };
    if m == method::VBANK && get("vbankHolder").is_none() {
        return Err("필수 파라미터 vbankHolder가 없습니다. (P007)".into());
    }
    Ok(m)
}

fn amount_of(form: &BTreeMap<String, String>) -> Option<Money> {
    form.get("amount")?
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|n| Money::new(n).ok())
        .filter(|m| *m > Money::ZERO)
}

fn open_window(ledger: &mut Ledger, body: &[u8]) -> Reply {
    let form = match read_form(body) {
        Ok(f) => f,
        Err(e) => return error_page(400, &e),
    };
    if let Err(e) = check_form(&form) {
        return error_page(400, &e);
    }
    let token = ledger.open_window(OpenWindow { form: form.clone() });
    Reply::Page(200, window_page(&token, &form, None))
}

fn window_page(token: &str, f: &BTreeMap<String, String>, error: Option<&str>) -> String {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let banks = || {
        BANKS
            .iter()
            .take(8)
            .map(|(name, code)| (*code, display::bank_display(name)))
    };
    let (title, inputs) = match get("method") {
        method::CARD => ("신용카드 결제", card_input()),
        method::VBANK => ("가상계좌 발급", bank_select("입금 은행", "bankCode", banks())),
        _ => ("계좌이체", bank_select("출금 은행", "bankCode", banks())),
    };
    Window {
        vendor: VENDOR,
        title,
        token,
        item: get("goodsName"),
        order: get("orderId"),
        amount: get("amount"),
        inputs: &inputs,
        approve_label: "결제하기",
        error,
    }
    .render()
}

/// Mint an authentication for a checked form; the fields the window posts to `returnUrl`.
fn authenticate(
    ledger: &mut Ledger,
    form: &BTreeMap<String, String>,
    card_number: Option<String>,
    now: &DateTime<FixedOffset>,
) -> Result<Vec<(&'static str, String)>, String> {
    let m = check_form(form)?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let client = get("clientId");
    let secret = secret_key(&client).unwrap_or_default();
    let amount = amount_of(form).unwrap_or(Money::ZERO);
    let tid = ledger.new_tid(m, now);
    let n = ledger.next_number();
    let token = format!("NICEUNTTB{:031X}", u128::from(n) * 0x9E37_79B9 + 0x1F);
    let valid_hours = get("vbankValidHours")
        .parse::<i64>()
        .ok()
        .filter(|h| *h > 0)
        .unwrap_or(DEFAULT_VALID_HOURS);
    ledger.auths.push(WindowAuth {
        tid: tid.clone(),
        auth_token: token.clone(),
        order_id: get("orderId"),
        amount,
        pay_method: m,
        card_number,
        goods_name: get("goodsName"),
        vbank_holder: get("vbankHolder"),
        valid_hours,
        used: false,
    });
    let amount = amount.to_string();
    Ok(vec![
        ("authResultCode", code::OK.to_string()),
        ("authResultMsg", "인증 성공".to_string()),
        ("tid", tid),
        ("clientId", client.clone()),
        ("orderId", get("orderId")),
        ("amount", amount.clone()),
        ("mallReserved", get("mallReserved")),
        ("signature", sign(&[&token, &client, &amount], secret)),
        ("authToken", token),
    ])
}

fn submit(ledger: &mut Ledger, token: &str, body: &[u8], now: &DateTime<FixedOffset>) -> Reply {
    let Some(open) = ledger.take_window(token) else {
        return error_page(
            410,
            "This payment window was already answered, has expired, or was never opened.",
        );
    };
    let answer: BTreeMap<String, String> = form_urldecode(body, Charset::Utf8)
        .map(|p| p.into_iter().rev().collect())
        .unwrap_or_default();
    let form = open.form.clone();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let approve = answer.get("ACTION").map(String::as_str) == Some("approve");
    let back = if approve {
        let mut card = None;
        if get("method") == method::CARD {
            let number = entered_card(|k| answer.get(k).map(String::as_str), "cardNo");
            if !(13..=19).contains(&number.len()) {
                let page = window_page(token, &open.form, Some("카드번호를 확인해 주세요 (13–19자리 숫자)."));
                ledger.put_back_window(token, open);
                return Reply::Page(200, page);
            }
            card = Some(number);
        } else {
            let bank = answer.get("bankCode").map_or("", String::as_str);
            if !BANKS.iter().any(|(_, c)| *c == bank) {
                let page = window_page(token, &open.form, Some("은행을 선택해 주세요."));
                ledger.put_back_window(token, open);
                return Reply::Page(200, page);
            }
        }
        match authenticate(ledger, &form, card, now) {
            Ok(fields) => fields,
            Err(e) => return error_page(400, &e),
        }
    } else {
        vec![
            ("authResultCode", code::PAYER_CANCELLED.to_string()),
            ("authResultMsg", "사용자가 결제를 취소하였습니다".to_string()),
            ("clientId", get("clientId")),
            ("orderId", get("orderId")),
            ("amount", get("amount")),
            ("mallReserved", get("mallReserved")),
        ]
    };
    Reply::Page(
        200,
        kit::return_page(VENDOR, &get("returnUrl"), "UTF-8", &back),
    )
}

/// Test-only ([`super::handlers::WINDOW_PATH`]): the prepared form plus `cardNumber` (CARD)
/// or `bankCode` → the auth result as JSON, as the window would post it.
pub(super) fn mint_for_test(
    ledger: &mut Ledger,
    body: &[u8],
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let form = read_form(body).map_err(|e| Refusal(400, "U125", e))?;
    let card = (form.get("method").map(String::as_str) == Some(method::CARD))
        .then(|| entered_card(|k| form.get(k).map(String::as_str), "cardNo"))
        .filter(|n| !n.is_empty());
    if form.get("method").map(String::as_str) == Some(method::CARD) && card.is_none() {
        return Err(Refusal(200, "P007", "필수 파라미터 cardNumber가 없습니다.".into()));
    }
    let fields = authenticate(ledger, &form, card, now).map_err(|e| Refusal(200, "P007", e))?;
    let m: serde_json::Map<String, Value> = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    Ok(Reply::Answer(200, serde_json::to_vec(&m).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_tokens_and_bad_forms_are_error_pages() {
        let mut l = Ledger::default();
        let now = chrono::Utc::now().with_timezone(&paymux_core::adapter::kst());
        assert!(matches!(
            handle(&mut l, "POST", "/window/nope", b"ACTION=approve", &now),
            Reply::Page(410, _)
        ));
        assert!(matches!(
            handle(&mut l, "POST", "/window", b"clientId=x", &now),
            Reply::Page(400, _)
        ));
        assert!(matches!(
            handle(&mut l, "GET", "/window", b"", &now),
            Reply::Page(405, _)
        ));
    }
}
