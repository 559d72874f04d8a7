//! The result page a shopper sees when the request had no `redirectUrl`: paid, registered,
//! a virtual account to deposit into, declined, or still being checked — Korean, phone-sized,
//! every outside text escaped.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::kst;
use paymux_core::display;

use super::pages::{esc, html, shell};
use crate::views::checkout::{ResultView, Verdict};

/// Headline, message and whether it is bad news.
fn headline(v: &Verdict) -> (&'static str, String, bool) {
    match v {
        Verdict::Paid => ("결제 완료", "결제가 완료되었습니다.".into(), false),
        Verdict::RegisteredAndPaid => (
            "결제 완료",
            "결제가 완료되었고, 다음 결제를 위해 결제수단이 등록되었습니다.".into(),
            false,
        ),
        Verdict::Registered { card: true } => (
            "카드 등록 완료",
            "카드가 등록되었습니다. 지금 결제된 금액은 없습니다.".into(),
            false,
        ),
        Verdict::Registered { card: false } => (
            "결제수단 등록 완료",
            "결제수단이 등록되었습니다. 지금 결제된 금액은 없습니다.".into(),
            false,
        ),
        Verdict::VirtualAccount { .. } => (
            "가상계좌 발급 완료",
            "아래 계좌로 입금 기한까지 입금해 주세요. 입금이 확인되면 결제가 완료됩니다.".into(),
            false,
        ),
        Verdict::Checking => (
            "결제 확인 중",
            "결제 결과를 확인하고 있습니다. 상점에서 결제 여부를 확인해 드리니, 다시 결제하기 전에 \
             주문 내역을 확인해 주세요."
                .into(),
            false,
        ),
        Verdict::Failed { reason, .. } => ("결제 실패", reason.clone(), true),
    }
}

/// A deposit deadline in KST: `2026년 12월 13일 23:59까지`.
fn due_text(due: &DateTime<FixedOffset>) -> String {
    due.with_timezone(&kst())
        .format("%Y년 %-m월 %-d일 %H:%M까지")
        .to_string()
}

/// The result page's HTML (see [`result_page`]).
pub fn result_html(v: &ResultView) -> String {
    let (mut title, message, bad) = headline(&v.verdict);
    let registering = v.payment_id.is_none() && v.billing_key.is_some();
    if bad && registering {
        title = "카드 등록 실패";
    }
    let mut rows = String::new();
    let mut row = |id: &str, label: &str, value: &str| {
        rows.push_str(&format!(
            "<dt>{label}</dt><dd id=\"{id}\">{}</dd>",
            esc(value)
        ));
    };
    if let Some(name) = v.order_name.as_deref().filter(|n| !n.trim().is_empty()) {
        row(
            "order-name",
            if registering {
                "등록 이름"
            } else {
                "주문명"
            },
            name,
        );
    }
    if let Some((amount, currency)) = &v.amount {
        let label = if matches!(v.verdict, Verdict::VirtualAccount { .. }) {
            "입금 금액"
        } else {
            "결제 금액"
        };
        row("amount", label, &display::format_amount(*amount, currency));
    }
    if let Verdict::VirtualAccount {
        bank,
        account_number,
        remittee,
        due,
    } = &v.verdict
    {
        if let Some(b) = bank {
            row("va-bank", "은행", &display::bank_display(b));
        }
        row("va-account", "계좌번호", account_number);
        if let Some(r) = remittee.as_deref().filter(|r| !r.is_empty()) {
            row("va-holder", "예금주", r);
        }
        if let Some(d) = due {
            row("va-due", "입금 기한", &due_text(d));
        }
    }
    let detail = match &v.verdict {
        Verdict::Failed {
            detail: Some(d), ..
        } if !d.trim().is_empty() && d.trim() != message => format!(
            "<p class=\"note\" id=\"detail\">결제사 메시지: {}</p>",
            esc(&truncate(d.trim(), 200))
        ),
        _ => String::new(),
    };
    let mut support = Vec::new();
    if let Some(p) = &v.payment_id {
        support.push(format!(
            "결제번호 <code id=\"result-paymentId\">{}</code>",
            esc(p)
        ));
    } else if let Some(k) = &v.billing_key {
        support.push(format!(
            "등록번호 <code id=\"result-billingKey\">{}</code>",
            esc(k)
        ));
    }
    if let Verdict::Failed {
        pg_code: Some(c), ..
    } = &v.verdict
    {
        support.push(format!(
            "응답 코드 <code id=\"result-pgCode\">{}</code>",
            esc(&truncate(c, 40))
        ));
    }
    let class = if bad { "bad" } else { "ok" };
    shell(
        title,
        &format!(
            "<main class=\"result {class}\"><h1 id=\"title\">{}</h1>\
             <p id=\"message\">{}</p>{detail}<dl id=\"result\">{rows}</dl>\
             <p class=\"note\">이 창을 닫으셔도 됩니다.</p>\
             <p id=\"support\" class=\"support\">{}</p></main>",
            esc(title),
            esc(&message),
            support.join(" · ")
        ),
    )
}

/// At most `max` characters (PG messages come from outside).
pub(super) fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The result page shown when the request had no `redirectUrl`.
pub fn result_page(v: &ResultView) -> Response {
    html(StatusCode::OK, result_html(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(verdict: Verdict) -> ResultView {
        ResultView {
            verdict,
            order_name: Some("겨울 코트".into()),
            amount: Some((12500, "KRW".into())),
            payment_id: Some("order-1".into()),
            billing_key: None,
        }
    }

    /// The page's text between an element's `id="…">` and the next `<`.
    fn text_of(page: &str, id: &str) -> String {
        let start = page.find(&format!("id=\"{id}\">")).expect(id) + id.len() + 6;
        page[start..].split('<').next().unwrap().to_string()
    }

    #[test]
    fn result_pages_are_korean_and_mobile_ready() {
        let page = result_html(&view(Verdict::Paid));
        assert!(page.contains("<html lang=\"ko\">"));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(page.contains("name=\"viewport\" content=\"width=device-width"));
        assert!(page.contains("<title>결제 완료</title>"));
        assert_eq!(text_of(&page, "title"), "결제 완료");
        assert_eq!(text_of(&page, "message"), "결제가 완료되었습니다.");
        assert_eq!(text_of(&page, "order-name"), "겨울 코트");
        assert_eq!(text_of(&page, "amount"), "12,500원");
        assert_eq!(text_of(&page, "result-paymentId"), "order-1");
        assert!(!page.contains("Payment"), "no English: {page}");

        let mut usd = view(Verdict::Paid);
        usd.amount = Some((1250, "USD".into()));
        assert_eq!(text_of(&result_html(&usd), "amount"), "USD 12.50");
    }

    #[test]
    fn declines_say_why_in_korean() {
        let page = result_html(&view(Verdict::Failed {
            reason: display::decline_reason(paymux_core::DeclineKind::InsufficientFunds).into(),
            detail: None,
            pg_code: Some("8151".into()),
        }));
        assert_eq!(text_of(&page, "title"), "결제 실패");
        assert_eq!(text_of(&page, "message"), "잔액이 부족합니다.");
        assert_eq!(text_of(&page, "amount"), "12,500원");
        assert_eq!(text_of(&page, "result-pgCode"), "8151");
        assert!(page.contains("class=\"result bad\""));
        // A window failure with the PG's own words.
        let page = result_html(&view(Verdict::Failed {
            reason: "결제창에서 결제가 완료되지 않았습니다.".into(),
            detail: Some("3D 인증 실패".into()),
            pg_code: None,
        }));
        assert_eq!(text_of(&page, "detail"), "결제사 메시지: 3D 인증 실패");
    }

    #[test]
    fn virtual_account_pages_show_where_to_deposit() {
        let due = DateTime::parse_from_rfc3339("2026-12-13T14:59:59Z").unwrap();
        let page = result_html(&view(Verdict::VirtualAccount {
            bank: Some("0088".into()),
            account_number: "56210000000001".into(),
            remittee: Some("paymux".into()),
            due: Some(due),
        }));
        assert_eq!(text_of(&page, "title"), "가상계좌 발급 완료");
        assert_eq!(text_of(&page, "va-bank"), "신한은행");
        assert_eq!(text_of(&page, "va-account"), "56210000000001");
        assert_eq!(text_of(&page, "va-holder"), "paymux");
        assert_eq!(text_of(&page, "va-due"), "2026년 12월 13일 23:59까지");
        assert_eq!(text_of(&page, "amount"), "12,500원");
        assert!(page.contains("입금 금액"));
        let page = result_html(&view(Verdict::VirtualAccount {
            bank: Some("KOOKMIN".into()),
            account_number: "1".into(),
            remittee: None,
            due: None,
        }));
        assert_eq!(text_of(&page, "va-bank"), "국민은행");
        assert!(!page.contains("va-due") && !page.contains("va-holder"));
    }

    #[test]
    fn billing_key_pages_say_the_card_is_registered() {
        let mut v = view(Verdict::Registered { card: true });
        v.payment_id = None;
        v.amount = None;
        v.order_name = Some("월간 구독".into());
        v.billing_key = Some("billing-key-1".into());
        let page = result_html(&v);
        assert_eq!(text_of(&page, "title"), "카드 등록 완료");
        assert!(text_of(&page, "message").contains("결제된 금액은 없습니다"));
        assert_eq!(text_of(&page, "order-name"), "월간 구독");
        assert_eq!(text_of(&page, "result-billingKey"), "billing-key-1");
        assert!(!page.contains("id=\"amount\""), "nothing was charged");
        v.verdict = Verdict::Failed {
            reason: display::USER_CANCELLED.into(),
            detail: None,
            pg_code: Some("8701".into()),
        };
        let page = result_html(&v);
        assert_eq!(text_of(&page, "title"), "카드 등록 실패");
        assert_eq!(text_of(&page, "message"), "결제를 취소했습니다.");
        let page = result_html(&view(Verdict::RegisteredAndPaid));
        assert_eq!(text_of(&page, "title"), "결제 완료");
        let page = result_html(&view(Verdict::Checking));
        assert_eq!(text_of(&page, "title"), "결제 확인 중");
    }

    #[test]
    fn hostile_text_renders_as_text() {
        let mut v = view(Verdict::Failed {
            reason: "<b>x</b>".into(),
            detail: Some("<img src=x onerror=alert(1)>".into()),
            pg_code: Some("\"><script>".into()),
        });
        v.order_name = Some("<script>alert('주문')</script>".into());
        v.payment_id = Some("p\"><svg onload=alert(1)>".into());
        v.amount = Some((1, "<i>".into()));
        let page = result_html(&v);
        assert!(!page.contains("<script>") && !page.contains("<svg") && !page.contains("<img"));
        assert!(!page.contains("<b>") && !page.contains("<i>"));
        assert_eq!(
            text_of(&page, "order-name"),
            "&lt;script&gt;alert(&#39;주문&#39;)&lt;/script&gt;"
        );
        assert!(page.contains("<title>결제 실패</title>"));
    }
}
