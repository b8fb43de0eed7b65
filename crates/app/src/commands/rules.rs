//! `spendmap rules`: the user's corrections on top of the catalog.

use crate::cli::{OutputFormat, RuleAddArgs, RulesCommand};
use crate::commands::rematch::rematch_all;
use crate::context;
use crate::output::{Records, say, text_or_null};
use anyhow::{Context, anyhow, bail};
use serde_json::Value;
use spendmap_core::{ExpenseStore, Field, UserRule};
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
    let rule = rule_from_args(args)?;
    let id = store.add_rule(&rule).await.context("could not add the rule")?;

    let (changed, _) = rematch_all(store, quiet).await?;
    say(&format!("rule {id} added; {changed} stored expenses changed decision"))
}

/// Check the flags and put a catalog app under its canonical name.
fn rule_from_args(args: &RuleAddArgs) -> anyhow::Result<UserRule> {
    let field = Field::from_str(&args.field).map_err(|err| anyhow!("--field: {err}"))?;
    if args.term.trim().is_empty() {
        bail!("the rule's term is empty");
    }

    let (app, vendor) = match &args.app {
        None => (None, None),
        Some(name) => {
            let catalog = context::catalog()?;
            match catalog.find_app(name) {
                Some(app) => (Some(app.name.clone()), Some(app.vendor.clone())),
                None => {
                    tracing::warn!(app = %name, "app is not in the catalog; adding it as your own");
                    (Some(name.trim().to_owned()), args.vendor.clone())
                }
            }
        }
    };
    Ok(UserRule { id: 0, term: args.term.trim().to_owned(), field, app, vendor })
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
