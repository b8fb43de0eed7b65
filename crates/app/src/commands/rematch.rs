//! `spendmap match`: decide again for every stored expense, after the
//! rules or the catalog changed.

use crate::context;
use crate::output::say;
use crate::progress::Progress;
use anyhow::Context;
use spendmap_core::{ExpenseFilter, ExpenseStore, ExpenseWriter, Matcher, WriteCounts};
use spendmap_storage::{BATCH_ROWS, Store};

/// Re-match everything in one transaction; returns how many decisions
/// changed and how many expenses are now matched.
pub(crate) async fn rematch_all(store: &Store, quiet: bool) -> anyhow::Result<(u64, u64)> {
    let catalog = context::catalog()?;
    let matcher = context::matcher(store, &catalog).await?;
    let mut writer = store.writer().await?;
    let mut progress = Progress::new("matching", "expenses", quiet);
    let mut counts = WriteCounts::default();
    let mut matched = 0;
    let mut filter = ExpenseFilter { limit: Some(BATCH_ROWS as u64), ..ExpenseFilter::default() };

    loop {
        let page = store.expenses(&filter).await.context("could not read expenses")?;
        let Some(last) = page.last() else { break };
        filter.after_id = Some(last.id);

        let batch: Vec<_> = page
            .into_iter()
            .map(|row| {
                let decision = matcher.match_expense(&row.expense);
                (row.expense, decision)
            })
            .collect();
        matched += batch.iter().filter(|(_, m)| m.as_ref().is_some_and(|m| m.counts())).count();
        counts += writer.write(&batch).await?;
        progress.add(batch.len() as u64);
    }
    writer.commit().await.context("could not store the new decisions")?;
    progress.finish();
    Ok((counts.updated, matched as u64))
}

pub(crate) async fn run(store: &Store, quiet: bool) -> anyhow::Result<()> {
    let (changed, matched) = rematch_all(store, quiet).await?;
    say(&format!("{changed} decisions changed; {matched} expenses matched"))
}
