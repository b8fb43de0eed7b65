//! User rules: match and ignore rules, applied before the catalog.

use crate::catalog::Catalog;
use crate::matcher::{MatcherError, Texts};
use crate::normalize::{Normalized, normalize, scan_form};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use spendmap_core::{Field, Match, RuleKind, UserRule};
use std::collections::HashMap;

/// A rule ready to apply: its app canonicalised against the catalog.
#[derive(Clone, Debug)]
struct PreparedRule {
    id: i64,
    term: String,
    field: Field,
    app: Option<String>,
    vendor: Option<String>,
}

/// Every user rule, compiled into one automaton.
#[derive(Debug, Default)]
pub(crate) struct RuleSet {
    automaton: Option<AhoCorasick>,
    /// Pattern index → the rules with that term, in the order given.
    by_pattern: Vec<Vec<usize>>,
    rules: Vec<PreparedRule>,
}

impl RuleSet {
    pub(crate) fn build(rules: &[UserRule], catalog: &Catalog) -> Result<RuleSet, MatcherError> {
        if rules.is_empty() {
            return Ok(RuleSet::default());
        }

        let mut keys: Vec<String> = Vec::new();
        let mut by_pattern: Vec<Vec<usize>> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut prepared = Vec::with_capacity(rules.len());

        for rule in rules {
            let key = normalize(&rule.term);
            if key.is_empty() {
                return Err(MatcherError::EmptyRuleTerm { id: rule.id, term: rule.term.clone() });
            }
            let key = scan_form(key.split(' '));
            let pattern = *seen.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                by_pattern.push(Vec::new());
                by_pattern.len() - 1
            });
            by_pattern[pattern].push(prepared.len());
            prepared.push(prepare(rule, catalog));
        }

        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            .build(&keys)?;
        Ok(RuleSet { automaton: Some(automaton), by_pattern, rules: prepared })
    }

    pub(crate) fn len(&self) -> usize {
        self.rules.len()
    }

    /// The first rule that fires, looking at fields strongest first and, in
    /// a field, at hits left to right.
    pub(crate) fn find(&self, texts: &Texts) -> Option<Match> {
        let automaton = self.automaton.as_ref()?;
        for field in Field::ALL {
            for text in texts.for_field(field) {
                if let Some(found) = self.find_in(automaton, field, text) {
                    return Some(found);
                }
            }
        }
        None
    }

    fn find_in(&self, automaton: &AhoCorasick, field: Field, text: &Normalized) -> Option<Match> {
        for hit in automaton.find_iter(&text.scan) {
            let candidates = &self.by_pattern[hit.pattern().as_usize()];
            let fired = candidates.iter().map(|&idx| &self.rules[idx]).find(|r| r.field == field);
            if let Some(rule) = fired {
                return Some(rule_match(rule, field));
            }
        }
        None
    }
}

/// Uses the catalog's spelling of the app and its vendor when the user
/// named a catalog app; keeps the user's own text otherwise.
fn prepare(rule: &UserRule, catalog: &Catalog) -> PreparedRule {
    let app = rule.app.as_deref().map(|name| catalog.find_app(name).ok_or(name));
    let (app, vendor) = match app {
        Some(Ok(found)) => {
            let vendor = rule.vendor.clone().unwrap_or_else(|| found.vendor.clone());
            (Some(found.name.clone()), Some(vendor))
        }
        Some(Err(name)) => (Some(name.to_owned()), rule.vendor.clone()),
        None => (None, None),
    };
    PreparedRule { id: rule.id, term: rule.term.clone(), field: rule.field, app, vendor }
}

fn rule_match(rule: &PreparedRule, field: Field) -> Match {
    let field_label = crate::matcher::field_label(field);
    let (kind, reason) = match &rule.app {
        Some(app) => (
            RuleKind::UserRule,
            format!(
                "user rule #{} assigns {app} because {field_label} contains `{}`",
                rule.id, rule.term
            ),
        ),
        None => (
            RuleKind::IgnoreRule,
            format!(
                "ignore rule #{} applies because {field_label} contains `{}`",
                rule.id, rule.term
            ),
        ),
    };
    Match {
        app: rule.app.clone(),
        vendor: rule.vendor.clone(),
        rule: kind,
        field,
        term: rule.term.clone(),
        confidence: 100,
        reason,
    }
}
