//! The simulated SmartroPay payment window, served over HTTP on the simulator's port.
//!
//! 1. `POST /window` takes the merchant's window form exactly as `checkout.prepare` built it
//!    (UTF-8, `application/x-www-form-urlencoded`; the paymux gateway's sandbox checkout page
//!    posts it here, with its extra `PAYMUX_WINDOW` field, which is ignored). It checks the
//!    `Mid`, the required fields and `EncryptData = base64(sha256(EdiDate + Mid + Amt +
//!    MerchantKey))` (a wrong one: an error page, 400), remembers the form under a one-time
//!    token and shows the window: card number entry (`CARD`), phone entry (`CELLPHONE`), bank
//!    choice (`BANK`, `VBANK`), with **Pay** (`#pay`) and **Cancel** (`#cancel`) buttons and
//!    the card number in the input named `cardNumber` (still accepting `CardNum`, its earlier
//!    name) — what every paymux simulator window has, so one browser driver fills them all.
//!    It shows what a shopper reads: the shop ([`SHOP_NAME`]; the MID is never shown), the
//!    goods, the amount as `12,500원` and banks by their Korean names.
//! 2. `POST /window/{token}` is the payer's answer. Approve mints a window authorization in
//!    the ledger (as the test-only [`WINDOW_PATH`](super::handlers::WINDOW_PATH) does) and the
//!    window posts back to the form's `ReturnUrl` (UTF-8, auto-submitting form) what
//!    SmartroPay's callback hands the merchant's return page (id36707751919): `ResultCode`
//!    (`0000`), `ResultMsg`, `PayMethod`, `Mid`, `Moid`, `Amt`, `Tid`, `TrAuthKey` (and
//!    `MallReserved` when the form had one).
//!
//! Nothing is approved here: approval happens when the merchant sends `{Tid, TrAuthKey}` to
//! `urlCallApproval.do`, where the test cards apply (`…0002` declined, `…0051` insufficient
//! funds, `…0098` late, `…0099` dropped).
//!
//! Cancel posts back `ResultCode` [`WINDOW_CANCELLED`]. **Simulator choice**: the cancelled
//! window's `Tid` and `TrAuthKey` are posted too, and their approval is refused with
//! [`WINDOW_CANCELLED`]; so a merchant that does not read `ResultCode` before approving still
//! ends with a failure, never a payment. The full card number is never shown on a page.

use std::collections::BTreeMap;

use paymux_core::display;
use paymux_core::simulator::window::{
    self as kit, answer_token, bank_select, card_input, digits, entered_card, phone_input, Window,
};
use paymux_core::wire::{form_urldecode, Charset};
use serde_json::Value;

use super::handlers::{check_window_form, mint_auth, Fields, Refusal, Reply};
use super::ledger::{Ledger, OpenWindow};
use crate::protocol::{pay_method, BANKS};

/// `ResultCode` of a window the payer cancelled (and of the approval of its `Tid`).
/// **Simulator**: not Smartro's code (its window failure codes are not public).
pub const WINDOW_CANCELLED: &str = "9020";
/// Path the merchant's form is posted to.
pub const WINDOW_PAGE_PATH: &str = kit::WINDOW_PATH;
/// The banner of the window.
const VENDOR: &str = "SmartroPay 결제창";
/// `ResultCode` of a window that authenticated the payer (the callback's success).
pub const WINDOW_AUTHENTICATED: &str = "0000";
/// The shop the window names: SmartroPay's form carries only the `Mid`, which a shopper
/// should not have to read.
pub const SHOP_NAME: &str = kit::SHOP_NAME;

/// Whether `path` belongs to the window pages.
pub fn serves(path: &str) -> bool {
    path == WINDOW_PAGE_PATH || answer_token(path).is_some()
}

/// Serve one request to the window pages.
pub fn handle(ledger: &mut Ledger, method: &str, path: &str, body: &[u8]) -> Reply {
    match (method, path) {
        ("POST", WINDOW_PAGE_PATH) => open_window(ledger, body),
        ("POST", p) => submit_window(ledger, answer_token(p).unwrap_or_default(), body),
        _ => error_page(
            405,
            "The payment window is opened by POSTing the merchant's window form to /window.",
        ),
    }
}

fn error_page(status: u16, message: &str) -> Reply {
    Reply::Page(status, kit::error_page(VENDOR, message))
}

fn fields(form: &BTreeMap<String, String>) -> Fields {
    form.iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

fn open_window(ledger: &mut Ledger, body: &[u8]) -> Reply {
    let pairs = match form_urldecode(body, Charset::Utf8) {
        Ok(p) => p,
        Err(e) => return error_page(400, &format!("The window form is not valid UTF-8: {e}")),
    };
    let mut form = BTreeMap::new();
    for (k, v) in pairs {
        form.entry(k).or_insert(v);
    }
    if let Err(Refusal(code, msg)) = check_window_form(&fields(&form)) {
        return error_page(400, &format!("{msg} ({code})"));
    }
    if !form.get("ReturnUrl").is_some_and(|u| !u.trim().is_empty()) {
        return error_page(400, "필수 파라미터 누락: ReturnUrl");
    }
    let token = ledger.open_window(form.clone());
    Reply::Page(200, window_page(&token, &form, None))
}

fn bank_choice(label: &str) -> String {
    bank_select(
        label,
        "BankCode",
        BANKS
            .iter()
            .take(6)
            .map(|(name, code)| (*code, display::bank_display(name))),
    )
}

fn window_page(token: &str, f: &BTreeMap<String, String>, error: Option<&str>) -> String {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let (title, inputs) = match get("PayMethod") {
        pay_method::CARD => ("신용카드 결제", card_input()),
        pay_method::CELLPHONE => ("휴대폰 결제", phone_input("PhoneNum", get("BuyerTel"))),
        pay_method::VBANK => ("가상계좌 발급", bank_choice("입금 은행")),
        _ => ("계좌이체", bank_choice("출금 은행")),
    };
    Window {
        vendor: VENDOR,
        title,
        token,
        item: get("GoodsName"),
        order: get("Moid"),
        amount: get("Amt"),
        inputs: &inputs,
        approve_label: "결제하기",
        error,
    }
    .render()
}

fn submit_window(ledger: &mut Ledger, token: &str, body: &[u8]) -> Reply {
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
    let pm = get("PayMethod");
    let approve = answer.get("ACTION").map(String::as_str) == Some("approve");
    let again = |ledger: &mut Ledger, open: OpenWindow, msg: &str| {
        let page = window_page(token, &open.form, Some(msg));
        ledger.put_back_window(token, open);
        Reply::Page(200, page)
    };
    let mut card_number = None;
    if approve {
        let entered = |k: &str| digits(answer.get(k).map_or("", String::as_str));
        match pm.as_str() {
            pay_method::CARD => {
                let number = entered_card(|k| answer.get(k).map(String::as_str), "CardNum");
                if !(13..=19).contains(&number.len()) {
                    return again(ledger, open, "카드번호를 확인해 주세요 (13–19자리 숫자).");
                }
                card_number = Some(number);
            }
            pay_method::CELLPHONE => {
                if !(10..=11).contains(&entered("PhoneNum").len()) {
                    return again(
                        ledger,
                        open,
                        "휴대폰 번호를 확인해 주세요 (10–11자리 숫자).",
                    );
                }
            }
            _ => {
                let bank = answer.get("BankCode").map_or("", String::as_str);
                if !BANKS.iter().any(|(_, c)| *c == bank) {
                    return again(ledger, open, "은행을 선택해 주세요.");
                }
            }
        }
    }
    let (tid, key) = match mint_auth(ledger, &fields(&form), card_number, !approve) {
        Ok(minted) => minted,
        Err(Refusal(code, msg)) => return error_page(400, &format!("{msg} ({code})")),
    };
    let (code, msg) = if approve {
        (WINDOW_AUTHENTICATED, "인증 성공")
    } else {
        (WINDOW_CANCELLED, "사용자 취소")
    };
    let mut back: Vec<(&str, String)> = vec![
        ("ResultCode", code.to_string()),
        ("ResultMsg", msg.to_string()),
        ("PayMethod", pm),
        ("Mid", get("Mid")),
        ("Moid", get("Moid")),
        ("Amt", get("Amt")),
        ("Tid", tid),
        ("TrAuthKey", key),
    ];
    let reserved = get("MallReserved");
    if !reserved.is_empty() {
        back.push(("MallReserved", reserved));
    }
    Reply::Page(200, return_page(&get("ReturnUrl"), &back))
}

/// The page that posts the window's result back to the merchant's `ReturnUrl` (UTF-8).
fn return_page(return_url: &str, fields: &[(&str, String)]) -> String {
    kit::return_page(VENDOR, return_url, "UTF-8", fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_tokens_and_bad_forms_are_error_pages() {
        let mut l = Ledger::default();
        assert!(matches!(
            handle(&mut l, "POST", "/window/nope", b"ACTION=approve"),
            Reply::Page(410, _)
        ));
        assert!(matches!(
            handle(&mut l, "POST", "/window", b"Mid=x"),
            Reply::Page(400, _)
        ));
        assert!(matches!(
            handle(&mut l, "GET", "/window", b""),
            Reply::Page(405, _)
        ));
    }
}
