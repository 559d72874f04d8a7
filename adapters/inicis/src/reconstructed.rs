//! The index of every **reconstructed** part of the Inicis wire format.
//!
//! Each item's code lives with its job and says **reconstructed** in its doc line; this module
//! only lists them, with the closest documented evidence (the README's table says the same).
//! The simulator speaks exactly these reconstructions, so the conformance suite cannot catch
//! a wrong guess — only Inicis can. Confirm each before going live.

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

/// Every reconstruction this adapter relies on.
pub const RECONSTRUCTIONS: &[Reconstruction] = &[
    Reconstruction {
        part: "keyed-in payment field list (formpay Pay)",
        guess: "url, moid, goodName, buyerName, buyerEmail, buyerTel, price, currency, cardNumber[ENC], cardExpire (YYMM), regNo[ENC], cardPw[ENC], cardQuota, quotaInterest (encode::KEYED_IN_FIELDS)",
        why: "the manual's 비인증결제 page exists but no stored copy shows its table; the fields are the billing Auth call's (public merchant code) plus the billing charge's currency and quota fields; the hash tail moid + price is documented (vendor notes §5)",
    },
    Reconstruction {
        part: "[ENC] of cardNumber, regNo, cardPw",
        guess: "AES-128-CBC with the INIAPI key / IV, like refundAcctNum",
        why: "public merchant code sends these to billing Auth; its cipher is not visible; [ENC] is the manual's only encryption and the FAQ says so for refundAcctNum",
    },
    Reconstruction {
        part: "answer fields of formpay / billing",
        guess: "tid, price, payDate, payTime, payAuthCode, cardCode, cardQuota; billKey for Auth",
        why: "vendor notes §5 name tid and payAuthCode; public merchant code reads billKey and tid",
    },
    Reconstruction {
        part: "v2 inquiry by order id",
        guess: "data {oid} when the TID is unknown (an approval whose answer was lost)",
        why: "inquiry by tid is shown in public integration tests; by order id is NOT FOUND, yet an unknown outcome has no TID",
    },
    Reconstruction {
        part: "v2 inquiry answer",
        guess: "transactionStatus APPROVAL / PART_CANCEL / CANCEL / WAIT_DEPOSIT, price, availablePartCancelPrice, tid, oid",
        why: "the names a public merchant integration's tests use; the v2 spec page is NOT FOUND",
    },
    Reconstruction {
        part: "site url",
        guess: "the channel's site_url option (default https://localhost)",
        why: "billing and formpay carry the merchant's url; the unified request has none",
    },
    Reconstruction {
        part: "refundBankCode width",
        guess: "two-digit KFTC codes (04, 11, 20, 88…)",
        why: "Inicis' bank table is behind a popup no stored copy shows; Inicis samples send two digits",
    },
    Reconstruction {
        part: "approval price field",
        guess: "price sent with the window approval when the checkout's amount is known",
        why: "a public integration's tests send it; the official sample sends mid, authToken, signature, verification, timestamp, charset, format",
    },
    Reconstruction {
        part: "virtual-account window deadline",
        guess: "acceptmethod=vbank(YYYYMMDD) from accountExpiry (dueDate or now + validHours)",
        why: "the manual's window options name a vbank(…) deadline; its exact format is not in a stored copy",
    },
    Reconstruction {
        part: "decline codes",
        guess: "protocol::sim (SIM…)",
        why: "Inicis' decline table is NOT FOUND publicly; ER0102 is the one documented failure",
    },
];
