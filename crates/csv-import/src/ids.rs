//! Source ids for rows that carry no entry id: a content hash plus the
//! occurrence of that content within the file.
//!
//! The hash covers the record's values as the importer read them (the date
//! in ISO form, amounts as decimals), not the raw text, so the same row gets
//! the same id from a re-export with another date or number format. The
//! occurrence index keeps two genuinely identical rows apart. Only a 128-bit
//! key and a counter are kept per distinct row.

use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::hash::{Hash, Hasher};

/// Hands out `<hash>#<n>` ids, counting repeats of the same content, and
/// notices entry ids that repeat.
#[derive(Debug, Default)]
pub(crate) struct ContentIds {
    seen: HashMap<u128, u32>,
    /// 64-bit hashes of the entry ids met so far: 8 bytes a row keeps a
    /// multi-gigabyte export well inside memory. A collision only makes
    /// one repeat too many in the count.
    entry_ids: HashSet<u64>,
}

impl ContentIds {
    /// Records an entry id; `true` if an earlier row had it.
    pub(crate) fn repeats(&mut self, entry_id: &str) -> bool {
        let mut hasher = std::hash::DefaultHasher::new();
        entry_id.hash(&mut hasher);
        !self.entry_ids.insert(hasher.finish())
    }

    /// The id for a record with these normalised values.
    pub(crate) fn next_id(&mut self, values: &[impl AsRef<str>]) -> String {
        let mut hasher = Sha256::new();
        for value in values {
            // A separator no text field contains, so ("ab", "c") and ("a", "bc") differ.
            hasher.update(value.as_ref().as_bytes());
            hasher.update([0x1f]);
        }
        let digest = hasher.finalize();

        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        let count = self.seen.entry(u128::from_be_bytes(key)).or_insert(0);
        *count += 1;

        let mut id = String::with_capacity(40);
        for byte in &digest[..16] {
            let _ = write!(id, "{byte:02x}");
        }
        let _ = write!(id, "#{count}");
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_entry_ids_are_noticed() {
        let mut ids = ContentIds::default();
        assert!(!ids.repeats("E-1"));
        assert!(!ids.repeats("E-2"));
        assert!(ids.repeats("E-1"));
    }

    #[test]
    fn repeats_get_the_next_occurrence() {
        let mut ids = ContentIds::default();
        let first = ids.next_id(&["2026-03-01", "Figma", "12.00"]);
        let other = ids.next_id(&["2026-03-01", "Figm", "a12.00"]);
        let again = ids.next_id(&["2026-03-01", "Figma", "12.00"]);
        assert!(first.ends_with("#1"));
        assert!(other.ends_with("#1"));
        assert_eq!(again, first.replace("#1", "#2"));
        assert_ne!(first, other);
    }
}
