//! `cargo xtask fuzz`: a time-budgeted mutation fuzzer for the importer and
//! the matcher.
//!
//! There is no nightly toolchain here, so no cargo-fuzz and no coverage
//! instrumentation. This is the plain kind: take real inputs, break them in
//! the ways files really break (a flipped byte, a stray quote, a BOM in the
//! middle, a cut-off end, one enormous line), run the code, and keep
//! whatever makes it panic or stall.
//!
//! # Targets
//!
//! * `import`: the bytes as a file, through `spendmap_csv_import::open` and
//!   every row, once sniffing everything and twice with the decimal mark and
//!   date format told. Seeds: `fixtures/import/` and `fixtures/sample/`.
//! * `sae`: the same files with the SAE format forced.
//! * `normalize`: the bytes as text (invalid UTF-8 replaced) through
//!   `spendmap_matcher::normalize`. Seeds: the vendor and purpose strings of
//!   `fixtures/matching/*.csv`.
//! * `match`: the text's lines as an expense's vendor, purpose, expense
//!   type, type code and spend category, matched against the built-in
//!   catalog; a sixth line becomes a user rule that must find its own term.
//!
//! Besides "no panic", each target checks what the hostile-input tests in
//! `crates/csv-import/tests/hostile.rs` and `crates/matcher/tests/hostile.rs`
//! check: errors name the file and a line it has, reading ends, normalised
//! text has its promised shape, decisions are sound. A failed check is a
//! panic like any other.
//!
//! # How it runs
//!
//! A coordinator starts one worker process per target (`--jobs` at a time).
//! A worker mutates its corpus, runs each input under `catch_unwind`, and
//! keeps inputs that led somewhere new (a new error, a new decision) as
//! further seeds. A watchdog thread counts an input still running after
//! [`HANG_AFTER`] as a hang: it saves the input and ends the worker, and the
//! coordinator starts a fresh one for the rest of the target's time. Each
//! input is mirrored to a scratch file first, so a worker that dies outright
//! (a stack overflow, an abort) still leaves the input that killed it.
//!
//! A crash is minimised (bytes removed while the same panic stays) and
//! saved as `fixtures/fuzz/<target>/crash-<hash>.bin`, once per panic
//! location; a hang is saved as `hang-<hash>.bin`. The tests replay every
//! file there. Inputs are capped at
//! [`MAX_INPUT`], except the deliberate long-line case, which exceeds the
//! importer's 1 MiB record limit on purpose.
//!
//! # Build mode
//!
//! `cargo xtask` builds xtask in debug, where the fuzzer runs several times
//! slower. `fuzz` therefore re-runs itself as `fuzz-run` through `cargo run
//! --release`, with overflow checks switched on so that arithmetic overflow
//! still panics. `--debug` skips that and fuzzes at debug speed.

use anyhow::{Context, bail};
use spendmap_core::{Decimal, Expense, Field, Matcher, NaiveDate, RuleKind, SourceKind, UserRule};
use spendmap_csv_import::{FileFormat, ImportError, ImportOptions};
use spendmap_matcher::{Catalog, MatcherError, VendorMatcher, normalize};
use std::collections::HashSet;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Seek, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// An input still running after this long is a hang.
const HANG_AFTER: Duration = Duration::from_secs(5);

/// Mutated files are cut to this size, so memory stays small and runs fast.
const MAX_INPUT: usize = 1024 * 1024;

/// Mutated text for the matcher targets is cut shorter: an expense field is
/// rarely over a few hundred bytes, and short inputs run many times faster.
/// The long-line case still gives them a megabyte now and then.
const MAX_TEXT_INPUT: usize = 64 * 1024;

/// The importer's record limit; the long-line case goes past it.
const RECORD_LIMIT: usize = 1024 * 1024;

/// One input in this many gets the deliberate long line.
const LONG_LINE_ONE_IN: u32 = 400;

/// Kept inputs, seeds included; past this, new finds replace old ones.
const MAX_CORPUS: usize = 4096;

/// Attempts to shrink a crashing input before saving it.
const MINIMISE_ATTEMPTS: usize = 600;

/// How often a worker prints its progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(60);

/// Exit code of a worker that stopped because an input hung.
const HANG_EXIT: i32 = 3;

/// A worker that dies this many times in a row within seconds of starting
/// is given up on: something in its seeds kills it every time.
const MAX_QUICK_DEATHS: u32 = 3;

/// The usage text for the three fuzz subcommands.
const USAGE: &str = "usage: cargo xtask fuzz [--minutes N] [--target NAME]... [--jobs N] \
                     [--seed N] [--debug]\n  targets: import, sae, normalize, match (default: all)";

// ---------------------------------------------------------------------------
// Entry points.

/// `cargo xtask fuzz`: re-runs itself in release unless told `--debug`.
pub(crate) fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let settings = Settings::parse(args)?;
    if cfg!(debug_assertions) && !settings.debug {
        return rerun_in_release(root, args);
    }
    coordinate(root, &settings)
}

/// `cargo xtask fuzz-run`: the coordinator, in whatever build this is.
pub(crate) fn run_here(root: &Path, args: &[String]) -> anyhow::Result<()> {
    coordinate(root, &Settings::parse(args)?)
}

/// `fuzz-worker`: one target in this process, started by the coordinator.
pub(crate) fn worker(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let order = WorkerOrder::parse(args)?;
    Worker::new(root, &order)?.run(&order)
}

fn rerun_in_release(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("fuzz: building xtask in release (overflow checks on), then fuzzing");
    let status = Command::new(cargo)
        .args(["--config", "profile.release.overflow-checks=true"])
        .args(["run", "--release", "--quiet", "--package", "xtask", "--", "fuzz-run"])
        .args(args)
        .current_dir(root)
        .status()
        .context("could not run cargo")?;
    if !status.success() {
        bail!("the release fuzz run failed ({status})");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Settings.

/// What `fuzz` and `fuzz-run` were asked to do.
#[derive(Debug)]
struct Settings {
    minutes: f64,
    targets: Vec<Target>,
    jobs: usize,
    seed: u64,
    debug: bool,
}

impl Settings {
    fn parse(args: &[String]) -> anyhow::Result<Settings> {
        let mut settings = Settings {
            minutes: 1.0,
            targets: Vec::new(),
            jobs: 1,
            seed: clock_seed(),
            debug: false,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value =
                || args.next().with_context(|| format!("{flag} needs a value\n{USAGE}"));
            match flag.as_str() {
                "--minutes" => settings.minutes = value()?.parse().context("--minutes")?,
                "--target" => {
                    for name in value()?.split(',') {
                        settings.targets.push(Target::parse(name)?);
                    }
                }
                "--jobs" => settings.jobs = value()?.parse().context("--jobs")?,
                "--seed" => settings.seed = value()?.parse().context("--seed")?,
                "--debug" => settings.debug = true,
                other => bail!("unknown flag `{other}`\n{USAGE}"),
            }
        }
        if settings.targets.is_empty() {
            settings.targets = Target::ALL.to_vec();
        }
        if settings.minutes.is_nan() || settings.minutes <= 0.0 || settings.jobs == 0 {
            bail!("--minutes and --jobs must be positive\n{USAGE}");
        }
        Ok(settings)
    }

    fn budget(&self) -> Duration {
        Duration::from_secs_f64(self.minutes * 60.0)
    }
}

fn clock_seed() -> u64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since_epoch.map_or(1, |d| d.as_nanos() as u64)
}

/// What the coordinator tells one worker process.
#[derive(Debug)]
struct WorkerOrder {
    target: Target,
    seconds: f64,
    seed: u64,
    scratch: PathBuf,
}

impl WorkerOrder {
    fn parse(args: &[String]) -> anyhow::Result<WorkerOrder> {
        let [target, seconds, seed, scratch] = args else {
            bail!("fuzz-worker takes TARGET SECONDS SEED SCRATCH_DIR (the coordinator starts it)");
        };
        Ok(WorkerOrder {
            target: Target::parse(target)?,
            seconds: seconds.parse().context("seconds")?,
            seed: seed.parse().context("seed")?,
            scratch: PathBuf::from(scratch),
        })
    }

    fn args(&self) -> Vec<String> {
        let scratch = self.scratch.display().to_string();
        let target = self.target.name().to_owned();
        vec![target, format!("{:.1}", self.seconds), self.seed.to_string(), scratch]
    }
}

// ---------------------------------------------------------------------------
// The coordinator.

/// What one target's workers did, all together.
#[derive(Debug, Default)]
struct Report {
    target: Option<Target>,
    elapsed: Duration,
    runs: u64,
    crashes: u64,
    hangs: u64,
    found: Vec<String>,
    gave_up: Option<String>,
}

fn coordinate(root: &Path, settings: &Settings) -> anyhow::Result<()> {
    let scratch = std::env::temp_dir().join(format!("spendmap-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).context("scratch folder")?;
    let names: Vec<&str> = settings.targets.iter().map(|t| t.name()).collect();
    eprintln!(
        "fuzz: {} for {:.1} min each, {} at a time, seed {}",
        names.join(", "),
        settings.minutes,
        settings.jobs,
        settings.seed
    );

    let queue = Mutex::new(settings.targets.clone());
    let reports = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..settings.jobs.min(settings.targets.len()) {
            scope.spawn(|| {
                while let Some(target) = pop(&queue) {
                    let report = supervise(root, settings, target, &scratch);
                    reports.lock().unwrap_or_else(PoisonError::into_inner).push(report);
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);

    let mut reports = reports.into_inner().unwrap_or_else(PoisonError::into_inner);
    reports.sort_by_key(|r| r.target.map(Target::index));
    print_reports(&reports);
    let findings: u64 = reports.iter().map(|r| r.crashes + r.hangs).sum();
    if findings > 0 {
        bail!("{findings} new finding(s), saved under fixtures/fuzz/");
    }
    if let Some(report) = reports.iter().find(|r| r.gave_up.is_some()) {
        bail!("gave up on a target: {}", report.gave_up.as_deref().unwrap_or_default());
    }
    Ok(())
}

fn pop(queue: &Mutex<Vec<Target>>) -> Option<Target> {
    let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
    (!queue.is_empty()).then(|| queue.remove(0))
}

/// Runs workers for one target until its time is up, starting a new one
/// whenever one stops early (a hang, or a death).
fn supervise(root: &Path, settings: &Settings, target: Target, scratch: &Path) -> Report {
    let started = Instant::now();
    let deadline = started + settings.budget();
    let mut report = Report { target: Some(target), ..Report::default() };
    let mut quick_deaths = 0;

    for attempt in 0u64.. {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining < Duration::from_secs(1) {
            break;
        }
        let order = WorkerOrder {
            target,
            seconds: remaining.as_secs_f64(),
            seed: settings.seed ^ ((target.index() as u64) << 56) ^ attempt,
            scratch: scratch.to_owned(),
        };
        let worker_started = Instant::now();
        let status = start_worker(&order);
        collect_stats(scratch, target, &mut report);

        match status {
            Ok(Some(0)) => break,
            Ok(Some(HANG_EXIT)) => quick_deaths = 0,
            outcome => {
                let what = match outcome {
                    Ok(code) => format!("exit code {code:?}"),
                    Err(error) => format!("{error:#}"),
                };
                save_dying_input(root, scratch, target, &what, &mut report);
                let quick = worker_started.elapsed() < Duration::from_secs(5);
                quick_deaths = if quick { quick_deaths + 1 } else { 0 };
                if quick_deaths >= MAX_QUICK_DEATHS {
                    report.gave_up =
                        Some(format!("{}: the worker keeps dying ({what})", target.name()));
                    break;
                }
            }
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// Starts a worker and waits for it; `None` as the code means a signal.
fn start_worker(order: &WorkerOrder) -> anyhow::Result<Option<i32>> {
    let exe = std::env::current_exe().context("cannot find the xtask binary")?;
    let status = Command::new(exe)
        .arg("fuzz-worker")
        .args(order.args())
        .status()
        .context("could not start a fuzz worker")?;
    Ok(status.code())
}

/// Adds a finished worker's counters and findings to the report.
fn collect_stats(scratch: &Path, target: Target, report: &mut Report) {
    let stats_path = scratch.join(format!("{}.stats", target.name()));
    let stats = std::fs::read_to_string(&stats_path).unwrap_or_default();
    let numbers: Vec<u64> = stats.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    if let [runs, crashes, hangs] = numbers[..] {
        report.runs += runs;
        report.crashes += crashes;
        report.hangs += hangs;
    }
    let _ = std::fs::remove_file(&stats_path);

    let found_path = scratch.join(format!("{}.found", target.name()));
    let found = std::fs::read_to_string(&found_path).unwrap_or_default();
    report.found.extend(found.lines().map(str::to_owned));
    let _ = std::fs::remove_file(&found_path);
}

/// A worker died without saying why: the input it was running is in its
/// mirror file.
fn save_dying_input(root: &Path, scratch: &Path, target: Target, what: &str, report: &mut Report) {
    let mirror = scratch.join(format!("{}.input", target.name()));
    let Ok(input) = std::fs::read(&mirror) else {
        report.found.push(format!("death\t-\t{what}\tno input was mirrored"));
        return;
    };
    match save_finding(root, target, Finding::Crash, &input) {
        Ok(path) => report.found.push(format!("death\t{}\t{what}\t", path.display())),
        Err(error) => report.found.push(format!("death\t-\t{what}\t{error:#}")),
    }
    report.crashes += 1;
}

fn print_reports(reports: &[Report]) {
    println!();
    println!(
        "{:<10} {:>8} {:>10} {:>9} {:>8} {:>6}",
        "target", "time", "inputs", "execs/s", "crashes", "hangs"
    );
    for report in reports {
        let name = report.target.map_or("?", Target::name);
        let seconds = report.elapsed.as_secs_f64();
        let rate = if seconds > 0.0 { report.runs as f64 / seconds } else { 0.0 };
        let time =
            format!("{}m{:02}s", report.elapsed.as_secs() / 60, report.elapsed.as_secs() % 60);
        println!(
            "{name:<10} {time:>8} {:>10} {rate:>9.1} {:>8} {:>6}",
            report.runs, report.crashes, report.hangs
        );
    }
    for report in reports {
        for line in &report.found {
            let name = report.target.map_or("?", Target::name);
            println!("  {name}: {}", line.replace('\t', "  "));
        }
        if let Some(why) = &report.gave_up {
            println!("  gave up: {why}");
        }
    }
}

// ---------------------------------------------------------------------------
// Targets.

/// What a worker fuzzes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Import,
    Sae,
    Normalize,
    Match,
}

impl Target {
    const ALL: [Target; 4] = [Target::Import, Target::Sae, Target::Normalize, Target::Match];

    fn name(self) -> &'static str {
        match self {
            Target::Import => "import",
            Target::Sae => "sae",
            Target::Normalize => "normalize",
            Target::Match => "match",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The size mutated inputs are cut to.
    fn input_cap(self) -> usize {
        match self {
            Target::Import | Target::Sae => MAX_INPUT,
            Target::Normalize | Target::Match => MAX_TEXT_INPUT,
        }
    }

    fn parse(name: &str) -> anyhow::Result<Target> {
        let found = Target::ALL.into_iter().find(|t| t.name() == name.trim());
        found.with_context(|| format!("unknown fuzz target `{name}`\n{USAGE}"))
    }

    /// Where its findings are saved, and read back as seeds.
    fn findings_dir(self, root: &Path) -> PathBuf {
        root.join("fixtures/fuzz").join(self.name())
    }

    /// The inputs mutation starts from.
    fn seeds(self, root: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
        let mut seeds = match self {
            Target::Import | Target::Sae => {
                let mut files = files_in(&root.join("fixtures/import"))?;
                files.extend(files_in(&root.join("fixtures/sample"))?);
                let exports = files.iter().filter(|p| p.extension().is_none_or(|e| e != "md"));
                exports.map(std::fs::read).collect::<Result<Vec<_>, _>>()?
            }
            Target::Normalize => matching_rows(root)?
                .into_iter()
                .flat_map(|row| row.into_iter().take(2))
                .filter(|text| !text.is_empty())
                .map(String::into_bytes)
                .collect(),
            Target::Match => matching_rows(root)?.iter().enumerate().map(match_seed).collect(),
        };
        // Saved crashes are seeds (a fix nearby may have missed a case);
        // saved hangs are not, since replaying one would stall the worker.
        for path in files_in(&self.findings_dir(root)).unwrap_or_default() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.starts_with("crash-") && name.ends_with(".bin") {
                seeds.push(std::fs::read(&path)?);
            }
        }
        if seeds.is_empty() {
            seeds.push(Vec::new());
        }
        Ok(seeds)
    }
}

fn files_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The data rows of every `fixtures/matching/*.csv`, as fields.
fn matching_rows(root: &Path) -> anyhow::Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for path in files_in(&root.join("fixtures/matching"))? {
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path)?;
            rows.extend(split_csv(&text).into_iter().skip(1));
        }
    }
    Ok(rows)
}

/// Splits CSV text into rows of fields: quotes, doubled quotes inside them,
/// and newlines inside quotes are understood; nothing else is.
fn split_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field).trim_end_matches('\r').to_owned());
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// A `match` input from a labelled row: its fields one per line, a five
/// upper-case letter expense type as the type code (as the evaluation reads
/// it), and on every fourth row the vendor again as a rule term.
fn match_seed((idx, row): (usize, &Vec<String>)) -> Vec<u8> {
    let field = |i: usize| row.get(i).map_or("", String::as_str);
    let expense_type = field(2);
    let is_code = expense_type.len() == 5 && expense_type.bytes().all(|b| b.is_ascii_uppercase());
    let (name, code) = if is_code { ("", expense_type) } else { (expense_type, "") };
    let mut lines = vec![field(0), field(1), name, code, field(3)];
    if idx % 4 == 0 {
        lines.push(field(0));
    }
    lines.join("\n").into_bytes()
}

// ---------------------------------------------------------------------------
// Running one input.

/// Runs inputs for one target and checks what comes out. Every method
/// panics on a finding; the caller catches it.
struct Harness {
    target: Target,
    /// Where each input is written first: the file the import targets open,
    /// and the evidence if the worker dies.
    mirror_path: PathBuf,
    mirror: File,
    matcher: Option<VendorMatcher>,
    empty_catalog: Catalog,
}

impl Harness {
    fn new(target: Target, scratch: &Path) -> anyhow::Result<Harness> {
        let mirror_path = scratch.join(format!("{}.input", target.name()));
        let mirror = File::create(&mirror_path).context("mirror file")?;
        let matcher = match target {
            Target::Match => Some(VendorMatcher::new(&Catalog::builtin()?, &[])?),
            _ => None,
        };
        let empty_catalog = Catalog::from_toml_str("")?;
        Ok(Harness { target, mirror_path, mirror, matcher, empty_catalog })
    }

    /// Runs one input; returns a fingerprint of what happened, so that
    /// inputs reaching somewhere new can be kept.
    fn execute(&mut self, input: &[u8]) -> u64 {
        self.write_mirror(input);
        match self.target {
            Target::Import => self.import(input, &export_option_sets()),
            Target::Sae => self.import(input, &sae_option_sets()),
            Target::Normalize => check_normalize(&String::from_utf8_lossy(input)),
            Target::Match => self.check_match(&String::from_utf8_lossy(input)),
        }
    }

    fn write_mirror(&mut self, input: &[u8]) {
        let written = self.mirror.rewind().and_then(|()| self.mirror.write_all(input));
        let sized = written.and_then(|()| self.mirror.set_len(input.len() as u64));
        sized.expect("the fuzzer's scratch file is writable");
    }

    fn import(&self, input: &[u8], option_sets: &[ImportOptions]) -> u64 {
        let lines = input.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let mut hasher = DefaultHasher::new();
        for options in option_sets {
            read_checked(&self.mirror_path, lines, options).hash(&mut hasher);
        }
        hasher.finish()
    }

    fn check_match(&self, text: &str) -> u64 {
        let matcher = self.matcher.as_ref().expect("the match target has a matcher");
        let (expense, rule_term) = expense_from(text);
        let found = matcher.match_expense(&expense);
        if let Some(found) = &found {
            assert_sound(&expense, found);
        }
        // Longer terms than any person types would only time the automaton
        // builder, which is not what is under test here.
        if !rule_term.is_empty() && rule_term.len() <= 1024 {
            assert_rule_finds_its_own_term(&self.empty_catalog, &rule_term);
        }
        let decision = found.map(|m| (m.rule, m.field, m.app, m.vendor, m.confidence));
        fingerprint(&decision)
    }
}

fn fingerprint(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The `import` target's option sets: all sniffed, then a decimal comma
/// with day-first dates, then the opposite.
fn export_option_sets() -> [ImportOptions; 3] {
    let told = |comma: bool, format: &str| ImportOptions {
        decimal_comma: Some(comma),
        date_format: Some(format.to_owned()),
        ..ImportOptions::default()
    };
    [ImportOptions::default(), told(true, "%d/%m/%Y"), told(false, "%m/%d/%Y")]
}

/// The `sae` target's: SAE forced, as sniffed, then with a decimal comma and
/// an explicit ISO date format.
fn sae_option_sets() -> [ImportOptions; 2] {
    let sae = ImportOptions { format: Some(FileFormat::Sae), ..ImportOptions::default() };
    let told = ImportOptions {
        decimal_comma: Some(true),
        date_format: Some("%Y-%m-%d".to_owned()),
        ..sae.clone()
    };
    [sae, told]
}

/// What one import did, coarsely: enough to tell new behaviour from old.
#[derive(Hash)]
enum ImportShape {
    Refused(String),
    Read { delimiter: u8, encoding: &'static str, expenses: u32, errors: u32, columns: Vec<String> },
}

/// Opens and reads every row, checking that errors name the file and a
/// line it has, that reading ends, and that the summary counts agree.
fn read_checked(path: &Path, lines: u64, options: &ImportOptions) -> ImportShape {
    let mut import = match spendmap_csv_import::open(path, options) {
        Ok(import) => import,
        Err(error) => return refused(path, &error),
    };
    let (mut yielded, mut expenses, mut columns) = (0u64, 0u64, Vec::new());
    for row in import.by_ref() {
        yielded += 1;
        assert!(yielded <= lines, "{yielded} rows from {lines} lines: reading does not end");
        match row {
            Ok(_) => expenses += 1,
            Err(error) => {
                let line = error.line();
                assert!(
                    (1..=lines).contains(&line),
                    "row error on line {line} of {lines}: {error}"
                );
                assert_eq!(error.file(), path, "row error about another file: {error}");
                let place = format!("{}:{line}: ", path.display());
                assert!(error.to_string().starts_with(&place), "row error without place: {error}");
                columns.push(error.column().unwrap_or("-").to_owned());
            }
        }
    }
    assert!(import.next().is_none(), "rows after the end");
    let summary = import.summary();
    assert_eq!(summary.rows_read, yielded, "the summary miscounts rows");
    columns.dedup();
    ImportShape::Read {
        delimiter: summary.delimiter,
        encoding: summary.encoding,
        expenses: bucket(expenses),
        errors: bucket(yielded - expenses),
        columns,
    }
}

fn refused(path: &Path, error: &ImportError) -> ImportShape {
    let message = error.to_string();
    let name = path.display().to_string();
    assert!(message.contains(&name), "error without the file name: {message}");
    let debug = format!("{error:?}");
    let kind = debug.split([' ', '{', '(']).next().unwrap_or_default();
    ImportShape::Refused(kind.to_owned())
}

/// 0, 1, 2, 3, then powers of two: counts that differ only a little are
/// the same behaviour.
fn bucket(n: u64) -> u32 {
    if n < 4 { n as u32 } else { 2 + n.ilog2() }
}

/// Normalises and checks the promised shape; the fingerprint is the
/// sequence of token kinds.
fn check_normalize(text: &str) -> u64 {
    let once = normalize(text);
    assert_normal_form(text, &once);
    let twice = normalize(&once);
    let count = |s: &str| s.split(' ').filter(|t| !t.is_empty()).count();
    assert!(count(&twice) <= count(&once), "a second pass added tokens: {once:?} → {twice:?}");

    let kinds: Vec<u8> = once.split(' ').take(12).map(token_kind).collect();
    fingerprint(&(kinds, bucket(count(&once) as u64)))
}

fn token_kind(token: &str) -> u8 {
    if token.starts_with('.') {
        b'.'
    } else if !token.is_ascii() {
        b'u'
    } else if token.bytes().all(|b| b.is_ascii_digit()) {
        b'd'
    } else if token.bytes().any(|b| b.is_ascii_digit()) {
        b'm'
    } else {
        b'w'
    }
}

/// Panics unless `normalized` is lower-case tokens separated by single
/// spaces, with a dot only at the start of a domain ending.
fn assert_normal_form(input: &str, normalized: &str) {
    let context = || format!("{input:?} became {normalized:?}");
    assert_eq!(normalized.trim(), normalized, "untrimmed: {}", context());
    assert!(!normalized.contains("  "), "double space: {}", context());
    for token in normalized.split(' ').filter(|t| !t.is_empty()) {
        let body = token.strip_prefix('.').unwrap_or(token);
        assert!(!body.is_empty(), "a lone dot: {}", context());
        let bad =
            body.chars().find(|c| c.is_ascii() && !c.is_ascii_lowercase() && !c.is_ascii_digit());
        assert!(bad.is_none(), "{bad:?} in a token: {}", context());
    }
}

/// An expense from lines of text: vendor description, business purpose,
/// expense type, type code and spend category; a sixth line is returned as
/// a rule term.
fn expense_from(text: &str) -> (Expense, String) {
    let mut parts = text.splitn(6, '\n').map(str::to_owned);
    let mut next = || parts.next().unwrap_or_default();
    let date = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a valid date");
    let mut expense = Expense::new(SourceKind::Csv, "fuzz".to_owned(), date, Decimal::ONE);
    expense.vendor_description = next();
    expense.business_purpose = next();
    expense.expense_type = next();
    expense.expense_type_code = next();
    expense.spend_category = next();
    (expense, next())
}

/// Panics unless a decision is one the matcher may make for `expense`.
fn assert_sound(expense: &Expense, found: &spendmap_core::Match) {
    assert!(found.confidence <= 100, "confidence over 100: {found:?}");
    assert!(field_has_text(expense, found.field), "decided on an empty field: {found:?}");
    let consistent = match found.rule {
        RuleKind::Dictionary => found.app.is_some() || found.vendor.is_some(),
        RuleKind::NotSaas | RuleKind::IgnoreRule => found.app.is_none(),
        RuleKind::UserRule => found.app.is_some(),
    };
    assert!(consistent, "inconsistent decision: {found:?}");
}

/// Whether a field has any text left after normalisation; the expense type
/// field is the type's name or its code.
fn field_has_text(expense: &Expense, field: Field) -> bool {
    let has_text = |text: &str| !normalize(text).is_empty();
    match field {
        Field::ExpenseType => {
            has_text(&expense.expense_type) || has_text(&expense.expense_type_code)
        }
        field => has_text(field.text(expense)),
    }
}

/// Panics unless a rule on `term` fires on an expense whose vendor text is
/// that very term.
fn assert_rule_finds_its_own_term(catalog: &Catalog, term: &str) {
    let rule = UserRule {
        id: 1,
        term: term.to_owned(),
        field: Field::VendorDescription,
        app: Some("Fuzz App".to_owned()),
        vendor: None,
    };
    let matcher = match VendorMatcher::new(catalog, &[rule]) {
        Ok(matcher) => matcher,
        Err(MatcherError::EmptyRuleTerm { .. }) => {
            assert!(normalize(term).is_empty(), "refused a rule with a term: {term:?}");
            return;
        }
        Err(error) => panic!("rule {term:?} does not build: {error}"),
    };
    let (mut expense, _) = expense_from("");
    expense.vendor_description = term.to_owned();
    let fired = matcher.match_expense(&expense).map(|m| m.rule);
    assert_eq!(fired, Some(RuleKind::UserRule), "rule {term:?} missed its own term");
}

// ---------------------------------------------------------------------------
// Panics and hangs.

/// The last panic's place and message, recorded by the hook.
static LAST_PANIC: Mutex<Option<(String, String)>> = Mutex::new(None);

/// While set, panics are expected findings and the hook stays quiet.
static QUIET_PANICS: AtomicBool = AtomicBool::new(false);

fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let place =
            info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let message = info.payload_as_str().unwrap_or("(no message)").to_owned();
        *LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner) = Some((place, message));
        if !QUIET_PANICS.load(Ordering::Relaxed) {
            default(info);
        }
    }));
}

fn take_last_panic() -> (String, String) {
    let last = LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner).take();
    last.unwrap_or_else(|| ("?".to_owned(), "(no message)".to_owned()))
}

/// What the executing thread and the watchdog share.
struct Shared {
    epoch: Instant,
    /// Milliseconds since `epoch` when the running input started, plus one;
    /// zero between inputs.
    started: AtomicU64,
    current: Mutex<Vec<u8>>,
    runs: AtomicU64,
    crashes: AtomicU64,
    hangs: AtomicU64,
}

impl Shared {
    fn begin(&self, input: &[u8]) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.clear();
        current.extend_from_slice(input);
        drop(current);
        let now = self.epoch.elapsed().as_millis() as u64 + 1;
        self.started.store(now, Ordering::SeqCst);
    }

    fn end(&self) {
        self.started.store(0, Ordering::SeqCst);
    }

    /// How long the current input has run, if one is running.
    fn running_for(&self) -> Option<Duration> {
        let started = self.started.load(Ordering::SeqCst);
        let now = self.epoch.elapsed().as_millis() as u64 + 1;
        (started != 0).then(|| Duration::from_millis(now.saturating_sub(started)))
    }

    fn write_stats(&self, path: &Path) {
        let load = |n: &AtomicU64| n.load(Ordering::SeqCst);
        let stats = format!("{} {} {}\n", load(&self.runs), load(&self.crashes), load(&self.hangs));
        let _ = std::fs::write(path, stats);
    }
}

/// Watches the executing thread; a hang is saved and ends the process,
/// since a stuck thread cannot be stopped any other way.
fn watchdog(shared: Arc<Shared>, root: PathBuf, scratch: PathBuf, target: Target) {
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let Some(running) = shared.running_for().filter(|t| *t > HANG_AFTER) else {
            continue;
        };
        let input = shared.current.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let saved = save_finding(&root, target, Finding::Hang, &input);
        let file = saved
            .as_ref()
            .map_or_else(|e| format!("(not saved: {e:#})"), |p| p.display().to_string());
        eprintln!(
            "[{}] hang: an input ran {:.1}s; saved {file}",
            target.name(),
            running.as_secs_f64()
        );
        let note = format!("hang\t{file}\t-\tran over {}s\n", HANG_AFTER.as_secs());
        append(&scratch.join(format!("{}.found", target.name())), &note);
        shared.hangs.fetch_add(1, Ordering::SeqCst);
        shared.write_stats(&scratch.join(format!("{}.stats", target.name())));
        std::process::exit(HANG_EXIT);
    }
}

fn append(path: &Path, text: &str) {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path);
    if let Ok(mut file) = file {
        let _ = file.write_all(text.as_bytes());
    }
}

/// What a saved input did.
#[derive(Clone, Copy, Debug)]
enum Finding {
    /// It panicked, or killed the worker.
    Crash,
    /// It ran longer than [`HANG_AFTER`].
    Hang,
}

/// Saves an input as `fixtures/fuzz/<target>/crash-<hash>.bin`, or
/// `hang-<hash>.bin`: hangs are kept apart because a worker must not start
/// by replaying one.
fn save_finding(
    root: &Path,
    target: Target,
    finding: Finding,
    input: &[u8],
) -> anyhow::Result<PathBuf> {
    let dir = target.findings_dir(root);
    std::fs::create_dir_all(&dir)?;
    let prefix = match finding {
        Finding::Crash => "crash",
        Finding::Hang => "hang",
    };
    let path = dir.join(format!("{prefix}-{:016x}.bin", fnv1a(input)));
    std::fs::write(&path, input)?;
    Ok(path)
}

/// A hash that stays the same across Rust versions, for file names.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------
// The worker.

struct Worker {
    target: Target,
    root: PathBuf,
    harness: Harness,
    rng: fastrand::Rng,
    corpus: Vec<Vec<u8>>,
    n_seeds: usize,
    seen: HashSet<u64>,
    /// Panic places already saved, in earlier runs or this one.
    known: HashSet<String>,
    shared: Arc<Shared>,
    stats_path: PathBuf,
    found_path: PathBuf,
}

impl Worker {
    fn new(root: &Path, order: &WorkerOrder) -> anyhow::Result<Worker> {
        let target = order.target;
        let corpus = target.seeds(root)?;
        let shared = Arc::new(Shared {
            epoch: Instant::now(),
            started: AtomicU64::new(0),
            current: Mutex::new(Vec::new()),
            runs: AtomicU64::new(0),
            crashes: AtomicU64::new(0),
            hangs: AtomicU64::new(0),
        });
        Ok(Worker {
            target,
            root: root.to_owned(),
            harness: Harness::new(target, &order.scratch)?,
            rng: fastrand::Rng::with_seed(order.seed),
            n_seeds: corpus.len(),
            corpus,
            seen: HashSet::new(),
            known: HashSet::new(),
            shared,
            stats_path: order.scratch.join(format!("{}.stats", target.name())),
            found_path: order.scratch.join(format!("{}.found", target.name())),
        })
    }

    fn run(mut self, order: &WorkerOrder) -> anyhow::Result<()> {
        install_panic_hook();
        let shared = Arc::clone(&self.shared);
        let (root, scratch, target) = (self.root.clone(), order.scratch.clone(), order.target);
        std::thread::spawn(move || watchdog(shared, root, scratch, target));

        let started = Instant::now();
        let deadline = started + Duration::from_secs_f64(order.seconds);
        self.replay_seeds();
        let mut next_progress = started + PROGRESS_EVERY;
        while Instant::now() < deadline {
            let input = self.next_input();
            self.run_one(input);
            if Instant::now() >= next_progress {
                self.progress(started);
                next_progress += PROGRESS_EVERY;
            }
        }
        self.shared.write_stats(&self.stats_path);
        Ok(())
    }

    /// Runs every seed once, so saved findings that still fail are known
    /// (and not saved again) and the seeds' behaviour is fingerprinted.
    fn replay_seeds(&mut self) {
        for idx in 0..self.n_seeds {
            let input = self.corpus[idx].clone();
            if let Err((place, message)) = self.execute(&input) {
                eprintln!(
                    "[{}] a saved input still fails at {place}: {message}",
                    self.target.name()
                );
                self.known.insert(place);
            }
        }
    }

    fn progress(&self, started: Instant) {
        let runs = self.shared.runs.load(Ordering::SeqCst);
        let elapsed = started.elapsed();
        eprintln!(
            "[{}] {}m{:02}s: {runs} inputs ({:.0}/s), corpus {}, crashes {}",
            self.target.name(),
            elapsed.as_secs() / 60,
            elapsed.as_secs() % 60,
            runs as f64 / elapsed.as_secs_f64(),
            self.corpus.len(),
            self.shared.crashes.load(Ordering::SeqCst)
        );
        self.shared.write_stats(&self.stats_path);
    }

    /// Runs one input under the watchdog; `Err` holds the panic's place
    /// and message.
    fn execute(&mut self, input: &[u8]) -> Result<u64, (String, String)> {
        self.shared.begin(input);
        QUIET_PANICS.store(true, Ordering::Relaxed);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| self.harness.execute(input)));
        QUIET_PANICS.store(false, Ordering::Relaxed);
        self.shared.end();
        result.map_err(|_| take_last_panic())
    }

    fn run_one(&mut self, input: Vec<u8>) {
        self.shared.runs.fetch_add(1, Ordering::Relaxed);
        match self.execute(&input) {
            Ok(fingerprint) => {
                if self.seen.insert(fingerprint) {
                    self.keep(input);
                }
            }
            Err((place, message)) => self.crashed(input, place, &message),
        }
    }

    fn keep(&mut self, input: Vec<u8>) {
        if self.corpus.len() < MAX_CORPUS {
            self.corpus.push(input);
        } else {
            let idx = self.rng.usize(self.n_seeds..self.corpus.len());
            self.corpus[idx] = input;
        }
    }

    /// A new panic place: shrink the input, save it, and say so.
    fn crashed(&mut self, input: Vec<u8>, place: String, message: &str) {
        if !self.known.insert(place.clone()) {
            return;
        }
        let small = self.minimise(input, &place);
        let saved = save_finding(&self.root, self.target, Finding::Crash, &small);
        let file =
            saved.map_or_else(|e| format!("(not saved: {e:#})"), |p| p.display().to_string());
        let message = message.lines().next().unwrap_or_default().to_owned();
        eprintln!("[{}] crash at {place}: {message}\n  saved {file}", self.target.name());
        append(&self.found_path, &format!("crash\t{file}\t{place}\t{message}\n"));
        self.shared.crashes.fetch_add(1, Ordering::SeqCst);
        self.shared.write_stats(&self.stats_path);
    }

    /// Removes chunks, halving their size, while the input still panics at
    /// the same place.
    fn minimise(&mut self, mut input: Vec<u8>, place: &str) -> Vec<u8> {
        let mut attempts = 0;
        let mut chunk = (input.len() / 2).max(1);
        loop {
            let mut start = 0;
            while start < input.len() && attempts < MINIMISE_ATTEMPTS {
                let end = (start + chunk).min(input.len());
                let mut candidate = input[..start].to_vec();
                candidate.extend_from_slice(&input[end..]);
                attempts += 1;
                let same = matches!(self.execute(&candidate), Err((p, _)) if p == place);
                if same {
                    input = candidate;
                } else {
                    start += chunk;
                }
            }
            if chunk == 1 || attempts >= MINIMISE_ATTEMPTS {
                break;
            }
            chunk /= 2;
        }
        input
    }

    fn next_input(&mut self) -> Vec<u8> {
        let base = self.rng.usize(..self.corpus.len());
        let other = self.rng.usize(..self.corpus.len());
        let mut mutator = Mutator { rng: &mut self.rng, cap: self.target.input_cap() };
        mutator.mutate(&self.corpus[base], &self.corpus[other])
    }
}

// ---------------------------------------------------------------------------
// Mutations.

/// Bytes and strings that give files their structure or break it: CSV
/// punctuation, line ends, byte-order marks, bytes that are never UTF-8,
/// multi-byte and odd characters, and fragments of real values.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b";",
    b"|",
    b"\t",
    b"\r",
    b"\n",
    b",",
    b"\r\n",
    b"\xff",
    b"\xfe",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    "é".as_bytes(),
    "€".as_bytes(),
    "\u{a0}".as_bytes(),
    "\u{202f}".as_bytes(),
    "\u{2212}".as_bytes(),
    "İ".as_bytes(),
    "ß".as_bytes(),
    "\u{301}".as_bytes(),
    "\u{fffd}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{200b}".as_bytes(),
    "ｚ".as_bytes(),
    "𝄞".as_bytes(),
    b"EXTRACT|",
    b"DETAIL|",
    b"Total",
    b"Transaction Date",
    b"Vendor",
    b"Amount",
    b"Entry Key",
    b"\"\"",
    b"1,234.56",
    b"1.234,56",
    b"(12.00)",
    b"-",
    b"$",
    b"31/12/2026",
    b"12/31/99",
    b"2026-02-30",
    b"29.02.2025",
    b"10:00 AM",
    b"79228162514264337593543950335",
    b"0.0000000000000000000000000001",
    b"99999999999999999999999999999999999",
    b"SQ *",
    b"PAYPAL *",
    b"APPLE PAY:",
    b".com",
    b".co.uk",
    b" INC",
    b" B.V.",
    b"XXXX1234",
    b"#1042",
    b"888-799-9666",
    b"+1 (",
    b"(((",
    b"...",
    b"***",
];

/// Bytes worth writing over another.
const INTERESTING_BYTES: &[u8] = b"\x00\x7f\x80\xff\xfe\"\n\r,;|\t .0";

struct Mutator<'a> {
    rng: &'a mut fastrand::Rng,
    /// The size inputs are cut to, but for the long-line case.
    cap: usize,
}

impl Mutator<'_> {
    /// One to eight mutations of `base`, some splicing in `other`.
    fn mutate(&mut self, base: &[u8], other: &[u8]) -> Vec<u8> {
        let mut data = base.to_vec();
        let rounds = 1 << self.rng.u32(0..4);
        for _ in 0..rounds {
            self.mutate_once(&mut data, other);
        }
        data.truncate(self.cap);
        if self.rng.u32(0..LONG_LINE_ONE_IN) == 0 {
            self.insert_long_line(&mut data);
        }
        data
    }

    fn mutate_once(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        if data.is_empty() {
            self.insert_token(data);
            return;
        }
        match self.rng.u32(0..100) {
            0..=11 => self.flip_bit(data),
            12..=21 => self.set_byte(data),
            22..=41 => self.insert_token(data),
            42..=49 => self.insert_run(data),
            50..=57 => self.delete_range(data),
            58..=63 => self.duplicate_range(data),
            64..=71 => self.splice(data, other),
            72..=76 => self.truncate(data),
            77..=84 => self.replace_all(data),
            85..=91 => self.swap_lines(data),
            _ => self.overwrite_token(data),
        }
    }

    fn position(&mut self, data: &[u8]) -> usize {
        self.rng.usize(..=data.len())
    }

    /// A length from 1 to `max`, short ones as likely as long ones in
    /// powers of two.
    fn length(&mut self, max: usize) -> usize {
        let max = max.max(1);
        let bits = self.rng.u32(0..=max.ilog2());
        self.rng.usize(1..=(1usize << bits).min(max))
    }

    fn token(&mut self) -> &'static [u8] {
        TOKENS[self.rng.usize(..TOKENS.len())]
    }

    fn flip_bit(&mut self, data: &mut [u8]) {
        let idx = self.rng.usize(..data.len());
        data[idx] ^= 1 << self.rng.u32(0..8);
    }

    fn set_byte(&mut self, data: &mut [u8]) {
        let idx = self.rng.usize(..data.len());
        data[idx] = INTERESTING_BYTES[self.rng.usize(..INTERESTING_BYTES.len())];
    }

    fn insert_token(&mut self, data: &mut Vec<u8>) {
        let at = self.position(data);
        let token = self.token();
        data.splice(at..at, token.iter().copied());
    }

    fn overwrite_token(&mut self, data: &mut Vec<u8>) {
        let at = self.rng.usize(..data.len());
        let token = self.token();
        let end = (at + token.len()).min(data.len());
        data.splice(at..end, token.iter().copied());
    }

    /// A token or byte repeated up to 64 Ki times.
    fn insert_run(&mut self, data: &mut Vec<u8>) {
        let unit: Vec<u8> = match self.rng.bool() {
            true => self.token().to_vec(),
            false => vec![INTERESTING_BYTES[self.rng.usize(..INTERESTING_BYTES.len())]],
        };
        let times = self.length(64 * 1024 / unit.len().max(1));
        let at = self.position(data);
        data.splice(at..at, unit.repeat(times));
    }

    /// The long-line case: more than the importer's record limit without a
    /// newline, of letters, digits, quotes or delimiters.
    fn insert_long_line(&mut self, data: &mut Vec<u8>) {
        let filler = [b'a', b'7', b'"', b',', b';', b' '][self.rng.usize(..6)];
        let len = RECORD_LIMIT + self.rng.usize(1..=64 * 1024);
        let at = self.position(data);
        data.splice(at..at, std::iter::repeat_n(filler, len));
    }

    fn delete_range(&mut self, data: &mut Vec<u8>) {
        let start = self.rng.usize(..data.len());
        let len = self.length(data.len() - start);
        data.drain(start..start + len);
    }

    fn duplicate_range(&mut self, data: &mut Vec<u8>) {
        let start = self.rng.usize(..data.len());
        let len = self.length(data.len() - start);
        let chunk = data[start..start + len].to_vec();
        let at = self.position(data);
        data.splice(at..at, chunk);
    }

    /// A piece of another input, inserted or replacing this one's tail.
    fn splice(&mut self, data: &mut Vec<u8>, other: &[u8]) {
        if other.is_empty() {
            return;
        }
        let start = self.rng.usize(..other.len());
        let len = self.length(other.len() - start);
        let piece = &other[start..start + len];
        let at = self.position(data);
        if self.rng.bool() {
            data.truncate(at);
            data.extend_from_slice(piece);
        } else {
            data.splice(at..at, piece.iter().copied());
        }
    }

    fn truncate(&mut self, data: &mut Vec<u8>) {
        let at = self.rng.usize(..data.len());
        data.truncate(at);
    }

    /// Every occurrence of one structural byte becomes another: a comma file
    /// turns into a semicolon file, or its line ends into bare returns.
    fn replace_all(&mut self, data: &mut [u8]) {
        const STRUCTURE: &[u8] = b",;|\t\n\r\"'. ";
        let from = STRUCTURE[self.rng.usize(..STRUCTURE.len())];
        let to = STRUCTURE[self.rng.usize(..STRUCTURE.len())];
        for byte in data.iter_mut().filter(|b| **b == from) {
            *byte = to;
        }
    }

    fn swap_lines(&mut self, data: &mut Vec<u8>) {
        let mut lines: Vec<&[u8]> = data.split_inclusive(|b| *b == b'\n').collect();
        if lines.len() < 2 {
            return;
        }
        let (a, b) = (self.rng.usize(..lines.len()), self.rng.usize(..lines.len()));
        lines.swap(a, b);
        *data = lines.concat();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_splitter_understands_quotes() {
        let rows = split_csv("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x\n");
        assert_eq!(rows, vec![vec!["a", "b, c", "say \"hi\""], vec!["multi\nline", "x"]]);
    }

    #[test]
    fn mutations_stay_within_the_cap_and_vary() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut mutator = Mutator { rng: &mut rng, cap: MAX_INPUT };
        let base = b"Transaction Date,Vendor,Amount\n2026-03-01,Acme,1.50\n";
        let mut distinct = HashSet::new();
        for _ in 0..2000 {
            let input = mutator.mutate(base, b"other");
            assert!(input.len() <= MAX_INPUT + RECORD_LIMIT + 64 * 1024);
            distinct.insert(input);
        }
        assert!(distinct.len() > 1500);
    }

    #[test]
    fn settings_parse() {
        let args: Vec<String> =
            ["--minutes", "0.5", "--target", "import,match"].map(str::to_owned).to_vec();
        let settings = Settings::parse(&args).unwrap();
        assert_eq!(settings.targets, vec![Target::Import, Target::Match]);
        assert!(Settings::parse(&["--target".to_owned(), "nope".to_owned()]).is_err());
    }

    #[test]
    fn every_target_has_seeds() {
        let root = crate::workspace_root();
        for target in Target::ALL {
            assert!(target.seeds(&root).unwrap().len() > 5, "{}", target.name());
        }
    }
}
