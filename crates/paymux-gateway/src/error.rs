//! PortOne-shaped API errors: `{"type": "SCREAMING_SNAKE", "message": "..."}` with PortOne's
//! HTTP statuses, plus the extra fields some types carry (`pgCode`/`pgMessage` for
//! `PG_PROVIDER`, `failures`/`succeededChannels` for `CHANNEL_SPECIFIC`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paymux_core::validation::ValidationErrors;
use paymux_routing::{ChannelSpecificFailure, SelectedChannel};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// `pgCode` answered when the PG's answer is unknown (paymux-specific).
pub const PG_CODE_NOT_SENT: &str = "PAYMUX_NOT_SENT";

/// `pgCode` answered when the payment's PG offers the operation through none of paymux's
/// adapters (paymux-specific; nothing was sent).
pub const PG_CODE_UNSUPPORTED: &str = "PAYMUX_PG_UNSUPPORTED";

/// PortOne's error body (the schema `Error`): `{type, message}`, plus `pgCode` and
/// `pgMessage` for `PG_PROVIDER`, `failures` and `succeededChannels` for `CHANNEL_SPECIFIC`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    /// SCREAMING_SNAKE error type: PortOne's, plus `PAYMENT_OUTCOME_UNKNOWN`,
    /// `PAYMENT_PENDING`, `NOT_FOUND`, `CHANNEL_GROUP_NOT_FOUND` and the other paymux types
    /// docs/API.md lists.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// What went wrong, in words.
    pub message: String,
    /// `PG_PROVIDER`: the PG's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pg_code: Option<&'a str>,
    /// `PG_PROVIDER`: the PG's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pg_message: Option<&'a str>,
    /// `CHANNEL_SPECIFIC`: why each failed channel failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub failures: Option<&'a [ChannelSpecificFailure]>,
    /// `CHANNEL_SPECIFIC`: the channels that succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub succeeded_channels: Option<&'a [SelectedChannel]>,
}

impl<'a> ErrorBody<'a> {
    fn plain(kind: &'a str, message: String) -> Self {
        ErrorBody {
            kind,
            message,
            pg_code: None,
            pg_message: None,
            failures: None,
            succeeded_channels: None,
        }
    }

    fn json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The JSON body.
    pub body: Value,
}

impl ApiError {
    /// `{type, message}` with a status.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody::plain(kind, message.into()).json(),
        }
    }

    /// The error `type`.
    pub fn kind(&self) -> &str {
        self.body.get("type").and_then(Value::as_str).unwrap_or("")
    }

    /// 400 `INVALID_REQUEST`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
    }

    /// 400 `INVALID_REQUEST` listing every broken rule with its field path.
    pub fn validation(errs: &ValidationErrors) -> Self {
        Self::invalid(errs.to_string())
    }

    /// Broken amount rules: `409` with PortOne's sum-of-parts `kind`
    /// (`SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT`, `SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT`) when every
    /// broken rule is on one of the `parts` (a tax-free amount or VAT above the whole), else
    /// `400 INVALID_REQUEST`. The message names the fields either way.
    pub fn amounts(errs: &ValidationErrors, parts: &[&str], kind: &str) -> Self {
        let only_parts = !errs.0.is_empty()
            && errs
                .0
                .iter()
                .all(|e| parts.contains(&e.path.to_string().as_str()));
        if only_parts {
            Self::conflict(kind, errs.to_string())
        } else {
            Self::validation(errs)
        }
    }

    /// 401 `UNAUTHORIZED`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    /// 404 with a `*_NOT_FOUND` type.
    pub fn not_found(kind: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, kind, message)
    }

    /// 409 with a conflict type.
    pub fn conflict(kind: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, kind, message)
    }

    /// 502 `PG_PROVIDER {pgCode, pgMessage}`.
    pub fn pg_provider(message: impl Into<String>, pg_code: &str, pg_message: &str) -> Self {
        ApiError {
            status: StatusCode::BAD_GATEWAY,
            body: ErrorBody {
                pg_code: Some(pg_code),
                pg_message: Some(pg_message),
                ..ErrorBody::plain("PG_PROVIDER", message.into())
            }
            .json(),
        }
    }

    /// 502 `PG_PROVIDER`: the PG of the payment's channel (`pg`, its display name and
    /// PortOne `PgProvider`) cannot do `what` through paymux; nothing was sent.
    pub fn pg_unsupported(pg: &str, what: &str) -> Self {
        Self::pg_provider(
            format!("{pg} does not support {what} through paymux; nothing was sent to the PG"),
            PG_CODE_UNSUPPORTED,
            &format!("{what} is not available for {pg}"),
        )
    }

    /// 502 `CHANNEL_SPECIFIC {failures, succeededChannels}`.
    pub fn channel_specific(
        message: impl Into<String>,
        failures: &[ChannelSpecificFailure],
        succeeded: &[SelectedChannel],
    ) -> Self {
        ApiError {
            status: StatusCode::BAD_GATEWAY,
            body: ErrorBody {
                failures: Some(failures),
                succeeded_channels: Some(succeeded),
                ..ErrorBody::plain("CHANNEL_SPECIFIC", message.into())
            }
            .json(),
        }
    }

    /// 504 `PAYMENT_OUTCOME_UNKNOWN` (paymux-specific): the request reached the PG but no
    /// usable answer came back. The payment is `PAY_PENDING` and is resolved by inquiry; the
    /// client must not retry with a new `paymentId`.
    pub fn outcome_unknown(payment_id: &str) -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "PAYMENT_OUTCOME_UNKNOWN",
            format!(
                "the PG did not answer in time; payment `{payment_id}` is PAY_PENDING and will be resolved by inquiry at the PG. \
                 Check GET /payments/{payment_id} or wait for the webhook; do not retry with a new paymentId"
            ),
        )
    }

    /// 500 for storage failures. The message never carries request data.
    pub fn internal(what: &str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            format!("internal error: {what}"),
        )
    }

    /// Add a field to the body.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        if let Value::Object(m) = &mut self.body {
            m.insert(key.to_string(), value);
        } else {
            let mut m = Map::new();
            m.insert(key.to_string(), value);
            self.body = Value::Object(m);
        }
        self
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        ApiError::internal("storage unavailable")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

pub use paymux_core::validation::sanitize_serde_message;

/// Parse JSON into `T` with field-path errors.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        let msg = sanitize_serde_message(&inner.to_string());
        let (path, msg) = match msg.strip_prefix("missing field `") {
            Some(rest) => {
                let field = rest.trim_end_matches('`');
                let full = if path == "." {
                    field.to_string()
                } else {
                    format!("{path}.{field}")
                };
                (full, "is required".to_string())
            }
            None => (path, msg),
        };
        let msg = if inner.is_syntax() || inner.is_eof() {
            format!("the request body is not valid JSON ({msg})")
        } else if path == "." || path.is_empty() {
            msg
        } else {
            // Custom messages may already start with the field path.
            let dup = format!("{path}: ");
            format!("{path}: {}", msg.strip_prefix(&dup).unwrap_or(&msg))
        };
        ApiError::invalid(msg)
    })?;
    de.end().map_err(|_| {
        ApiError::invalid("the request body has trailing characters after the JSON")
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_values_are_dropped() {
        assert_eq!(
            sanitize_serde_message(
                "invalid type: string \"4111111111111111\", expected i64 at line 1 column 9"
            ),
            "invalid type: string, expected i64"
        );
        assert_eq!(
            sanitize_serde_message(
                "invalid type: integer `4111111111111111`, expected a string at line 1 column 30"
            ),
            "invalid type: integer, expected a string"
        );
        assert_eq!(
            sanitize_serde_message("unknown variant `XX`, expected `CUSTOMER` or `ADMIN`"),
            "unknown variant, expected `CUSTOMER` or `ADMIN`"
        );
        assert_eq!(
            sanitize_serde_message("must not be negative at line 1 column 3"),
            "must not be negative"
        );
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use paymux_core::model::InstantPaymentInput;

    fn err<T: DeserializeOwned + std::fmt::Debug>(s: &str) -> String {
        parse_body::<T>(s.as_bytes()).unwrap_err().body["message"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn json_errors_name_the_field_and_hide_the_value() {
        let m = err::<InstantPaymentInput>(
            r#"{"channelKey":"a","orderName":"x","currency":"KRW","amount":{"total":-5},
               "method":{"card":{"credential":{"number":"4111111111111111","expiryYear":"28","expiryMonth":"01"}}}}"#,
        );
        assert!(m.starts_with("amount.total: must not be negative"), "{m}");
        let m = err::<InstantPaymentInput>(
            r#"{"channelKey":"a","orderName":"x","currency":"KRW","amount":{"total":5},
               "method":{"card":{"credential":{"number":4111111111111111,"expiryYear":"28","expiryMonth":"01"}}}}"#,
        );
        assert!(
            m.starts_with("method.card.credential.number: invalid type: integer"),
            "{m}"
        );
        assert!(!m.contains("4111"), "{m}");
        let m = err::<InstantPaymentInput>(r#"{"channelKey":"a"}"#);
        assert!(m.contains("is required"), "{m}");
        let m = err::<InstantPaymentInput>(r#"{"channelKey":"#);
        assert!(m.contains("not valid JSON"), "{m}");
        let m = err::<Value>("{} x");
        assert!(m.contains("trailing"), "{m}");
    }
}
