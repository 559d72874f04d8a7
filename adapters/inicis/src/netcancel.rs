//! Inicis' net cancel (망취소) of a window approval in doubt — no answer, an unreadable answer,
//! or a `0000` whose `authSignature`, `MOID` or `TotPrice` does not match
//! ([`crate::decode::approval`]). The adapter stays pure: [`crate::checkout::net_cancel`]
//! builds the request (the approval's fields, to the `netCancelUrl` the window named, already
//! checked against the channel's allowed hosts) as [`PgAdapter::reversal`], and core's
//! executor sends it; this module reads Inicis' answer to it.
//!
//! [`PgAdapter::reversal`]: paymux_core::adapter::PgAdapter::reversal

use paymux_core::adapter::WireResponse;

use crate::frame::Answer;
use crate::protocol::code;

/// `Ok(())` when Inicis answered the net cancel `0000` (the approval is void); otherwise why
/// not (the doubt stays, for an inquiry).
pub fn confirmed(resp: &WireResponse) -> Result<(), String> {
    let answer = Answer::parse(&resp.body)?;
    match answer.result_code() {
        Some(c) if c == code::STD_OK => Ok(()),
        Some(c) => Err(format!(
            "Inicis refused the net cancel: {c} {}",
            answer.result_msg()
        )),
        None => Err("the net cancel's answer has no resultCode".into()),
    }
}
