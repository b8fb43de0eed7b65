//! `spendmap sync`: new and changed Concur reports in, matched, stored,
//! page by page, resumable.
//!
//! Each page of reports is fetched with its entries, then written in one
//! transaction together with the cursor that says which page comes next.
//! A sync killed anywhere therefore restarts at the first page it had not
//! stored, and since every write is an upsert, a page stored twice changes
//! nothing. Entries Concur no longer lists under a report are removed, so
//! a resumed or repeated sync ends with the same rows as a clean one.

use crate::cli::SyncArgs;
use crate::commands::connect::{self, CONCUR};
use crate::context;
use crate::output::say;
use crate::progress::Progress;
use anyhow::Context;
use chrono::{NaiveDateTime, Utc};
use spendmap_concur_api::{
    ClientConfig, ConcurClient, Entry, Page, Report, RetryPolicy, SyncCursor,
};
use spendmap_core::{
    ConnectionStore, ExpenseStore, ExpenseWriter, Matcher, SourceKind, WriteCounts,
};
use spendmap_storage::{Store, StoreWriter};
use std::time::Duration;

/// Skipped entries named one by one before the rest are only counted.
const SKIPS_NAMED: usize = 5;

/// What one sync did.
#[derive(Debug, Default)]
struct Totals {
    pages: u64,
    reports_new: u64,
    reports_changed: u64,
    reports_unchanged: u64,
    expenses: WriteCounts,
    removed: u64,
    matched: u64,
    not_saas: u64,
    undecided: u64,
    skipped: Vec<String>,
}

pub(crate) async fn run(store: &Store, args: &SyncArgs, quiet: bool) -> anyhow::Result<()> {
    if let Some(since) = args.since
        && since > Utc::now().date_naive()
    {
        anyhow::bail!("--since {since} is in the future; give a past date (YYYY-MM-DD)");
    }
    let config = ClientConfig {
        timeout: Duration::from_secs(args.timeout),
        retry: RetryPolicy { max_attempts: args.max_attempts, ..RetryPolicy::default() },
        concurrency: usize::from(args.concurrency),
        page_size: args.page_size,
        ..ClientConfig::default()
    };
    // Before the stored refresh token is read: a sync running meanwhile
    // would rotate it under this one.
    let _lock = store
        .lock_sync(CONCUR, || {
            if !quiet {
                eprintln!("another sync of this database is running; waiting for it to finish");
            }
        })
        .await
        .context("could not take the sync lock")?;
    let (client, connection) = connect::resume(store, config).await?;
    let catalog = context::catalog()?;
    let matcher = context::matcher(store, &catalog).await?;
    tracing::info!(data_centre = %connection.data_centre, "syncing Concur");

    let stored = store.sync_cursor(CONCUR).await.context("could not read the sync cursor")?;
    let mut cursor = SyncCursor::from_stored(stored.as_deref());
    let resuming = plan(&mut cursor, args, &client, quiet).await;

    let mut totals = Totals::default();
    let mut progress = Progress::new("Concur", "reports", quiet);
    let synced =
        sync_pages(store, &client, &matcher, &mut cursor, resuming, &mut totals, &mut progress)
            .await;
    progress.finish();
    synced.with_context(|| stopped_note(&totals))?;

    print_totals(&totals, quiet)
}

/// Decide where this run starts; `true` when it resumes an unfinished one.
async fn plan(
    cursor: &mut SyncCursor,
    args: &SyncArgs,
    client: &ConcurClient,
    quiet: bool,
) -> bool {
    let asked = args.since.and_then(|day| day.and_hms_opt(0, 0, 0));
    if !args.full
        && asked.is_none()
        && let Some(run) = &cursor.run
    {
        if !quiet {
            eprintln!("resuming the sync that stopped after {} pages of reports", run.pages_done);
        }
        return true;
    }

    let since = match (asked, args.full, cursor.watermark) {
        (Some(since), _, _) => since,
        (None, false, Some(watermark)) => watermark,
        _ => one_year_ago(),
    };
    cursor.start(Some(since), client.reports_url(Some(since)).await.to_string(), args.full);
    tracing::info!(%since, "asking Concur for the reports modified after");
    false
}

fn one_year_ago() -> NaiveDateTime {
    let today = Utc::now().date_naive();
    let start = today.checked_sub_signed(chrono::Duration::days(365)).unwrap_or(today);
    start.and_hms_opt(0, 0, 0).unwrap_or_default()
}

async fn sync_pages(
    store: &Store,
    client: &ConcurClient,
    matcher: &context::AppMatcher,
    cursor: &mut SyncCursor,
    mut resuming: bool,
    totals: &mut Totals,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    while let Some(run) = &cursor.run {
        let page = match client.reports_page(&run.next_page).await {
            Ok(page) => page,
            // A stored next-page link can go stale (Concur's offset tokens
            // are opaque); start that run over rather than give up.
            Err(err)
                if resuming && err.status().is_some_and(|status| (400..500).contains(&status)) =>
            {
                eprintln!(
                    "warning: could not resume where the last sync stopped ({err}); starting that sync over"
                );
                let (since, resets) = (run.since, run.resets_watermark);
                cursor.start(since, client.reports_url(since).await.to_string(), resets);
                resuming = false;
                continue;
            }
            Err(err) => return Err(err).context("could not read a page of reports"),
        };
        resuming = false;

        let entries =
            client.entries_of(&page.items).await.context("could not read a report's entries")?;
        store_page(store, matcher, cursor, &page, &entries, totals).await?;
        progress.add(page.items.len() as u64);
    }
    Ok(())
}

/// One page of reports, its entries and the cursor after it, in one
/// transaction.
async fn store_page(
    store: &Store,
    matcher: &context::AppMatcher,
    cursor: &mut SyncCursor,
    page: &Page<Report>,
    entries: &[Vec<Entry>],
    totals: &mut Totals,
) -> anyhow::Result<()> {
    let mut writer = store.writer().await?;
    for (report, entries) in page.items.iter().zip(entries) {
        store_report(&mut writer, matcher, report, entries, totals).await?;
    }

    let newest = page.items.iter().filter_map(|report| report.last_modified_date).max();
    cursor.page_stored(newest, page.next());
    writer.set_sync_cursor(CONCUR, &cursor.to_stored()).await?;
    writer.commit().await.context("could not store a page of reports")?;
    totals.pages += 1;
    tracing::debug!(pages = totals.pages, reports = page.items.len(), "page stored");
    Ok(())
}

async fn store_report(
    writer: &mut StoreWriter,
    matcher: &context::AppMatcher,
    report: &Report,
    entries: &[Entry],
    totals: &mut Totals,
) -> anyhow::Result<()> {
    let Some(report_id) = report.id.as_deref().filter(|id| !id.is_empty()) else {
        totals.skipped.push("a report came without an ID".to_owned());
        return Ok(());
    };

    let mut batch = Vec::with_capacity(entries.len());
    for entry in entries {
        match entry.to_expense(report) {
            Ok(expense) => {
                let decision = matcher.match_expense(&expense);
                count_decision(decision.as_ref(), expense.personal, totals);
                batch.push((expense, decision));
            }
            Err(skip) => totals.skipped.push(skip.to_string()),
        }
    }

    let counts = writer.write(&batch).await?;
    // Entries skipped for want of content keep whatever was stored for them.
    let keep: Vec<&str> = entries.iter().filter_map(|entry| entry.id.as_deref()).collect();
    let removed = writer.remove_report_entries_except(SourceKind::Concur, report_id, &keep).await?;

    totals.expenses += counts;
    totals.removed += removed;
    let touched = counts.inserted + counts.updated + removed;
    if counts.inserted > 0 && touched == counts.inserted && counts.unchanged == 0 {
        totals.reports_new += 1;
    } else if touched > 0 {
        totals.reports_changed += 1;
    } else {
        totals.reports_unchanged += 1;
    }
    Ok(())
}

/// Counted, decided not to count (catalog or ignore rule), or waiting for
/// review; personal expenses never wait.
fn count_decision(decision: Option<&spendmap_core::Match>, personal: bool, totals: &mut Totals) {
    match decision {
        Some(found) if found.counts() => totals.matched += 1,
        Some(_) => totals.not_saas += 1,
        None if personal => {}
        None => totals.undecided += 1,
    }
}

fn stopped_note(totals: &Totals) -> String {
    match totals.pages {
        0 => "sync stopped before storing anything".to_owned(),
        pages => format!(
            "sync stopped after storing {pages} pages of reports; run `spendmap sync` again to \
             go on from there"
        ),
    }
}

fn print_totals(totals: &Totals, quiet: bool) -> anyhow::Result<()> {
    let named = if quiet { 0 } else { SKIPS_NAMED };
    for skipped in totals.skipped.iter().take(named) {
        eprintln!("warning: skipped: {skipped}");
    }
    if !quiet && totals.skipped.len() > SKIPS_NAMED {
        eprintln!(
            "warning: skipped {} more entries without content",
            totals.skipped.len() - SKIPS_NAMED
        );
    }

    let reports = totals.reports_new + totals.reports_changed + totals.reports_unchanged;
    let expenses = totals.expenses;
    say(&format!(
        "synced Concur: {reports} reports ({} new, {} changed, {} unchanged); \
         {} expenses ({} new, {} changed, {} unchanged, {} removed); \
         {} SaaS, {} not SaaS, {} left for review",
        totals.reports_new,
        totals.reports_changed,
        totals.reports_unchanged,
        expenses.inserted + expenses.updated + expenses.unchanged,
        expenses.inserted,
        expenses.updated,
        expenses.unchanged,
        totals.removed,
        totals.matched,
        totals.not_saas,
        totals.undecided,
    ))
}
