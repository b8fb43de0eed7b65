//! Concur-style paging: opaque `offset` tokens that contain `$`, and
//! absolute `NextPage` URLs that repeat the caller's filters.
//!
//! A token encodes a position in the filtered, id-sorted list plus a
//! checksum, so a hand-made or truncated token is refused rather than
//! silently restarting the list, and a reports token cannot page entries.

use crate::mint::{U64_BASE62_WIDTH, base62, parse_base62, splitmix};

/// Every token starts like the ones in Concur's live responses.
const PREFIX: &str = "gWq";
const CHECKSUM_WIDTH: usize = 4;

/// Which list a token belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    Reports,
    Entries,
}

impl ListKind {
    /// Mixed into tokens so they look different per list and do not cross.
    fn salt(self) -> u64 {
        match self {
            ListKind::Reports => 0x5EC0_4D5A_11CE_0001,
            ListKind::Entries => 0x3A7B_E1E5_0FF5_E702,
        }
    }
}

/// The `offset` token for starting at `position`.
pub(crate) fn encode_offset(kind: ListKind, position: usize) -> String {
    let position = position as u64;
    let body = base62(position ^ kind.salt(), U64_BASE62_WIDTH);
    format!("{PREFIX}{body}${}", base62(checksum(kind, position), CHECKSUM_WIDTH))
}

/// The position in `token`, or `None` if it was not made by
/// [`encode_offset`] for this list.
pub(crate) fn decode_offset(kind: ListKind, token: &str) -> Option<usize> {
    let (body, check) = token.strip_prefix(PREFIX)?.split_once('$')?;
    if body.len() != U64_BASE62_WIDTH || check.len() != CHECKSUM_WIDTH {
        return None;
    }
    let position = parse_base62(body)? ^ kind.salt();
    let expected = base62(checksum(kind, position), CHECKSUM_WIDTH);
    if expected != check {
        return None;
    }
    usize::try_from(position).ok()
}

fn checksum(kind: ListKind, position: u64) -> u64 {
    splitmix(position.wrapping_mul(31) ^ kind.salt().rotate_left(17))
}

/// Builds `{base}{path}?k=v&...&offset=<token>`, keeping `$`, `@` and `:`
/// raw as Concur does.
pub(crate) fn next_page_url(
    base: &str,
    path: &str,
    filters: &[(&str, String)],
    token: &str,
) -> String {
    let mut url = format!("{base}{path}?");
    for (key, value) in filters {
        url.push_str(&format!("{key}={}&", encode_query_value(value)));
    }
    url.push_str(&format!("offset={token}"));
    url
}

/// Percent-encodes what would change meaning in a query value; `+` must be
/// encoded because form decoding reads it as a space.
fn encode_query_value(value: &str) -> String {
    let keep = |b: u8| b.is_ascii_alphanumeric() || b"-._~@:$!*'(),;/".contains(&b);
    value
        .bytes()
        .map(|b| if keep(b) { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip_and_contain_a_dollar() {
        for kind in [ListKind::Reports, ListKind::Entries] {
            for position in [0, 1, 25, 99, 100_000] {
                let token = encode_offset(kind, position);
                assert!(token.starts_with("gWq") && token.contains('$'), "{token}");
                assert_eq!(decode_offset(kind, &token), Some(position));
            }
        }
    }

    #[test]
    fn foreign_or_damaged_offsets_are_refused() {
        let token = encode_offset(ListKind::Reports, 50);
        assert_eq!(decode_offset(ListKind::Entries, &token), None);
        assert_eq!(decode_offset(ListKind::Reports, &token[..token.len() - 1]), None);
        assert_eq!(decode_offset(ListKind::Reports, "gWq12345678901$abcd"), None);
        assert_eq!(decode_offset(ListKind::Reports, "25"), None);
    }

    #[test]
    fn next_page_repeats_filters_and_keeps_dollar_raw() {
        let filters =
            [("user", "ALL".to_owned()), ("modifiedDateAfter", "2026-10-01T00:00:00+x".to_owned())];
        let url =
            next_page_url("http://127.0.0.1:9", "/api/v3.0/expense/reports", &filters, "gWqA$B");
        assert_eq!(
            url,
            "http://127.0.0.1:9/api/v3.0/expense/reports?user=ALL\
             &modifiedDateAfter=2026-10-01T00:00:00%2Bx&offset=gWqA$B"
        );
    }
}
