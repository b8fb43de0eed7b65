//! The stages and their baselines. In-process stages call the libraries;
//! import, re-import and sync run the release `spendmap` binary as a user
//! would, so their times include start-up, parsing, matching and the
//! database.

use super::Settings;
use super::data;
use super::measure::{Timing, time_runs};
use anyhow::{Context, bail};
use spendmap_core::{Expense, Matcher};
use spendmap_csv_import::ImportOptions;
use spendmap_matcher::{Catalog, NormalizedExpense, VendorMatcher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Rows the naive peers run on; their time is scaled to the full file.
const PEER_ROWS: usize = 10_000;

/// Largest size whose parsed expenses are held in memory for the
/// in-process stages.
const IN_MEMORY_LIMIT: usize = 1_000_000;

/// Everything one bench run measured.
#[derive(Debug, Default)]
pub(crate) struct Results {
    pub(crate) apps: usize,
    pub(crate) patterns: usize,
    pub(crate) startup: Option<Timing>,
    pub(crate) startup_process: Option<Timing>,
    pub(crate) sizes: Vec<SizeResults>,
    pub(crate) peers: Option<Peers>,
    pub(crate) sync: Option<SyncResult>,
}

/// Stages on one export size.
#[derive(Debug, Default)]
pub(crate) struct SizeResults {
    pub(crate) rows: usize,
    pub(crate) file_bytes: u64,
    pub(crate) text_bytes: u64,
    pub(crate) memchr_file: Option<Timing>,
    pub(crate) memchr_text: Option<Timing>,
    pub(crate) csv_records: Option<Timing>,
    pub(crate) csv_read: Option<Timing>,
    pub(crate) kernel: Option<Timing>,
    pub(crate) normalize_match: Option<Timing>,
    pub(crate) sqlite_raw: Option<Timing>,
    pub(crate) import: Option<ProcessRun>,
    pub(crate) reimport: Option<ProcessRun>,
    pub(crate) pg_import: Option<ProcessRun>,
    pub(crate) pg_reimport: Option<ProcessRun>,
    pub(crate) pg_copy: Option<Timing>,
    pub(crate) pg_copy_stored: Option<Timing>,
}

/// A timed `spendmap` process with its peak memory.
#[derive(Debug, Clone)]
pub(crate) struct ProcessRun {
    pub(crate) timing: Timing,
    pub(crate) peak_rss_kb: u64,
    /// The summary line of the last run (shows what was stored).
    pub(crate) said: String,
}

/// The naive peers, on the first `PEER_ROWS` rows of the largest in-memory
/// size, against spendmap on the same rows.
#[derive(Debug)]
pub(crate) struct Peers {
    pub(crate) rows: usize,
    pub(crate) ours: Timing,
    pub(crate) naive_rust: Timing,
    pub(crate) python: Option<Timing>,
    pub(crate) terms: usize,
}

/// The sync of a simulated tenant.
#[derive(Debug)]
pub(crate) struct SyncResult {
    pub(crate) reports: usize,
    pub(crate) entries: usize,
    pub(crate) latency_ms: u64,
    pub(crate) timing: Timing,
    /// What the requests alone cost at that latency, sent as the client
    /// sends them (report pages one by one, entries four reports at once).
    pub(crate) ideal: Duration,
    pub(crate) report_pages: u64,
    pub(crate) entry_pages: u64,
}

pub(crate) fn run_all(settings: &Settings) -> anyhow::Result<Results> {
    let catalog = Catalog::builtin().context("the built-in catalog")?;
    let matcher = VendorMatcher::new(&catalog, &[]).context("the matcher")?;
    let mut results = Results {
        apps: catalog.apps().len(),
        patterns: matcher.pattern_count(),
        ..Results::default()
    };

    eprintln!("bench: start-up");
    results.startup = Some(time_runs(settings.runs.max(5), true, || {
        let catalog = Catalog::builtin()?;
        Ok(VendorMatcher::new(&catalog, &[])?.pattern_count())
    })?);
    results.startup_process = Some(time_runs(settings.runs.max(5), true, || {
        run_spendmap(settings, None, &["apps", "zoom", "--format", "json"])
    })?);

    let mut sizes = settings.sizes.clone();
    if settings.big {
        sizes.push(10_000_000);
    }
    for &rows in &sizes {
        let size = measure_size(settings, &catalog, &matcher, rows)?;
        results.sizes.push(size);
    }

    let peer_source = sizes.iter().copied().filter(|&rows| rows >= PEER_ROWS).min();
    if let Some(rows) = peer_source {
        eprintln!("bench: naive peers on {PEER_ROWS} rows");
        results.peers = Some(peers(settings, &catalog, &matcher, &export_path(settings, rows))?);
    }
    if settings.sync {
        eprintln!("bench: sync from the simulator");
        results.sync = Some(sync(settings)?);
    }
    Ok(results)
}

fn export_path(settings: &Settings, rows: usize) -> PathBuf {
    settings.scratch.join(format!("export-{rows}.csv"))
}

fn measure_size(
    settings: &Settings,
    catalog: &Catalog,
    matcher: &VendorMatcher,
    rows: usize,
) -> anyhow::Result<SizeResults> {
    let path = export_path(settings, rows);
    if !path.exists() {
        eprintln!("bench: generating {rows} rows");
        data::write_export(&path, rows, catalog)?;
    }
    let runs = settings.runs;
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut size = SizeResults { rows, file_bytes: bytes.len() as u64, ..SizeResults::default() };

    eprintln!("bench: {rows} rows: baselines");
    size.memchr_file = Some(time_runs(runs, true, || Ok(memchr::memchr(0, &bytes)))?);
    size.csv_records = Some(time_runs(runs, true, || csv_records(&bytes))?);
    drop(bytes);

    if rows <= IN_MEMORY_LIMIT {
        eprintln!("bench: {rows} rows: read, normalise, match");
        size.csv_read = Some(time_runs(runs, true, || Ok(read_expenses(&path)?.len()))?);
        let expenses = read_expenses(&path)?;
        let text = text_bytes(&expenses);
        size.text_bytes = text.len() as u64;
        size.memchr_text = Some(time_runs(runs, true, || Ok(memchr::memchr(0, &text)))?);
        size.normalize_match =
            Some(time_runs(runs, true, || Ok(count_matches(matcher, &expenses)))?);
        let normalized: Vec<_> = expenses.iter().map(|e| matcher.normalize_expense(e)).collect();
        size.kernel = Some(time_runs(runs, true, || {
            Ok(count_kernel_matches(matcher, &expenses, &normalized))
        })?);
        drop(normalized);
        drop(expenses);
        size.sqlite_raw = Some(sqlite_raw(settings, &path, runs)?);
    }

    eprintln!("bench: {rows} rows: spendmap import into SQLite");
    let db = settings.scratch.join(format!("import-{rows}.db"));
    size.import = Some(import_runs(settings, &path, &Target::Sqlite(db.clone()), runs, true)?);
    size.reimport = Some(import_runs(settings, &path, &Target::Sqlite(db), runs, false)?);

    if let Some(server) = &settings.postgres
        && rows <= IN_MEMORY_LIMIT
    {
        eprintln!("bench: {rows} rows: PostgreSQL");
        let database = format!("spendmap_bench_{rows}");
        let target = Target::Postgres { server: server.clone(), database };
        size.pg_import = Some(import_runs(settings, &path, &target, runs, true)?);
        size.pg_reimport = Some(import_runs(settings, &path, &target, runs, false)?);
        size.pg_copy = Some(psql_copy(settings, &path, server, runs)?);
        size.pg_copy_stored = Some(psql_copy_stored(settings, &target, runs)?);
    }
    Ok(size)
}

/// A bare csv pass: one reused `ByteRecord`, no decoding, no types.
fn csv_records(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut count = 0;
    while reader.read_byte_record(&mut record)? {
        count += record.len();
    }
    Ok(count)
}

fn read_expenses(path: &Path) -> anyhow::Result<Vec<Expense>> {
    let import = spendmap_csv_import::open(path, &ImportOptions::default())?;
    let mut expenses = Vec::new();
    for expense in import {
        expenses.push(expense?);
    }
    Ok(expenses)
}

/// The four matching fields of every expense, one after another: what
/// the matcher scans.
fn text_bytes(expenses: &[Expense]) -> Vec<u8> {
    let mut text = Vec::new();
    for e in expenses {
        for field in
            [&e.vendor_description, &e.business_purpose, &e.expense_type, &e.spend_category]
        {
            text.extend_from_slice(field.as_bytes());
            text.push(b'\n');
        }
    }
    text
}

fn count_matches(matcher: &VendorMatcher, expenses: &[Expense]) -> usize {
    expenses.iter().filter(|e| matcher.match_expense(e).is_some()).count()
}

/// The kernel: decisions from texts normalised beforehand.
fn count_kernel_matches(
    matcher: &VendorMatcher,
    expenses: &[Expense],
    normalized: &[NormalizedExpense],
) -> usize {
    expenses
        .iter()
        .zip(normalized)
        .filter(|(e, n)| matcher.match_normalized(e, n).is_some())
        .count()
}

/// Where an import writes.
enum Target {
    Sqlite(PathBuf),
    Postgres { server: String, database: String },
}

impl Target {
    fn location(&self) -> String {
        match self {
            Target::Sqlite(path) => path.display().to_string(),
            Target::Postgres { server, database } => {
                let (prefix, _) = server.rsplit_once('/').unwrap_or((server, ""));
                format!("{prefix}/{database}")
            }
        }
    }

    fn reset(&self) -> anyhow::Result<()> {
        match self {
            Target::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm", ".sync-lock"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    let _ = std::fs::remove_file(file);
                }
                Ok(())
            }
            Target::Postgres { server, database } => {
                psql(server, &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))?;
                psql(server, &format!("CREATE DATABASE {database}"))
            }
        }
    }
}

/// Time `spendmap import`: into a fresh database each run (`fresh`), or
/// again into the one the previous import filled.
fn import_runs(
    settings: &Settings,
    file: &Path,
    target: &Target,
    runs: usize,
    fresh: bool,
) -> anyhow::Result<ProcessRun> {
    let file = file.display().to_string();
    let location = target.location();
    let args = ["-q", "import", file.as_str()];
    let mut samples = Vec::new();
    let mut peak = 0;
    let mut said = String::new();
    if !fresh {
        target.reset()?;
        measured_process(settings, &location, &args)?;
    }
    for _ in 0..runs {
        if fresh {
            target.reset()?;
        }
        let (took, rss, output) = measured_process(settings, &location, &args)?;
        samples.push(took);
        peak = peak.max(rss);
        said = output;
    }
    Ok(ProcessRun { timing: Timing::from_samples(samples), peak_rss_kb: peak, said })
}

/// Run spendmap under `/usr/bin/time` for its peak memory.
fn measured_process(
    settings: &Settings,
    db: &str,
    args: &[&str],
) -> anyhow::Result<(Duration, u64, String)> {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "peak-rss-kb %M"])
        .arg(&settings.spendmap)
        .args(["--db", db])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("could not run /usr/bin/time spendmap")?;
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("spendmap {args:?} failed: {stderr}");
    }
    let rss = stderr
        .lines()
        .find_map(|line| line.strip_prefix("peak-rss-kb "))
        .and_then(|kb| kb.trim().parse().ok())
        .unwrap_or(0);
    Ok((took, rss, String::from_utf8_lossy(&output.stdout).trim().to_owned()))
}

fn run_spendmap(settings: &Settings, db: Option<&str>, args: &[&str]) -> anyhow::Result<()> {
    let mut command = Command::new(&settings.spendmap);
    if let Some(db) = db {
        command.args(["--db", db]);
    }
    let output = command.args(args).stdin(Stdio::null()).output().context("running spendmap")?;
    if !output.status.success() {
        bail!("spendmap {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

fn psql(server: &str, sql: &str) -> anyhow::Result<()> {
    let output = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", server, "-c", sql])
        .output()
        .context("could not run psql")?;
    if !output.status.success() {
        bail!("psql `{sql}` failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// `psql \copy` of the same rows into a fresh table of text columns.
fn psql_copy(
    settings: &Settings,
    export: &Path,
    server: &str,
    runs: usize,
) -> anyhow::Result<Timing> {
    let plain = settings.scratch.join("plain-copy.csv");
    data::write_plain_copy(export, &plain)?;
    let columns: Vec<String> =
        (0..data::HEADER.split(',').count()).map(|n| format!("c{n} text")).collect();
    let create = format!(
        "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy ({})",
        columns.join(", ")
    );
    let copy = format!("\\copy bench_copy FROM '{}' CSV HEADER", plain.display());

    // The table is made afresh before each run, outside the timing.
    let mut samples = Vec::new();
    for _ in 0..runs {
        psql(server, &create)?;
        let started = Instant::now();
        psql(server, &copy)?;
        samples.push(started.elapsed());
    }
    psql(server, "DROP TABLE IF EXISTS bench_copy")?;
    Ok(Timing::from_samples(samples))
}

/// `psql \copy` of the rows an import stored (all 26 columns, decisions
/// included), copied out of `target` beforehand, into a new table made
/// like `expense` with all its indexes: what PostgreSQL itself needs to
/// take in those rows, with no idempotency and no matching.
fn psql_copy_stored(settings: &Settings, target: &Target, runs: usize) -> anyhow::Result<Timing> {
    let Target::Postgres { .. } = target else {
        bail!("the stored-row copy needs PostgreSQL");
    };
    let database = target.location();
    let stored = settings.scratch.join("stored-rows.txt");
    let columns = "source, source_id, report_id, report_name, employee_id, employee_name, date, \
        vendor_description, business_purpose, expense_type, expense_type_code, spend_category, \
        payment_type, amount_e4, currency, transaction_amount_e4, transaction_currency, \
        personal, app, app_vendor, matched_by, matched_field, matched_term, confidence, \
        match_reason, content_hash";
    let out = format!("\\copy (SELECT {columns} FROM expense) TO '{}'", stored.display());
    psql(&database, &out)?;

    let create = "DROP TABLE IF EXISTS bench_stored; \
        CREATE TABLE bench_stored (LIKE expense INCLUDING ALL)";
    let copy = format!("\\copy bench_stored ({columns}) FROM '{}'", stored.display());
    let mut samples = Vec::new();
    for _ in 0..runs {
        psql(&database, create)?;
        let started = Instant::now();
        psql(&database, &copy)?;
        samples.push(started.elapsed());
    }
    psql(&database, "DROP TABLE IF EXISTS bench_stored")?;
    let _ = std::fs::remove_file(&stored);
    Ok(Timing::from_samples(samples))
}

/// The raw SQLite baseline: the same rows, parsed beforehand, inserted
/// one by one through one prepared statement (rusqlite) in one
/// transaction, WAL and `synchronous = NORMAL` as spendmap uses; no
/// matching, no upsert and no index.
fn sqlite_raw(settings: &Settings, export: &Path, runs: usize) -> anyhow::Result<Timing> {
    let plain = settings.scratch.join("plain-raw.csv");
    data::write_plain_copy(export, &plain)?;
    let mut reader = csv::Reader::from_path(&plain)?;
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()?;
    let width = rows.first().map_or(0, Vec::len);
    let columns: Vec<String> = (0..width).map(|n| format!("c{n} TEXT")).collect();
    let placeholders = vec!["?"; width].join(", ");
    let db_path = settings.scratch.join("raw.db");

    let mut samples = Vec::new();
    for _ in 0..runs {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
        }
        let mut db = rusqlite::Connection::open(&db_path)?;
        db.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE raw ({})",
            columns.join(", ")
        ))?;

        let started = Instant::now();
        let txn = db.transaction()?;
        {
            let mut insert = txn.prepare(&format!("INSERT INTO raw VALUES ({placeholders})"))?;
            for row in &rows {
                insert.execute(rusqlite::params_from_iter(row))?;
            }
        }
        txn.commit()?;
        samples.push(started.elapsed());
    }
    let _ = std::fs::remove_file(&plain);
    Ok(Timing::from_samples(samples))
}

/// The peers: a naive Rust loop (`to_lowercase` + `contains` over every
/// catalog term) and the same loop in Python, on the first rows of
/// `export`, against spendmap's normalise + match on the same rows.
/// Runs of each slow peer.
pub(crate) const PEER_RUNS: usize = 3;

/// Runs of spendmap's own side of the peer comparison, at least.
pub(crate) const OWN_PEER_RUNS: usize = 25;

fn peers(
    settings: &Settings,
    catalog: &Catalog,
    matcher: &VendorMatcher,
    export: &Path,
) -> anyhow::Result<Peers> {
    let mut expenses = read_expenses(export)?;
    expenses.truncate(PEER_ROWS);
    let terms = catalog_terms(catalog);
    let runs = settings.runs;

    // Ours takes about 10 ms, where one hiccup of a shared machine moves a
    // median of five; more runs cost nothing next to the peers' seconds.
    let ours = time_runs(runs.max(OWN_PEER_RUNS), true, || Ok(count_matches(matcher, &expenses)))?;
    let naive_rust = time_runs(runs.min(PEER_RUNS), false, || {
        let mut hits = 0;
        for e in &expenses {
            let hay = format!(
                "{}\n{}\n{}\n{}",
                e.vendor_description, e.business_purpose, e.expense_type, e.spend_category
            )
            .to_lowercase();
            hits += usize::from(terms.iter().any(|term| hay.contains(term.as_str())));
        }
        Ok(hits)
    })?;
    let python = python_peer(settings, &expenses, &terms, runs.min(PEER_RUNS)).ok();
    Ok(Peers { rows: expenses.len(), ours, naive_rust, python, terms: terms.len() })
}

/// Every app term in the catalog, lower-cased: names, domains, aliases,
/// descriptors.
fn catalog_terms(catalog: &Catalog) -> Vec<String> {
    let mut terms = Vec::new();
    for app in catalog.apps() {
        terms.push(app.name.to_lowercase());
        if !app.domain.is_empty() {
            terms.push(app.domain.to_lowercase());
        }
        terms.extend(app.aliases.iter().map(|a| a.to_lowercase()));
        terms.extend(app.descriptors.iter().map(|d| d.to_lowercase()));
    }
    terms.sort();
    terms.dedup();
    terms
}

const PYTHON_PEER: &str = r#"
import csv, sys, time
terms = [line.rstrip("\n") for line in open(sys.argv[1], encoding="utf-8")]
rows = list(csv.reader(open(sys.argv[2], encoding="utf-8", newline="")))
started = time.perf_counter()
hits = 0
for row in rows:
    hay = "\n".join(row).lower()
    for term in terms:
        if term in hay:
            hits += 1
            break
print(time.perf_counter() - started, hits)
"#;

fn python_peer(
    settings: &Settings,
    expenses: &[Expense],
    terms: &[String],
    runs: usize,
) -> anyhow::Result<Timing> {
    let script = settings.scratch.join("peer.py");
    let terms_file = settings.scratch.join("peer-terms.txt");
    let rows_file = settings.scratch.join("peer-rows.csv");
    std::fs::write(&script, PYTHON_PEER)?;
    std::fs::write(&terms_file, terms.join("\n"))?;
    let mut writer = csv::Writer::from_path(&rows_file)?;
    for e in expenses {
        writer.write_record([
            &e.vendor_description,
            &e.business_purpose,
            &e.expense_type,
            &e.spend_category,
        ])?;
    }
    writer.flush()?;

    let mut samples = Vec::new();
    for _ in 0..runs {
        let output =
            Command::new("python3").arg(&script).arg(&terms_file).arg(&rows_file).output()?;
        if !output.status.success() {
            bail!("python3 failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let secs: f64 = text.split_whitespace().next().unwrap_or("").parse()?;
        samples.push(Duration::from_secs_f64(secs));
    }
    Ok(Timing::from_samples(samples))
}

/// Sync 1,000 reports of 25 entries from the simulator with 20 ms of
/// latency on every request.
fn sync(settings: &Settings) -> anyhow::Result<SyncResult> {
    use spendmap_concur_sim::{Faults, SimConfig, Simulator, Tenant};
    const REPORTS: usize = 1_000;
    const ENTRIES: usize = 25;
    const LATENCY_MS: u64 = 20;
    const CONCURRENCY: u64 = 4;

    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let mut tenant = Tenant::generated(REPORTS, ENTRIES, 2026);
    tenant.rebase_to_today();
    let config = SimConfig {
        faults: Faults { latency_ms: LATENCY_MS, ..Faults::default() },
        ..SimConfig::default()
    };
    let sim = runtime.block_on(Simulator::start(config.clone(), tenant))?;
    let db = settings.scratch.join("sync.db");
    let target = Target::Sqlite(db.clone());
    let location = db.display().to_string();

    let mut samples = Vec::new();
    let mut pages = (0, 0);
    for _ in 0..settings.runs {
        target.reset()?;
        let connect = Command::new(&settings.spendmap)
            .args(["--db", &location, "connect", "concur", "--base-uri", &sim.base_url()])
            .args(["--client-id", &config.client_id, "--username", "wsadmin@example.test"])
            .env("CONCUR_CLIENT_SECRET", &config.client_secret)
            .env("CONCUR_PASSWORD", "sim-password-1")
            .env("SPENDMAP_KEY", "ab".repeat(32))
            .output()?;
        if !connect.status.success() {
            bail!("connect failed: {}", String::from_utf8_lossy(&connect.stderr));
        }
        let before = sim.stats();
        let started = Instant::now();
        let output = Command::new(&settings.spendmap)
            .args(["--db", &location, "-q", "sync", "--since", "2020-01-01"])
            .env("SPENDMAP_KEY", "ab".repeat(32))
            .output()?;
        samples.push(started.elapsed());
        if !output.status.success() {
            bail!("sync failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let after = sim.stats();
        pages = (after.report_pages - before.report_pages, after.entry_pages - before.entry_pages);
    }
    let ideal = Duration::from_millis(LATENCY_MS * (pages.0 + pages.1.div_ceil(CONCURRENCY)));
    Ok(SyncResult {
        reports: REPORTS,
        entries: REPORTS * ENTRIES,
        latency_ms: LATENCY_MS,
        timing: Timing::from_samples(samples),
        ideal,
        report_pages: pages.0,
        entry_pages: pages.1,
    })
}

/// `bench-loop STAGE ROWS SECONDS`: repeats one in-memory stage for a
/// while and says how long each pass took, so that `perf record` sees
/// nothing but that stage. STAGE is `open` (find the header, survey the rows), `read`, `normalize`, `kernel` or
/// `match` (normalise + match).
pub(crate) fn run_loop(
    settings: &Settings,
    stage: &str,
    rows: usize,
    secs: f64,
) -> anyhow::Result<()> {
    let catalog = Catalog::builtin().context("the built-in catalog")?;
    let matcher = VendorMatcher::new(&catalog, &[]).context("the matcher")?;
    let path = export_path(settings, rows);
    if !path.exists() {
        data::write_export(&path, rows, &catalog)?;
    }
    let expenses = read_expenses(&path)?;
    let normalized: Vec<_> = expenses.iter().map(|e| matcher.normalize_expense(e)).collect();

    let started = Instant::now();
    let mut passes = 0u32;
    while started.elapsed().as_secs_f64() < secs {
        let pass = Instant::now();
        let found = match stage {
            "read" => read_expenses(&path)?.len(),
            "open" => {
                spendmap_csv_import::open(&path, &ImportOptions::default())?.summary().columns.len()
            }
            "normalize" => expenses.iter().fold(0, |n, e| {
                std::hint::black_box(matcher.normalize_expense(e));
                n + 1
            }),
            "kernel" => count_kernel_matches(&matcher, &expenses, &normalized),
            "match" => count_matches(&matcher, &expenses),
            _ => bail!("bench-loop knows read, normalize, kernel and match, not {stage}"),
        };
        passes += 1;
        eprintln!("{stage}: pass {passes}: {:?} ({found})", pass.elapsed());
    }
    Ok(())
}
