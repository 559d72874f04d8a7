//! What a window's result means for the customer's browser: PortOne's result parameters
//! (`paymentId`/`billingKey`, `transactionType`, `txId`, and on failure `code`, `message`,
//! `pgCode`, `pgMessage`), the redirect to `redirectUrl` with them, or — without one — the
//! shopper's result page ([`Verdict`]).

use paymux_core::display;
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome};
use serde_json::{json, Map, Value};

use super::{Kind, Landing, SessionRow};
use crate::billing_keys;
use crate::state::AppState;
use crate::store;
use crate::views::checkout::{ResultView, Verdict};

/// PortOne's SDK failure code for failures at the PG (`code` on the redirect).
pub const FAILURE_TYPE_PG: &str = "FAILURE_TYPE_PG";

/// `redirect_url` with the result parameters appended (`None` when it is not a URL).
pub fn redirect_target(redirect_url: &str, params: &Value) -> Option<String> {
    let mut url = reqwest::Url::parse(redirect_url).ok()?;
    if let Some(m) = params.as_object() {
        let mut q = url.query_pairs_mut();
        for (k, v) in m {
            if let Some(v) = v.as_str() {
                q.append_pair(k, v);
            }
        }
    }
    Some(url.to_string())
}

pub(super) fn transaction_type(kind: Kind) -> &'static str {
    kind.as_str()
}

/// PortOne's success parameters for a session.
pub(super) fn success_params(s: &SessionRow) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(p) = &s.payment_id {
        m.insert("paymentId".into(), json!(p));
    }
    if let Some(k) = &s.billing_key {
        m.insert("billingKey".into(), json!(k));
    }
    m.insert("transactionType".into(), json!(transaction_type(s.kind)));
    if let Some(t) = &s.transaction_id {
        m.insert("txId".into(), json!(t));
    }
    m
}

/// PortOne's failure parameters.
pub(super) fn failure_params(
    s: &SessionRow,
    message: &str,
    pg_code: Option<&str>,
    pg_message: Option<&str>,
) -> Map<String, Value> {
    let mut m = success_params(s);
    m.insert("code".into(), json!(FAILURE_TYPE_PG));
    m.insert("message".into(), json!(message));
    if let Some(c) = pg_code.filter(|c| !c.is_empty()) {
        m.insert("pgCode".into(), json!(c));
    }
    if let Some(c) = pg_message.filter(|c| !c.is_empty()) {
        m.insert("pgMessage".into(), json!(c));
    }
    m
}

/// Redirect to `redirectUrl` with the parameters, or show the shopper the result page.
pub(super) async fn respond(
    st: &AppState,
    s: &SessionRow,
    params: &Map<String, Value>,
    verdict: Verdict,
) -> Landing {
    let params = Value::Object(params.clone());
    match s
        .redirect_url
        .as_deref()
        .and_then(|u| redirect_target(u, &params))
    {
        Some(location) => Landing::Redirect(location),
        None => Landing::Result(result_view(st, s, &params, verdict).await),
    }
}

/// The result page's content: the verdict, plus the order's name and amount from the stored
/// payment (or the billing key's issue name). A storage error only leaves those out.
pub(super) async fn result_view(
    st: &AppState,
    s: &SessionRow,
    params: &Value,
    verdict: Verdict,
) -> ResultView {
    let text = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_string);
    let mut view = ResultView {
        verdict,
        order_name: None,
        amount: None,
        payment_id: text("paymentId"),
        billing_key: text("billingKey").or_else(|| s.billing_key.clone()),
    };
    if let Some(pid) = &s.payment_id {
        match store::payments::load(&st.db, pid).await {
            Ok(Some(p)) => {
                view.order_name = Some(p.order_name);
                view.amount = Some((p.amount_total, p.currency));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, session = %s.id, "result page without the order's details")
            }
        }
        if view.amount.is_none() {
            view.amount = Some((s.amount_total, "KRW".into()));
        }
    } else if let Some(bk) = &s.billing_key {
        match billing_keys::load(st, bk).await {
            Ok(Some(k)) => view.order_name = k.issue_name,
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, session = %s.id, "result page without the issue name")
            }
        }
    }
    view
}

/// What the shopper is told, from the PG's answer and whether the session succeeded.
pub(super) fn verdict_of(s: &SessionRow, ok: bool, result: &Result<Outcome, PgError>) -> Verdict {
    let generic_failure = || Verdict::Failed {
        reason: if s.payment_id.is_some() {
            "결제가 완료되지 않았습니다.".into()
        } else {
            "카드를 등록하지 못했습니다.".into()
        },
        detail: None,
        pg_code: None,
    };
    match result {
        Ok(Outcome::Approved(a)) if ok => match (s.kind, &a.detail) {
            (Kind::IssueBillingKey, _) => Verdict::Registered {
                card: s.method() != Some(paymux_core::adapter::Method::Mobile),
            },
            (
                Kind::IssueBillingKeyAndPay,
                ApprovedDetail::Payment {
                    pg_billing_key: Some(_),
                    ..
                },
            ) => Verdict::RegisteredAndPaid,
            _ => Verdict::Paid,
        },
        Ok(Outcome::VirtualAccountIssued(v)) if ok => Verdict::VirtualAccount {
            bank: v.bank.clone(),
            account_number: v.account_number.clone(),
            remittee: v.remittee_name.clone(),
            due: v.expires_at,
        },
        Ok(Outcome::Approved(_)) | Ok(Outcome::VirtualAccountIssued(_)) => generic_failure(),
        Ok(Outcome::Declined(d)) => Verdict::Failed {
            reason: display::decline_reason(d.kind).into(),
            // The kind's sentence is generic for unclassified codes: add the PG's words.
            detail: (d.kind == DeclineKind::Other).then(|| d.pg_message.clone()),
            pg_code: Some(d.pg_code.clone()).filter(|c| !c.is_empty()),
        },
        Err(e) if e.is_certainly_not_sent() => Verdict::Failed {
            reason: "결제사에 연결하지 못했습니다. 결제된 금액은 없으니 다시 시도해 주세요.".into(),
            detail: None,
            pg_code: None,
        },
        // Pending, unknown, or sent with the answer lost: the store confirms the result.
        _ => Verdict::Checking,
    }
}

/// What the shopper is told when the window itself ended without a payment. Korean PG windows
/// say `취소` (`사용자 취소`) when the payer cancelled.
pub(super) fn window_verdict(
    s: &SessionRow,
    pg_code: Option<&str>,
    pg_message: Option<&str>,
) -> Verdict {
    let message = pg_message.unwrap_or_default().trim();
    let cancelled = message.contains("취소");
    Verdict::Failed {
        reason: if cancelled {
            display::USER_CANCELLED.into()
        } else if s.payment_id.is_some() {
            "결제창에서 결제가 완료되지 않았습니다.".into()
        } else {
            "결제창에서 카드 등록이 완료되지 않았습니다.".into()
        },
        detail: (!cancelled && !message.is_empty()).then(|| message.to_string()),
        pg_code: pg_code.map(str::to_string).filter(|c| !c.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SessionStatus;
    use paymux_core::secret::Secret;

    #[test]
    fn redirect_keeps_the_merchants_query() {
        let u = redirect_target(
            "https://shop.example/done?order=7",
            &json!({"paymentId": "p 1", "code": "FAILURE_TYPE_PG"}),
        )
        .unwrap();
        assert_eq!(
            u,
            "https://shop.example/done?order=7&code=FAILURE_TYPE_PG&paymentId=p+1"
        );
        assert!(redirect_target("not a url", &json!({})).is_none());
    }

    fn session(kind: Kind, payment: bool) -> SessionRow {
        SessionRow {
            id: "cs_1".into(),
            kind,
            status: SessionStatus::Completing,
            store_id: "s".into(),
            payment_id: payment.then(|| "p-1".into()),
            transaction_id: payment.then(|| "t-1".into()),
            billing_key: (kind != Kind::Payment).then(|| "bk-1".into()),
            order_id: "o".into(),
            channel_key: "k".into(),
            method: "CARD".into(),
            amount_total: 1000,
            order_date: "20250101000000".into(),
            window_url: String::new(),
            window_charset: "UTF-8".into(),
            window_form: String::new(),
            window_loader: None,
            redirect_url: None,
            notice_urls_json: None,
            result_json: None,
            created_at: 0,
            expires_at: 0,
            opened_at: None,
            finished_at: None,
        }
    }

    fn approved(detail: ApprovedDetail) -> Result<Outcome, PgError> {
        Ok(Outcome::Approved(paymux_core::outcome::Approved {
            receipt_url: None,
            pg_tx_id: Some("T1".into()),
            at: None,
            amount: None,
            pg_code: "0000".into(),
            pg_message: String::new(),
            detail,
        }))
    }

    fn paid(key: Option<&str>) -> ApprovedDetail {
        ApprovedDetail::Payment {
            approval_number: None,
            card: None,
            installment_month: None,
            pg_billing_key: key.map(|k| Secret::new(k.to_string())),
        }
    }

    #[test]
    fn verdicts_follow_the_pgs_answer() {
        let pay = session(Kind::Payment, true);
        assert_eq!(verdict_of(&pay, true, &approved(paid(None))), Verdict::Paid);
        let declined = Ok(Outcome::Declined(paymux_core::outcome::Declined::new(
            "8101",
            "승인거절",
            DeclineKind::CardDeclined,
        )));
        assert_eq!(
            verdict_of(&pay, false, &declined),
            Verdict::Failed {
                reason: "카드사에서 승인을 거절했습니다.".into(),
                detail: None,
                pg_code: Some("8101".into()),
            }
        );
        let other = Ok(Outcome::Declined(paymux_core::outcome::Declined::new(
            "X1",
            "기타 오류",
            DeclineKind::Other,
        )));
        let Verdict::Failed { detail, .. } = verdict_of(&pay, false, &other) else {
            panic!()
        };
        assert_eq!(
            detail.as_deref(),
            Some("기타 오류"),
            "generic kinds keep the PG's words"
        );
        let va = Ok(Outcome::VirtualAccountIssued(
            paymux_core::outcome::VirtualAccountIssued {
                pg_tx_id: None,
                bank: Some("0004".into()),
                account_number: "5621".into(),
                remittee_name: None,
                expires_at: None,
                issued_at: None,
                amount: None,
                pg_code: "0000".into(),
                pg_message: String::new(),
            },
        ));
        assert!(matches!(
            verdict_of(&pay, true, &va),
            Verdict::VirtualAccount { bank: Some(b), .. } if b == "0004"
        ));
        let garbled = Err(PgError::MalformedResponse { detail: "x".into() });
        assert_eq!(verdict_of(&pay, true, &garbled), Verdict::Checking);
        assert_eq!(verdict_of(&pay, false, &garbled), Verdict::Checking);
        let lost = Ok(Outcome::Unknown(paymux_core::outcome::Unknown {
            reason: "read timeout".into(),
        }));
        assert_eq!(verdict_of(&pay, true, &lost), Verdict::Checking);
        let not_sent = Err(PgError::NotSent {
            reason: "refused".into(),
        });
        assert!(matches!(
            verdict_of(&pay, false, &not_sent),
            Verdict::Failed { reason, .. } if reason.contains("결제된 금액은 없으니")
        ));
        // Approved, but the reconciler already stored a failure.
        assert!(matches!(
            verdict_of(&pay, false, &approved(paid(None))),
            Verdict::Failed { .. }
        ));

        let issue = session(Kind::IssueBillingKey, false);
        let key = ApprovedDetail::BillingKeyIssued {
            pg_billing_key: Secret::new("K".into()),
            card: None,
        };
        assert_eq!(
            verdict_of(&issue, true, &approved(key)),
            Verdict::Registered { card: true }
        );
        let and_pay = session(Kind::IssueBillingKeyAndPay, true);
        assert_eq!(
            verdict_of(&and_pay, true, &approved(paid(Some("K")))),
            Verdict::RegisteredAndPaid
        );
        assert_eq!(
            verdict_of(&and_pay, true, &approved(paid(None))),
            Verdict::Paid
        );
    }

    #[test]
    fn window_failures_tell_a_cancel_apart() {
        let pay = session(Kind::Payment, true);
        assert_eq!(
            window_verdict(&pay, Some("8701"), Some("사용자 취소")),
            Verdict::Failed {
                reason: "결제를 취소했습니다.".into(),
                detail: None,
                pg_code: Some("8701".into()),
            }
        );
        assert_eq!(
            window_verdict(&pay, Some("E1"), Some("인증 실패")),
            Verdict::Failed {
                reason: "결제창에서 결제가 완료되지 않았습니다.".into(),
                detail: Some("인증 실패".into()),
                pg_code: Some("E1".into()),
            }
        );
    }
}
