//! Where a sync stands, so that the next run resumes or picks up from
//! there.
//!
//! A run walks the report pages of one `modifiedDateAfter` query. After
//! each page the caller stores the cursor in the same transaction as that
//! page's expenses: a run killed at any point restarts at the first page not
//! stored, and a finished run leaves a watermark for the next one.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Concur's report dates carry no time zone, and whether an entry's edit
/// moves its report's `LastModifiedDate` is not documented: the next run
/// asks again for a day before the newest modification seen. Re-reading a
/// report is harmless (writes are upserts); missing one is not.
pub const OVERLAP: Duration = Duration::days(1);

/// The stored state of one connection's sync.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCursor {
    /// The `modifiedDateAfter` of the next run, once one has finished.
    pub watermark: Option<NaiveDateTime>,
    /// A run that has not finished.
    pub run: Option<RunCursor>,
}

/// A run in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCursor {
    /// The run's `modifiedDateAfter`.
    pub since: Option<NaiveDateTime>,
    /// The next page to fetch: the first page's URL, then each `NextPage`.
    pub next_page: String,
    /// The newest `LastModifiedDate` among the reports stored so far.
    pub newest_seen: Option<NaiveDateTime>,
    /// Pages stored so far.
    pub pages_done: u64,
    /// Whether this run replaces the watermark when it finishes (`sync
    /// --full`) instead of only ever moving it forward.
    #[serde(default)]
    pub resets_watermark: bool,
}

impl SyncCursor {
    /// Read a stored cursor. Unreadable text (a cursor of an older
    /// version) starts afresh rather than failing the sync.
    pub fn from_stored(text: Option<&str>) -> SyncCursor {
        text.and_then(|text| serde_json::from_str(text).ok()).unwrap_or_default()
    }

    /// The text to store.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Begin a run at `first_page`, dropping any unfinished one. A run
    /// that `resets_watermark` leaves its own end as the next start, even
    /// when that is earlier than the current watermark.
    pub fn start(
        &mut self,
        since: Option<NaiveDateTime>,
        first_page: String,
        resets_watermark: bool,
    ) {
        self.run = Some(RunCursor {
            since,
            next_page: first_page,
            newest_seen: None,
            pages_done: 0,
            resets_watermark,
        });
    }

    /// Record a stored page: the newest modification on it, and the next
    /// page (`None` finishes the run).
    pub fn page_stored(&mut self, newest_on_page: Option<NaiveDateTime>, next_page: Option<&str>) {
        let Some(run) = &mut self.run else { return };
        run.newest_seen = run.newest_seen.max(newest_on_page);
        run.pages_done += 1;

        match next_page {
            Some(next) => run.next_page = next.to_owned(),
            None => self.finish(),
        }
    }

    /// The next start after a finished run. A run that began later than
    /// the watermark (`sync --since` a recent date) never asked about the
    /// time in between, so the watermark stays where it was: moving it
    /// would hide every change in that gap from all later syncs.
    fn finish(&mut self) {
        let Some(run) = self.run.take() else { return };
        let reached = run.newest_seen.map(|newest| newest - OVERLAP).max(run.since);
        let left_a_gap = |old: NaiveDateTime| run.since.is_some_and(|since| since > old);

        self.watermark = match self.watermark {
            _ if run.resets_watermark => reached,
            None => reached,
            Some(old) if left_a_gap(old) => Some(old),
            Some(old) => Some(old).max(reached),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        crate::parse_date_time(text).expect("a time")
    }

    #[test]
    fn a_finished_run_leaves_the_newest_modification_minus_the_overlap() {
        let mut cursor = SyncCursor::default();
        cursor.start(Some(at("2025-12-04")), "page-1".into(), false);
        cursor.page_stored(Some(at("2026-11-20T10:00:00")), Some("page-2"));
        assert_eq!(cursor.run.as_ref().map(|run| run.next_page.as_str()), Some("page-2"));
        assert_eq!(cursor.watermark, None);

        cursor.page_stored(Some(at("2026-11-02T08:00:00")), None);
        assert_eq!(cursor.run, None);
        assert_eq!(cursor.watermark, Some(at("2026-11-19T10:00:00")));
    }

    #[test]
    fn a_run_that_saw_nothing_keeps_its_own_start() {
        let mut cursor = SyncCursor { watermark: Some(at("2026-11-19")), run: None };
        cursor.start(Some(at("2026-11-19")), "page-1".into(), false);
        cursor.page_stored(None, None);
        assert_eq!(cursor.watermark, Some(at("2026-11-19")));
    }

    #[test]
    fn a_run_from_further_back_never_moves_the_watermark_back() {
        let mut cursor = SyncCursor { watermark: Some(at("2026-11-19")), run: None };
        cursor.start(Some(at("2026-01-01")), "page-1".into(), false);
        cursor.page_stored(Some(at("2026-03-01")), None);
        assert_eq!(cursor.watermark, Some(at("2026-11-19")));
    }

    #[test]
    fn a_run_that_starts_after_the_watermark_leaves_it_where_it_was() {
        let mut cursor = SyncCursor { watermark: Some(at("2026-11-19")), run: None };
        cursor.start(Some(at("2026-12-01")), "page-1".into(), false);
        cursor.page_stored(Some(at("2026-12-02")), None);
        assert_eq!(cursor.watermark, Some(at("2026-11-19")), "changes of Nov 19-30 unasked");
    }

    #[test]
    fn a_full_run_replaces_the_watermark_with_what_it_reached() {
        let mut cursor = SyncCursor { watermark: Some(at("2030-01-01")), run: None };
        cursor.start(Some(at("2025-12-04")), "page-1".into(), true);
        cursor.page_stored(Some(at("2026-11-20")), None);
        assert_eq!(cursor.watermark, Some(at("2026-11-19")));
    }

    #[test]
    fn stored_text_round_trips_and_garbage_starts_afresh() {
        let mut cursor = SyncCursor::default();
        cursor.start(None, "https://us2.api.concursolutions.com/x?offset=gW$1".into(), true);
        let text = cursor.to_stored();
        assert_eq!(SyncCursor::from_stored(Some(&text)), cursor);
        assert_eq!(SyncCursor::from_stored(Some("{not json")), SyncCursor::default());
    }
}
