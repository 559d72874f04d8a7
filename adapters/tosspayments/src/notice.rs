//! Notices Toss sends on its own (<https://docs.tosspayments.com/guides/webhook>), decoded for
//! the gateway's notice intake:
//!
//! - `DEPOSIT_CALLBACK` (virtual accounts): `{createdAt, secret, status, transactionKey,
//!   orderId}`. Its only authentication is `secret`, which must equal the `secret` of the
//!   Payment object Toss returned when the account was issued. **The adapter cannot check it**:
//!   decoding is pure and sees only the channel's keys, and the gateway does not hand the
//!   issue answer's `secret` back (core's `PriorTransaction` has no slot for it). So the
//!   notice is [`NoticeTrust::Unsigned`]: the gateway confirms it by inquiry
//!   (`GET /v1/payments/orders/{orderId}`, authenticated with the secret key), which is at
//!   least as strong as the `secret` comparison (the webhook guide itself recommends
//!   re-querying). The `secret` is masked in the view.
//! - `PAYMENT_STATUS_CHANGED`: `{eventType, createdAt, data: Payment}`. Unsigned by Toss
//!   (only payout and seller events carry `tosspayments-webhook-signature`), so
//!   [`NoticeTrust::Unsigned`] too.
//!
//! Toss retries any answer that is not `200` (up to 7 times); the ack is `200` with `OK`.

use paymux_core::adapter::{IncomingNotice, NoticeAck, NoticeEvent, NoticeTrust, PgNotice};
use paymux_core::error::PgError;
use serde::Deserialize;
use serde_json::Value;

use crate::decode::{parse_time, tx_state};
use crate::frame::Payment;
use crate::protocol::{event, mask, status};

/// The largest notice body read (a Payment object is a few KiB).
pub const MAX_NOTICE_BODY: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    event_type: Option<String>,
    created_at: Option<String>,
    data: Option<Value>,
    // DEPOSIT_CALLBACK's flat fields.
    secret: Option<String>,
    status: Option<String>,
    order_id: Option<String>,
    transaction_key: Option<String>,
    payment_key: Option<String>,
}

fn refused(detail: &str) -> PgError {
    PgError::NoticeRefused {
        detail: detail.into(),
    }
}

/// Decode a Toss notice.
pub fn decode_notice(notice: &IncomingNotice<'_>) -> Result<PgNotice, PgError> {
    if notice.body.len() > MAX_NOTICE_BODY {
        return Err(refused("the body is larger than a Toss notice"));
    }
    let mime = notice
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    if !mime.is_empty() && !mime.eq_ignore_ascii_case("application/json") {
        return Err(refused("a Toss notice is JSON (application/json)"));
    }
    let env: Envelope = serde_json::from_slice(notice.body)
        .map_err(|_| refused("the body is not a Toss notice (JSON object expected)"))?;
    let at = env.created_at.as_deref().and_then(parse_time);
    match env.event_type.as_deref() {
        Some(event::PAYMENT_STATUS_CHANGED) => {
            let data = env
                .data
                .ok_or_else(|| refused("PAYMENT_STATUS_CHANGED without data"))?;
            let p: Payment = serde_json::from_value(data)
                .map_err(|_| refused("PAYMENT_STATUS_CHANGED's data is not a Payment object"))?;
            let st = p
                .status
                .clone()
                .ok_or_else(|| refused("the Payment object has no status"))?;
            if p.order_id.is_none() && p.payment_key.is_none() {
                return Err(refused("the Payment object names no payment"));
            }
            let mut view = vec![
                (
                    "eventType".to_string(),
                    event::PAYMENT_STATUS_CHANGED.to_string(),
                ),
                ("status".to_string(), st.clone()),
            ];
            push(&mut view, "orderId", p.order_id.as_deref());
            push(&mut view, "paymentKey", p.payment_key.as_deref());
            push(&mut view, "createdAt", env.created_at.as_deref());
            Ok(PgNotice {
                pg_tx_id: p.payment_key,
                order_id: p.order_id,
                event: NoticeEvent::StatusChanged {
                    claimed: tx_state(&st),
                },
                trust: NoticeTrust::Unsigned,
                ack: NoticeAck::text("OK"),
                view,
            })
        }
        None | Some(event::DEPOSIT_CALLBACK) => {
            // The flat DEPOSIT_CALLBACK body (or the same fields under `data`).
            let (secret, st, order_id, tx_key, payment_key) = match (&env.secret, &env.data) {
                (Some(_), _) => (
                    env.secret.clone(),
                    env.status.clone(),
                    env.order_id.clone(),
                    env.transaction_key.clone(),
                    env.payment_key.clone(),
                ),
                (None, Some(d)) => {
                    let s = |k: &str| d.get(k).and_then(Value::as_str).map(str::to_string);
                    (
                        s("secret"),
                        s("status"),
                        s("orderId"),
                        s("transactionKey"),
                        s("paymentKey"),
                    )
                }
                (None, None) => (None, None, None, None, None),
            };
            let secret = secret
                .filter(|s| !s.is_empty())
                .ok_or_else(|| refused("DEPOSIT_CALLBACK without its secret"))?;
            let st = st.ok_or_else(|| refused("DEPOSIT_CALLBACK without status"))?;
            let order_id = order_id
                .filter(|o| !o.is_empty())
                .ok_or_else(|| refused("DEPOSIT_CALLBACK without orderId"))?;
            let event = match st.as_str() {
                status::DONE => NoticeEvent::Deposited { amount: None, at },
                other => NoticeEvent::StatusChanged {
                    claimed: tx_state(other),
                },
            };
            let mut view = vec![
                ("eventType".to_string(), event::DEPOSIT_CALLBACK.to_string()),
                ("status".to_string(), st),
                ("orderId".to_string(), order_id.clone()),
                ("secret".to_string(), mask("secret", &secret)),
            ];
            push(&mut view, "transactionKey", tx_key.as_deref());
            push(&mut view, "createdAt", env.created_at.as_deref());
            Ok(PgNotice {
                pg_tx_id: payment_key,
                order_id: Some(order_id),
                event,
                trust: NoticeTrust::Unsigned,
                ack: NoticeAck::text("OK"),
                view,
            })
        }
        Some(_) => Err(refused(
            "an event type this adapter does not take (payout, BrandPay and seller events)",
        )),
    }
}

fn push(view: &mut Vec<(String, String)>, k: &str, v: Option<&str>) {
    if let Some(v) = v {
        view.push((k.to_string(), v.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paymux_core::outcome::TxState;

    fn notice(body: &str) -> Result<PgNotice, PgError> {
        decode_notice(&IncomingNotice {
            content_type: "application/json",
            headers: &[],
            body: body.as_bytes(),
        })
    }

    #[test]
    fn deposit_callbacks_are_unsigned_deposits_with_the_secret_masked() {
        let n = notice(
            r#"{"createdAt":"2022-01-01T00:00:00.000000","secret":"ps_Z1aOwX7K8m","status":"DONE","transactionKey":"tk1","orderId":"order-0001"}"#,
        )
        .unwrap();
        assert_eq!(n.trust, NoticeTrust::Unsigned);
        assert_eq!(n.order_id.as_deref(), Some("order-0001"));
        assert!(matches!(
            n.event,
            NoticeEvent::Deposited { at: Some(_), .. }
        ));
        assert!(!format!("{n:?}").contains("ps_Z1aOwX7K8m"));
    }

    #[test]
    fn status_webhooks_claim_the_payments_state() {
        let n = notice(
            r#"{"eventType":"PAYMENT_STATUS_CHANGED","createdAt":"2022-05-12T00:00:00.000","data":{"paymentKey":"pk1","orderId":"o1","status":"CANCELED"}}"#,
        )
        .unwrap();
        assert_eq!(
            n.event,
            NoticeEvent::StatusChanged {
                claimed: Some(TxState::Cancelled)
            }
        );
        assert_eq!(n.pg_tx_id.as_deref(), Some("pk1"));
    }

    #[test]
    fn hostile_notices_are_refused_without_echoing() {
        for body in [
            "",
            "null",
            "[]",
            r#"{"status":"DONE","orderId":"o"}"#,
            r#"{"eventType":"PAYOUT_STATUS_CHANGED","data":{}}"#,
            r#"{"eventType":"PAYMENT_STATUS_CHANGED"}"#,
            r#"{"eventType":"PAYMENT_STATUS_CHANGED","data":{"status":"DONE"}}"#,
        ] {
            let e = notice(body).unwrap_err();
            assert!(matches!(e, PgError::NoticeRefused { .. }), "{body}: {e}");
        }
        let e = decode_notice(&IncomingNotice {
            content_type: "text/html",
            headers: &[],
            body: b"{}",
        })
        .unwrap_err();
        assert!(matches!(e, PgError::NoticeRefused { .. }));
    }
}
