//! `docs/benchmarks.md`: every stage with its median and spread, every
//! goal as a ratio to a baseline of the same run, met or missed.

use super::Settings;
use super::measure::Timing;
use super::stages::{Results, SizeResults};
use std::fmt::Write as _;
use std::time::Duration;

pub(crate) fn render(settings: &Settings, results: &Results, command: &[String]) -> String {
    let mut page = String::new();
    let _ = writeln!(page, "# Benchmarks\n");
    let _ = writeln!(
        page,
        "Written by `cargo xtask bench` (here: `{}`), {} runs per figure unless a row says \
         otherwise: median, then min–max. Ratios divide by a baseline timed in the same run, so \
         they carry over to other machines; absolute times are this machine's. Inputs are \
         generated Concur report exports (16 columns, about 35% SaaS lines drawn from the whole \
         catalog under card-statement noise) in `{}`.\n",
        command.iter().skip(1).cloned().collect::<Vec<_>>().join(" "),
        settings.runs,
        settings.scratch.display()
    );
    let _ = writeln!(
        page,
        "Catalog: {} apps, {} automaton patterns (aliases, domains, descriptors, gate and context \
         words).\n",
        results.apps, results.patterns
    );

    let _ = writeln!(
        page,
        "What each stage does, what limits it now and what was tried: `docs/performance.md`.\n"
    );
    goals(&mut page, results);
    for size in &results.sizes {
        stages(&mut page, size);
    }
    peers(&mut page, results);
    sync(&mut page, results);
    startup(&mut page, results);
    page
}

fn goals(page: &mut String, results: &Results) {
    let _ = writeln!(page, "## Goals\n");
    let _ = writeln!(page, "| goal | measured | target | met |\n|---|---:|---:|:---:|");
    let largest = results.sizes.iter().filter(|s| s.kernel.is_some()).max_by_key(|s| s.rows);
    let one_million = results.sizes.iter().find(|s| s.rows == 1_000_000).or(largest);

    if let Some(size) = largest {
        if let (Some(kernel), Some(memchr)) = (&size.kernel, &size.memchr_text) {
            let rate = size.rows as f64 / kernel.secs();
            goal(
                page,
                "matching kernel / memchr over the text bytes",
                ratio(kernel, memchr),
                60.0,
                false,
            );
            goal_value(page, "matching kernel, records/s", rate / 1e6, "M", 2.0, true);
        }
        if let (Some(full), Some(kernel)) = (&size.normalize_match, &size.kernel) {
            goal(page, "normalise + match / kernel", ratio(full, kernel), 2.0, false);
        }
    }
    if let Some(size) = one_million {
        let rows = size.rows;
        if let (Some(import), Some(memchr)) = (&size.import, &size.memchr_file) {
            goal(
                page,
                &format!("import {rows} rows / memchr over the file"),
                ratio(&import.timing, memchr),
                400.0,
                false,
            );
            goal_value(
                page,
                &format!("import {rows} rows, seconds"),
                import.timing.secs(),
                "s",
                4.0,
                false,
            );
        }
        if let (Some(again), Some(memchr)) = (&size.reimport, &size.memchr_file) {
            goal(
                page,
                &format!("re-import {rows} rows / memchr over the file"),
                ratio(&again.timing, memchr),
                200.0,
                false,
            );
            goal_value(
                page,
                &format!("re-import {rows} rows, seconds"),
                again.timing.secs(),
                "s",
                2.0,
                false,
            );
        }
        if let (Some(pg), Some(copy)) = (&size.pg_import, &size.pg_copy) {
            goal(
                page,
                &format!("PostgreSQL import {rows} rows / psql \\copy of the export's rows"),
                ratio(&pg.timing, copy),
                1.5,
                false,
            );
        }
        if let (Some(pg), Some(copy)) = (&size.pg_import, &size.pg_copy_stored) {
            goal(
                page,
                &format!(
                    "PostgreSQL import {rows} rows / psql \\copy of the stored rows into the \
                     indexed table (context, see below)"
                ),
                ratio(&pg.timing, copy),
                1.5,
                false,
            );
        }
    }
    let ten = results.sizes.iter().find(|s| s.rows == 10_000_000);
    if let (Some(ten), Some(one)) = (ten, results.sizes.iter().find(|s| s.rows == 1_000_000))
        && let (Some(a), Some(b)) = (&ten.import, &one.import)
    {
        goal(page, "import 10M / import 1M", ratio(&a.timing, &b.timing), 11.0, false);
        // Streaming means flat memory; a quarter more allows for the
        // allocator's and SQLite's caches settling at a different size.
        let memory = a.peak_rss_kb as f64 / b.peak_rss_kb.max(1) as f64;
        goal(
            page,
            &format!(
                "import peak RSS 10M / 1M ({:.0} MB / {:.0} MB)",
                a.peak_rss_kb as f64 / 1024.0,
                b.peak_rss_kb as f64 / 1024.0
            ),
            memory,
            1.25,
            false,
        );
    }
    if let Some(sync) = &results.sync {
        let overhead = overhead_per_report(sync);
        goal_value(page, "sync overhead per report beyond latency, ms", overhead, "ms", 5.0, false);
    }
    if let Some(startup) = &results.startup {
        goal_value(
            page,
            "start-up (catalog + automaton), ms",
            startup.secs() * 1e3,
            "ms",
            50.0,
            false,
        );
    }
    if let Some(peers) = &results.peers {
        goal(
            page,
            "speed-up over a naive Rust loop",
            ratio(&peers.naive_rust, &peers.ours),
            50.0,
            true,
        );
        if let Some(python) = &peers.python {
            goal(page, "speed-up over a Python loop", ratio(python, &peers.ours), 300.0, true);
        }
    }
    let _ = writeln!(page);
}

fn goal(page: &mut String, what: &str, measured: f64, target: f64, at_least: bool) {
    let met = if at_least { measured >= target } else { measured <= target };
    let sign = if at_least { "≥" } else { "≤" };
    let _ = writeln!(page, "| {what} | {measured:.1}× | {sign} {target}× | {} |", mark(met));
}

fn goal_value(
    page: &mut String,
    what: &str,
    measured: f64,
    unit: &str,
    target: f64,
    at_least: bool,
) {
    let met = if at_least { measured >= target } else { measured <= target };
    let sign = if at_least { "≥" } else { "≤" };
    let _ = writeln!(
        page,
        "| {what} | {measured:.2} {unit} | {sign} {target} {unit} | {} |",
        mark(met)
    );
}

fn mark(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

fn ratio(a: &Timing, b: &Timing) -> f64 {
    a.secs() / b.secs().max(1e-9)
}

fn stages(page: &mut String, size: &SizeResults) {
    // Sizes too big to hold in memory skip the in-memory stages, and with
    // them the count of matching text.
    let text = match size.text_bytes {
        0 => "imported only, not held in memory".to_owned(),
        bytes => format!("{:.1} MB of matching text", bytes as f64 / 1e6),
    };
    let _ = writeln!(
        page,
        "## {} rows ({:.1} MB file, {text})\n",
        size.rows,
        size.file_bytes as f64 / 1e6
    );
    let _ = writeln!(
        page,
        "| stage | median | min–max | rows/s | × memchr (file) |\n|---|---:|---:|---:|---:|"
    );
    let memchr = size.memchr_file.as_ref();
    let mut row = |name: &str, timing: Option<&Timing>| {
        let Some(timing) = timing else { return };
        let times = memchr.map_or_else(String::new, |m| format!("{:.0}", ratio(timing, m)));
        let _ = writeln!(
            page,
            "| {name} | {} | {}–{} | {:.0} | {times} |",
            show(timing.median),
            show(timing.min),
            show(timing.max),
            size.rows as f64 / timing.secs()
        );
    };
    row("baseline: memchr over the file", size.memchr_file.as_ref());
    row("baseline: memchr over the matching text", size.memchr_text.as_ref());
    row("baseline: csv `ByteRecord` loop", size.csv_records.as_ref());
    row("CSV read (csv-import: sniff, decode, parse, types)", size.csv_read.as_ref());
    row("matching kernel (normalised text, automaton, decision)", size.kernel.as_ref());
    row("normalise + match", size.normalize_match.as_ref());
    row(
        "baseline: raw SQLite insert (rusqlite, prepared, one transaction, no index)",
        size.sqlite_raw.as_ref(),
    );
    row("`spendmap import` into a new SQLite file", size.import.as_ref().map(|r| &r.timing));
    row("`spendmap import` of the same file again", size.reimport.as_ref().map(|r| &r.timing));
    row("`spendmap import` into PostgreSQL", size.pg_import.as_ref().map(|r| &r.timing));
    row("`spendmap import` into PostgreSQL again", size.pg_reimport.as_ref().map(|r| &r.timing));
    row(
        "baseline: `psql \\copy` of the export's rows (text columns, no index)",
        size.pg_copy.as_ref(),
    );
    row(
        "baseline: `psql \\copy` of the stored rows into a table like `expense`, indexes and all",
        size.pg_copy_stored.as_ref(),
    );
    let _ = writeln!(page);
    for (name, run) in [
        ("import", &size.import),
        ("re-import", &size.reimport),
        ("PostgreSQL import", &size.pg_import),
        ("PostgreSQL re-import", &size.pg_reimport),
    ] {
        if let Some(run) = run {
            let _ = writeln!(
                page,
                "- {name}: peak RSS {:.1} MB; said `{}`",
                run.peak_rss_kb as f64 / 1024.0,
                run.said.lines().next().unwrap_or_default()
            );
        }
    }
    let _ = writeln!(page);
}

fn peers(page: &mut String, results: &Results) {
    let Some(peers) = &results.peers else { return };
    let _ = writeln!(page, "## Peers ({} rows, {} catalog terms)\n", peers.rows, peers.terms);
    let _ = writeln!(
        page,
        "spendmap's side is timed at least {} times, each peer {} times at most.\n",
        super::stages::OWN_PEER_RUNS,
        super::stages::PEER_RUNS
    );
    let _ = writeln!(
        page,
        "| matcher | median | min–max | rows/s | × spendmap |\n|---|---:|---:|---:|---:|"
    );
    let mut row = |name: &str, timing: &Timing| {
        let _ = writeln!(
            page,
            "| {name} | {} | {}–{} | {:.0} | {:.1} |",
            show(timing.median),
            show(timing.min),
            show(timing.max),
            peers.rows as f64 / timing.secs(),
            ratio(timing, &peers.ours)
        );
    };
    row("spendmap normalise + match", &peers.ours);
    row("naive Rust: `to_lowercase` + `contains` per term", &peers.naive_rust);
    if let Some(python) = &peers.python {
        row("Python: `in` per term", python);
    }
    let _ = writeln!(page);
}

fn overhead_per_report(sync: &super::stages::SyncResult) -> f64 {
    let extra = sync.timing.median.saturating_sub(sync.ideal);
    extra.as_secs_f64() * 1e3 / sync.reports as f64
}

fn sync(page: &mut String, results: &Results) {
    let Some(sync) = &results.sync else { return };
    let _ = writeln!(
        page,
        "## Sync ({} reports × {} entries, {} ms latency per request)\n",
        sync.reports,
        sync.entries / sync.reports.max(1),
        sync.latency_ms
    );
    let _ = writeln!(
        page,
        "`spendmap sync` took {} (min {}, max {}). It sent {} report pages and {} entry pages; at \
         {} ms each, one report page at a time and four reports' entries at a time, the requests \
         alone take {}. The rest, {:.2} ms per report, is the client: parsing, matching, \
         storing (one transaction per page of reports) and start-up.\n",
        show(sync.timing.median),
        show(sync.timing.min),
        show(sync.timing.max),
        sync.report_pages,
        sync.entry_pages,
        sync.latency_ms,
        show(sync.ideal),
        overhead_per_report(sync)
    );
}

fn startup(page: &mut String, results: &Results) {
    let _ = writeln!(page, "## Start-up\n");
    if let Some(timing) = &results.startup {
        let _ = writeln!(
            page,
            "- catalog parse and automaton build, in process: {} (min {}, max {})",
            show(timing.median),
            show(timing.min),
            show(timing.max)
        );
    }
    if let Some(timing) = &results.startup_process {
        let _ = writeln!(
            page,
            "- `spendmap apps zoom --format json`, a whole process: {} (min {}, max {})",
            show(timing.median),
            show(timing.min),
            show(timing.max)
        );
    }
}

fn show(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 1e-3 {
        format!("{:.1} ms", secs * 1e3)
    } else {
        format!("{:.0} µs", secs * 1e6)
    }
}
