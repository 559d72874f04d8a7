//! PortOne's `Bank` enum in the gateway: `GET /banks` (PortOne's `getBankInfos`), and the one
//! check that a virtual account's bank, as an adapter reported it, is a PortOne `Bank` before
//! it reaches a `Payment`. Adapters translate their PG's codes with their own tables (core:
//! `VirtualAccountIssued::bank`); the gateway only ever sees PortOne's names.

use paymux_core::display::BANK_NAMES;

use crate::views::bank::{BankInfo, BankInfoName, GetBankInfosResponse};

/// `GET /banks`: every PortOne `Bank` with its Korean name (PortOne's titles for the enum).
pub fn list() -> GetBankInfosResponse {
    GetBankInfosResponse {
        items: BANK_NAMES
            .iter()
            .map(|(bank, ko)| BankInfo {
                bank,
                name: BankInfoName { ko },
            })
            .collect(),
    }
}

/// The bank to show on a `Payment`: `reported` when it is a PortOne `Bank`, else `None`
/// (logged with the payment id and the adapter's code, which is no secret: PortOne's SDKs parse `bank` as an
/// enum, so a PG's own code there would break them).
pub fn portone_bank(reported: Option<&str>, payment_id: &str) -> Option<String> {
    let code = reported?.trim();
    if BANK_NAMES.iter().any(|(b, _)| *b == code) {
        Some(code.to_string())
    } else {
        tracing::warn!(
            payment_id,
            bank = %code.chars().take(16).collect::<String>(),
            "the adapter reported a bank that is not a PortOne Bank; it is left out of the payment"
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_portone_bank_is_listed_once_with_a_korean_name() {
        let l = list();
        assert_eq!(l.items.len(), 78);
        let mut seen = std::collections::HashSet::new();
        for b in &l.items {
            assert!(seen.insert(b.bank), "{} twice", b.bank);
            assert!(!b.name.ko.is_empty());
        }
        let kookmin = l.items.iter().find(|b| b.bank == "KOOKMIN").unwrap();
        assert_eq!(kookmin.name.ko, "국민은행");
    }

    #[test]
    fn only_portone_names_reach_a_payment() {
        assert_eq!(
            portone_bank(Some("SHINHAN"), "c").as_deref(),
            Some("SHINHAN")
        );
        assert_eq!(portone_bank(Some("088"), "c"), None);
        assert_eq!(portone_bank(Some("0088"), "c"), None);
        assert_eq!(portone_bank(Some("shinhan"), "c"), None);
        assert_eq!(portone_bank(None, "c"), None);
    }
}
