//! [`Corrected`]: a person's corrections of single expenses on top of any
//! matcher. A correction is found by the expense's identity (source and
//! source id), so it applies again whenever that expense is re-imported,
//! re-synced or re-matched, and nothing else can override it.

use crate::Catalog;
use spendmap_core::{Correction, Expense, Match, Matcher, SourceKind};
use std::collections::HashMap;

/// A matcher with corrections on top.
#[derive(Debug)]
pub struct Corrected<M> {
    inner: M,
    decisions: HashMap<(SourceKind, String), Match>,
}

impl<M: Matcher> Corrected<M> {
    /// Wraps `inner`. App names are spelled as the catalog spells them,
    /// with the catalog's vendor when the correction names none.
    pub fn new(inner: M, corrections: &[Correction], catalog: &Catalog) -> Corrected<M> {
        let decisions = corrections
            .iter()
            .map(|correction| {
                let key = (correction.source, correction.source_id.clone());
                (key, canonical(correction, catalog).decision())
            })
            .collect();
        Corrected { inner, decisions }
    }

    /// The matcher underneath, for explanations.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    /// The correction's decision for `expense`, if it has one.
    pub fn correction_for(&self, expense: &Expense) -> Option<&Match> {
        self.decisions.get(&(expense.source, expense.source_id.clone()))
    }
}

impl<M: Matcher> Matcher for Corrected<M> {
    fn match_expense(&self, expense: &Expense) -> Option<Match> {
        // Most expenses have no correction: skip the key's allocation.
        if self.decisions.is_empty() {
            return self.inner.match_expense(expense);
        }
        match self.correction_for(expense) {
            Some(decision) => Some(decision.clone()),
            None => self.inner.match_expense(expense),
        }
    }
}

fn canonical(correction: &Correction, catalog: &Catalog) -> Correction {
    let mut correction = correction.clone();
    if let Some(app) = correction.app.as_deref().and_then(|name| catalog.find_app(name)) {
        correction.vendor.get_or_insert_with(|| app.vendor.clone());
        correction.app = Some(app.name.clone());
    }
    correction
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VendorMatcher;
    use spendmap_core::{Decimal, NaiveDate, RuleKind};

    fn expense(id: &str, vendor: &str) -> Expense {
        let day = NaiveDate::from_ymd_opt(2026, 5, 1).expect("a date");
        let mut expense = Expense::new(SourceKind::Concur, id.to_owned(), day, Decimal::TEN);
        expense.vendor_description = vendor.to_owned();
        expense
    }

    #[test]
    fn a_correction_beats_the_catalog_for_its_expense_only() {
        let catalog = Catalog::builtin().expect("catalog");
        let inner = VendorMatcher::new(&catalog, &[]).expect("matcher");
        let corrections = [
            Correction {
                source: SourceKind::Concur,
                source_id: "a".into(),
                app: Some("figma".into()),
                vendor: None,
            },
            Correction {
                source: SourceKind::Concur,
                source_id: "b".into(),
                app: None,
                vendor: None,
            },
        ];
        let matcher = Corrected::new(inner, &corrections, &catalog);

        let assigned = matcher.match_expense(&expense("a", "ZOOM.US")).expect("decided");
        assert_eq!(assigned.app.as_deref(), Some("Figma"), "the catalog's spelling");
        assert_eq!(assigned.vendor.as_deref(), Some("Figma"));
        let ignored = matcher.match_expense(&expense("b", "ZOOM.US")).expect("decided");
        assert_eq!(ignored.rule, RuleKind::IgnoreRule);
        let untouched = matcher.match_expense(&expense("c", "ZOOM.US")).expect("decided");
        assert_eq!(untouched.app.as_deref(), Some("Zoom"));
    }
}
