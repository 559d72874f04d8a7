//! KSNET's wire structs, with the vendor's field names, and their exact bytes. No mapping
//! logic here (that is [`crate::encode`] / [`crate::decode`]): keeping the two apart is what
//! lets a reviewer check these against the vendor's documentation.
//!
//! - [`webfep`]: the REST API's JSON bodies and its `{aid, code, message, data}` envelope.
//! - [`kspay`]: the socket telegram: a 4-digit length, the 296-byte header and fixed-width
//!   EUC-KR records, written and read field by field with a reviewable layout.
//!
//! Layouts no public source shows are in the same modules, each marked **reconstructed**.

pub mod kspay;
pub mod webfep;
