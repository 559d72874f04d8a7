//! A standalone cash receipt's statuses: paymux's own, and what PortOne shows.

use std::fmt;

spelled! {
    /// A standalone cash receipt's status (`cash_receipts.status`). PortOne shows `ISSUED`,
    /// `CANCELLED` and `ISSUE_FAILED`; the two in-flight states are paymux's own.
    CashReceiptStatus {
        /// Claimed: the issue is being sent, or its answer was lost (resolved by inquiry).
        Issuing = "ISSUING",
        /// Issued at the PG.
        Issued = "ISSUED",
        /// The PG refused the issue.
        IssueFailed = "ISSUE_FAILED",
        /// A cancel is being sent, or its answer was lost (still issued until settled).
        Cancelling = "CANCELLING",
        /// Cancelled at the PG.
        Cancelled = "CANCELLED",
    }
}

spelled! {
    /// The status PortOne shows for a cash receipt (`CashReceipt.status`).
    PortOneCashReceiptStatus {
        /// Issued (also while a cancel is in flight).
        Issued = "ISSUED",
        /// Cancelled.
        Cancelled = "CANCELLED",
        /// The issue was refused.
        IssueFailed = "ISSUE_FAILED",
    }
}

impl CashReceiptStatus {
    /// What PortOne shows for it: a receipt being cancelled is still issued; one being issued
    /// has no PortOne status (`None`: not shown).
    pub fn portone(self) -> Option<PortOneCashReceiptStatus> {
        match self {
            CashReceiptStatus::Issued | CashReceiptStatus::Cancelling => {
                Some(PortOneCashReceiptStatus::Issued)
            }
            CashReceiptStatus::Cancelled => Some(PortOneCashReceiptStatus::Cancelled),
            CashReceiptStatus::IssueFailed => Some(PortOneCashReceiptStatus::IssueFailed),
            CashReceiptStatus::Issuing => None,
        }
    }
}
