//! `spendmap rules`: the user's corrections on top of the catalog.

use crate::cli::{OutputFormat, RuleAddArgs, RulesCommand};
use crate::commands::rematch::rematch_all;
use crate::context;
use crate::output::{Records, say, text_or_null};
use anyhow::{Context, anyhow, bail};
use serde_json::Value;
use spendmap_core::{ExpenseStore, Field, UserRule};
use spendmap_matcher::normalize;
use spendmap_storage::Store;
use std::str::FromStr;

pub(crate) async fn run(store: &Store, command: RulesCommand, quiet: bool) -> anyhow::Result<()> {
    match command {
        RulesCommand::Add(args) => add(store, &args, quiet).await,
        RulesCommand::List { format } => list(store, format).await,
        RulesCommand::Remove { id } => remove(store, id, quiet).await,
    }
}

async fn add(store: &Store, args: &RuleAddArgs, quiet: bool) -> anyhow::Result<()> {
    let (rule, own_app) = rule_from_args(args)?;
    let existing = store.rules().await.context("could not read rules")?;
    refuse_overlap(&rule, &existing)?;
    let id = store.add_rule(&rule).await.context("could not add the rule")?;
    if let Some(app) = rule.app.as_deref().filter(|_| own_app) {
        eprintln!("note: `{app}` is not in the catalog; it is reported as an app of your own");
    }

    let (changed, _) = rematch_all(store, quiet).await?;
    say(&format!("rule {id} added; {changed} stored expenses changed decision"))
}

/// Check the flags and put a catalog app under its canonical name. The flag
/// says whether the app is the user's own (not in the catalog).
fn rule_from_args(args: &RuleAddArgs) -> anyhow::Result<(UserRule, bool)> {
    let field = Field::from_str(&args.field).map_err(|err| anyhow!("--field: {err}"))?;
    if args.term.trim().is_empty() {
        bail!("the rule's term is empty");
    }

    let (app, vendor, own) = match &args.app {
        None => (None, None, false),
        Some(name) => match context::catalog()?.find_app(name) {
            Some(app) => (Some(app.name.clone()), Some(app.vendor.clone()), false),
            None => (Some(name.trim().to_owned()), args.vendor.clone(), true),
        },
    };
    Ok((UserRule { id: 0, term: args.term.trim().to_owned(), field, app, vendor }, own))
}

/// A second rule for the same text in the same field either repeats the
/// first or fights it; the first one found would win silently, so say so.
fn refuse_overlap(rule: &UserRule, existing: &[UserRule]) -> anyhow::Result<()> {
    let key = normalize(&rule.term);
    let Some(old) =
        existing.iter().find(|old| old.field == rule.field && normalize(&old.term) == key)
    else {
        return Ok(());
    };

    let says = |r: &UserRule| match &r.app {
        Some(app) => format!("assigns `{}` in {} to {app}", r.term, r.field),
        None => format!("ignores `{}` in {}", r.term, r.field),
    };
    if old.app == rule.app {
        bail!("rule {} already {}", old.id, says(old));
    }
    bail!(
        "rule {} already {}; remove it first with `spendmap rules remove {}`",
        old.id,
        says(old),
        old.id
    );
}

async fn list(store: &Store, format: OutputFormat) -> anyhow::Result<()> {
    let rules = store.rules().await.context("could not read rules")?;
    let mut records =
        Records::new(vec!["id", "action", "field", "term", "app", "vendor"], vec!["id"]);
    for rule in &rules {
        let action = if rule.app.is_some() { "match" } else { "ignore" };
        records.push(vec![
            Value::from(rule.id),
            Value::String(action.to_owned()),
            Value::String(rule.field.to_string()),
            Value::String(rule.term.clone()),
            text_or_null(rule.app.as_deref()),
            text_or_null(rule.vendor.as_deref()),
        ]);
    }

    if records.is_empty() && format == OutputFormat::Table {
        eprintln!("no rules yet: add one with `spendmap rules add TERM --app NAME`");
        return Ok(());
    }
    records.print(format)
}

async fn remove(store: &Store, id: i64, quiet: bool) -> anyhow::Result<()> {
    if !store.remove_rule(id).await.context("could not remove the rule")? {
        bail!("there is no rule {id}; `spendmap rules list` shows the rules");
    }
    let (changed, _) = rematch_all(store, quiet).await?;
    say(&format!("rule {id} removed; {changed} stored expenses changed decision"))
}
