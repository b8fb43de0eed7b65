//! `spendmap explain ID`: how the matcher decided one expense, in the
//! order it decided: corrections and rules, the expense-type gate, every
//! term found in the text fields with its weight, and why the winner won.

use crate::cli::{ExplainArgs, OutputFormat};
use crate::commands::correct::find;
use crate::context;
use crate::output::{say, text_or_null};
use serde_json::{Value, json};
use spendmap_core::Matcher;
use spendmap_storage::Store;

pub(crate) async fn run(store: &Store, args: &ExplainArgs) -> anyhow::Result<()> {
    let row = find(store, args.id).await?;
    let catalog = context::catalog()?;
    let matcher = context::matcher(store, &catalog).await?;

    let mut explained = matcher.inner().explain(&row.expense);
    // The stored decision may come from a correction the catalog pass
    // knows nothing of; the full matcher says what the next run decides.
    if let Some(corrected) = matcher.correction_for(&row.expense) {
        explained.why = "a correction made by hand for this expense beats every rule and the \
                         catalog"
            .to_owned();
        explained.decision = Some(corrected.clone());
    }
    let decision = matcher.match_expense(&row.expense);

    match args.format {
        OutputFormat::Json => say(&serde_json::to_string_pretty(&as_json(args.id, &explained))?),
        _ => print_text(args.id, &explained, decision.as_ref()),
    }
}

fn print_text(
    id: i64,
    explained: &spendmap_matcher::Explanation,
    decision: Option<&spendmap_core::Match>,
) -> anyhow::Result<()> {
    let mut out = vec![format!("expense {id}"), String::new(), "fields, as read:".to_owned()];
    for field in &explained.fields {
        if !field.original.is_empty() {
            out.push(format!(
                "  {:<19} {:?} -> {:?}",
                field.field, field.original, field.normalized
            ));
        }
    }

    out.push(String::new());
    out.push(format!("gate: {}", explained.gate));

    out.push(String::new());
    if explained.hits.is_empty() {
        out.push("terms found: none".to_owned());
    } else {
        out.push("terms found:".to_owned());
        for hit in &explained.hits {
            let weight = hit.weight.map_or("  -".to_owned(), |w| format!("{w:>3}"));
            out.push(format!(
                "  {weight}  {:<18} `{}`  {}: {}",
                field_name(hit.field),
                hit.term,
                hit.kind,
                hit.note
            ));
        }
    }

    out.push(String::new());
    match decision {
        Some(found) => out.push(format!("decision: {}", summary(found))),
        None => out.push("decision: none; the expense waits for review".to_owned()),
    }
    if let Some(found) = decision {
        out.push(format!("because: {}", found.reason));
    }
    out.push(format!("why it won: {}", explained.why));
    say(&out.join("\n"))
}

fn summary(found: &spendmap_core::Match) -> String {
    match (&found.app, &found.vendor) {
        (Some(app), _) => format!("{app} (confidence {})", found.confidence),
        (None, Some(vendor)) => {
            format!("vendor {vendor}, app unknown (confidence {})", found.confidence)
        }
        (None, None) => format!("not SaaS spend (confidence {})", found.confidence),
    }
}

fn field_name(field: spendmap_core::Field) -> &'static str {
    match field {
        spendmap_core::Field::VendorDescription => "vendor description",
        spendmap_core::Field::BusinessPurpose => "business purpose",
        spendmap_core::Field::ExpenseType => "expense type",
        spendmap_core::Field::SpendCategory => "spend category",
    }
}

fn as_json(id: i64, explained: &spendmap_matcher::Explanation) -> Value {
    let fields: Vec<Value> = explained
        .fields
        .iter()
        .map(|f| json!({ "field": f.field, "original": f.original, "normalized": f.normalized }))
        .collect();
    let hits: Vec<Value> = explained
        .hits
        .iter()
        .map(|hit| {
            json!({
                "field": field_name(hit.field),
                "term": hit.term,
                "kind": hit.kind,
                "weight": hit.weight,
                "note": hit.note,
            })
        })
        .collect();
    let decision = explained.decision.as_ref().map(|found| {
        json!({
            "app": text_or_null(found.app.as_deref()),
            "vendor": text_or_null(found.vendor.as_deref()),
            "matched_by": found.rule.as_str(),
            "confidence": found.confidence,
            "reason": found.reason,
        })
    });
    json!({
        "id": id,
        "fields": fields,
        "gate": explained.gate,
        "hits": hits,
        "decision": decision,
        "why": explained.why,
    })
}
