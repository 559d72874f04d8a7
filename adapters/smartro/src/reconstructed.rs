//! Index of every **reconstructed** part of the SmartroPay wire format.
//!
//! The public material (merchant samples in the code index, PortOne's Smartro guides) shows
//! the window, its approval, the cancel, the billing-key charge and (in one reseller's
//! integration, vendor notes §3a) the server-side virtual-account issue `vacct.do`. It does not
//! show a server-side billing-key issue, a billing-key delete or a status inquiry — yet PortOne
//! offers all of them for Smartro (`POST /billing-keys` with `card`, `GET /payments/{id}`).
//! Each call here is paymux's reconstruction: the documented envelope (`{EncData, Mid}`,
//! AES-256-CBC under the merchant key) with the field names the documented calls and the
//! window already use, and the documented signature formula closest to it. Every path is a
//! channel option, so a correction needs no new release. Confirm each against Smartro's
//! merchant manual before going live; the simulator speaks exactly these, so the conformance
//! suite cannot catch a wrong guess — only Smartro can.
//!
//! | part | reconstruction | why |
//! |---|---|---|
//! | window results of other methods | `4000` transfer, `4100` virtual account, `A000` mobile | only `3001` card is documented for the window; Smartro's documented codes (3001 card, 2001 cancel, 2211 refund) are NICE's, and `vacct.do` answers `4100` as NICE's table has it |
//! | bank codes | KFTC standard 3-digit codes ([`crate::protocol::BANKS`]) | Smartro's card codes match NICE's (`12` = NH농협, id9043725511); NICE takes KFTC bank codes |
//! | billing-key issue (`billing-key.issue`) | `{EncData, Mid}` under the billing MID to `/payment/approval/billkey.do` (option `billkey_issue_path`): `CardNum`, `CardExpire` (YYMM), `BuyerAuthNum`, `CardPwd`, `MallUserId`, `Buyer*`, `Amt=0`, signed with the window's `EncryptData` | Smartro documents only the SS-Pay window (billModule.do); PortOne offers the API issue for Smartro (card), so a server call exists but is not public |
//! | billing-key issue answer | `ResultCode` `3001`, `BillTokenKey` (AES-encrypted like the window's), `DisplayCardNo`, `CardExpire`, `IssuerCardCd`, `IssuerCardNm` | the SS-Pay window's return (id27193638936) |
//! | billing-key delete | `{EncData, Mid}` to `/payment/approval/billkeyDelete.do` (option `billkey_delete_path`): `Mid`, `BillTokenKey`, `EdiDate`, `VerifyValue = base64(sha256(BillTokenKey + Mid + EdiDate))`; success `0000` | NOT FOUND; the charge's `VerifyValue` with the request time in place of the amount |
//! | status inquiry (`payment.get`) | `{EncData, Mid}` to `/payment/approval/inquiry.do` (option `inquiry_path`): `Mid`, `Moid`, `Tid` (when known), `EdiDate`, `HashData = base64(sha256(EdiDate + Mid + Moid + MerchantKey))`; answer `0000` + `StateCd` (`0` approved, `1` cancelled, `2` partly cancelled, `3` awaiting deposit), `Amt`, `RemainAmt` | `approvalInquiry.do` (id15011382861) needs the window's `TrAuthKey`, which API payments and lost answers do not have; a lookup by `Moid` is what resolves an unknown outcome |
//! | inquiry "not found" | [`crate::protocol::sim::NOT_FOUND`] read as `TxState::NotFound` | Smartro's code list is NOT FOUND |
//! | inquiry MID | the TID's MID; without a TID, the billing MID when `prior.pgBillingKey` is given | billing payments live under the billing MID (id42417833469) |
//! | virtual-account refund | cancel + `RefundBankCd`, `RefundAcctNo`, `RefundAcctNm`, `RefundTel`; answered `2211` and reported `Pending` | PortOne requires refund holder/account/bank/tel for Smartro and says the refund completes later by ping-back (V1 API guide); names are NICE's |
//! | undeposited virtual account cancel | the ordinary cancel, full amount only | PortOne's V1 "가상계좌 회수"; Smartro's own call is NOT FOUND |
//! | `GoodsCl` | `0` digital, `1` physical | id36707751919 says only "0 또는 1"; NICE's meaning |
//! | USD amounts | `Amt` is the minor-unit integer | PortOne: the MID decides the currency; Smartro's USD format is NOT FOUND |
//! | decline codes | [`SIMULATOR_CODES`] | Smartro's decline list is NOT FOUND |
//!
//! Nothing is defined here: each item lives with its job (codes and paths in
//! [`crate::protocol`], parameter structs and signatures in [`crate::frame`], the calls in
//! [`crate::encode`], the answers in [`crate::decode`]) and says **reconstructed** in its doc
//! line. These re-exports keep the paths the simulator and older code use.

pub use crate::decode::{
    billing_key_issued, inquiry_report, mask_number, money, not_found_report, parse_kst,
    virtual_account_issued, window_success_code,
};
pub use crate::encode::{delete_billing_key, inquiry, issue_billing_key, issue_virtual_account};
pub use crate::frame::{
    delete_verify_value, inquiry_hash, BillKeyDeleteParams, BillKeyIssueParams, InquiryParams,
    RefundAccountParams,
};
pub use crate::protocol::{code, path, state, SIMULATOR_CODES};
