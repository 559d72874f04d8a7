//! Errors of the adapter layer. Every variant says whether anything reached the PG.

use crate::channel::ChannelConfigError;
use crate::validation::ValidationErrors;
use crate::wire::WireError;

/// Why an operation could not produce an [`Outcome`](crate::outcome::Outcome).
///
/// None of these means money moved: each is raised before any byte reached the PG
/// ([`PgError::is_certainly_not_sent`]) or, for [`PgError::MalformedResponse`], on an
/// operation that moves no money (an inquiry). A malformed answer to a payment is an
/// `Outcome::Unknown`, not an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The request breaks a rule (generic or the PG's own).
    #[error("invalid request: {0}")]
    Validation(ValidationErrors),
    /// The channel is misconfigured.
    #[error("{0}")]
    Config(#[from] ChannelConfigError),
    /// The adapter cannot do this operation / method / currency.
    #[error("{adapter} does not support {what}")]
    Unsupported {
        /// Adapter id.
        adapter: &'static str,
        /// What was asked (`payment.instant with CARD`).
        what: String,
    },
    /// The request could not be put into the vendor's format (e.g. a character the
    /// vendor's charset cannot carry).
    #[error("cannot encode for the PG: {0}")]
    Wire(#[from] WireError),
    /// The payment window itself reported a failure (the payer cancelled, the card company
    /// refused inside the window): there is nothing to approve and nothing was sent.
    #[error("the payment window reported {pg_code} ({pg_message}); nothing to approve")]
    WindowFailed {
        /// The window's own result code.
        pg_code: String,
        /// The window's own result message.
        pg_message: String,
    },
    /// The transport failed before any byte was sent (connection refused, DNS, connect
    /// timeout). Certainly not charged.
    #[error("not sent to the PG: {reason}")]
    NotSent {
        /// What failed.
        reason: String,
    },
    /// The PG answered something that cannot be decoded, on an operation that moves no money.
    #[error("malformed PG response: {detail}")]
    MalformedResponse {
        /// What was wrong (never the raw bytes: they may carry card data).
        detail: String,
    },
    /// A notice from the PG failed its authentication or could not be decoded. Nothing is
    /// recorded; the PG resends, and an operator can look at the notice log.
    #[error("notice refused: {detail}")]
    NoticeRefused {
        /// What was wrong (never the raw body).
        detail: String,
    },
}

impl PgError {
    /// True when nothing reached the PG, so trying again (or elsewhere) cannot double-charge.
    pub fn is_certainly_not_sent(&self) -> bool {
        !matches!(self, PgError::MalformedResponse { .. })
    }
}

impl From<ValidationErrors> for PgError {
    fn from(e: ValidationErrors) -> Self {
        PgError::Validation(e)
    }
}
