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
    /// 64-bit hashes of the entry ids met so far in the current report. A
    /// collision only makes one repeat too many in the count.
    entry_ids: HashSet<u64>,
    /// The hash of the report those entry ids belong to.
    report: u64,
}

/// Most entry ids remembered at once: the set is emptied when the report
/// changes, and also at this size, so that memory stays flat on a file
/// without a report column. Known shortcoming: in such a file, two rows
/// with one entry id more than this many rows apart are not noticed.
const REMEMBERED_ENTRY_IDS: usize = 1 << 20;

impl ContentIds {
    /// Records an entry id of `report`; `true` if an earlier row of the
    /// same report had it. Entry ids are unique across Concur, and the rows
    /// that repeat one (allocations, itemisations) sit together in their
    /// report, so only the current report's ids are kept: memory follows
    /// the largest report, not the file.
    pub(crate) fn repeats(&mut self, report: &str, entry_id: &str) -> bool {
        let report = hash_of(report);
        if report != self.report || self.entry_ids.len() >= REMEMBERED_ENTRY_IDS {
            self.entry_ids.clear();
            self.report = report;
        }
        !self.entry_ids.insert(hash_of(entry_id))
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

fn hash_of(text: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_entry_ids_are_noticed() {
        let mut ids = ContentIds::default();
        assert!(!ids.repeats("R-1", "E-1"));
        assert!(!ids.repeats("R-1", "E-2"));
        assert!(ids.repeats("R-1", "E-1"));
        assert!(!ids.repeats("R-2", "E-3"));
        assert!(!ids.repeats("R-2", "E-1"), "only the current report's ids are kept");
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
