//! [`VendorMatcher::explain`]: everything the matcher saw in one expense,
//! for `spendmap explain`. It re-runs the same scans as matching and
//! records every hit, so it is slower than [`Matcher::match_expense`] and
//! never used on the hot path.

use crate::catalog::{GateRole, Owner};
use crate::dictionary::Role;
use crate::matcher::{Context, GateClass, Texts, VendorMatcher, confidence, consider, field_label};
use crate::normalize::Normalized;
use spendmap_core::{Expense, Field, Match, Matcher};

/// What the matcher saw in one expense and what it decided.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// Each matching field as stored and as the matcher reads it.
    pub fields: Vec<FieldText>,
    /// What the expense type and spend category say, in one sentence.
    pub gate: String,
    /// Every term found in the vendor description and business purpose.
    pub hits: Vec<Hit>,
    /// The decision, with its reason; `None` sends it to review.
    pub decision: Option<Match>,
    /// Why that decision won over the other hits, in one sentence.
    pub why: String,
}

/// One field, as written and normalised.
#[derive(Clone, Debug)]
pub struct FieldText {
    /// Which field.
    pub field: &'static str,
    /// The text as stored.
    pub original: String,
    /// The text the automaton scans.
    pub normalized: String,
}

/// One term found in a field.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The field it was found in.
    pub field: Field,
    /// The catalog's spelling of the term.
    pub term: String,
    /// Whose term it is: `app Zoom`, `vendor Atlassian`, `not SaaS: ...`,
    /// `travel/meal word`, `gate word`.
    pub kind: String,
    /// The confidence it would carry, when it counts.
    pub weight: Option<u8>,
    /// Why it counts or does not.
    pub note: String,
}

impl VendorMatcher {
    /// Everything the matcher saw in `expense`, and its decision.
    pub fn explain(&self, expense: &Expense) -> Explanation {
        let texts = Texts::new(expense);
        let decision = self.match_expense(expense);
        let gate = self.gate(expense, &texts);
        let context = Context { gate, vendor_empty: texts.vendor.is_empty() };

        let mut hits = Vec::new();
        for (field, text) in
            [(Field::VendorDescription, &texts.vendor), (Field::BusinessPurpose, &texts.purpose)]
        {
            hits.extend(self.hits_in(field, text, context));
        }

        Explanation {
            fields: field_texts(expense, &texts),
            gate: gate_sentence(gate.class, gate.label, gate.text),
            why: why_it_won(decision.as_ref(), &hits),
            hits,
            decision,
        }
    }

    fn hits_in(&self, field: Field, text: &Normalized, context: Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for found in self.dictionary.automaton.find_iter(&text.scan) {
            let pattern = &self.dictionary.patterns[found.pattern().as_usize()];
            let hit = |kind: String, weight: Option<u8>, note: &str| Hit {
                field,
                term: pattern.text.clone(),
                kind,
                weight,
                note: note.to_owned(),
            };

            hits.push(match pattern.role {
                Role::Gate(GateRole::Veto) => hit(
                    "travel/meal word".to_owned(),
                    None,
                    "a place, travel or meal word: vetoes SaaS unless the type says software",
                ),
                Role::Gate(_) => {
                    hit("gate word".to_owned(), None, "only counts in the type fields")
                }
                Role::Term { owner: owner @ Owner::NotSaas(_), .. } => hit(
                    format!("not SaaS: {}", self.catalog.owner_name(owner)),
                    None,
                    "a look-alike that is not SaaS spend: stops the catalog",
                ),
                Role::Term { owner, ambiguous, .. } => {
                    let is_app = matches!(owner, Owner::App(_));
                    let kind = match owner {
                        Owner::App(_) => format!("app {}", self.catalog.owner_name(owner)),
                        _ => format!("vendor {} (app unknown)", self.catalog.owner_name(owner)),
                    };
                    let counted =
                        consider(field, text, found.end(), ambiguous && is_app, ambiguous, context);
                    match counted {
                        Some((evidence, _)) => {
                            let weight = confidence(
                                field,
                                is_app,
                                evidence,
                                context.gate.class,
                                text.processor,
                            );
                            hit(kind, Some(weight), evidence.describe())
                        }
                        None if field == Field::BusinessPurpose
                            && context.gate.class != GateClass::Software =>
                        {
                            hit(kind, None, "the purpose counts only with a software expense type")
                        }
                        None if field == Field::BusinessPurpose => hit(
                            kind,
                            None,
                            "an ambiguous name in the purpose counts only when the vendor \
                             description is empty",
                        ),
                        None => hit(kind, None, "an ambiguous name without context: ignored"),
                    }
                }
            });
        }
        hits
    }
}

fn field_texts(expense: &Expense, texts: &Texts) -> Vec<FieldText> {
    let field = |field: &'static str, original: &str, normalized: &Normalized| FieldText {
        field,
        original: original.to_owned(),
        normalized: normalized.scan.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    vec![
        field("vendor description", &expense.vendor_description, &texts.vendor),
        field("business purpose", &expense.business_purpose, &texts.purpose),
        field("expense type", &expense.expense_type, &texts.type_name),
        field("expense type code", &expense.expense_type_code, &texts.type_code),
        field("spend category", &expense.spend_category, &texts.category),
    ]
}

fn gate_sentence(class: GateClass, label: &str, text: &str) -> String {
    match class {
        GateClass::Software => format!("{label} `{text}` says software"),
        GateClass::NotSoftware => {
            format!("{label} `{text}` says not software: no catalog term can count")
        }
        GateClass::Unknown => {
            "neither the expense type nor the spend category says software or not".to_owned()
        }
    }
}

fn why_it_won(decision: Option<&Match>, hits: &[Hit]) -> String {
    let Some(decision) = decision else {
        return match hits.iter().any(|hit| hit.weight.is_some()) {
            true => "no decision although a term counted (a veto in the purpose)".to_owned(),
            false => "nothing counted, so it waits for review".to_owned(),
        };
    };
    let others = hits.iter().filter(|hit| hit.weight.is_some() && hit.term != decision.term);
    let beaten: Vec<String> = others.map(|hit| format!("`{}`", hit.term)).collect();

    let rank = match decision.rule {
        spendmap_core::RuleKind::UserRule | spendmap_core::RuleKind::IgnoreRule => {
            "a user rule or correction comes before the catalog".to_owned()
        }
        spendmap_core::RuleKind::NotSaas => {
            "a not-software signal ends the catalog pass".to_owned()
        }
        spendmap_core::RuleKind::Dictionary
            if decision.field == Field::BusinessPurpose
                && hits.iter().any(|hit| {
                    hit.field == Field::VendorDescription
                        && hit.weight.is_some()
                        && hit.kind.starts_with("vendor ")
                }) =>
        {
            "the vendor description names only a vendor, and the business purpose names \
             exactly one of the apps it sells, so the charge is that app at the vendor's weight"
                .to_owned()
        }
        spendmap_core::RuleKind::Dictionary => format!(
            "the strongest field with a counted hit is the {}, and `{}` has the highest weight \
             there ({})",
            field_label(decision.field),
            decision.term,
            decision.confidence
        ),
    };
    if beaten.is_empty() { rank } else { format!("{rank}; also counted: {}", beaten.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;
    use spendmap_core::{Decimal, NaiveDate, RuleKind, SourceKind};

    fn expense(vendor: &str, purpose: &str, expense_type: &str) -> Expense {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
        let mut expense = Expense::new(SourceKind::Csv, "1".into(), day, Decimal::ONE);
        expense.vendor_description = vendor.to_owned();
        expense.business_purpose = purpose.to_owned();
        expense.expense_type = expense_type.to_owned();
        expense
    }

    fn matcher() -> VendorMatcher {
        VendorMatcher::new(&Catalog::builtin().expect("catalog"), &[]).expect("matcher")
    }

    #[test]
    fn every_hit_is_listed_with_its_weight_and_the_winner_is_said() {
        let explained = matcher().explain(&expense("ATLASSIAN", "Jira Software seats", "Software"));

        let decision = explained.decision.as_ref().expect("a decision");
        assert_eq!(decision.app.as_deref(), Some("Jira"));
        assert!(explained.gate.contains("`Software` says software"), "{}", explained.gate);
        let vendor_hit = explained.hits.iter().find(|hit| hit.kind.contains("Atlassian"));
        assert!(vendor_hit.is_some_and(|hit| hit.weight.is_some()), "{:?}", explained.hits);
        assert!(explained.hits.iter().any(|hit| hit.kind == "app Jira"), "{:?}", explained.hits);
        assert_eq!(explained.fields[0].normalized, "atlassian");
    }

    #[test]
    fn a_hotel_for_a_saas_conference_shows_the_gate_and_the_uncounted_name() {
        let explained =
            matcher().explain(&expense("HILTON SF", "Salesforce conference stay", "Hotel"));

        assert_eq!(explained.decision.as_ref().map(|m| m.rule), Some(RuleKind::NotSaas));
        assert!(explained.gate.contains("not software"), "{}", explained.gate);
        let salesforce = explained.hits.iter().find(|hit| hit.term.contains("Salesforce"));
        let salesforce = salesforce.expect("the name is seen");
        assert_eq!(salesforce.weight, None, "but it does not count");
        assert!(explained.why.contains("not-software"), "{}", explained.why);
    }
}
