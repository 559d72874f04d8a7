//! The index of every **reconstructed** part of the KSNET wire formats.
//!
//! KSNET's public material (the WEBFEP reference, the KSPay bean and samples) documents card
//! approvals, card cancels and virtual-account issue. The rest is paymux's reconstruction: the
//! closest documented shape plus the reason for the guess. The code lives with its job
//! (wire structs in [`crate::frame`], mapping in [`crate::encode`] / [`crate::decode`], codes
//! in [`crate::protocol`]), each item with a doc line saying it is reconstructed; this module
//! keeps only the list ([`RECONSTRUCTIONS`], which the README's table must match, tested) and
//! re-exports at the old paths. The simulator speaks exactly these reconstructions, so the
//! conformance suite cannot catch a wrong guess: confirm each with KSNET before going live.
//!
//! | part | reconstruction | why |
//! |---|---|---|
//! | billing-key issue (WEBFEP) | `card/cert` with all five card fields; the PG billing key is the answer's `tid` | `card/cert` is documented (card-holder authentication, no charge) and takes exactly the five fields PortOne requires for a KSNET billing key; the only batch mechanism visible anywhere reuses a *transaction number* |
//! | billing-key issue (KSPay) | a 1300 approval of amount 0 with `BatchUseType` 1; the key is its `TransactionNo` | `BatchUseType` "거래번호배치사용구분" + a transaction number in `TrackII` is the only batch mechanism public code shows; no cert-only record type is documented |
//! | billing-key charge (KSPay) | 1000 with `BatchUseType` 1 and the key in `TrackII` | the bean: "TrackII: 카드번호=유효기간 or 거래번호", "BatchUseType 1: 사용" |
//! | billing-key charge (WEBFEP) | `card/pay/noncert` with the key in `cardNumb`, empty `expiryDate`, and `batchUseType: "1"` | the same mechanism transliterated: `cardNumb`/`expiryDate` are WEBFEP's TrackII; no billing endpoint is public |
//! | billing-key delete | a FULL cancel of the issuing transaction (`card/cancel` by TID; KSPay 1010 by `TransactionNo`) | a batch key that is a transaction number dies with its transaction; no delete call exists publicly |
//! | status inquiry (WEBFEP) | `POST trade/inquiry` `{mid, payload, orgTradeKeyType, orgTradeKey, orgTradeDate}`; answer `data.tradeStatus` + `totalAmount` + `cancelAmount` | the reference shows no inquiry; the request reuses the cancel's documented key fields |
//! | status inquiry (KSPay) | record `A800` (150 bytes) keyed like a cancel; answer `A801` (104 bytes) with `TradeStatus`, `Amount`, `CancelAmount` | the only documented inquiry family is `A700` 상점정보 상세요청; the transaction inquiry is NOT FOUND |
//! | KSPay cancel `ApprovalType` | `1010` | supplied by the caller in the samples (`authty`); the cancel form's fallback answer type `1011` suggests `1010` |
//! | KSPay answer types | request type with its last digit `1` (`1000`→`1001`, `1010`→`1011`, `6000`→`6001`) | the samples' fallback answers (`1001`, `1011`, `I001`) |
//! | KSPay partial cancel | `CancelData`(42) = `PartCancelYn`(1) `Y` + `CancelAmount`(9) + `CancelTaxFree`(9) + `CancelSeq`(1) + filler(22) | no partial-cancel field is visible; `CancelData` is the record's reserved "취소data(차후추가)" |
//! | KSPay virtual account | `ApprovalType` `6000`; `VirFixSele` `0` (PG numbers the account) / `1` (`VirAcctNo` given); `BankCode` = KFTC code | the type begins with 6, the rest is NOT FOUND; the bank-code table is NOT FOUND |
//! | KSPay USD amounts | thousandths of a dollar, as WEBFEP documents | KSPay's `CurrencyType` 1 is documented, its amount unit is not |
//! | WEBFEP virtual-account fields | the example body's `orderName`, `goodName`, `virtAccountNumb` | the reference's table says `userName`, `productName`, `virtAccountNum`; its example (and the answer's `virtualAccountNumb`) the former |
//! | WEBFEP virtual account, type 0 | the same `vaccount/permanent` path with `virtAccountType` `0` | the path is the only one public; the field documents type 0 |
//! | WEBFEP `bankType` values | PortOne's bank code (`NONGHYUP`, `KOOKMIN`, ...) | the 은행타입표 is NOT FOUND; its one value `NONGHYUP` is PortOne's spelling |
//! | response codes besides `0000` and the examples | see [`crate::protocol::sim`] | KSNET's code list is NOT FOUND |

/// One reconstructed fact, for the README and reviews.
#[derive(Debug, Clone, Copy)]
pub struct Reconstruction {
    /// What part of the format.
    pub part: &'static str,
    /// What paymux sends or expects.
    pub guess: &'static str,
    /// The evidence and reasoning.
    pub why: &'static str,
}

/// Every reconstruction this adapter relies on (the table above, as data).
pub const RECONSTRUCTIONS: &[Reconstruction] = &[
    Reconstruction {
        part: "billing-key issue (WEBFEP)",
        guess: "card/cert with all five card fields; the PG billing key is the answer's tid",
        why: "card/cert is documented and takes exactly the five fields PortOne requires for a KSNET billing key; the only visible batch mechanism reuses a transaction number",
    },
    Reconstruction {
        part: "billing-key issue (KSPay)",
        guess: "1300 approval of amount 0 with BatchUseType 1; the key is its TransactionNo",
        why: "BatchUseType + a transaction number in TrackII is the only batch mechanism public code shows",
    },
    Reconstruction {
        part: "billing-key charge",
        guess: "KSPay 1000 with BatchUseType 1 and the key in TrackII; WEBFEP card/pay/noncert with the key in cardNumb and batchUseType \"1\"",
        why: "the bean: TrackII = 카드번호=유효기간 or 거래번호; no billing endpoint is public",
    },
    Reconstruction {
        part: "billing-key delete",
        guess: "FULL cancel of the issuing transaction by its TID",
        why: "a key that is a transaction number dies with its transaction; no delete call exists publicly",
    },
    Reconstruction {
        part: "status inquiry",
        guess: "WEBFEP POST trade/inquiry with the cancel's key fields; KSPay record A800 / answer A801",
        why: "no inquiry is public; the cancel's key fields and the A7xx inquiry family are the closest",
    },
    Reconstruction {
        part: "KSPay cancel ApprovalType",
        guess: "1010",
        why: "the cancel form's fallback answer type is 1011",
    },
    Reconstruction {
        part: "KSPay answer types",
        guess: "request type with its last digit 1",
        why: "the samples' fallback answers 1001, 1011, I001",
    },
    Reconstruction {
        part: "KSPay partial cancel",
        guess: "CancelData(42) = PartCancelYn Y + CancelAmount(9) + CancelTaxFree(9) + CancelSeq(1) + filler(22)",
        why: "no partial-cancel field is visible; CancelData is reserved (취소data 차후추가)",
    },
    Reconstruction {
        part: "KSPay virtual account",
        guess: "ApprovalType 6000, VirFixSele 0/1, BankCode = KFTC code",
        why: "the type begins with 6; the rest and the bank table are NOT FOUND",
    },
    Reconstruction {
        part: "KSPay USD amounts",
        guess: "thousandths of a dollar",
        why: "WEBFEP documents it; KSPay documents only CurrencyType 1",
    },
    Reconstruction {
        part: "WEBFEP virtual-account field names",
        guess: "orderName, goodName, virtAccountNumb (the example body)",
        why: "the reference's table and example disagree",
    },
    Reconstruction {
        part: "WEBFEP bankType values",
        guess: "PortOne's bank code",
        why: "the bank table is NOT FOUND; its one value NONGHYUP is PortOne's spelling",
    },
    Reconstruction {
        part: "response codes",
        guess: "the simulator's S-codes",
        why: "KSNET's code list is NOT FOUND",
    },
];

pub use crate::decode::{key_of_tid, tid_is_billing_key, tx_state};
pub use crate::encode::{charge_billing_key, delete_billing_key, inquiry, issue_billing_key};
pub use crate::frame::kspay::{KspayInquiryAnswer, KspayInquiryRequest, PartialCancelDetail};
pub use crate::frame::webfep::WebfepInquiryRequest;
pub use crate::protocol::{
    kspay_answer_type, trade_status, BILLING_KEY_PRODUCT_NAME, KSPAY_CANCEL, KSPAY_INQUIRY,
    KSPAY_INQUIRY_FAMILY, KSPAY_VIRTUAL_ACCOUNT, KSPAY_VIR_FIX_GIVEN, KSPAY_VIR_FIX_NONE,
    WEBFEP_BATCH_USE, WEBFEP_INQUIRY,
};
