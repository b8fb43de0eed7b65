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

fn is_correct(expected: &Expected<'_>, found: &Match) -> bool {
    match expected {
        Expected::Nothing => false,
        Expected::App(app) => found.app.as_deref() == Some(*app),
        Expected::Vendor(vendor) => found.app.is_none() && found.vendor.as_deref() == Some(*vendor),
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

#[test]
fn labelled_set_meets_precision_and_recall() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/matching/labelled.csv");
    let mut reader = csv::Reader::from_path(&path).expect("the labelled set is readable");
    let catalog = Catalog::builtin().expect("the built-in catalog is valid");
    let matcher = VendorMatcher::new(&catalog, &[]).expect("the matcher builds");

    let mut rows = 0;
    let mut expected_count = 0;
    let mut made = 0;
    let mut correct = 0;
    let mut misses = Vec::new();

    for (idx, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.expect("every row parses");
        let line = idx + 2;
        let expected = row.expected();
        let found = matcher.match_expense(&row.expense(line)).filter(Match::counts);
        rows += 1;

        if expected != Expected::Nothing {
            expected_count += 1;
        }
        let right = match &found {
            Some(m) => {
                made += 1;
                is_correct(&expected, m)
            }
            None => expected == Expected::Nothing,
        };
        if right && found.is_some() {
            correct += 1;
        }
        if !right {
            misses.push(format!(
                "line {line}: {:?} / {:?} / {:?} / {:?}: expected {:?}, got {} [{}]",
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

    let precision = if made == 0 { 1.0 } else { correct as f64 / made as f64 };
    let recall = if expected_count == 0 { 1.0 } else { correct as f64 / expected_count as f64 };

    println!(
        "rows: {rows}, expecting a match: {expected_count}, matches made: {made}, correct: {correct}"
    );
    // Written past the test harness's capture, so every `cargo test` run
    // shows the figure, not only a failing one.
    let _ = writeln!(
        std::io::stderr(),
        "matcher evaluation on {rows} labelled expenses: precision {precision:.3}, recall {recall:.3}"
    );
    for miss in &misses {
        println!("miss: {miss}");
    }

    assert!(rows >= 220, "the labelled set has only {rows} rows");
    assert!(precision >= MIN_PRECISION, "precision {precision:.3} is under {MIN_PRECISION}");
    assert!(recall >= MIN_RECALL, "recall {recall:.3} is under {MIN_RECALL}");
}
