//! `spendmap import`: files in, matched expenses stored, counts out.

use crate::cli::{ImportArgs, ReportArgs, Shape};
use crate::output::say;
use crate::progress::Progress;
use crate::{commands::report, context};
use anyhow::{Context, anyhow, bail};
use spendmap_core::{
    ExpenseSource, ExpenseStore, ExpenseWriter, Matcher, StoredMatch, WriteCounts,
};
use spendmap_csv_import::{FileFormat, FileImport, ImportOptions, ImportSummary, Role};
use spendmap_storage::Store;
use std::path::Path;
use std::sync::Arc;
use tracing::Instrument;

/// What happened to one file.
#[derive(Debug, Default)]
struct FileOutcome {
    /// Rows that became expenses.
    good: u64,
    written: WriteCounts,
    bad_rows: Vec<String>,
    decisions: DecisionCounts,
    without_currency: u64,
}

/// How the matcher's decisions fell: the same three states the review
/// queue shows.
#[derive(Debug, Default, Clone, Copy)]
struct DecisionCounts {
    matched: u64,
    /// Decided not to be SaaS spend (travel, meals, retail, ignore rules).
    not_saas: u64,
    /// Undecided and not personal: what `expenses --unmatched` lists.
    review: u64,
    /// Undecided and personal: not company spend, so never reviewed.
    personal: u64,
}

impl std::ops::AddAssign for DecisionCounts {
    fn add_assign(&mut self, other: DecisionCounts) {
        self.matched += other.matched;
        self.not_saas += other.not_saas;
        self.review += other.review;
        self.personal += other.personal;
    }
}

/// A batch on its way to the writer. The reading side leaves it unmatched
/// when the writer is waiting for work (see [`ReadSide::run`]).
struct Batch {
    rows: Vec<StoredMatch>,
    matched: bool,
}

/// Decides every row of `rows` and counts the decisions: counted, decided
/// not to count (the catalog or an ignore rule), or waiting for a person
/// (personal expenses never wait: they are not company spend).
fn decide(matcher: &context::AppMatcher, rows: &mut [StoredMatch]) -> DecisionCounts {
    let mut counts = DecisionCounts::default();
    for (expense, decision) in rows {
        *decision = matcher.match_expense(expense);
        match decision {
            Some(found) if found.counts() => counts.matched += 1,
            Some(_) => counts.not_saas += 1,
            None if expense.personal => counts.personal += 1,
            None => counts.review += 1,
        }
    }
    counts
}

/// Imports every file, each in its own transaction. A file that fails is
/// reported and the others still go in; the command fails at the end if
/// any file did.
pub(crate) async fn run(store: &Store, args: &ImportArgs, quiet: bool) -> anyhow::Result<()> {
    let options = import_options(args)?;
    let catalog = context::catalog()?;
    let matcher = Arc::new(context::matcher(store, &catalog).await?);

    let mut failed = Vec::new();
    for path in &args.files {
        let span = tracing::info_span!("import", file = %path.display());
        let imported = import_file(store, &matcher, path, &options, args.skip_bad_rows, quiet)
            .instrument(span)
            .await;
        match imported {
            Ok(()) => {}
            Err(err) if args.files.len() == 1 => return Err(err),
            Err(err) => {
                eprintln!("error: {}", crate::one_line(&err));
                failed.push(path.display().to_string());
            }
        }
    }

    if args.report {
        say("")?;
        report::run(
            store,
            &ReportArgs { by: Default::default(), app: None, format: Default::default() },
        )
        .await?;
    }
    match failed.len() {
        0 => Ok(()),
        n => bail!("{n} of {} files not imported: {}", args.files.len(), failed.join(", ")),
    }
}

/// Parsing and matching run on a blocking thread while this task writes
/// the previous batch, so on two cores the file goes in nearly twice as
/// fast. Matching goes to whichever side has time: the reading side sends
/// a batch unmatched when the writer has nothing queued, and the writer
/// matches it before writing. The channel holds two batches, so memory
/// stays flat however big the file.
async fn import_file(
    store: &Store,
    matcher: &Arc<context::AppMatcher>,
    path: &Path,
    options: &ImportOptions,
    skip_bad_rows: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    // Import errors already name the file (and line and column).
    let source = spendmap_csv_import::open(path, options)?;
    let mut writer = store.writer().await?;
    let mut progress = Progress::new(&path.display().to_string(), "rows", quiet);

    let (batches, mut received) = tokio::sync::mpsc::channel(BATCHES_IN_FLIGHT);
    let (written_back, used) = std::sync::mpsc::channel();
    let read = ReadSide { matcher: Arc::clone(matcher), path: path.to_owned(), skip_bad_rows };
    let producer = tokio::task::spawn_blocking(move || read.run(source, &batches, &used));

    let mut written = WriteCounts::default();
    let mut decided_here = DecisionCounts::default();
    let consumed: anyhow::Result<()> = async {
        while let Some(Batch { rows: mut batch, matched }) = received.recv().await {
            if !matched {
                decided_here += decide(matcher, &mut batch);
            }
            written += writer.write(&batch).await?;
            progress.add(batch.len() as u64);
            // Freeing a batch's strings costs the writer a tenth of its
            // time; the reading side, which allocated them, has time to
            // spare. A closed channel only means it has finished.
            let _ = written_back.send(batch);
        }
        Ok(())
    }
    .await;
    // A failed write stops the reader at its next batch.
    drop(received);
    let (source, mut outcome) = producer.await.context("the reading thread failed")??;
    consumed?;

    outcome.written = written;
    outcome.decisions += decided_here;
    writer.commit().await.with_context(|| format!("could not store `{}`", path.display()))?;
    progress.finish();
    print_outcome(path, &outcome, &source)
}

/// Batches waiting for the writer at most.
const BATCHES_IN_FLIGHT: usize = 2;

/// Rows per batch handed to the writer: large enough that PostgreSQL's
/// per-batch round trips (copy, merge, clear) vanish against the rows,
/// small enough that the batches in flight stay a few megabytes.
const IMPORT_BATCH_ROWS: usize = 5_000;

/// The reading half of an import: parse, match, hand over in batches.
struct ReadSide {
    matcher: Arc<context::AppMatcher>,
    path: std::path::PathBuf,
    skip_bad_rows: bool,
}

impl ReadSide {
    /// Reads the whole file unless the writer goes away; returns the
    /// source (for its summary) and the counts. Batches the writer has
    /// finished with come back on `used`, to be emptied here and reused.
    ///
    /// A full batch is matched here unless the writer has nothing queued:
    /// then the writer is waiting (a re-import, where writing is a
    /// fingerprint check), and matching on its side keeps both threads
    /// busy. A first import keeps the channel full, so this side, which
    /// has time to spare, matches everything.
    fn run(
        self,
        mut source: FileImport,
        batches: &tokio::sync::mpsc::Sender<Batch>,
        used: &std::sync::mpsc::Receiver<Vec<StoredMatch>>,
    ) -> anyhow::Result<(FileImport, FileOutcome)> {
        let mut outcome = FileOutcome::default();
        let mut batch = Vec::with_capacity(IMPORT_BATCH_ROWS);
        let next_batch = || match used.try_recv() {
            Ok(mut old) => {
                old.clear();
                old
            }
            Err(_) => Vec::with_capacity(IMPORT_BATCH_ROWS),
        };

        while let Some(item) = source.next_expense() {
            let expense = match item {
                Ok(expense) => expense,
                Err(err) if self.skip_bad_rows => {
                    outcome.bad_rows.push(err.to_string());
                    continue;
                }
                Err(err) => bail!(
                    "{err} (nothing from `{}` was stored; fix the row or pass --skip-bad-rows)",
                    self.path.display()
                ),
            };

            outcome.good += 1;
            outcome.without_currency += u64::from(expense.currency.is_empty());
            batch.push((expense, None));
            if batch.len() == IMPORT_BATCH_ROWS {
                let mut rows = std::mem::replace(&mut batch, next_batch());
                let writer_waiting = batches.capacity() == batches.max_capacity();
                if !writer_waiting {
                    outcome.decisions += decide(&self.matcher, &mut rows);
                }
                let full = Batch { rows, matched: !writer_waiting };
                if batches.blocking_send(full).is_err() {
                    return Ok((source, outcome));
                }
            }
        }
        if !batch.is_empty() {
            outcome.decisions += decide(&self.matcher, &mut batch);
            let _ = batches.blocking_send(Batch { rows: batch, matched: true });
        }
        Ok((source, outcome))
    }
}

fn print_outcome(path: &Path, outcome: &FileOutcome, source: &FileImport) -> anyhow::Result<()> {
    for bad in &outcome.bad_rows {
        eprintln!("skipped: {bad}");
    }

    let written = outcome.written;
    let bad = outcome.bad_rows.len() as u64;
    say(&format!(
        "{}: {} read, {} stored ({} new, {} changed, {} already there), {} skipped; \
         {} SaaS, {} not SaaS, {} left for review",
        path.display(),
        plural(outcome.good + bad, "row"),
        written.inserted + written.updated + written.unchanged,
        written.inserted,
        written.updated,
        written.unchanged,
        plural(bad, "bad row"),
        outcome.decisions.matched,
        outcome.decisions.not_saas,
        outcome.decisions.review,
    ))?;
    if outcome.decisions.personal > 0 {
        // Otherwise the three counts above fall short of the rows stored
        // with nothing to say why.
        say(&format!(
            "  personal and undecided, so not in the review queue: {}",
            plural(outcome.decisions.personal, "expense")
        ))?;
    }

    let summary = source.summary();
    tracing::info!(
        format = %summary.format,
        encoding = summary.encoding,
        delimiter = %char::from(summary.delimiter).escape_default(),
        decimal_comma = summary.decimal_comma,
        date_format = %summary.date_format,
        header_line = summary.header_line,
        "how the file was read"
    );
    tracing::info!(unused = ?summary.unused_columns, "columns no role reads");
    for warning in file_warnings(summary) {
        eprintln!("warning: {}: {warning}", path.display());
    }
    if let Some((stated, found)) = summary.sae_count_mismatch() {
        eprintln!(
            "warning: {}: the EXTRACT line promises {stated} detail lines but the file has {found}",
            path.display()
        );
    }
    if summary.repeated_entry_ids > 0 {
        eprintln!(
            "warning: {}: {} an entry id an earlier row already had; only the last row of each \
             id is kept (allocation or itemisation lines exported one per row look like this)",
            path.display(),
            plural(summary.repeated_entry_ids, "row has"),
        );
    }
    if outcome.without_currency > 0 {
        eprintln!(
            "warning: {}: {} no currency; their totals are reported under an empty currency \
             (map a column with --column currency=HEADER)",
            path.display(),
            plural(outcome.without_currency, "row has"),
        );
    }

    let not_rows = [
        (summary.title_lines_skipped, "title line"),
        (summary.subtotal_lines_skipped, "subtotal line"),
        (summary.footer_lines_skipped, "total or footer line"),
    ];
    let not_rows: Vec<String> =
        not_rows.iter().filter(|(n, _)| *n > 0).map(|(n, what)| plural(*n, what)).collect();
    if not_rows.is_empty() {
        return Ok(());
    }
    say(&format!("  not expenses, skipped: {}", not_rows.join(", ")))
}

/// What the user should know about how a whole file was read.
fn file_warnings(summary: &ImportSummary) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(line) = summary.read_as_windows_1252_from_line {
        warnings.push(format!(
            "line {line} is not UTF-8, so the whole file was read as Windows-1252; \
             pass --encoding if it is in another encoding"
        ));
    }
    if summary.format != FileFormat::ReportExport {
        return warnings;
    }

    let has = |role: Role| summary.columns.iter().any(|(r, _)| *r == role);
    let unused = if summary.unused_columns.is_empty() {
        String::new()
    } else {
        format!(" (columns not used: {})", summary.unused_columns.join(", "))
    };
    if !has(Role::Employee) && !has(Role::EmployeeName) {
        warnings.push(format!(
            "no employee column found{unused}; map one with --column employee-name=HEADER"
        ));
    }
    if !has(Role::EntryId) {
        warnings.push(
            "no entry id column, so rows are known by their content: a re-export in which a \
             row was corrected adds it as a new expense instead of changing the old one"
                .to_owned(),
        );
    }
    warnings
}

/// `1 row`, `2 rows`; `1 row has`, `2 rows have`.
fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        return format!("1 {what}");
    }
    match what.strip_suffix(" has") {
        Some(noun) => format!("{n} {noun}s have"),
        None => format!("{n} {what}s"),
    }
}

/// Flags to importer options, checked before any file is opened.
fn import_options(args: &ImportArgs) -> anyhow::Result<ImportOptions> {
    let columns = args
        .columns
        .iter()
        .map(|spec| ImportOptions::parse_column(spec).map_err(|err| anyhow!("--column: {err}")))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let decimal_comma = match (args.decimal_comma, args.decimal_point) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let format = args.shape.map(|shape| match shape {
        Shape::Export => FileFormat::ReportExport,
        Shape::Sae => FileFormat::Sae,
    });

    Ok(ImportOptions {
        encoding: args.encoding.clone(),
        delimiter: args.delimiter,
        decimal_comma,
        date_format: args.date_format.clone(),
        columns,
        format,
    })
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn plurals_read_as_english() {
        assert_eq!(plural(1, "bad row"), "1 bad row");
        assert_eq!(plural(3, "bad row"), "3 bad rows");
        assert_eq!(plural(0, "title line"), "0 title lines");
        assert_eq!(plural(1, "row has"), "1 row has");
        assert_eq!(plural(2, "row has"), "2 rows have");
    }
}
