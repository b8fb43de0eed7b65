//! Identifiers that look random but need no random-number crate: tokens,
//! correlation ids and the characters of opaque ids.
//!
//! Uniqueness comes from a counter; the look comes from pushing the counter
//! through SplitMix64's finaliser, which is a bijection on `u64`, so distinct
//! counter values can never collide.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Characters an unsigned 64-bit value needs in base 62.
pub(crate) const U64_BASE62_WIDTH: usize = 11;

/// SplitMix64: one step of the generator, usable as a hash of `x`.
pub(crate) fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `value` as exactly `width` base-62 digits, most significant first. With
/// `width >= U64_BASE62_WIDTH` the encoding is lossless.
pub(crate) fn base62(mut value: u64, width: usize) -> String {
    let mut digits = vec![b'0'; width];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    digits.into_iter().map(char::from).collect()
}

/// The inverse of [`base62`]; `None` for foreign characters or overflow.
pub(crate) fn parse_base62(text: &str) -> Option<u64> {
    text.bytes().try_fold(0u64, |acc, byte| {
        let digit = BASE62.iter().position(|&b| b == byte)?;
        acc.checked_mul(62)?.checked_add(digit as u64)
    })
}

/// `len` base-62 characters derived from `seed`.
pub(crate) fn scramble(seed: u64, len: usize) -> String {
    let mut state = seed;
    let mut out = String::with_capacity(len + U64_BASE62_WIDTH);
    while out.len() < len {
        state = splitmix(state);
        out.push_str(&base62(state, U64_BASE62_WIDTH));
    }
    out.truncate(len);
    out
}

/// Hands out unique, unguessable-looking strings for one simulator.
pub(crate) struct Mint {
    seed: u64,
    counter: AtomicU64,
}

impl Mint {
    /// Seeded from the clock so two runs do not issue the same tokens.
    pub(crate) fn new() -> Mint {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let seed = splitmix(nanos as u64 ^ u64::from(std::process::id()));
        Mint { seed, counter: AtomicU64::new(1) }
    }

    /// A value no other call on this mint returns.
    fn unique(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        splitmix(self.seed.wrapping_add(n))
    }

    /// A bearer token of about 200 characters, shaped like a JWT because
    /// Concur's are; the first segment carries the unique part.
    pub(crate) fn access_token(&self) -> String {
        let unique = self.unique();
        let head = base62(unique, U64_BASE62_WIDTH);
        format!(
            "eyJ{head}{}.{}.{}",
            scramble(unique, 29),
            scramble(!unique, 120),
            scramble(unique ^ 1, 34)
        )
    }

    /// A UUID-shaped refresh token.
    pub(crate) fn refresh_token(&self) -> String {
        let unique = self.unique();
        uuid_like(unique, splitmix(unique))
    }

    /// A fake OpenID token: three dot-separated segments.
    pub(crate) fn id_token(&self) -> String {
        let unique = self.unique();
        format!(
            "eyJ0eXAiOiJKV1Qi{}.eyJ{}.{}",
            scramble(unique, 20),
            scramble(!unique, 90),
            scramble(unique ^ 7, 43)
        )
    }

    /// A fresh `concur-correlationid` value.
    pub(crate) fn correlation_id(&self) -> String {
        let unique = self.unique();
        uuid_like(unique, splitmix(unique ^ 0x5EED))
    }
}

fn uuid_like(high: u64, low: u64) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xFFFF,
        high & 0xFFFF,
        low >> 48,
        low & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn base62_round_trips() {
        for value in [0, 1, 61, 62, 12_345_678, u64::MAX] {
            let text = base62(value, U64_BASE62_WIDTH);
            assert_eq!(text.len(), U64_BASE62_WIDTH);
            assert_eq!(parse_base62(&text), Some(value));
        }
        assert_eq!(parse_base62("ab-c"), None);
        assert_eq!(parse_base62("zzzzzzzzzzzz"), None, "overflows u64");
    }

    #[test]
    fn tokens_are_long_and_unique() {
        let mint = Mint::new();
        let tokens: HashSet<_> = (0..500).map(|_| mint.access_token()).collect();
        assert_eq!(tokens.len(), 500);
        assert!(tokens.iter().all(|t| (190..=210).contains(&t.len())));

        let refresh = mint.refresh_token();
        assert_eq!(refresh.len(), 36);
        assert_eq!(refresh.matches('-').count(), 4);
    }
}
