//! What the simulator does with each request: pure bookkeeping on the [`Ledger`]; the kit's
//! server decides when (and whether) the answer is written.

use paymux_core::simulator::http::Request;
use paymux_core::simulator::server::Reply;

use super::Ledger;

/// Handle one HTTP request: the reply's status and JSON body, answered now, late or never.
///
/// Scaffold: nothing is understood yet, so every request is answered `501`. TODO: parse the
/// vendor's message, apply `paymux_core::simulator::TestCard::of(card_number)` (`Declined`,
/// `InsufficientFunds` → the vendor's decline; `ApproveLate` → record, then
/// `Reply::AnswerLate`; `Drop` → `Reply::Drop`, nothing recorded), book it in the ledger
/// (`paymux_core::simulator::ledger::Payment::approved`, `Ledger::record`) and answer in the
/// vendor's format.
pub fn handle(ledger: &mut Ledger, request: &Request) -> Reply<(u16, Vec<u8>)> {
    let _ = ledger;
    let body = format!(
        "{{\"error\":\"{} {}: not implemented yet: see CONTRIBUTING.md\"}}",
        request.method,
        request.path.escape_default()
    );
    Reply::Answer((501, body.into_bytes()))
}
