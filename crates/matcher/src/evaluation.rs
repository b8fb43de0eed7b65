//! Scoring the matcher on labelled expenses: precision, recall, a
//! confusion table and every miss. `cargo test` holds the built-in catalog
//! to thresholds with it, and `cargo xtask eval` prints it in full.
//!
//! A labelled file is CSV with the columns `vendor_description,
//! business_purpose,expense_type,spend_category,expected_app,note`.
//! `expected_app` is an app name (read through the catalog's aliases, so a
//! set written without the catalog at hand is scored on the app, not the
//! spelling), `vendor:<Vendor>` for spend that is a vendor's but no single
//! app's, or empty for "must not count as SaaS spend".

use crate::Catalog;
use spendmap_core::{Decimal, Expense, Match, Matcher, NaiveDate, SourceKind};
use std::fmt;
use std::path::Path;

/// Why a labelled file could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    /// The file could not be read or a row is malformed.
    #[error("cannot read labelled expenses `{path}`: {source}")]
    Read {
        /// The file.
        path: String,
        /// The CSV reader's complaint (it names the line).
        source: csv::Error,
    },
}

/// One labelled expense.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Case {
    /// Merchant text.
    pub vendor_description: String,
    /// What the employee wrote.
    pub business_purpose: String,
    /// A type name, or a five-letter upper-case code (`SUBSC`).
    pub expense_type: String,
    /// Spend category code or name.
    pub spend_category: String,
    /// What it should match: see the module docs.
    pub expected_app: String,
    /// Why the case is there.
    pub note: String,
}

/// What a case expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expected<'a> {
    /// An app.
    App(&'a str),
    /// A vendor's spend, app unknown.
    Vendor(&'a str),
    /// Not SaaS spend.
    Nothing,
}

/// Where one case landed: the confusion table's cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// The expected app or vendor.
    Right,
    /// Some other app or vendor than expected.
    Wrong,
    /// Expected something; nothing counted.
    Missed,
    /// Expected nothing; something counted.
    FalseAlarm,
    /// Expected nothing; nothing counted.
    RightlyNothing,
}

/// One case that did not come out right.
#[derive(Clone, Debug)]
pub struct Miss {
    /// File and line.
    pub place: String,
    /// The case.
    pub case: Case,
    /// Where it landed.
    pub outcome: Outcome,
    /// What the matcher decided, in words.
    pub got: String,
}

/// The score of one labelled file.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// Cases read.
    pub cases: usize,
    /// Cases that expect an app or vendor.
    pub expecting: usize,
    /// Cases where something counted as SaaS spend.
    pub made: usize,
    /// Cases where what counted is what was expected.
    pub correct: usize,
    /// Counts per (expected kind, outcome): kind is `app`, `vendor` or
    /// `not SaaS`.
    pub confusion: std::collections::BTreeMap<(&'static str, Outcome), usize>,
    /// Every case that did not come out right, in file order.
    pub misses: Vec<Miss>,
}

impl Evaluation {
    /// Correct matches over all matches made.
    pub fn precision(&self) -> f64 {
        if self.made == 0 { 1.0 } else { self.correct as f64 / self.made as f64 }
    }

    /// Correct matches over cases that expect something.
    pub fn recall(&self) -> f64 {
        if self.expecting == 0 { 1.0 } else { self.correct as f64 / self.expecting as f64 }
    }

    /// Cases that expect nothing: the traps.
    pub fn traps(&self) -> usize {
        self.cases - self.expecting
    }
}

/// Score `matcher` on the labelled file at `path`.
pub fn evaluate(
    path: &Path,
    matcher: &impl Matcher,
    catalog: &Catalog,
) -> Result<Evaluation, EvaluationError> {
    let read_err = |source| EvaluationError::Read { path: path.display().to_string(), source };
    let mut reader = csv::Reader::from_path(path).map_err(read_err)?;
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut score = Evaluation::default();

    for (idx, case) in reader.deserialize::<Case>().enumerate() {
        let case = case.map_err(read_err)?;
        let line = idx + 2;
        let found = matcher.match_expense(&case.expense(line)).filter(Match::counts);
        let expected = case.expected();
        let outcome = judge(expected, found.as_ref(), catalog);

        score.cases += 1;
        score.expecting += usize::from(expected != Expected::Nothing);
        score.made += usize::from(found.is_some());
        score.correct += usize::from(outcome == Outcome::Right);
        *score.confusion.entry((expected.kind(), outcome)).or_default() += 1;
        if !matches!(outcome, Outcome::Right | Outcome::RightlyNothing) {
            let got = describe(found.as_ref());
            score.misses.push(Miss { place: format!("{name}:{line}"), case, outcome, got });
        }
    }
    Ok(score)
}

impl Case {
    /// What the case expects.
    pub fn expected(&self) -> Expected<'_> {
        let text = self.expected_app.trim();
        if text.is_empty() {
            Expected::Nothing
        } else if let Some(vendor) = text.strip_prefix("vendor:") {
            Expected::Vendor(vendor)
        } else {
            Expected::App(text)
        }
    }

    /// The case as an expense.
    pub fn expense(&self, line: usize) -> Expense {
        let date = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap_or_default();
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

impl Expected<'_> {
    /// The confusion table's row label.
    pub fn kind(&self) -> &'static str {
        match self {
            Expected::App(_) => "app",
            Expected::Vendor(_) => "vendor",
            Expected::Nothing => "not SaaS",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Right => "right",
            Outcome::Wrong => "wrong app/vendor",
            Outcome::Missed => "missed",
            Outcome::FalseAlarm => "false alarm",
            Outcome::RightlyNothing => "rightly nothing",
        })
    }
}

fn judge(expected: Expected<'_>, found: Option<&Match>, catalog: &Catalog) -> Outcome {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    match (expected, found) {
        (Expected::Nothing, None) => Outcome::RightlyNothing,
        (Expected::Nothing, Some(_)) => Outcome::FalseAlarm,
        (_, None) => Outcome::Missed,
        (Expected::App(app), Some(found)) => {
            let canonical = catalog.find_app(app).map_or(app, |known| known.name.as_str());
            let right = found.app.as_deref().is_some_and(|got| same(got, canonical));
            if right { Outcome::Right } else { Outcome::Wrong }
        }
        (Expected::Vendor(vendor), Some(found)) => {
            let right =
                found.app.is_none() && found.vendor.as_deref().is_some_and(|v| same(v, vendor));
            if right { Outcome::Right } else { Outcome::Wrong }
        }
    }
}

fn describe(found: Option<&Match>) -> String {
    match found {
        None => "nothing".to_owned(),
        Some(m) => match (&m.app, &m.vendor) {
            (Some(app), _) => format!("app {app} ({}, {})", m.confidence, m.reason),
            (None, Some(vendor)) => format!("vendor {vendor} ({}, {})", m.confidence, m.reason),
            (None, None) => format!("{} ({})", m.rule.as_str(), m.reason),
        },
    }
}
