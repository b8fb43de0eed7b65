//! Data safety of the binary under concurrency and crashes, on SQLite
//! always and on PostgreSQL when `SPENDMAP_TEST_POSTGRES_URL` is set:
//! two imports at once, a report read in the middle of an import, an
//! import killed with SIGKILL and run again, and the same report from
//! both backends.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sample/concur-expense-export.csv")
}

/// One database, SQLite file or PostgreSQL, and the binary pointed at it.
struct Db {
    location: String,
    backend: &'static str,
    _dir: tempfile::TempDir,
}

impl Db {
    fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = dir.path().join("spend.db").display().to_string();
        Db { location, backend: "sqlite", _dir: dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spendmap"));
        command
            .arg("--db")
            .arg(&self.location)
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("SPENDMAP_DB")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("spendmap runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{}: spendmap {args:?} failed: {}",
            self.backend,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawns")
    }

    /// Every stored expense without its storage id, sorted by source id.
    fn rows(&self) -> Vec<Value> {
        let text = self.ok(&["expenses", "--format", "json"]);
        let Value::Array(mut rows) = serde_json::from_str(&text).expect("JSON") else {
            panic!("expenses --format json is not an array");
        };
        for row in &mut rows {
            row.as_object_mut().expect("an object").remove("id");
        }
        rows.sort_by_key(|row| row["source_id"].as_str().unwrap_or_default().to_owned());
        rows
    }
}

/// A SQLite database always, a fresh PostgreSQL one when configured.
async fn databases(test: &str) -> Vec<Db> {
    let mut databases = vec![Db::sqlite()];
    if let Some(location) = spendmap_testkit::scratch_postgres(&format!("app test {test}")).await {
        let dir = tempfile::tempdir().expect("temp dir");
        databases.push(Db { location, backend: "postgres", _dir: dir });
    }
    databases
}

/// The sample export repeated `copies` times with distinct entry keys: a
/// file big enough for an import to take a while.
fn bigger_export(dir: &Path, copies: usize) -> PathBuf {
    let text = std::fs::read_to_string(sample()).expect("the sample");
    let (preamble, body) = text.split_at(text.find("Report Key,").expect("a header"));
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let key = headers.iter().position(|name| name == "Entry Key").expect("Entry Key");
    // Rows only: the footer's total lines are shorter.
    let records: Vec<csv::StringRecord> = reader
        .records()
        .map(|record| record.expect("a row"))
        .filter(|record| record.len() == headers.len())
        .collect();

    let path = dir.join(format!("export-x{copies}.csv"));
    let mut out = preamble.as_bytes().to_vec();
    let mut writer = csv::Writer::from_writer(&mut out);
    writer.write_record(&headers).expect("header");
    for copy in 0..copies {
        for record in &records {
            let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
            fields[key] = format!("{copy}-{}", fields[key]);
            writer.write_record(&fields).expect("row");
        }
    }
    drop(writer);
    std::fs::write(&path, out).expect("write the export");
    path
}

fn wait(child: Child) -> Output {
    let output = child.wait_with_output().expect("waits");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

#[tokio::test]
async fn two_imports_at_once_end_as_if_run_one_after_the_other() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = bigger_export(dir.path(), 3);
    let big = big.to_str().expect("utf-8 path");
    let sample = sample();
    let sample = sample.to_str().expect("utf-8 path");

    for db in databases("two imports at once").await {
        let first = db.spawn(&["import", big]);
        let second = db.spawn(&["import", sample, big]);
        wait(first);
        wait(second);

        let one_after_the_other = Db::sqlite();
        one_after_the_other.ok(&["import", big]);
        one_after_the_other.ok(&["import", sample, big]);
        assert_eq!(db.rows(), one_after_the_other.rows(), "{}", db.backend);
    }
}

#[tokio::test]
async fn a_report_read_during_an_import_sees_none_or_all_of_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = bigger_export(dir.path(), 4);
    let big = big.to_str().expect("utf-8 path");

    for db in databases("report during import").await {
        db.ok(&["report", "--format", "json"]); // creates the schema first
        let before = db.ok(&["report", "--format", "json"]);

        let import = db.spawn(&["import", big]);
        let mut seen = Vec::new();
        let pid = import.id();
        while is_running(pid) && seen.len() < 200 {
            seen.push(db.ok(&["report", "--format", "json"]));
        }
        wait(import);
        let after = db.ok(&["report", "--format", "json"]);

        assert_ne!(before, after);
        let torn: Vec<_> = seen.iter().filter(|s| **s != before && **s != after).collect();
        assert!(torn.is_empty(), "{}: a half-imported file was visible: {torn:?}", db.backend);
        // Whether a read landed before the commit depends on the machine's
        // speed; a torn one never may.
        assert!(!seen.is_empty(), "{}: read while it ran", db.backend);
    }
}

/// Whether `pid` is still running (and not a zombie waiting to be reaped).
fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.rsplit(')').next().unwrap_or_default().trim_start().starts_with('Z'))
        .unwrap_or(false)
}

#[tokio::test]
async fn an_import_killed_anywhere_and_run_again_ends_with_the_rows_of_a_clean_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = bigger_export(dir.path(), 2);
    let big = big.to_str().expect("utf-8 path");
    let sample = sample();
    let sample = sample.to_str().expect("utf-8 path");
    let clean = Db::sqlite();
    clean.ok(&["import", sample, big]);
    let expected = clean.rows();

    for db in databases("import killed and resumed").await {
        // Kill points spread over a whole run, measured on this machine,
        // plus a pseudo-random one so that runs differ.
        let started = Instant::now();
        db.ok(&["import", sample]);
        let run = started.elapsed().max(Duration::from_millis(200)) * 2;
        let jitter = u64::from(std::process::id() % 97);

        for fraction in [10, 40, 70, 95] {
            let kill_after = run * fraction / 100 + Duration::from_millis(jitter);
            let mut import = db.spawn(&["import", sample, big]);
            std::thread::sleep(kill_after);
            let _ = import.kill(); // SIGKILL: nothing gets to clean up.
            let _ = import.wait();

            db.ok(&["import", sample, big]);
            assert_eq!(db.rows(), expected, "{} killed at {kill_after:?}", db.backend);
        }
    }
}

#[tokio::test]
async fn both_backends_report_the_sample_byte_for_byte_alike() {
    let databases = databases("byte-identical reports").await;
    if databases.len() < 2 {
        return;
    }
    let sample = sample();
    let sample = sample.to_str().expect("utf-8 path");

    let mut reports: Vec<Vec<String>> = Vec::new();
    for db in &databases {
        db.ok(&["import", sample]);
        let by = ["app", "month", "employee", "vendor"];
        let mut outputs: Vec<String> =
            by.iter().map(|by| db.ok(&["report", "--by", by, "--format", "json"])).collect();
        outputs.push(db.ok(&["report", "--by", "employee", "--app", "Zoom", "--format", "json"]));
        outputs.push(db.ok(&["expenses", "--unmatched", "--format", "json"]));
        reports.push(outputs);
    }

    let (sqlite, postgres) = (&reports[0], &reports[1]);
    for (one, other) in sqlite.iter().zip(postgres) {
        assert!(one.len() > 100, "a real report: {one}");
        assert_eq!(one, other);
    }
}
