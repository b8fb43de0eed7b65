//! Precision and recall of the built-in catalog on the labelled set in
//! `fixtures/matching/labelled.csv`.
//!
//! Each row is an expense and the app it should match: an app name, empty
//! for "must not match", or `vendor:<name>` for spend that belongs to a
//! vendor but no single app. Precision is correct matches over all matches
//! made; recall is correct matches over rows that expect something.

use spendmap_core::{Decimal, Expense, Match, Matcher, NaiveDate, SourceKind};
use spendmap_matcher::{Catalog, VendorMatcher};
use std::io::Write;
use std::path::Path;

const MIN_PRECISION: f64 = 0.95;
const MIN_RECALL: f64 = 0.90;

#[derive(Debug, serde::Deserialize)]
struct Row {
    vendor_description: String,
    business_purpose: String,
    expense_type: String,
    spend_category: String,
    expected_app: String,
    note: String,
}

/// What a row expects.
#[derive(Debug, PartialEq, Eq)]
enum Expected<'a> {
    Nothing,
    App(&'a str),
    Vendor(&'a str),
}

impl Row {
    fn expected(&self) -> Expected<'_> {
        let text = self.expected_app.trim();
        if text.is_empty() {
            Expected::Nothing
        } else if let Some(vendor) = text.strip_prefix("vendor:") {
            Expected::Vendor(vendor)
        } else {
            Expected::App(text)
        }
    }

    fn expense(&self, line: usize) -> Expense {
        let date = NaiveDate::from_ymd_opt(2025, 1, 15).expect("a valid date");
        let mut expense = Expense::new(SourceKind::Csv, format!("row-{line}"), date, Decimal::ONE);
        expense.vendor_description = self.vendor_description.clone();
        expense.business_purpose = self.business_purpose.clone();
        expense.spend_category = self.spend_category.clone();

        // Five upper-case letters is a Concur expense type code (`SUBSC`);
        // anything else is a type name.
        let is_code = self.expense_type.len() == 5
            && self.expense_type.bytes().all(|b| b.is_ascii_uppercase());
        if is_code {
            expense.expense_type_code = self.expense_type.clone();
        } else {
            expense.expense_type = self.expense_type.clone();
        }
        expense
    }
}

/// Whether a match is what the row expects. Expected app names are read
/// through the catalog's aliases, so a set written without looking at the
/// catalog (`Lucidchart` for `Lucid`) is scored on the app, not the spelling.
fn is_correct(expected: &Expected<'_>, found: &Match, catalog: &Catalog) -> bool {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    match expected {
        Expected::Nothing => false,
        Expected::App(app) => {
            let canonical = catalog.find_app(app).map_or(*app, |known| known.name.as_str());
            found.app.as_deref().is_some_and(|found| same(found, canonical))
        }
        Expected::Vendor(vendor) => {
            found.app.is_none() && found.vendor.as_deref().is_some_and(|v| same(v, vendor))
        }
    }
}

fn describe(found: Option<&Match>) -> String {
    match found {
        None => "no match".to_owned(),
        Some(m) => format!(
            "app {:?}, vendor {:?}, confidence {} ({})",
            m.app, m.vendor, m.confidence, m.reason
        ),
    }
}

/// How a matcher did on one labelled file.
#[derive(Debug, Default)]
struct Score {
    rows: usize,
    expecting: usize,
    made: usize,
    correct: usize,
    misses: Vec<String>,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.made == 0 { 1.0 } else { self.correct as f64 / self.made as f64 }
    }

    fn recall(&self) -> f64 {
        if self.expecting == 0 { 1.0 } else { self.correct as f64 / self.expecting as f64 }
    }

    /// The figure on stderr past the test harness's capture, so every
    /// `cargo test` run shows it; the misses in the captured output, shown
    /// when the test fails.
    fn report(&self, name: &str) {
        let _ = writeln!(
            std::io::stderr(),
            "matcher evaluation on {name} ({} expenses): precision {:.3}, recall {:.3}",
            self.rows,
            self.precision(),
            self.recall()
        );
        for miss in &self.misses {
            println!("miss: {miss}");
        }
    }
}

fn evaluate(file: &str) -> Score {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/matching").join(file);
    let mut reader = csv::Reader::from_path(&path).expect("the labelled set is readable");
    let catalog = Catalog::builtin().expect("the built-in catalog is valid");
    let matcher = VendorMatcher::new(&catalog, &[]).expect("the matcher builds");
    let mut score = Score::default();

    for (idx, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.expect("every row parses");
        let line = idx + 2;
        let expected = row.expected();
        let found = matcher.match_expense(&row.expense(line)).filter(Match::counts);

        score.rows += 1;
        score.expecting += usize::from(expected != Expected::Nothing);
        score.made += usize::from(found.is_some());
        let right = match &found {
            Some(m) => is_correct(&expected, m, &catalog),
            None => expected == Expected::Nothing,
        };
        score.correct += usize::from(right && found.is_some());
        if !right {
            score.misses.push(format!(
                "{file}:{line}: {:?} / {:?} / {:?} / {:?}: expected {:?}, got {} [{}]",
                row.vendor_description,
                row.business_purpose,
                row.expense_type,
                row.spend_category,
                expected,
                describe(found.as_ref()),
                row.note
            ));
        }
    }
    score
}

/// The set written alongside the matcher, traps included.
#[test]
fn labelled_set_meets_precision_and_recall() {
    let score = evaluate("labelled.csv");
    score.report("labelled.csv");

    assert!(score.rows >= 220, "the labelled set has only {} rows", score.rows);
    assert!(score.precision() >= MIN_PRECISION, "precision {:.3}", score.precision());
    assert!(score.recall() >= MIN_RECALL, "recall {:.3}", score.recall());
}

/// A set written by someone who saw neither the matcher nor the catalog:
/// the honest figure for expenses nobody tuned the matcher on.
#[test]
fn blind_holdout_set_meets_precision_and_recall() {
    let score = evaluate("holdout.csv");
    score.report("holdout.csv (blind)");

    assert!(score.rows >= 150, "the holdout set has only {} rows", score.rows);
    assert!(score.precision() >= MIN_PRECISION, "precision {:.3}", score.precision());
    assert!(score.recall() >= MIN_RECALL, "recall {:.3}", score.recall());
}
