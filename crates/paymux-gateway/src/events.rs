//! What a state change tells the merchant: the webhook event, built for the outbox (it is
//! written in the state change's own unit of work; [`crate::webhooks`] delivers it).
//!
//! An event goes to the request's `noticeUrls`, else to the configured `webhook_url` (the
//! sandbox inbox by default); none with `skipWebhook`.

use crate::domain::{Destination, EventData, EventType};
use crate::state::AppState;
use crate::store::outbox::Event;
use crate::util;
use crate::views::{self, webhook::WebhookBody};

/// The URLs an event for `dest` goes to (none when skipped or nothing is configured).
pub fn targets(st: &AppState, dest: &Destination) -> Vec<String> {
    if dest.skip {
        Vec::new()
    } else if dest.notice_urls.is_empty() {
        st.webhook_url.iter().cloned().collect()
    } else {
        dest.notice_urls.clone()
    }
}

/// The event, ready for the outbox: `None` when it goes nowhere (skipped, or no URL
/// configured).
pub fn event(
    st: &AppState,
    event_type: EventType,
    data: EventData,
    dest: &Destination,
) -> Option<Event> {
    let urls = targets(st, dest);
    if urls.is_empty() {
        return None;
    }
    let at = util::now();
    let body = WebhookBody::of(event_type, &data, util::rfc3339(at));
    let payment_id = match &data {
        EventData::Transaction { payment_id, .. } => Some(payment_id.clone()),
        EventData::BillingKey { .. } => None,
    };
    Some(Event {
        event_type: event_type.as_str(),
        payload: views::render(&body).to_string(),
        urls,
        at,
        payment_id,
        payment_status: payment_status(event_type),
        trigger: None,
    })
}

/// The payment status a transaction event reports (PortOne `PaymentWebhookPaymentStatus`).
pub fn payment_status(event_type: EventType) -> Option<&'static str> {
    Some(match event_type {
        EventType::TransactionReady => "READY",
        EventType::TransactionPaid => "PAID",
        EventType::TransactionFailed => "FAILED",
        EventType::TransactionPayPending => "PAY_PENDING",
        EventType::TransactionVirtualAccountIssued => "VIRTUAL_ACCOUNT_ISSUED",
        EventType::TransactionCancelled => "CANCELLED",
        EventType::TransactionPartialCancelled => "PARTIAL_CANCELLED",
        EventType::BillingKeyIssued
        | EventType::BillingKeyReady
        | EventType::BillingKeyFailed
        | EventType::BillingKeyDeleted => return None,
    })
}
