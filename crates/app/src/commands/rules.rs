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
use std::path::Path;
use std::str::FromStr;

pub(crate) async fn run(store: &Store, command: RulesCommand, quiet: bool) -> anyhow::Result<()> {
    match command {
        RulesCommand::Add(args) => add(store, &args, quiet).await,
        RulesCommand::List { format } => list(store, format).await,
        RulesCommand::Remove { id } => remove(store, id, quiet).await,
        RulesCommand::Export { file } => export(store, file.as_deref()).await,
        RulesCommand::Import { file } => import(store, &file, quiet).await,
    }
}

async fn add(store: &Store, args: &RuleAddArgs, quiet: bool) -> anyhow::Result<()> {
    let field = Field::from_str(&args.field).map_err(|err| anyhow!("--field: {err}"))?;
    let app = args.app.as_ref().map(|app| app.trim().to_owned());
    let vendor = args.vendor.clone();
    let rule = UserRule { id: 0, term: args.term.trim().to_owned(), field, app, vendor };
    let (id, _) = add_checked(store, rule).await?;

    let (changed, _) = rematch_all(store, quiet).await?;
    say(&format!("rule {id} added; {changed} stored expenses changed decision"))
}

/// Store a rule after the checks every way of adding one shares: a term,
/// a catalog app under its catalog name, no overlap with a stored rule.
/// Returns its id and the rule as stored.
pub(crate) async fn add_checked(store: &Store, rule: UserRule) -> anyhow::Result<(i64, UserRule)> {
    let (rule, own_app) = canonical(rule)?;
    let existing = store.rules().await.context("could not read rules")?;
    refuse_overlap(&rule, &existing)?;
    let id = store.add_rule(&rule).await.context("could not add the rule")?;
    if let Some(app) = rule.app.as_deref().filter(|_| own_app) {
        eprintln!("note: `{app}` is not in the catalog; it is reported as an app of your own");
    }
    Ok((id, rule))
}

/// Put a catalog app under its canonical name and vendor. The flag says
/// whether the app is the user's own (not in the catalog).
fn canonical(mut rule: UserRule) -> anyhow::Result<(UserRule, bool)> {
    if rule.term.trim().is_empty() {
        bail!("the rule's term is empty");
    }
    let Some(name) = rule.app.clone() else {
        rule.vendor = None;
        return Ok((rule, false));
    };
    match context::catalog()?.find_app(&name) {
        Some(app) => {
            rule.app = Some(app.name.clone());
            rule.vendor = Some(app.vendor.clone());
            Ok((rule, false))
        }
        None => Ok((rule, true)),
    }
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

    if old.app == rule.app {
        bail!("rule {} already {}", old.id, describe(old));
    }
    bail!(
        "rule {} already {}; remove it first with `spendmap rules remove {}`",
        old.id,
        describe(old),
        old.id
    );
}

/// What a rule does, as a phrase: "assigns `acme` in vendor to Acme".
pub(crate) fn describe(rule: &UserRule) -> String {
    match &rule.app {
        Some(app) => format!("assigns `{}` in {} to {app}", rule.term, rule.field),
        None => format!("ignores `{}` in {}", rule.term, rule.field),
    }
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

/// The rules file: `[[rule]]` tables, ids left out (they belong to one
/// database).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default, rename = "rule")]
    rules: Vec<RuleEntry>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    term: String,
    field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    app: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vendor: Option<String>,
    /// `true` for an ignore rule (which names no app).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    ignore: bool,
}

const EXPORT_HEADER: &str = "# spendmap rules: `spendmap rules import FILE` adds them to a \
     database.\n# Each rule looks for `term` in one field (vendor, purpose, expense-type,\n\
     # spend-category) and assigns `app` or, with `ignore = true`, says \"not SaaS\".\n\n";

async fn export(store: &Store, file: Option<&Path>) -> anyhow::Result<()> {
    let rules = store.rules().await.context("could not read rules")?;
    let entries = rules
        .iter()
        .map(|rule| RuleEntry {
            term: rule.term.clone(),
            field: rule.field.to_string(),
            app: rule.app.clone(),
            vendor: rule.vendor.clone(),
            ignore: rule.app.is_none(),
        })
        .collect();
    let text = toml::to_string(&RulesFile { rules: entries }).context("could not write TOML")?;
    let text = format!("{EXPORT_HEADER}{text}");

    match file {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("could not write `{}`", path.display()))?;
            let rules = if rules.len() == 1 {
                "1 rule".to_owned()
            } else {
                format!("{} rules", rules.len())
            };
            eprintln!("{rules} written to {}", path.display());
            Ok(())
        }
        None => say(text.trim_end()),
    }
}

async fn import(store: &Store, path: &Path, quiet: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read `{}`", path.display()))?;
    let file: RulesFile = toml::from_str(&text)
        .with_context(|| format!("`{}` is not a rules file", path.display()))?;
    let rules = file
        .rules
        .into_iter()
        .enumerate()
        .map(|(idx, entry)| rule_from_entry(entry).with_context(|| format!("rule {}", idx + 1)))
        .collect::<anyhow::Result<Vec<_>>>()
        .with_context(|| format!("in `{}`", path.display()))?;

    let existing = store.rules().await.context("could not read rules")?;
    let (new, repeated) = split_new(rules, &existing)?;
    for rule in &new {
        add_checked(store, rule.clone()).await?;
    }

    let (changed, _) = rematch_all(store, quiet).await?;
    say(&format!(
        "{} rules imported, {repeated} already there; {changed} stored expenses changed decision",
        new.len()
    ))
}

fn rule_from_entry(entry: RuleEntry) -> anyhow::Result<UserRule> {
    let field = Field::from_str(&entry.field).map_err(|err| anyhow!("field: {err}"))?;
    if entry.ignore == entry.app.is_some() {
        let problem = if entry.ignore { "has both" } else { "needs one of" };
        bail!("`{}` {problem} `app = \"...\"` and `ignore = true`", entry.term);
    }
    Ok(UserRule { id: 0, term: entry.term, field, app: entry.app, vendor: entry.vendor })
}

/// The rules not stored yet, and how many were. Checked before anything
/// is added, so that a contradiction stops the whole file, not half of it.
fn split_new(
    rules: Vec<UserRule>,
    existing: &[UserRule],
) -> anyhow::Result<(Vec<UserRule>, usize)> {
    let mut new: Vec<UserRule> = Vec::new();
    let mut repeated = 0;
    for rule in rules {
        let (rule, _) = canonical(rule)?;
        let same_text = |old: &&UserRule| {
            old.field == rule.field && normalize(&old.term) == normalize(&rule.term)
        };
        match existing.iter().chain(&new).find(same_text) {
            Some(old) if old.app == rule.app => repeated += 1,
            Some(old) => bail!(
                "the file's rule that {} contradicts the stored rule that {}; nothing was imported",
                describe(&rule),
                describe(old)
            ),
            None => new.push(rule),
        }
    }
    Ok((new, repeated))
}
