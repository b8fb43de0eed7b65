//! `cargo xtask eval`: the matcher's score on every labelled set in
//! `fixtures/matching/`, with the confusion table and every miss, so that
//! a change to the catalog or the matcher can be judged case by case.

use anyhow::Context;
use spendmap_matcher::evaluation::{Evaluation, Outcome, evaluate};
use spendmap_matcher::{Catalog, VendorMatcher};
use std::path::Path;

/// The labelled sets, in the order they are printed.
const SETS: [&str; 3] = ["labelled.csv", "holdout.csv", "holdout-2.csv"];

/// Confusion-table columns.
const OUTCOMES: [Outcome; 5] =
    [Outcome::Right, Outcome::Wrong, Outcome::Missed, Outcome::FalseAlarm, Outcome::RightlyNothing];

pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let catalog = Catalog::builtin().context("the built-in catalog is invalid")?;
    let matcher = VendorMatcher::new(&catalog, &[]).context("could not build the matcher")?;
    println!("catalog: {} apps, {} vendors", catalog.apps().len(), catalog.vendors().len());

    for set in SETS {
        let path = root.join("fixtures/matching").join(set);
        let score = evaluate(&path, &matcher, &catalog)?;
        print_score(set, &score);
    }
    Ok(())
}

fn print_score(set: &str, score: &Evaluation) {
    println!();
    println!(
        "{set}: {} cases ({} expect an app or vendor, {} traps): precision {:.3}, recall {:.3}",
        score.cases,
        score.expecting,
        score.traps(),
        score.precision(),
        score.recall()
    );

    print!("  {:<10}", "expected");
    for outcome in OUTCOMES {
        print!(" {:>16}", outcome.to_string());
    }
    println!();
    for kind in ["app", "vendor", "not SaaS"] {
        print!("  {kind:<10}");
        for outcome in OUTCOMES {
            let count = score.confusion.get(&(kind, outcome)).copied().unwrap_or(0);
            print!(" {count:>16}");
        }
        println!();
    }

    if score.misses.is_empty() {
        println!("  no misses");
    }
    for miss in &score.misses {
        let case = &miss.case;
        println!(
            "  {} [{}] {:?} / {:?} / {:?} / {:?}: expected {:?}, got {} ({})",
            miss.place,
            miss.outcome,
            case.vendor_description,
            case.business_purpose,
            case.expense_type,
            case.spend_category,
            if case.expected_app.is_empty() { "nothing" } else { &case.expected_app },
            miss.got,
            case.note
        );
    }
}
