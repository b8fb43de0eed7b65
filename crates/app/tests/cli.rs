//! The `spendmap` binary end to end, as a user runs it: each test gets its
//! own SQLite file in a temporary folder.

mod common;

use rust_decimal::Decimal;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::str::FromStr;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample() -> PathBuf {
    root().join("fixtures/sample/concur-expense-export.csv")
}

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        Workspace { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("spend.db")
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        common::spendmap(&self.db()).args(args).output().expect("spendmap runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        common::stdout_of(self.run(args), args)
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        let text = self.ok(args);
        match serde_json::from_str(&text).expect("stdout is JSON") {
            Value::Array(items) => items,
            other => panic!("expected a JSON array, got {other}"),
        }
    }
}

fn decimal(value: &Value) -> Decimal {
    Decimal::from_str(value.as_str().expect("amounts are strings")).expect("decimal string")
}

/// The total the sample's own footer line states.
fn sample_footer_total() -> Decimal {
    let text = std::fs::read_to_string(sample()).expect("sample");
    let footer = text.lines().find(|l| l.starts_with("Total,")).expect("footer line");
    let quoted = footer.split('"').nth(1).expect("quoted total");
    Decimal::from_str(&quoted.replace(',', "")).expect("footer total")
}

#[test]
fn the_sample_imports_completely_and_exactly() {
    let ws = Workspace::new();
    let sample = sample();
    let sample = sample.to_str().expect("utf-8 path");

    let summary = ws.ok(&["import", sample]);
    let expenses = ws.json(&["expenses", "--format", "json"]);

    let rows = std::fs::read_to_string(sample).expect("sample").lines().count() - 6;
    assert!(summary.contains(&format!("{rows} rows read")), "{summary}");
    assert_eq!(expenses.len(), rows);
    let total: Decimal = expenses.iter().map(|e| decimal(&e["amount"])).sum();
    assert_eq!(total, sample_footer_total());
}

#[test]
fn importing_the_same_file_twice_adds_nothing() {
    let ws = Workspace::new();
    let sample = sample();
    let sample = sample.to_str().expect("utf-8 path");

    ws.ok(&["import", sample]);
    let before = ws.json(&["report", "--format", "json"]);
    let second = ws.ok(&["import", sample]);
    let after = ws.json(&["report", "--format", "json"]);

    assert!(second.contains("(0 new, 0 changed"), "{second}");
    assert_eq!(before, after);
}

/// More rows than one batch: the first full batch always reaches the
/// writer unmatched (nothing is queued yet, so the writer is waiting), and
/// the writer must decide those rows before storing them.
#[test]
fn rows_matched_on_either_side_of_the_import_are_decided_and_counted() {
    let ws = Workspace::new();
    let rows = 12_001;
    let mut text = String::from("Entry ID,Transaction Date,Vendor,Expense Type,Amount,Currency\n");
    for id in 0..rows {
        let (vendor, kind) =
            if id % 3 == 0 { ("ZOOM.US 888-799-9666", "Software") } else { ("MARRIOTT", "Hotel") };
        text.push_str(&format!("{id},2026-03-02,{vendor},{kind},10.00,USD\n"));
    }
    let file = ws.file("big.csv", &text);

    let summary = ws.ok(&["import", file.to_str().expect("path")]);
    let report = ws.json(&["report", "--by", "app", "--format", "json"]);

    let zoom_rows = (rows + 2) / 3;
    assert!(
        summary.contains(&format!("{zoom_rows} SaaS, {} not SaaS", rows - zoom_rows)),
        "{summary}"
    );
    assert_eq!(report.len(), 1, "{report:?}");
    assert_eq!(report[0]["app"], "Zoom");
    assert_eq!(report[0]["expenses"], zoom_rows);
}

#[test]
fn the_summary_accounts_for_personal_expenses_left_out_of_review() {
    let ws = Workspace::new();
    let file = ws.file(
        "personal.csv",
        "Entry ID,Transaction Date,Vendor,Expense Type,Amount,Currency,Personal\n\
         1,2026-03-02,ZOOM.US 888-799-9666,Software,15.99,USD,N\n\
         2,2026-03-03,CORNER SHOP 12,Miscellaneous,9.00,USD,Y\n\
         3,2026-03-04,CORNER SHOP 12,Miscellaneous,9.00,USD,N\n",
    );

    let summary = ws.ok(&["import", file.to_str().expect("path")]);

    assert!(summary.contains("1 SaaS, 0 not SaaS, 1 left for review"), "{summary}");
    assert!(summary.contains("not in the review queue: 1 expense"), "{summary}");
}

#[test]
fn the_report_by_app_has_the_promised_fields_and_skips_personal_spend() {
    let ws = Workspace::new();
    let file = ws.file(
        "small.csv",
        "Entry ID,Transaction Date,Vendor,Expense Type,Amount,Currency,Employee,Personal\n\
         1,2026-03-02,ZOOM.US 888-799-9666,Software,15.99,USD,ana,N\n\
         2,2026-04-02,ZOOM.US 888-799-9666,Software,15.99,USD,ben,N\n\
         3,2026-04-09,ZOOM.US 888-799-9666,Software,99.00,USD,ben,Y\n\
         4,2026-04-10,MARRIOTT DOWNTOWN,Hotel,250.00,USD,ana,N\n",
    );

    ws.ok(&["import", file.to_str().expect("path")]);
    let report = ws.json(&["report", "--by", "app", "--format", "json"]);

    assert_eq!(report.len(), 1, "{report:?}");
    let zoom = &report[0];
    assert_eq!(zoom["app"], "Zoom");
    assert_eq!(zoom["currency"], "USD");
    assert_eq!(zoom["total"], "31.98");
    assert_eq!(zoom["expenses"], 2);
    assert_eq!(zoom["employees"], 2);
    assert_eq!(zoom["first_date"], "2026-03-02");
    assert_eq!(zoom["last_date"], "2026-04-02");
    assert!(zoom["vendor"].is_string());
}

/// A good row on line 2, an amount that is not a number on line 3.
const ONE_BAD_AMOUNT: &str = "Entry ID,Transaction Date,Vendor,Amount,Currency\n\
                              1,2026-03-02,SLACK,8.75,USD\n\
                              2,2026-03-03,FIGMA,twelve,USD\n";

#[test]
fn a_bad_row_stores_nothing_and_names_file_line_and_column() {
    let ws = Workspace::new();
    let file = ws.file("bad.csv", ONE_BAD_AMOUNT);

    let output = ws.run(&["import", file.to_str().expect("path")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expenses = ws.json(&["expenses", "--format", "json"]);

    assert!(!output.status.success());
    assert!(stderr.contains("bad.csv:3"), "{stderr}");
    assert!(stderr.contains("Amount"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line per problem: {stderr}");
    assert!(expenses.is_empty(), "{expenses:?}");
}

#[test]
fn a_failing_file_does_not_stop_the_next_one() {
    let ws = Workspace::new();
    let bad = ws.file("bad.csv", ONE_BAD_AMOUNT);
    let good = ws.file(
        "good.csv",
        "Entry ID,Transaction Date,Vendor,Amount,Currency\n\
         g1,2026-03-02,FIGMA.COM,15.00,USD\n",
    );

    let output = ws.run(&["import", bad.to_str().expect("path"), good.to_str().expect("path")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expenses = ws.json(&["expenses", "--format", "json"]);

    assert!(!output.status.success());
    assert!(stderr.contains("bad.csv:3"), "{stderr}");
    assert!(stderr.contains("1 of 2 files not imported"), "{stderr}");
    assert_eq!(expenses.len(), 1);
    assert_eq!(expenses[0]["source_id"], "g1");
}

#[test]
fn skip_bad_rows_stores_the_good_ones_and_lists_the_bad() {
    let ws = Workspace::new();
    let file = ws.file("bad.csv", ONE_BAD_AMOUNT);

    let output = ws.run(&["import", "--skip-bad-rows", file.to_str().expect("path")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expenses = ws.json(&["expenses", "--format", "json"]);

    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("bad.csv:3"), "{stderr}");
    assert_eq!(expenses.len(), 1);
    assert_eq!(expenses[0]["source_id"], "1");
}

#[test]
fn expenses_json_carries_the_match_and_its_provenance() {
    let ws = Workspace::new();
    let file = ws.file(
        "three.csv",
        "Entry ID,Transaction Date,Vendor,Expense Type,Amount,Currency\n\
         a,2026-03-02,FIGMA.COM,Software,15.00,USD\n\
         b,2026-03-03,CORNER DELI,Meals,12.40,USD\n\
         c,2026-03-04,ACME WIDGETRY CLOUD,Software,40.00,USD\n",
    );

    ws.ok(&["import", file.to_str().expect("path")]);
    let all = ws.json(&["expenses", "--format", "json"]);
    let review = ws.json(&["expenses", "--unmatched", "--format", "json"]);

    let figma = all.iter().find(|e| e["source_id"] == "a").expect("figma row");
    assert_eq!(figma["source"], "csv");
    assert_eq!(figma["date"], "2026-03-02");
    assert_eq!(figma["amount"], "15.00");
    assert_eq!(figma["app"], "Figma");
    assert_eq!(figma["matched_by"], "dictionary");
    assert_eq!(figma["matched_field"], "vendor_description");
    assert!(figma["matched_term"].is_string());

    // A meal is decided too (not SaaS, and why), so the review queue holds
    // only what nobody has placed.
    let deli = all.iter().find(|e| e["source_id"] == "b").expect("deli row");
    assert_eq!(deli["matched_by"], "not_saas");
    assert!(deli["app"].is_null());
    assert!(deli["match_reason"].as_str().is_some_and(|r| r.contains("Meals")), "{deli}");
    assert_eq!(review.len(), 1);
    assert_eq!(review[0]["vendor_description"], "ACME WIDGETRY CLOUD");
}

#[test]
fn a_rule_moves_an_expense_out_of_the_review_queue_and_back() {
    let ws = Workspace::new();
    let file = ws.file(
        "odd.csv",
        "Entry ID,Transaction Date,Vendor,Expense Type,Amount,Currency\n\
         a,2026-03-02,ACME WIDGETRY CLOUD,Software,40.00,USD\n",
    );
    ws.ok(&["import", file.to_str().expect("path")]);

    let added = ws.ok(&["rules", "add", "acme widgetry", "--app", "Widgetry", "--vendor", "Acme"]);
    let matched = ws.json(&["expenses", "--app", "widgetry", "--format", "json"]);
    let rules = ws.json(&["rules", "list", "--format", "json"]);
    let id = rules[0]["id"].as_i64().expect("rule id").to_string();
    ws.ok(&["rules", "remove", &id]);
    let unmatched = ws.json(&["expenses", "--unmatched", "--format", "json"]);

    assert!(added.contains("1 stored expenses changed"), "{added}");
    assert_eq!(matched.len(), 1);
    assert_eq!(matched[0]["matched_by"], "user_rule");
    assert_eq!(unmatched.len(), 1);
}

#[test]
fn a_rule_that_repeats_or_fights_another_is_refused() {
    let ws = Workspace::new();
    ws.ok(&["rules", "add", "STAPLES", "--ignore"]);

    let again = ws.run(&["rules", "add", "staples", "--ignore"]);
    let fights = ws.run(&["rules", "add", "Staples", "--app", "Figma"]);
    let no_action = ws.run(&["rules", "add", "ACME"]);
    let rules = ws.json(&["rules", "list", "--format", "json"]);

    assert!(String::from_utf8_lossy(&again.stderr).contains("already ignores"));
    assert!(String::from_utf8_lossy(&fights.stderr).contains("remove it first"));
    assert!(String::from_utf8_lossy(&no_action.stderr).contains("--ignore"));
    assert!(!again.status.success() && !fights.status.success() && !no_action.status.success());
    assert_eq!(rules.len(), 1);
}

#[test]
fn csv_output_has_a_header_and_one_line_per_group() {
    let ws = Workspace::new();
    let sample = sample();
    ws.ok(&["import", sample.to_str().expect("path")]);

    let csv = ws.ok(&["report", "--by", "month", "--format", "csv"]);

    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("month,currency,total,expenses,employees,first_date,last_date"));
    assert!(lines.all(|l| l.starts_with("2026-")));
}
