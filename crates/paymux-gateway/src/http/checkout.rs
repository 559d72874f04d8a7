//! Hosted checkout: sessions (API) and the browser's routes.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Json};

use super::request::{body_bytes, origin};
use super::{pages, ApiResult, St};
use crate::checkout;

#[utoipa::path(
    post,
    path = "/checkout/sessions",
    operation_id = "create_checkout",
    tag = "Checkout",
    summary = "Create a hosted-checkout session (payment window)",
    description = "Hosted checkout: the gateway-side equivalent of PortOne's browser SDK. The body is the parameters of `PortOne.requestPayment` (kind PAYMENT, the default), `requestIssueBillingKey` (kind ISSUE_BILLING_KEY) or `requestIssueBillingKeyAndPay` (kind ISSUE_BILLING_KEY_AND_PAY), spelled as the SDK spells them, plus `kind`. The request is validated (PortOne's rules; with channelGroupId also the smart-routing rules: customer.fullName or firstName+lastName, customer.phoneNumber, customer.email; virtualAccount.accountExpiry for VIRTUAL_ACCOUNT; easyPay.easyPayProvider for EASY_PAY; productType for MOBILE; then the chosen channel's adapter rules), routed (a group picks one channel by weight among channels whose adapter can both prepare and complete a window for the method; billing-key windows take a channelKey only), and recorded: a READY payment (kind CHECKOUT) and/or an ISSUING billing key, with webhook Transaction.Ready / BillingKey.Ready. Send the customer's browser to `checkoutUrl`: it hands the browser to the PG's window; the window returns to the gateway, which approves, stores the outcome (webhook Transaction.Paid / VirtualAccountIssued / Failed, BillingKey.Issued / Failed) and redirects to `redirectUrl` with PortOne's result query parameters (paymentId / billingKey, transactionType, txId; on failure code, message, pgCode, pgMessage). Confirm the result with GET /payments/{paymentId} or GET /billing-keys/{billingKey}.",
    security(("portOne" = [])),
    request_body(content = ref("#/components/schemas/CheckoutSessionInput"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/CheckoutSessionCreated"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (names the field: e.g. `customer.email: is required with channelGroupId (smart routing)`, `channelGroupId: a billing-key window takes a channelKey only`)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "CHANNEL_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "ALREADY_PAID | ALREADY_PAID_OR_WAITING (the paymentId has a live checkout session or is being paid)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER (channel misconfigured)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn create_checkout(State(st): St, headers: HeaderMap, body: Body) -> ApiResult {
    let bytes = body_bytes(&st, body).await?;
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    checkout::create(&st, &bytes, host).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/checkout/sessions/{sessionId}",
    operation_id = "get_checkout",
    tag = "Checkout",
    summary = "Get a checkout session",
    description = "The session's state: OPEN (waiting for the customer), COMPLETING (the window returned; the PG is being asked), COMPLETED, FAILED, EXPIRED; and, once finished, the result parameters the browser was redirected with.",
    security(("portOne" = [])),
    params(
        ("sessionId" = String, Path, description = "The checkout session id (`cs_` + 32 hex digits), as answered by POST /checkout/sessions."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/CheckoutSession"), content_type = "application/json"),
        (status = 404, description = "CHECKOUT_SESSION_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn get_checkout(State(st): St, Path(id): Path<String>) -> ApiResult {
    checkout::get(&st, &id).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/checkout/{sessionId}",
    operation_id = "checkout_page",
    tag = "Checkout",
    summary = "Checkout page (for the customer's browser)",
    description = "The `checkoutUrl`. No API secret: the unguessable session id is the credential. While the session is OPEN, an HTML page with an auto-submitting form that hands the browser to the PG's payment window: the exact fields of the adapter's checkout.prepare as hidden inputs, with the vendor's accept-charset (EUC-KR for Galaxia). In sandbox (a test channel with an endpoint) the form goes to the simulator's window page (http://<endpoint>/window); in live to the vendor's window (for a loader-script window such as Galaxia's, the page loads the script and calls GX_pay). Afterwards: 409 page (already finished) or 410 page (expired).",
    security(()),
    params(
        ("sessionId" = String, Path, description = "The checkout session id (`cs_` + 32 hex digits), as answered by POST /checkout/sessions."),
    ),
    responses(
        (status = 200, description = "The hand-off page", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
        (status = 404, description = "No such session", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
        (status = 409, description = "The session already has its result", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
        (status = 410, description = "The session expired (its payment is FAILED)", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
    ),
)]
pub(super) async fn checkout_page(State(st): St, Path(id): Path<String>) -> Response {
    pages::render(checkout::open_window(&st, &id).await)
}

#[utoipa::path(
    post,
    path = "/checkout/return/{sessionId}",
    operation_id = "checkout_return",
    tag = "Checkout",
    summary = "Payment-window return (posted by the PG window)",
    description = "Where the PG's window posts its result (application/x-www-form-urlencoded, in the window's charset; EUC-KR windows are read as CP949). The return is first verified by the adapter's checkout.complete without sending anything; exactly one return then claims the session (conditional UPDATE) and the approval is sent. A second return (409 page), a late one (410 page) or one that does not verify (400 page: tampered HASH_DATA, a MESSAGE for another order, ...) never reaches the PG. A window that reported its own failure (the customer cancelled) fails the payment. On completion: 302 to redirectUrl with paymentId / billingKey, transactionType, txId and, on failure, code=FAILURE_TYPE_PG, message, pgCode, pgMessage; without redirectUrl, a result page.",
    security(()),
    params(
        ("sessionId" = String, Path, description = "The checkout session id (`cs_` + 32 hex digits), as answered by POST /checkout/sessions."),
    ),
    request_body(content = ref("#/components/schemas/WindowReturnForm"), content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 302, description = "To redirectUrl with PortOne's result query parameters"),
        (status = 200, description = "Result page (no redirectUrl)", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
        (status = 400, description = "The return could not be read or verified; nothing was sent", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
        (status = 404, description = "No such session", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
        (status = 409, description = "The session already has its result (second return)", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
        (status = 410, description = "The session expired", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
    ),
)]
pub(super) async fn checkout_return(
    State(st): St,
    Path(id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = body_bytes(&st, body).await else {
        return pages::message_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "결제 결과를 확인할 수 없습니다",
            "The payment window's answer is too large; nothing was charged.",
            None,
        );
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    pages::render(
        checkout::complete::on_return(&st, &id, ct, &bytes, &origin(peer, &headers)).await,
    )
}
