//! The catalog compiled into one Aho-Corasick automaton.
//!
//! App, vendor and not-SaaS terms share the automaton with the gate and
//! context words, so each expense field is scanned exactly once.

use crate::catalog::{Catalog, GateRole, Owner, Term, TermSource};
use crate::normalize::scan_form;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;

/// What a pattern means when it is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A catalog term: an app, vendor or not-SaaS group.
    Term { owner: Owner, ambiguous: bool, source: TermSource },
    /// A gate or context word.
    Gate(GateRole),
}

/// One pattern and where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    pub(crate) role: Role,
    /// The catalog text the pattern was made from, for reasons.
    pub(crate) text: String,
}

/// The compiled catalog.
#[derive(Debug)]
pub(crate) struct Dictionary {
    pub(crate) automaton: AhoCorasick,
    pub(crate) patterns: Vec<Pattern>,
}

impl Dictionary {
    pub(crate) fn build(catalog: &Catalog) -> Result<Dictionary, aho_corasick::BuildError> {
        let mut builder = PatternSet::default();

        for term in catalog.terms() {
            builder.add(scan_form(term.key.split(' ')), term_pattern(term));
        }

        // Spelling variants come after every explicit term, so an explicit
        // term of another entry always wins over a generated variant.
        for term in catalog.terms() {
            for variant in variants(&term.key) {
                builder.add(variant, term_pattern(term));
            }
        }

        for word in catalog.gate_words() {
            let pattern = Pattern { role: Role::Gate(word.role), text: word.key.clone() };
            builder.add(scan_form(word.key.split(' ')), pattern);
        }

        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            // Every pattern starts with the space that pads a token, so the
            // only prefilter on offer hunts for spaces: a call per token
            // that finds one at once. The DFA alone is faster.
            .prefilter(false)
            .build(&builder.keys)?;
        Ok(Dictionary { automaton, patterns: builder.patterns })
    }
}

fn term_pattern(term: &Term) -> Pattern {
    let role = Role::Term { owner: term.owner, ambiguous: term.ambiguous, source: term.source };
    Pattern { role, text: term.text.clone() }
}

/// Other spellings of a normalised term, in scan form: without the dot of a
/// domain ending (`monday .com` → `monday com`) and with every space removed
/// (`survey monkey` → `surveymonkey`).
fn variants(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let plain: Vec<&str> = key.split(' ').map(|t| t.trim_start_matches('.')).collect();

    if key.contains(" .") {
        out.push(scan_form(plain.iter().copied()));
    }
    if plain.len() > 1 {
        out.push(scan_form([plain.concat().as_str()]));
    }
    out
}

/// Scan-form keys and their patterns, first claim wins.
#[derive(Default)]
struct PatternSet {
    keys: Vec<String>,
    patterns: Vec<Pattern>,
    seen: HashMap<String, usize>,
}

impl PatternSet {
    fn add(&mut self, key: String, pattern: Pattern) {
        if self.seen.contains_key(&key) {
            return;
        }
        self.seen.insert(key.clone(), self.keys.len());
        self.keys.push(key);
        self.patterns.push(pattern);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_cover_domains_and_joined_words() {
        assert_eq!(variants("monday .com"), vec![" monday  com ", " mondaycom "]);
        assert_eq!(variants("survey monkey"), vec![" surveymonkey "]);
        assert!(variants("zoom").is_empty());
    }
}
