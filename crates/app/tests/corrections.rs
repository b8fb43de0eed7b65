//! Corrections that stick: `expenses assign|ignore` with and without
//! `--remember`, re-imports after them, rules kept in a TOML file, and
//! `explain`. Each test has its own SQLite file.

mod common;

use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

const HEADER: &str = "Entry Key,Transaction Date,Vendor,Purpose,Expense Type,Spend Category \
                      Code,Approved Amount (rpt),Currency,Employee ID,Employee Name";

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        Workspace { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// An export with one row per `(entry key, vendor)`.
    fn export(&self, name: &str, rows: &[(&str, &str)]) -> String {
        let mut text = format!("{HEADER}\n");
        for (key, vendor) in rows {
            text.push_str(&format!(
                "{key},2026-03-02,{vendor},Team tool,Software,SUBSC,25.00,USD,E1,Jamie Doe\n"
            ));
        }
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write export");
        path.display().to_string()
    }

    fn run(&self, args: &[&str]) -> Output {
        let db = self.dir.path().join("spend.db");
        common::spendmap(&db).args(args).output().expect("spendmap runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        common::stdout_of(self.run(args), args)
    }

    fn rows(&self) -> Vec<Value> {
        serde_json::from_str(&self.ok(&["expenses", "--format", "json"])).expect("JSON")
    }

    /// The stored row of an entry key.
    fn row(&self, key: &str) -> Value {
        let rows = self.rows();
        rows.into_iter().find(|row| row["source_id"] == key).unwrap_or_else(|| panic!("{key}"))
    }

    fn id(&self, key: &str) -> String {
        self.row(key)["id"].to_string()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn a_remembered_assignment_survives_a_reimport_and_catches_new_expenses() {
    let work = Workspace::new();
    let first = work.export("march.csv", &[("E1", "ACME WIDGETRY 4471"), ("E2", "FIGMA")]);
    work.ok(&["import", &first]);
    assert!(work.row("E1")["app"].is_null(), "unknown before the correction");

    let said = work.ok(&["expenses", "assign", &work.id("E1"), "--app", "Widgetry", "--remember"]);
    assert!(said.contains("rule 1 added"), "{said}");

    work.ok(&["import", &first]);
    let second = work.export("april.csv", &[("E3", "Acme Widgetry #0098"), ("E4", "ACME TOOLS")]);
    work.ok(&["import", &second]);

    assert_eq!(work.row("E1")["app"], "Widgetry");
    assert_eq!(work.row("E3")["app"], "Widgetry", "the rule catches the next month's charge");
    assert!(work.row("E4")["app"].is_null(), "but not another vendor text");
    assert_eq!(work.row("E2")["app"], "Figma");
}

#[test]
fn a_one_off_correction_holds_through_reimport_and_rematch_and_touches_nothing_else() {
    let work = Workspace::new();
    let file = work.export("march.csv", &[("E1", "ZOOM.US"), ("E2", "ZOOM.US")]);
    work.ok(&["import", &file]);

    work.ok(&["expenses", "ignore", &work.id("E1")]);
    work.ok(&["import", &file]);
    work.ok(&["match"]);

    assert_eq!(work.row("E1")["matched_by"], "ignore_rule");
    assert!(work.row("E1")["app"].is_null());
    assert_eq!(work.row("E2")["app"], "Zoom", "only the corrected expense changed");
    let report = work.ok(&["report", "--format", "json"]);
    assert!(report.contains("\"expenses\": 1"), "one Zoom expense counts: {report}");
}

#[test]
fn the_latest_correction_wins_over_an_earlier_one() {
    let work = Workspace::new();
    let file = work.export("march.csv", &[("E1", "NORTHWIND LABS")]);
    work.ok(&["import", &file]);
    let id = work.id("E1");

    work.ok(&["expenses", "assign", &id, "--app", "Widgetry"]);
    work.ok(&["expenses", "ignore", &id, "--remember"]);

    assert_eq!(work.row("E1")["matched_by"], "ignore_rule");
}

#[test]
fn rules_travel_as_a_toml_file_and_a_contradiction_imports_nothing() {
    let from = Workspace::new();
    from.ok(&["rules", "add", "ACME WIDGETRY", "--app", "Widgetry", "--vendor", "Acme"]);
    from.ok(&["rules", "add", "DROPBOX CAFE", "--ignore"]);
    from.ok(&["rules", "add", "design seats", "--app", "figma", "--field", "purpose"]);
    let file = from.path("rules.toml");
    from.ok(&["rules", "export", file.to_str().expect("utf-8")]);

    let to = Workspace::new();
    let said = to.ok(&["rules", "import", file.to_str().expect("utf-8")]);
    assert!(said.contains("3 rules imported, 0 already there"), "{said}");
    let said = to.ok(&["rules", "import", file.to_str().expect("utf-8")]);
    assert!(said.contains("0 rules imported, 3 already there"), "{said}");
    let listed = |work: &Workspace| {
        let mut rules: Vec<Value> =
            serde_json::from_str(&work.ok(&["rules", "list", "--format", "json"])).expect("JSON");
        for rule in &mut rules {
            rule.as_object_mut().expect("object").remove("id");
        }
        rules
    };
    assert_eq!(listed(&to), listed(&from));

    let contradicting = to.path("other.toml");
    std::fs::write(
        &contradicting,
        "[[rule]]\nterm = \"NEW THING\"\nfield = \"vendor\"\nignore = true\n\n\
         [[rule]]\nterm = \"acme widgetry\"\nfield = \"vendor\"\nignore = true\n",
    )
    .expect("write");
    let output = to.run(&["rules", "import", contradicting.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("contradicts") && stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(listed(&to).len(), 3, "the first, harmless rule was not added either");
}

#[test]
fn a_broken_rules_file_names_the_file_and_the_rule() {
    let work = Workspace::new();
    let file = work.path("bad.toml");
    std::fs::write(&file, "[[rule]]\nterm = \"X CORP\"\nfield = \"vendor\"\n").expect("write");

    let output = work.run(&["rules", "import", file.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(!output.status.success());
    assert!(stderr.contains("bad.toml") && stderr.contains("rule 1"), "{stderr}");
    assert!(stderr.contains("ignore = true"), "{stderr}");
}

#[test]
fn explain_lists_fields_hits_the_gate_and_the_winner() {
    let work = Workspace::new();
    let file = work.export("march.csv", &[("E1", "PAYPAL *ATLASSIAN")]);
    work.ok(&["import", &file]);

    let text = work.ok(&["explain", &work.id("E1")]);
    let json: Value =
        serde_json::from_str(&work.ok(&["explain", &work.id("E1"), "--format", "json"]))
            .expect("JSON");

    assert!(text.contains("\"PAYPAL *ATLASSIAN\" -> \"atlassian\""), "{text}");
    assert!(text.contains("gate: expense type `Software` says software"), "{text}");
    assert!(text.contains("vendor Atlassian"), "{text}");
    assert_eq!(json["decision"]["vendor"], "Atlassian");
    assert!(json["decision"]["app"].is_null(), "vendor spend, app unknown");
    assert!(json["hits"].as_array().is_some_and(|hits| !hits.is_empty()));
    let missing = work.run(&["explain", "999"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no expense 999"));
}

#[test]
fn a_remembered_vendor_with_a_domain_and_a_reference_catches_the_same_merchant() {
    let work = Workspace::new();
    let file = work.export(
        "march.csv",
        &[("E1", "NORTHWIND.IO T019XW2LQ WA"), ("E2", "NORTHWIND.IO T77AB12CD WA")],
    );
    work.ok(&["import", &file]);

    let said = work.ok(&["expenses", "assign", &work.id("E1"), "--app", "Northwind", "--remember"]);

    assert!(said.contains("`NORTHWIND.IO`"), "the reference and what follows are left out: {said}");
    assert_eq!(work.row("E1")["app"], "Northwind");
    assert_eq!(work.row("E2")["app"], "Northwind", "the same merchant, another reference");
}
