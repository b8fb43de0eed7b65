//! `spendmap import`: files in, matched expenses stored, counts out.

use crate::cli::{ImportArgs, ReportArgs, Shape};
use crate::progress::Progress;
use crate::{commands::report, context};
use anyhow::{Context, anyhow};
use spendmap_core::{ExpenseSource, ExpenseStore, ExpenseWriter, Matcher, WriteCounts};
use spendmap_csv_import::{FileFormat, ImportOptions};
use spendmap_matcher::VendorMatcher;
use spendmap_storage::{BATCH_ROWS, Store};
use std::path::Path;

/// What happened to one file.
#[derive(Debug, Default)]
struct FileOutcome {
    read: u64,
    written: WriteCounts,
    bad_rows: Vec<String>,
    matched: u64,
}

pub(crate) async fn run(store: &Store, args: &ImportArgs, quiet: bool) -> anyhow::Result<()> {
    let options = import_options(args)?;
    let catalog = context::catalog()?;
    let matcher = context::matcher(store, &catalog).await?;

    for path in &args.files {
        import_file(store, &matcher, path, &options, args.skip_bad_rows, quiet).await?;
    }

    if args.report {
        println!();
        report::run(store, &ReportArgs { by: Default::default(), format: Default::default() })
            .await?;
    }
    Ok(())
}

async fn import_file(
    store: &Store,
    matcher: &VendorMatcher,
    path: &Path,
    options: &ImportOptions,
    skip_bad_rows: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let _span = tracing::info_span!("import", file = %path.display()).entered();
    // Import errors already name the file (and line and column).
    let mut source = spendmap_csv_import::open(path, options)?;
    let mut writer = store.writer().await?;
    let mut progress = Progress::new(&path.display().to_string(), quiet);
    let mut outcome = FileOutcome::default();
    let mut batch = Vec::with_capacity(BATCH_ROWS);

    while let Some(item) = source.next_expense() {
        let expense = match item {
            Ok(expense) => expense,
            Err(err) if skip_bad_rows => {
                outcome.bad_rows.push(err.to_string());
                continue;
            }
            Err(err) => {
                return Err(anyhow!(
                    "{err} (nothing from `{}` was stored; fix the row or pass --skip-bad-rows)",
                    path.display()
                ));
            }
        };

        outcome.read += 1;
        let decision = matcher.match_expense(&expense);
        outcome.matched += u64::from(decision.as_ref().is_some_and(|m| m.counts()));
        batch.push((expense, decision));
        if batch.len() == BATCH_ROWS {
            outcome.written += writer.write(&batch).await?;
            progress.add(batch.len() as u64);
            batch.clear();
        }
    }
    outcome.written += writer.write(&batch).await?;
    writer.commit().await.with_context(|| format!("could not store `{}`", path.display()))?;
    progress.finish();

    print_outcome(path, &outcome, &source);
    Ok(())
}

fn print_outcome(path: &Path, outcome: &FileOutcome, source: &spendmap_csv_import::FileImport) {
    for bad in &outcome.bad_rows {
        eprintln!("skipped: {bad}");
    }

    let summary = source.summary();
    let written = outcome.written;
    println!(
        "{}: {} rows read, {} stored ({} new, {} changed, {} already there), \
         {} bad rows skipped, {} matched",
        path.display(),
        outcome.read,
        written.inserted + written.updated + written.unchanged,
        written.inserted,
        written.updated,
        written.unchanged,
        outcome.bad_rows.len(),
        outcome.matched,
    );
    tracing::info!(?summary, "file read");
    if let Some((stated, found)) = summary.sae_count_mismatch() {
        eprintln!(
            "warning: {}: the EXTRACT line promises {stated} detail lines but the file has {found}",
            path.display()
        );
    }
    let not_rows = [
        (summary.title_lines_skipped, "title lines above the header"),
        (summary.subtotal_lines_skipped, "subtotal lines"),
        (summary.footer_lines_skipped, "total and footer lines"),
    ];
    let not_rows: Vec<String> =
        not_rows.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
    if !not_rows.is_empty() {
        println!("  skipped as not expenses: {}", not_rows.join(", "));
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
