//! Galaxia's virtual-account deposit notice (입금 통보), as the gateway receives it at
//! `POST /pg-notices/{channelKey}` ([`PgAdapter::decode_notice`](paymux_core::adapter::PgAdapter::decode_notice)).
//!
//! **Reconstructed, all of it**: no public source shows Galaxia's deposit notice (its URL
//! setting, fields, encoding, signature or expected answer; docs/vendors/galaxia.md). It is
//! modelled on what BillGate does show — the window's return (`PayReturn.php`):
//!
//! | part | reconstruction |
//! |---|---|
//! | body | EUC-KR `application/x-www-form-urlencoded`, as the window's return posts |
//! | fields | the return's names: `SERVICE_ID`, `SERVICE_CODE` (`1800`), `ORDER_ID`, `ORDER_DATE`, `TRANSACTION_ID`, `AMOUNT`, `ACCOUNT_NUMBER`, `BANK_CODE`, `RESPONSE_CODE` (`0000`), `RESPONSE_MESSAGE`; plus `DEPOSIT_DATE` (`YYYYMMDDHHMMSS` KST) |
//! | signature | none: nothing public signs it, so the notice is [`NoticeTrust::Unsigned`] and the gateway confirms the deposit with the (reconstructed) 5000 inquiry, which reports an undeposited account as pending |
//! | acknowledgement | `200` with the text `0000`, BillGate's success code |
//!
//! A `SERVICE_ID` other than the channel's, a `SERVICE_CODE` other than `1800`, a
//! `RESPONSE_CODE` other than `0000`, a missing `ORDER_ID` or `TRANSACTION_ID`, or an
//! unreadable `AMOUNT` / `DEPOSIT_DATE` is [`PgError::NoticeRefused`], naming the field and never
//! echoing the body.

use paymux_core::adapter::{IncomingNotice, NoticeAck, NoticeEvent, NoticeTrust, PgNotice};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::wire::Charset;

use crate::channel::GalaxiaChannel;
use crate::protocol::{code, service};

/// **Reconstructed**: what BillGate is answered once a notice is recorded.
pub const ACK_BODY: &str = code::SUCCESS;

/// The notice's fields, in the order the simulator writes them and the view shows them.
pub const FIELDS: [&str; 11] = [
    "SERVICE_ID",
    "SERVICE_CODE",
    "ORDER_ID",
    "ORDER_DATE",
    "TRANSACTION_ID",
    "AMOUNT",
    "ACCOUNT_NUMBER",
    "BANK_CODE",
    "DEPOSIT_DATE",
    "RESPONSE_CODE",
    "RESPONSE_MESSAGE",
];

fn refused(detail: impl Into<String>) -> PgError {
    PgError::NoticeRefused {
        detail: detail.into(),
    }
}

/// Decode a deposit notice for `channel` (see the module docs).
pub fn decode_notice(
    channel: &ChannelContext,
    notice: &IncomingNotice<'_>,
) -> Result<PgNotice, PgError> {
    let ch = GalaxiaChannel::from_context(channel)?;
    let pairs = notice
        .form(Charset::EucKr)
        .map_err(|e| refused(format!("the body is not an EUC-KR form: {e}")))?;
    let field = |name: &str| -> Option<String> {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let required =
        |name: &'static str| field(name).ok_or_else(|| refused(format!("{name} is missing")));
    if required("SERVICE_ID")? != ch.mid {
        return Err(refused("SERVICE_ID is not this channel's mid"));
    }
    if field("SERVICE_CODE").is_some_and(|c| c != service::VIRTUAL_ACCOUNT) {
        return Err(refused("SERVICE_CODE is not 1800 (virtual account)"));
    }
    if field("RESPONSE_CODE").is_some_and(|c| c != code::SUCCESS) {
        return Err(refused("RESPONSE_CODE is not 0000"));
    }
    let order_id = required("ORDER_ID")?;
    let tid = required("TRANSACTION_ID")?;
    let amount = match field("AMOUNT") {
        None => None,
        Some(a) => Some(
            a.parse::<i64>()
                .ok()
                .and_then(|n| Money::new(n).ok())
                .ok_or_else(|| refused("AMOUNT is not an amount"))?,
        ),
    };
    let at = match field("DEPOSIT_DATE") {
        None => None,
        Some(d) => Some(
            crate::decode::parse_kst(&d)
                .ok_or_else(|| refused("DEPOSIT_DATE is not YYYYMMDDHHMMSS"))?,
        ),
    };
    let view = FIELDS
        .iter()
        .filter_map(|k| field(k).map(|v| (k.to_string(), v)))
        .collect();
    Ok(PgNotice {
        pg_tx_id: Some(tid),
        order_id: Some(order_id),
        event: NoticeEvent::Deposited { amount, at },
        trust: NoticeTrust::Unsigned,
        ack: NoticeAck::text(ACK_BODY),
        view,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use paymux_core::wire::form_urlencode;

    fn channel() -> ChannelContext {
        use paymux_core::simulator::Simulator;
        crate::GalaxiaSimulator::default().sandbox_channel("g", "")
    }

    fn body(over: &[(&str, &str)]) -> Vec<u8> {
        let mut pairs = vec![
            ("SERVICE_ID", "M2103135"),
            ("SERVICE_CODE", "1800"),
            ("ORDER_ID", "order-1"),
            ("ORDER_DATE", "20261207100000"),
            ("TRANSACTION_ID", "SIM18000000000001"),
            ("AMOUNT", "45000"),
            ("ACCOUNT_NUMBER", "56210000000002"),
            ("BANK_CODE", "0088"),
            ("DEPOSIT_DATE", "20261207113000"),
            ("RESPONSE_CODE", "0000"),
            ("RESPONSE_MESSAGE", "입금 완료"),
        ];
        for (k, v) in over {
            match pairs.iter_mut().find(|(n, _)| n == k) {
                Some(p) => p.1 = v,
                None => pairs.push((k, v)),
            }
        }
        pairs.retain(|(_, v)| !v.is_empty());
        form_urlencode(&pairs, Charset::EucKr).unwrap()
    }

    fn decode(b: &[u8]) -> Result<PgNotice, PgError> {
        let headers = Vec::new();
        decode_notice(
            &channel(),
            &IncomingNotice {
                content_type: "application/x-www-form-urlencoded; charset=EUC-KR",
                headers: &headers,
                body: b,
            },
        )
    }

    #[test]
    fn a_deposit_notice_is_unsigned_and_claims_the_deposit() {
        let n = decode(&body(&[])).unwrap();
        assert_eq!(n.trust, NoticeTrust::Unsigned);
        assert_eq!(n.order_id.as_deref(), Some("order-1"));
        assert_eq!(n.pg_tx_id.as_deref(), Some("SIM18000000000001"));
        let NoticeEvent::Deposited { amount, at } = n.event else {
            panic!("{:?}", n.event)
        };
        assert_eq!(amount, Some(Money::new(45000).unwrap()));
        assert_eq!(at.unwrap().to_rfc3339(), "2026-12-07T11:30:00+09:00");
        assert_eq!(n.ack.body, b"0000");
        assert_eq!(n.ack.status, 200);
        assert!(n
            .view
            .contains(&("RESPONSE_MESSAGE".to_string(), "입금 완료".to_string())));
    }

    #[test]
    fn bad_notices_are_refused_naming_the_field() {
        for (over, named) in [
            (("SERVICE_ID", "M0000000"), "SERVICE_ID"),
            (("SERVICE_ID", ""), "SERVICE_ID"),
            (("SERVICE_CODE", "0900"), "SERVICE_CODE"),
            (("RESPONSE_CODE", "8101"), "RESPONSE_CODE"),
            (("ORDER_ID", ""), "ORDER_ID"),
            (("TRANSACTION_ID", ""), "TRANSACTION_ID"),
            (("AMOUNT", "12a"), "AMOUNT"),
            (("AMOUNT", "-5"), "AMOUNT"),
            (("DEPOSIT_DATE", "yesterday"), "DEPOSIT_DATE"),
        ] {
            let e = decode(&body(&[over])).unwrap_err();
            match e {
                PgError::NoticeRefused { detail } => {
                    assert!(detail.contains(named), "{over:?}: {detail}")
                }
                other => panic!("{over:?}: {other:?}"),
            }
        }
        // Not EUC-KR (a lone lead byte), or no form at all.
        assert!(matches!(
            decode(b"ORDER_ID=%B0"),
            Err(PgError::NoticeRefused { .. })
        ));
        assert!(matches!(
            decode(b"\xff\xfe"),
            Err(PgError::NoticeRefused { .. })
        ));
    }
}
