//! Smartro's virtual-account deposit notice, as the gateway receives it at
//! `POST /pg-notices/{channelKey}` ([`PgAdapter::decode_notice`](paymux_core::adapter::PgAdapter::decode_notice)).
//!
//! | part | status | source or reason |
//! |---|---|---|
//! | `SignValue = base64(sha256(TID[0..10] + ResultCode + TID[10..15] + MerchantKey + TID[15..]))` | documented | vendor notes §3a (a reseller's integration) |
//! | codes `4110` deposit done, `7001` cash receipt, `2013` already cancelled | documented | vendor notes §3a |
//! | field names `Tid`, `Mid`, `Moid`, `Amt`, `ResultCode`, `ResultMsg`, `PayMethod` | **reconstructed** | the names Smartro's answers and the window's return use |
//! | body: UTF-8 `application/x-www-form-urlencoded` | **reconstructed** | how the window's return posts |
//! | acknowledgement: `200` with the text `OK` | **reconstructed** | Smartro's expected answer is NOT FOUND; NICE-family notices expect `OK` |
//!
//! The notice is signed with the merchant key, so a matching `SignValue` makes it
//! [`NoticeTrust::Verified`]. A `Mid` that is neither of the channel's MIDs, a missing field, a
//! wrong `SignValue` or an unknown `ResultCode` is [`PgError::NoticeRefused`], naming what is
//! wrong and never echoing the body.

use paymux_core::adapter::{IncomingNotice, NoticeAck, NoticeEvent, NoticeTrust, PgNotice};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::TxState;
use paymux_core::wire::Charset;

use crate::channel::SmartroChannel;
use crate::protocol::code;

/// **Reconstructed**: what Smartro expects back once a notice is recorded.
pub const ACK_BODY: &str = "OK";

fn refused(detail: impl Into<String>) -> PgError {
    PgError::NoticeRefused {
        detail: detail.into(),
    }
}

/// Decode and authenticate a deposit notice for `channel` (see the module docs).
pub fn decode_notice(
    channel: &ChannelContext,
    notice: &IncomingNotice<'_>,
) -> Result<PgNotice, PgError> {
    let ch = SmartroChannel::from_context(channel)?;
    let pairs = notice
        .form(Charset::Utf8)
        .map_err(|e| refused(format!("the body is not a UTF-8 form: {e}")))?;
    let field = |name: &str| -> Option<String> {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let required =
        |name: &'static str| field(name).ok_or_else(|| refused(format!("{name} is missing")));
    let result_code = required("ResultCode")?;
    let tid = required("Tid")?;
    let sign = required("SignValue")?;
    let mid = required("Mid")?;
    if mid != ch.mid && mid != ch.billing_mid {
        return Err(refused("Mid is not this channel's MID"));
    }
    let expected =
        crate::frame::notice_sign_value(&tid, &result_code, ch.merchant_key.expose().as_str());
    if !paymux_core::wire::crypto::ct_eq(expected.as_bytes(), sign.as_bytes()) {
        return Err(refused(
            "SignValue does not match (wrong merchant key or altered fields)",
        ));
    }
    let amount = match field("Amt") {
        None => None,
        Some(a) => Some(
            a.parse::<i64>()
                .ok()
                .and_then(|n| Money::new(n).ok())
                .ok_or_else(|| refused("Amt is not an amount"))?,
        ),
    };
    let event = match result_code.as_str() {
        code::DEPOSIT_DONE => NoticeEvent::Deposited { amount, at: None },
        code::ALREADY_CANCELLED => NoticeEvent::StatusChanged {
            claimed: Some(TxState::Cancelled),
        },
        // A cash receipt changes no payment state: the gateway's inquiry confirms that.
        code::CASH_RECEIPT_ISSUED => NoticeEvent::StatusChanged { claimed: None },
        _ => {
            return Err(refused(
                "ResultCode is not a notice code (4110, 7001, 2013)",
            ))
        }
    };
    let view: Vec<(String, String)> = [
        "ResultCode",
        "ResultMsg",
        "Tid",
        "Mid",
        "Moid",
        "PayMethod",
        "Amt",
    ]
    .into_iter()
    .filter_map(|k| field(k).map(|v| (k.to_string(), v)))
    .chain(std::iter::once((
        "SignValue".to_string(),
        "***".to_string(),
    )))
    .collect();
    Ok(PgNotice {
        pg_tx_id: Some(tid),
        order_id: field("Moid"),
        event,
        trust: NoticeTrust::Verified,
        ack: NoticeAck::text(ACK_BODY),
        view,
    })
}
