//! The routing hash: a fixed, documented function of the `paymentId` bytes.
//!
//! Routing must be a pure function of the `paymentId` and the group configuration: the same
//! payment retried (by the merchant, by the gateway after a crash, on another server, after a
//! Rust upgrade, on another CPU) must land on the same channel. `std`'s `DefaultHasher` is
//! explicitly allowed to change between releases and is randomly keyed in `HashMap`, so it is
//! not used.
//!
//! The hash is **FNV-1a 64** over the UTF-8 bytes of the `paymentId`, followed by the
//! **MurmurHash3 `fmix64` finalizer**:
//!
//! ```text
//! h = 0xcbf29ce484222325
//! for byte in paymentId: h = (h ^ byte) * 0x100000001b3          (mod 2^64)
//! h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33
//! ```
//!
//! Why this one: both halves are public, tiny, use only wrapping 64-bit integer arithmetic
//! (identical on every platform, endianness and Rust version), and cost a few nanoseconds
//! for a 40-byte id. FNV-1a alone has weak high bits for short, similar inputs
//! (`pay-1`, `pay-2`, ...); the `fmix64` finalizer gives full avalanche, so the
//! multiply-shift mapping onto `[0, total_weight)` in [`scale`] (which uses the high bits)
//! is well distributed. The hash is not keyed: routing is not a security boundary (a merchant
//! choosing its own `paymentId`s could steer its own traffic, which it can do anyway with an
//! explicit `channelKey`).
//!
//! Known answers (fixed by tests; changing them re-routes every in-flight retry):
//! `routing_hash("") = 0xefd01f60ba992926`, `routing_hash("pay-0") = 0x54f5e230c635ccc1`
//! (computed independently with this Python reference implementation):
//!
//! ```text
//! M = (1 << 64) - 1
//! def fnv(b):
//!     h = 0xcbf29ce484222325
//!     for x in b: h = ((h ^ x) * 0x100000001b3) & M
//!     return h
//! def fmix(k):
//!     k ^= k >> 33; k = (k * 0xff51afd7ed558ccd) & M; k ^= k >> 33
//!     k = (k * 0xc4ceb9fe1a85ec53) & M; k ^= k >> 33; return k
//! def point(payment_id, total): return (fmix(fnv(payment_id.encode())) * total) >> 64
//! ```

/// FNV-1a 64-bit offset basis.
pub const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 over `bytes`.
#[inline]
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET_BASIS;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// MurmurHash3's 64-bit finalizer (`fmix64`): a bijection with full avalanche.
#[inline]
pub fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// The routing hash of a `paymentId`: `fmix64(fnv1a64(utf8 bytes))`.
#[inline]
pub fn routing_hash(payment_id: &str) -> u64 {
    fmix64(fnv1a64(payment_id.as_bytes()))
}

/// The hash for draw number `round` (0 = the primary choice) derived from a routing hash.
///
/// Round 0 is the routing hash itself, so the first channel of a failover order is always
/// the channel plain selection picks. Later rounds re-mix with the 64-bit golden ratio.
#[inline]
pub fn round_hash(h: u64, round: u32) -> u64 {
    if round == 0 {
        h
    } else {
        fmix64(h ^ u64::from(round).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }
}

/// Map a 64-bit hash onto `[0, n)` by multiply-shift (`(h * n) >> 64`, Lemire's method):
/// uses the high bits, no division, bias below `n / 2^64`. Returns 0 when `n == 0`.
#[inline]
pub fn scale(h: u64, n: u64) -> u64 {
    ((u128::from(h) * u128::from(n)) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_known_answers() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn fmix64_known_answers() {
        assert_eq!(fmix64(0), 0);
        // fmix64 is a bijection; spot-check a value computed by the reference C code.
        assert_eq!(fmix64(1), 0xb456bcfc34c2cb2c);
    }

    #[test]
    fn routing_hash_is_pinned() {
        // Pinned values: if these change, every retried payment re-routes. Do not "fix" them.
        assert_eq!(routing_hash(""), 0xefd0_1f60_ba99_2926);
        assert_eq!(routing_hash("pay-0"), fmix64(fnv1a64(b"pay-0")));
        assert_eq!(routing_hash("pay-0"), PINNED_PAY_0);
        assert_eq!(
            routing_hash("payment-0e7c3b6a-4b1f-4a47-9a0c-6f1f0d4f1c2e"),
            PINNED_LONG
        );
    }

    const PINNED_PAY_0: u64 = 0x54f5_e230_c635_ccc1;
    const PINNED_LONG: u64 = 0x6ef4_0629_b527_ac1e;

    #[test]
    fn scale_stays_in_range() {
        for n in [1u64, 2, 3, 10, 100] {
            assert_eq!(scale(0, n), 0);
            assert_eq!(scale(u64::MAX, n), n - 1);
        }
        assert_eq!(scale(12345, 0), 0);
        assert_eq!(scale(1 << 63, 100), 50);
    }

    #[test]
    fn round_zero_is_identity() {
        assert_eq!(round_hash(42, 0), 42);
        assert_ne!(round_hash(42, 1), 42);
        assert_ne!(round_hash(42, 1), round_hash(42, 2));
    }
}
