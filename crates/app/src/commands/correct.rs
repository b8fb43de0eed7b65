//! `spendmap expenses assign|ignore`: a person corrects one expense. The
//! correction is stored by the expense's identity, so it is applied again
//! whenever that expense is re-imported, re-synced or re-matched. With
//! `--remember` it becomes a rule on the expense's normalised vendor text
//! instead, for every expense with that text.

use crate::cli::ExpenseAction;
use crate::commands::rematch::rematch_all;
use crate::commands::rules::{add_checked, describe};
use crate::context;
use crate::output::say;
use anyhow::{Context, bail};
use spendmap_core::{
    Correction, ExpenseRow, ExpenseStore, ExpenseWriter, Field, Matcher, UserRule,
};
use spendmap_matcher::normalize;
use spendmap_storage::Store;

pub(crate) async fn run(store: &Store, action: &ExpenseAction, quiet: bool) -> anyhow::Result<()> {
    let (id, app, vendor, remember) = match action {
        ExpenseAction::Assign { id, app, vendor, remember } => {
            (*id, Some(app.trim().to_owned()), vendor.clone(), *remember)
        }
        ExpenseAction::Ignore { id, remember } => (*id, None, None, *remember),
    };
    let row = find(store, id).await?;

    if remember {
        remember_as_rule(store, &row, app, vendor, quiet).await
    } else {
        correct_one(store, row, app, vendor).await
    }
}

pub(crate) async fn find(store: &Store, id: i64) -> anyhow::Result<ExpenseRow> {
    store
        .expense(id)
        .await
        .context("could not read the expense")?
        .with_context(|| format!("there is no expense {id}; `spendmap expenses` lists them"))
}

async fn correct_one(
    store: &Store,
    row: ExpenseRow,
    app: Option<String>,
    vendor: Option<String>,
) -> anyhow::Result<()> {
    let correction = Correction {
        source: row.expense.source,
        source_id: row.expense.source_id.clone(),
        app,
        vendor,
    };
    store.set_correction(&correction).await.context("could not store the correction")?;
    if let Some(app) = correction.app.as_deref()
        && context::catalog()?.find_app(app).is_none()
    {
        eprintln!(
            "note: `{app}` is not in the catalog; it is reported as an app of your own \
             (`spendmap apps NAME` searches the catalog)"
        );
    }

    // Decide again through the full matcher, which now holds the
    // correction, so the stored decision reads exactly as later ones will.
    let catalog = context::catalog()?;
    let decision = context::matcher(store, &catalog).await?.match_expense(&row.expense);
    let mut writer = store.writer().await?;
    writer.write(&[(row.expense, decision.clone())]).await?;
    writer.commit().await.context("could not store the new decision")?;

    let said = decision.map(|found| found.reason).unwrap_or_default();
    say(&format!("expense {}: {said}", row.id))
}

async fn remember_as_rule(
    store: &Store,
    row: &ExpenseRow,
    app: Option<String>,
    vendor: Option<String>,
    quiet: bool,
) -> anyhow::Result<()> {
    let term = remembered_term(&row.expense.vendor_description);
    if normalize(&term).is_empty() {
        bail!(
            "expense {} has no vendor text to remember; correct it without --remember, or add a \
             rule on its purpose with `spendmap rules add TERM --field purpose`",
            row.id
        );
    }

    let rule = UserRule { id: 0, term, field: Field::VendorDescription, app: app.clone(), vendor };
    let (rule_id, rule) = add_checked(store, rule).await?;
    // This expense keeps the person's decision even if the rule goes
    // later, and an older correction of it must not outrank the new rule.
    let correction = Correction {
        source: row.expense.source,
        source_id: row.expense.source_id.clone(),
        app,
        vendor: rule.vendor.clone(),
    };
    store.set_correction(&correction).await.context("could not store the correction")?;
    let (changed, _) = rematch_all(store, quiet).await?;
    say(&format!(
        "rule {rule_id} added: it {}; {changed} stored expenses changed decision \
         (for other spellings of this vendor, add a shorter term with `spendmap rules add`)",
        describe(&rule)
    ))
}

/// The vendor text a remembered correction keys on: the text as written,
/// up to the first token that changes from one charge of the same merchant
/// to the next (a store number, phone number or reference: a token with no
/// letter, or with three digits or more). What follows such a token is
/// dropped too, because a rule matches its words in a row and the next
/// charge has another reference in that place. It stays raw text because a
/// rule's term is normalised when the rule is used, the same way as the
/// expense; normalising it twice would not give the expense's form back
/// (`aws.amazon.co` normalises to `aws amazon .co`, and that again to
/// `aws amazon co`).
fn remembered_term(vendor_description: &str) -> String {
    let keep = |token: &&str| {
        let letters = token.chars().filter(|c| c.is_alphabetic()).count();
        let digits = token.chars().filter(char::is_ascii_digit).count();
        letters > 0 && digits < 3
    };
    let words: Vec<&str> = vendor_description.split_whitespace().take_while(keep).collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::remembered_term;

    #[test]
    fn the_remembered_term_drops_numbers_and_references_but_keeps_words() {
        assert_eq!(remembered_term("ACME WIDGETRY 4471"), "ACME WIDGETRY");
        assert_eq!(remembered_term("SQ *1PASSWORD #0098"), "SQ *1PASSWORD");
        assert_eq!(remembered_term("SLACK T019XW2LQ SLACK.COM"), "SLACK");
        assert_eq!(
            remembered_term("AMAZON WEB SERVICES AWS.AMAZON.CO WA"),
            "AMAZON WEB SERVICES AWS.AMAZON.CO WA"
        );
        assert_eq!(remembered_term("ZOOM.US 888-799-9666"), "ZOOM.US");
        assert_eq!(remembered_term("12345"), "");
    }
}
