//! The expense data a simulated company holds, and the edits tests make to
//! it between syncs.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The shipped fixture, so tests and demos need no files at run time.
const FIXTURE: &str = include_str!("../../../fixtures/concur/tenant.json");

/// Every expense report of one simulated company.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Tenant {
    /// In any order; the API serves them sorted by `id`.
    pub reports: Vec<SimReport>,
}

/// One expense report header with its entries.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SimReport {
    /// 20 upper-case hex characters, like Concur's.
    pub id: String,
    pub name: String,
    pub owner_login: String,
    pub owner_name: String,
    /// The report (reimbursement) currency; posted and approved amounts are
    /// in it.
    pub currency: String,
    /// What `modifiedDateAfter` filters on. Its fractional seconds are served
    /// with exactly as many digits as they have.
    pub last_modified: NaiveDateTime,
    pub approval_status_code: String,
    pub payment_status_code: String,
    pub entries: Vec<SimEntry>,
}

/// One expense entry (a line of a report).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SimEntry {
    /// Opaque, mixed case, may contain `$`.
    pub id: String,
    pub expense_type_code: String,
    pub expense_type_name: String,
    pub spend_category_code: String,
    pub spend_category_name: String,
    pub payment_type_name: String,
    pub transaction_date: NaiveDate,
    pub transaction_currency: String,
    /// In `transaction_currency`.
    pub transaction_amount: Decimal,
    /// In the report currency.
    pub posted_amount: Decimal,
    /// In the report currency.
    pub approved_amount: Decimal,
    pub vendor_description: String,
    pub description: String,
    pub is_personal: bool,
    /// Served with every field but `ID`, `URI` and `ReportID` null, as Concur
    /// did for entries of delegate-created reports.
    #[serde(default)]
    pub without_content: bool,
}

impl Tenant {
    /// Reads a tenant in the fixture's JSON shape.
    pub fn from_json(text: &str) -> Result<Tenant, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The company in `fixtures/concur/tenant.json`, with its dates as
    /// written (October and November 2026).
    pub fn fixture() -> Tenant {
        Tenant::from_json(FIXTURE).expect("the embedded fixture is valid; a unit test parses it")
    }

    /// Shifts every date by the same number of days so that the latest
    /// `last_modified` falls on the day before `today`. A client whose first
    /// sync looks back a year then always sees all of the data.
    pub fn rebase_to(&mut self, today: NaiveDate) {
        let Some(latest) = self.reports.iter().map(|r| r.last_modified).max() else {
            return;
        };
        let shift = (today - TimeDelta::days(1)) - latest.date();
        for report in &mut self.reports {
            report.last_modified += shift;
            for entry in &mut report.entries {
                entry.transaction_date += shift;
            }
        }
    }

    /// [`Tenant::rebase_to`] with the local date, for demos.
    pub fn rebase_to_today(&mut self) {
        self.rebase_to(chrono::Local::now().date_naive());
    }

    /// Adds a report, or replaces the one with the same `id`.
    pub fn add_report(&mut self, report: SimReport) {
        match self.reports.iter_mut().find(|r| r.id == report.id) {
            Some(existing) => *existing = report,
            None => self.reports.push(report),
        }
    }

    /// Sets an entry's transaction, posted and approved amounts and moves its
    /// report's `last_modified` to `modified`, the way an expense edit shows
    /// up to an incremental sync. False when no entry has that id.
    pub fn edit_entry_amount(
        &mut self,
        entry_id: &str,
        amount: Decimal,
        modified: NaiveDateTime,
    ) -> bool {
        for report in &mut self.reports {
            if let Some(entry) = report.entries.iter_mut().find(|e| e.id == entry_id) {
                entry.transaction_amount = amount;
                entry.posted_amount = amount;
                entry.approved_amount = amount;
                report.last_modified = modified;
                return true;
            }
        }
        false
    }

    /// All entries, including those served without content.
    pub fn entry_count(&self) -> usize {
        self.reports.iter().map(|r| r.entries.len()).sum()
    }

    /// Entries a client can actually read (not `without_content`).
    pub fn entries_with_content(&self) -> usize {
        let entries = self.reports.iter().flat_map(|r| &r.entries);
        entries.filter(|e| !e.without_content).count()
    }

    /// Reports in the order the API pages through them.
    pub(crate) fn sorted_reports(&self) -> Vec<&SimReport> {
        let mut reports: Vec<_> = self.reports.iter().collect();
        reports.sort_by(|a, b| a.id.cmp(&b.id));
        reports
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    #[test]
    fn the_fixture_parses_and_has_its_traps() {
        let tenant = Tenant::fixture();
        assert_eq!(tenant.reports.len(), 12);
        assert!(tenant.entry_count() >= 38);
        assert_eq!(tenant.entry_count() - tenant.entries_with_content(), 1);

        let entries: Vec<_> = tenant.reports.iter().flat_map(|r| &r.entries).collect();
        assert!(entries.iter().any(|e| e.id.contains('$')));
        assert!(entries.iter().any(|e| e.transaction_amount.is_sign_negative()));
        assert!(entries.iter().any(|e| e.transaction_amount.scale() == 8));
        assert!(entries.iter().any(|e| !e.vendor_description.is_ascii()));
        for report in &tenant.reports {
            assert_eq!(report.id.len(), 20, "{}", report.id);
            assert!(report.id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_lowercase()));
        }
    }

    #[test]
    fn rebase_puts_the_latest_change_on_yesterday() {
        let mut tenant = Tenant::fixture();
        let before = tenant.clone();
        tenant.rebase_to(day("2027-06-15"));

        let latest = tenant.reports.iter().map(|r| r.last_modified).max();
        assert_eq!(latest.map(|t| t.date()), Some(day("2027-06-14")));

        // Every date moved by the same amount, times of day untouched.
        let shift = tenant.reports[0].last_modified - before.reports[0].last_modified;
        for (new, old) in tenant.reports.iter().zip(&before.reports) {
            assert_eq!(new.last_modified - old.last_modified, shift);
            for (e_new, e_old) in new.entries.iter().zip(&old.entries) {
                assert_eq!(e_new.transaction_date - e_old.transaction_date, shift);
            }
        }
    }

    #[test]
    fn editing_an_amount_bumps_the_report() {
        let mut tenant = Tenant::fixture();
        let id = tenant.reports[2].entries[0].id.clone();
        let when = day("2026-12-01").and_hms_opt(8, 30, 0).expect("valid time");

        assert!(tenant.edit_entry_amount(&id, Decimal::new(4200, 2), when));
        assert_eq!(tenant.reports[2].last_modified, when);
        assert_eq!(tenant.reports[2].entries[0].approved_amount, Decimal::new(4200, 2));
        assert!(!tenant.edit_entry_amount("no-such-entry", Decimal::ONE, when));
    }

    #[test]
    fn add_report_replaces_by_id() {
        let mut tenant = Tenant::fixture();
        let mut copy = tenant.reports[0].clone();
        copy.name = "Renamed".to_owned();
        tenant.add_report(copy);
        assert_eq!(tenant.reports.len(), 12);
        assert_eq!(tenant.reports[0].name, "Renamed");
    }
}
