//! PortOne `GetBankInfosResponse`, `BankInfo`, `BankInfoName`.

use serde::Serialize;

/// PortOne `GetBankInfosResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GetBankInfosResponse {
    /// Every bank.
    pub items: Vec<BankInfo>,
}

/// PortOne `BankInfo`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankInfo {
    /// PortOne `Bank` code (`KOOKMIN`).
    pub bank: &'static str,
    /// Names by language.
    pub name: BankInfoName,
}

/// PortOne `BankInfoName`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankInfoName {
    /// Korean name (`국민은행`).
    pub ko: &'static str,
}
