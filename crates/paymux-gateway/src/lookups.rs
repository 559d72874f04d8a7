//! Two PortOne lookups paymux has nothing behind:
//!
//! - `getPromotion` (`GET /promotions/{promotionId}`): promotions are made in PortOne's console,
//!   and paymux has none — it creates no promotions and applies none — so every id, once the
//!   request is valid, is PortOne's `404 PROMOTION_NOT_FOUND`.
//! - `getKakaopayPaymentOrder` (`GET /kakaopay/payment/order?pgTxId=&channelKey=`): PortOne
//!   relays KakaoPay's order inquiry for a KakaoPay channel. No KakaoPay adapter is linked into
//!   paymux, so no channel can be one; PortOne's error union for this operation has only
//!   `INVALID_REQUEST` (and `UNAUTHORIZED`), so the answer is `400 INVALID_REQUEST` naming
//!   `channelKey` and why.

use std::collections::HashMap;

use crate::error::ApiError;
use crate::state::AppState;

/// Longest id accepted in a path or query (as `paymentId`).
const MAX_ID: usize = 256;

/// `GET /promotions/{promotionId}`.
pub fn get_promotion(promotion_id: &str) -> ApiError {
    if promotion_id.trim().is_empty() || promotion_id.len() > MAX_ID {
        return ApiError::invalid("promotionId: must be 1 to 256 bytes");
    }
    ApiError::not_found(
        "PROMOTION_NOT_FOUND",
        "no such promotion: paymux creates no promotions, so no promotionId is known",
    )
}

/// `GET /kakaopay/payment/order?pgTxId=&channelKey=`.
pub fn get_kakaopay_payment_order(st: &AppState, query: &HashMap<String, String>) -> ApiError {
    if query
        .keys()
        .any(|k| !matches!(k.as_str(), "pgTxId" | "channelKey"))
    {
        return ApiError::invalid(
            "query: only pgTxId and channelKey are taken by getKakaopayPaymentOrder",
        );
    }
    let field = |name: &str| -> Result<&str, ApiError> {
        match query.get(name).map(String::as_str) {
            None => Err(ApiError::invalid(format!("{name}: is required"))),
            Some(v) if v.trim().is_empty() => {
                Err(ApiError::invalid(format!("{name}: must not be empty")))
            }
            Some(v) if v.len() > MAX_ID => Err(ApiError::invalid(format!(
                "{name}: must be at most {MAX_ID} bytes"
            ))),
            Some(v) => Ok(v),
        }
    };
    let (_tid, key) = match (field("pgTxId"), field("channelKey")) {
        (Ok(t), Ok(k)) => (t, k),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let why = match st.channels.get(key) {
        None => "no channel has this key".to_string(),
        Some(c) => format!(
            "the channel is {} ({}), not KakaoPay",
            c.descriptor.display_name, c.descriptor.pg_provider
        ),
    };
    ApiError::invalid(format!(
        "channelKey: must be a KakaoPay channel — {why}; paymux links no KakaoPay adapter, so no channel is one"
    ))
}
