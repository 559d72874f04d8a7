//! Hashes, HMAC, and AES/SEED in CBC mode with PKCS#7 padding, through RustCrypto crates
//! (`sha2`, `md-5`, `hmac`, `aes`, `kisaseed`, `cbc`).
//!
//! Padding is PKCS#7: `n` bytes of value `n` (1 ≤ n ≤ 16); input that is already a multiple
//! of 16 bytes gets a full block of `0x10`. This is what Galaxia's `KISA_SEED_CBC.php` and
//! OpenSSL's `enc -seed-cbc`/`-aes-*-cbc` do.
//!
//! Key and IV lengths are checked and reported as [`WireError::Crypto`]; nothing panics.
//! Error messages never contain keys, IVs or data.

use cipher::block_padding::Pkcs7;
use cipher::{
    BlockCipher, BlockDecrypt, BlockDecryptMut, BlockEncrypt, BlockEncryptMut, KeyInit, KeyIvInit,
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

use super::WireError;

/// SHA-256 digest.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-512 digest.
pub fn sha512(data: &[u8]) -> [u8; 64] {
    Sha512::digest(data).into()
}

/// MD5 digest (only where a vendor requires it, e.g. Galaxia's payment-window checksum).
pub fn md5(data: &[u8]) -> [u8; 16] {
    ::md5::Md5::digest(data).into()
}

/// HMAC-SHA256 of `msg` under `key`.
///
/// HMAC accepts keys of any length, so this does not fail in practice; it returns a
/// `Result` only because the underlying constructor is fallible and this module never
/// panics.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> Result<[u8; 32], WireError> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| WireError::Crypto {
        what: "HMAC-SHA256".into(),
        detail: "key rejected".into(),
    })?;
    mac.update(msg);
    Ok(mac.finalize().into_bytes().into())
}

/// Constant-time equality, for comparing MACs and hashes received from a vendor.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

const BLOCK: usize = 16;

fn check_iv(what: &str, iv: &[u8]) -> Result<(), WireError> {
    if iv.len() != BLOCK {
        return Err(WireError::Crypto {
            what: what.to_owned(),
            detail: format!("IV must be {BLOCK} bytes, got {}", iv.len()),
        });
    }
    Ok(())
}

fn bad_key(what: &str, expected: &str, got: usize) -> WireError {
    WireError::Crypto {
        what: what.to_owned(),
        detail: format!("key must be {expected} bytes, got {got}"),
    }
}

fn cbc_encrypt<C>(what: &str, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, WireError>
where
    C: BlockCipher + BlockEncryptMut + KeyInit,
{
    check_iv(what, iv)?;
    let enc = cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| WireError::Crypto {
        what: what.to_owned(),
        detail: "invalid key or IV length".into(),
    })?;
    Ok(enc.encrypt_padded_vec_mut::<Pkcs7>(plaintext))
}

fn cbc_decrypt<C>(
    what: &str,
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, WireError>
where
    C: BlockCipher + BlockDecryptMut + KeyInit,
{
    check_iv(what, iv)?;
    if ciphertext.is_empty() || ciphertext.len() % BLOCK != 0 {
        return Err(WireError::Crypto {
            what: what.to_owned(),
            detail: format!(
                "ciphertext length {} is not a positive multiple of {BLOCK}",
                ciphertext.len()
            ),
        });
    }
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| WireError::Crypto {
        what: what.to_owned(),
        detail: "invalid key or IV length".into(),
    })?;
    dec.decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map_err(|_| WireError::Crypto {
            what: what.to_owned(),
            detail: "bad PKCS#7 padding (wrong key or IV, or corrupted data)".into(),
        })
}

/// AES-CBC encryption with PKCS#7 padding. AES-128, -192 or -256 is chosen by the key
/// length (16, 24 or 32 bytes); the IV is 16 bytes. Other lengths are [`WireError::Crypto`].
pub fn aes_cbc_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, WireError> {
    const WHAT: &str = "AES-CBC encrypt";
    match key.len() {
        16 => cbc_encrypt::<aes::Aes128>(WHAT, key, iv, plaintext),
        24 => cbc_encrypt::<aes::Aes192>(WHAT, key, iv, plaintext),
        32 => cbc_encrypt::<aes::Aes256>(WHAT, key, iv, plaintext),
        n => Err(bad_key(WHAT, "16, 24 or 32", n)),
    }
}

/// AES-CBC decryption, removing PKCS#7 padding. Bad padding, a ciphertext that is not a
/// positive multiple of 16 bytes, or a bad key/IV length is [`WireError::Crypto`].
pub fn aes_cbc_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, WireError> {
    const WHAT: &str = "AES-CBC decrypt";
    match key.len() {
        16 => cbc_decrypt::<aes::Aes128>(WHAT, key, iv, ciphertext),
        24 => cbc_decrypt::<aes::Aes192>(WHAT, key, iv, ciphertext),
        32 => cbc_decrypt::<aes::Aes256>(WHAT, key, iv, ciphertext),
        n => Err(bad_key(WHAT, "16, 24 or 32", n)),
    }
}

/// SEED-CBC (KISA, RFC 4269) encryption with PKCS#7 padding; 16-byte key and IV.
///
/// An empty plaintext gives one full padding block. (Galaxia's PHP sample instead returns
/// an empty plaintext unencrypted; its telegrams are never empty.)
pub fn seed_cbc_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, WireError> {
    const WHAT: &str = "SEED-CBC encrypt";
    if key.len() != BLOCK {
        return Err(bad_key(WHAT, "16", key.len()));
    }
    check_iv(WHAT, iv)?;
    let seed = seed_cipher(WHAT, key)?;
    let pad = BLOCK - plaintext.len() % BLOCK;
    let mut data = Vec::with_capacity(plaintext.len() + pad);
    data.extend_from_slice(plaintext);
    data.resize(plaintext.len() + pad, pad as u8);
    let mut chain = [0u8; BLOCK];
    chain.copy_from_slice(iv);
    let mut block = AlignedBlock::default();
    for chunk in data.chunks_exact_mut(BLOCK) {
        for (b, (p, c)) in block.0.iter_mut().zip(chunk.iter().zip(chain.iter())) {
            *b = p ^ c;
        }
        seed.encrypt_block(&mut block.0);
        chunk.copy_from_slice(&block.0);
        chain.copy_from_slice(&block.0);
    }
    Ok(data)
}

/// A block buffer aligned to 4 bytes.
///
/// kisaseed 0.1.3 writes its output block through `*mut u32` pointers, which is only sound
/// when the block is 4-byte aligned (a plain `[u8; 16]` need not be, and debug builds check).
/// Every SEED call here goes through this buffer, so that requirement always holds.
#[repr(C, align(4))]
#[derive(Default)]
struct AlignedBlock(cipher::Block<kisaseed::SEED>);

fn seed_cipher(what: &str, key: &[u8]) -> Result<kisaseed::SEED, WireError> {
    kisaseed::SEED::new_from_slice(key).map_err(|_| bad_key(what, "16", key.len()))
}

/// The first `blocks` 16-byte blocks of a SEED-CBC ciphertext, decrypted: the leading
/// fields of a message whose header is encrypted, read without decrypting (or unpadding) the
/// rest. Decrypting a CBC prefix needs only the IV and the prefix itself.
pub fn seed_cbc_decrypt_prefix(
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    blocks: usize,
) -> Result<Vec<u8>, WireError> {
    const WHAT: &str = "SEED-CBC decrypt";
    let prefix = ciphertext
        .get(..blocks * BLOCK)
        .ok_or_else(|| WireError::Crypto {
            what: WHAT.to_owned(),
            detail: format!(
                "ciphertext of {} bytes is shorter than {blocks} blocks",
                ciphertext.len()
            ),
        })?;
    seed_cbc_blocks(WHAT, key, iv, prefix)
}

/// CBC decryption of whole blocks, padding left in place.
fn seed_cbc_blocks(
    what: &str,
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, WireError> {
    if key.len() != BLOCK {
        return Err(bad_key(what, "16", key.len()));
    }
    check_iv(what, iv)?;
    if ciphertext.is_empty() || ciphertext.len() % BLOCK != 0 {
        return Err(WireError::Crypto {
            what: what.to_owned(),
            detail: format!(
                "ciphertext length {} is not a positive multiple of {BLOCK}",
                ciphertext.len()
            ),
        });
    }
    let seed = seed_cipher(what, key)?;
    let mut out = Vec::with_capacity(ciphertext.len());
    let mut chain = [0u8; BLOCK];
    chain.copy_from_slice(iv);
    let mut block = AlignedBlock::default();
    for chunk in ciphertext.chunks_exact(BLOCK) {
        block.0.copy_from_slice(chunk);
        seed.decrypt_block(&mut block.0);
        out.extend(block.0.iter().zip(chain.iter()).map(|(b, c)| b ^ c));
        chain.copy_from_slice(chunk);
    }
    Ok(out)
}

/// SEED-CBC decryption, removing PKCS#7 padding. Bad padding, a ciphertext that is not a
/// positive multiple of 16 bytes, or a bad key/IV length is [`WireError::Crypto`].
pub fn seed_cbc_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, WireError> {
    const WHAT: &str = "SEED-CBC decrypt";
    let mut out = seed_cbc_blocks(WHAT, key, iv, ciphertext)?;
    let bad_padding = || WireError::Crypto {
        what: WHAT.to_owned(),
        detail: "bad PKCS#7 padding (wrong key or IV, or corrupted data)".into(),
    };
    let pad = *out.last().ok_or_else(bad_padding)? as usize;
    if pad == 0 || pad > BLOCK || out[out.len() - pad..].iter().any(|&b| b as usize != pad) {
        return Err(bad_padding());
    }
    out.truncate(out.len() - pad);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::codec::{b64_decode, b64_encode, hex_decode, hex_lower};

    fn h(s: &str) -> Vec<u8> {
        hex_decode("test vector", &s.replace(' ', "")).unwrap()
    }

    #[test]
    fn hashes() {
        assert_eq!(
            hex_lower(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex_lower(&sha512(b"abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(hex_lower(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn hmac_rfc4231() {
        // Test case 2.
        assert_eq!(
            hex_lower(&hmac_sha256(b"Jefe", b"what do ya want for nothing?").unwrap()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: key longer than the block size.
        assert_eq!(
            hex_lower(
                &hmac_sha256(
                    &[0xAA; 131],
                    b"Test Using Larger Than Block-Size Key - Hash Key First"
                )
                .unwrap()
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn constant_time_eq() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }

    const NIST_IV: &str = "000102030405060708090a0b0c0d0e0f";
    const NIST_PT: &str = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 \
                           30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";

    #[test]
    fn aes_nist_sp800_38a() {
        // F.2.1 CBC-AES128.Encrypt and F.2.5 CBC-AES256.Encrypt. The plaintext is 4 full
        // blocks, so the PKCS#7 output is the NIST ciphertext followed by one pad block.
        for (key, ct) in [
            (
                "2b7e151628aed2a6abf7158809cf4f3c",
                "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 \
                 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7",
            ),
            (
                "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
                "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d \
                 39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b",
            ),
        ] {
            let (key, iv, pt, ct) = (h(key), h(NIST_IV), h(NIST_PT), h(ct));
            let out = aes_cbc_encrypt(&key, &iv, &pt).unwrap();
            assert_eq!(out.len(), 80);
            assert_eq!(&out[..64], &ct[..]);
            assert_eq!(aes_cbc_decrypt(&key, &iv, &out).unwrap(), pt);
        }
    }

    #[test]
    fn aes_errors_and_round_trip() {
        let iv = [7u8; 16];
        for key_len in [16, 24, 32] {
            let key = vec![0x42; key_len];
            for len in 0..=40 {
                let pt: Vec<u8> = (0..len as u8).collect();
                let ct = aes_cbc_encrypt(&key, &iv, &pt).unwrap();
                assert_eq!(ct.len(), (len / 16 + 1) * 16);
                assert_eq!(aes_cbc_decrypt(&key, &iv, &ct).unwrap(), pt);
            }
        }
        assert!(matches!(
            aes_cbc_encrypt(&[0; 15], &iv, b"x"),
            Err(WireError::Crypto { .. })
        ));
        assert!(matches!(
            aes_cbc_encrypt(&[0; 16], &[0; 8], b"x"),
            Err(WireError::Crypto { .. })
        ));
        assert!(matches!(
            aes_cbc_decrypt(&[0; 16], &iv, &[0; 15]),
            Err(WireError::Crypto { .. })
        ));
        assert!(matches!(
            aes_cbc_decrypt(&[0; 16], &iv, &[]),
            Err(WireError::Crypto { .. })
        ));
    }

    #[test]
    fn seed_rfc4269_appendix_b() {
        use cipher::generic_array::GenericArray;
        use cipher::BlockEncrypt;
        // RFC 4269 Appendix B.1–B.4 (ECB, one block). B.2's ciphertext is
        // C1 1F 22 F2 01 40 50 50 84 48 35 97 E4 37 0F 43 (confirmed with
        // `openssl enc -seed-ecb -provider legacy -provider default -nopad`).
        let vectors = [
            (
                "00000000000000000000000000000000",
                "000102030405060708090A0B0C0D0E0F",
                "5EBAC6E0054E166819AFF1CC6D346CDB",
            ),
            (
                "000102030405060708090A0B0C0D0E0F",
                "00000000000000000000000000000000",
                "C11F22F20140505084483597E4370F43",
            ),
            (
                "4706480851E61BE85D74BFB3FD956185",
                "83A2F8A288641FB9A4E9A5CC2F131C7D",
                "EE54D13EBCAE706D226BC3142CD40D4A",
            ),
            (
                "28DBC3BC49FFD87DCFA509B11D422BE7",
                "B41E6BE2EBA84A148E2EED84593C5EC7",
                "9B9B7BFCD1813CB95D0B3618F40F5122",
            ),
        ];
        for (key, pt, ct) in vectors {
            let (key, pt, ct) = (h(key), h(pt), h(ct));
            let seed = kisaseed::SEED::new_from_slice(&key).unwrap();
            let mut block = AlignedBlock(GenericArray::clone_from_slice(&pt));
            seed.encrypt_block(&mut block.0);
            let block = block.0;
            assert_eq!(block.as_slice(), &ct[..]);
            // CBC with a zero IV: the first block is the ECB block.
            let cbc = seed_cbc_encrypt(&key, &[0; 16], &pt).unwrap();
            assert_eq!(&cbc[..16], &ct[..]);
        }
    }

    /// Galaxia's public sample credentials (config.ini of BillgatePay-PHP).
    fn galaxia_key_iv() -> (Vec<u8>, Vec<u8>) {
        let key = b64_decode("key", "QkZJRlBDRTI4T0c1OUtBMw==").unwrap();
        (key, b"PRJ59Q2GHPT844TQ".to_vec())
    }

    #[test]
    fn seed_cbc_matches_openssl() {
        // Expected values produced on the build machine with OpenSSL 3.0.19:
        //   K=4246494650434532384f4735394b4133   # base64 -d of QkZJRlBDRTI4T0c1OUtBMw==
        //   IV=50524a35395132474850543834345451  # ASCII PRJ59Q2GHPT844TQ
        //   printf 'paymux SEED-CBC 주문명 테스트 0123456789' | iconv -t EUC-KR \
        //     | openssl enc -seed-cbc -provider legacy -provider default -K $K -iv $IV \
        //     | xxd -p                # (and | base64 for the base64 form)
        //   printf '0123456789ABCDEF0123456789ABCDEF' | openssl enc -seed-cbc ... | xxd -p
        let (key, iv) = galaxia_key_iv();
        let pt = crate::wire::charset::encode(
            "plaintext",
            "paymux SEED-CBC 주문명 테스트 0123456789",
            crate::wire::Charset::EucKr,
        )
        .unwrap();
        assert_eq!(pt.len(), 40);
        let ct = seed_cbc_encrypt(&key, &iv, &pt).unwrap();
        assert_eq!(
            hex_lower(&ct),
            "d51e8ea44bdf5a55a0946f1773a3b250bd2bb23bb009736d\
             9bcd6037faffe024c231da4621f109c27a90738af7eb23e0"
        );
        assert_eq!(
            b64_encode(&ct),
            "1R6OpEvfWlWglG8Xc6OyUL0rsjuwCXNtm81gN/r/4CTCMdpGIfEJwnqQc4r36yPg"
        );
        assert_eq!(seed_cbc_decrypt(&key, &iv, &ct).unwrap(), pt);

        // Aligned input: a full pad block is added (32 bytes in, 48 out).
        let ct = seed_cbc_encrypt(&key, &iv, b"0123456789ABCDEF0123456789ABCDEF").unwrap();
        assert_eq!(
            hex_lower(&ct),
            "8d7f7737ba7d589207544e5c6fbc86b1db482af625ea4fef\
             9dbb7e7b21054ca64f798419f808a3d488e16dca8d6f4b37"
        );
    }

    #[test]
    fn a_seed_cbc_prefix_decrypts_to_the_leading_blocks() {
        let (key, iv) = galaxia_key_iv();
        let pt: Vec<u8> = (0..100u8).collect();
        let ct = seed_cbc_encrypt(&key, &iv, &pt).unwrap();
        for blocks in 1..=6 {
            assert_eq!(
                seed_cbc_decrypt_prefix(&key, &iv, &ct, blocks).unwrap(),
                pt[..blocks * 16],
                "{blocks} blocks"
            );
        }
        // Longer than the ciphertext: a typed error, no panic.
        assert!(matches!(
            seed_cbc_decrypt_prefix(&key, &iv, &ct, 8),
            Err(WireError::Crypto { .. })
        ));
        assert!(seed_cbc_decrypt_prefix(&key, &iv, &ct, 0).is_err());
    }

    #[test]
    fn seed_cbc_round_trip_and_padding() {
        let (key, iv) = galaxia_key_iv();
        for len in 0..=48usize {
            let pt: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let ct = seed_cbc_encrypt(&key, &iv, &pt).unwrap();
            assert_eq!(ct.len(), (len / 16 + 1) * 16, "len {len}");
            assert_eq!(seed_cbc_decrypt(&key, &iv, &ct).unwrap(), pt, "len {len}");
        }
        let ct = seed_cbc_encrypt(&key, &iv, &[0x41; 16]).unwrap();
        assert_eq!(ct.len(), 32);
        // Decrypting the second block alone (previous block as IV) yields 16 × 0x10.
        let raw = {
            use cipher::generic_array::GenericArray;
            use cipher::BlockDecrypt;
            let seed = kisaseed::SEED::new_from_slice(&key).unwrap();
            let mut b = AlignedBlock(GenericArray::clone_from_slice(&ct[16..]));
            seed.decrypt_block(&mut b.0);
            let b = b.0;
            b.iter()
                .zip(&ct[..16])
                .map(|(x, y)| x ^ y)
                .collect::<Vec<u8>>()
        };
        assert_eq!(raw, [0x10; 16]);
    }

    #[test]
    fn seed_cbc_errors() {
        let (key, iv) = galaxia_key_iv();
        let ct = seed_cbc_encrypt(&key, &iv, b"hello").unwrap();
        // A wrong key: the padding check fails (or, rarely, it decrypts to other bytes).
        let mut wrong_key = key.clone();
        wrong_key[0] ^= 1;
        match seed_cbc_decrypt(&wrong_key, &iv, &ct) {
            Err(WireError::Crypto { ref what, .. }) => assert_eq!(what, "SEED-CBC decrypt"),
            Ok(pt) => assert_ne!(pt, b"hello"),
            Err(e) => panic!("unexpected {e:?}"),
        }
        // A block whose last byte is 0x00 is never valid PKCS#7.
        let mut bad = ct.clone();
        let last_pt_is_zero = {
            // Flip the IV so the plaintext's last byte becomes 0x00 (original pad is 0x0B).
            let mut iv2 = iv.clone();
            iv2[15] ^= 0x0B;
            seed_cbc_decrypt(&key, &iv2, &bad)
        };
        assert!(matches!(last_pt_is_zero, Err(WireError::Crypto { .. })));
        bad.pop();
        assert!(matches!(
            seed_cbc_decrypt(&key, &iv, &bad),
            Err(WireError::Crypto { .. })
        ));
        assert!(matches!(
            seed_cbc_decrypt(&key, &iv, &[]),
            Err(WireError::Crypto { .. })
        ));
        assert!(matches!(
            seed_cbc_encrypt(&key[..15], &iv, b"x"),
            Err(WireError::Crypto { ref detail, .. }) if detail == "key must be 16 bytes, got 15"
        ));
        assert!(matches!(
            seed_cbc_encrypt(&key, &iv[..15], b"x"),
            Err(WireError::Crypto { .. })
        ));
    }
}
