//! Hostile text for the normaliser and the matcher: arbitrary strings,
//! card-statement lookalikes with noise in every position, and every input
//! the fuzzer (`cargo xtask fuzz`) has ever broken them with.
//!
//! What holds, checked here:
//!
//! * [`normalize`] never panics and always returns tokens of the promised
//!   shape: lower-case, single spaces, no punctuation but the dot that
//!   starts a domain ending (`zoom .us`).
//! * ASCII case, and the kind and amount of whitespace between words, do
//!   not change the result.
//! * It is **not** idempotent, and is not meant to be: a second pass reads
//!   `zoom .us` as the words `zoom us` (the dot only marks a domain ending
//!   when it joins two words), and `acme .co` then loses `co` as a legal
//!   suffix. What does hold is that a second pass never adds a token.
//! * [`VendorMatcher`] never panics on any expense text, gives confidences
//!   of at most 100, and every decision comes from a field that has text.
//! * A user rule always fires on an expense whose vendor text is the rule's
//!   own term, whatever that term is.

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;
use spendmap_core::UserRule;
use spendmap_core::{Decimal, Expense, Field, Match, Matcher, NaiveDate, RuleKind, SourceKind};
use spendmap_matcher::{Catalog, MatcherError, VendorMatcher, normalize};
use std::path::{Path, PathBuf};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

/// The matcher over the built-in catalog, built once for every test here.
fn builtin_matcher() -> &'static VendorMatcher {
    static MATCHER: OnceLock<VendorMatcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let catalog = Catalog::builtin().expect("the built-in catalog loads");
        VendorMatcher::new(&catalog, &[]).expect("the built-in catalog compiles")
    })
}

/// A matcher with one user rule on the vendor description and an empty
/// catalog, so that building one per case stays cheap.
fn rule_matcher(term: &str) -> Result<VendorMatcher, MatcherError> {
    static EMPTY: OnceLock<Catalog> = OnceLock::new();
    let catalog = EMPTY.get_or_init(|| Catalog::from_toml_str("").expect("an empty catalog"));
    let rule = UserRule {
        id: 1,
        term: term.to_owned(),
        field: Field::VendorDescription,
        app: Some("Fuzz App".to_owned()),
        vendor: None,
    };
    VendorMatcher::new(catalog, &[rule])
}

/// The expense the `match` fuzz target builds from one input: lines are the
/// vendor description, business purpose, expense type, expense type code and
/// spend category, in that order; a sixth line is a user rule's term.
fn expense_from(text: &str) -> (Expense, String) {
    let mut parts = text.splitn(6, '\n').map(str::to_owned);
    let mut next = || parts.next().unwrap_or_default();
    let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let mut expense = Expense::new(SourceKind::Csv, "fuzz".to_owned(), date, Decimal::ONE);
    expense.vendor_description = next();
    expense.business_purpose = next();
    expense.expense_type = next();
    expense.expense_type_code = next();
    expense.spend_category = next();
    (expense, next())
}

/// Panics unless `normalized` has the shape [`normalize`] promises.
#[track_caller]
fn assert_normal_form(input: &str, normalized: &str) {
    let context = format!("{input:?} became {normalized:?}");
    assert_eq!(normalized.trim(), normalized, "{context}: untrimmed");
    assert!(!normalized.contains("  "), "{context}: double space");
    for token in normalized.split(' ').filter(|t| !t.is_empty()) {
        let body = token.strip_prefix('.').unwrap_or(token);
        assert!(!body.is_empty(), "{context}: a lone dot");
        for c in body.chars().filter(char::is_ascii) {
            let allowed = c.is_ascii_lowercase() || c.is_ascii_digit();
            assert!(allowed, "{context}: {c:?} in a token");
        }
    }
}

/// Panics unless a decision is one the matcher may make for `expense`.
#[track_caller]
fn assert_sound(expense: &Expense, found: &Match) {
    assert!(found.confidence <= 100, "{found:?}");
    assert!(field_has_text(expense, found.field), "decided on an empty field: {found:?}");
    match found.rule {
        RuleKind::Dictionary => assert!(found.app.is_some() || found.vendor.is_some()),
        RuleKind::NotSaas | RuleKind::IgnoreRule => assert!(found.app.is_none()),
        RuleKind::UserRule => assert!(found.app.is_some()),
    }
}

/// Whether a field has any text left after normalisation; the expense type
/// field is the type's name or its code.
fn field_has_text(expense: &Expense, field: Field) -> bool {
    let has_text = |text: &str| !normalize(text).is_empty();
    match field {
        Field::ExpenseType => {
            has_text(&expense.expense_type) || has_text(&expense.expense_type_code)
        }
        field => has_text(field.text(expense)),
    }
}

/// Panics unless a rule on `term` fires on an expense whose vendor text is
/// the term itself. Terms that normalise to nothing are refused instead.
fn assert_rule_finds_its_own_term(term: &str) {
    let matcher = match rule_matcher(term) {
        Ok(matcher) => matcher,
        Err(MatcherError::EmptyRuleTerm { .. }) => {
            assert!(normalize(term).is_empty());
            return;
        }
        Err(error) => panic!("rule {term:?}: {error}"),
    };
    let (mut expense, _) = expense_from("");
    expense.vendor_description = term.to_owned();
    let found = matcher.match_expense(&expense);
    assert_eq!(found.map(|m| m.rule), Some(RuleKind::UserRule), "rule {term:?}");
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(128);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// Pieces of card-statement text: words, processor prefixes, numbers,
/// phone numbers, domains, legal suffixes, punctuation and odd Unicode.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z]{1,10}",
        "[0-9]{1,12}",
        "(SQ|PAYPAL|PADDLE\\.NET|TST|STRIPE) ?\\*",
        "(APPLE PAY|GOOGLE PAY|POS DEBIT|RECURRING):?",
        "\\+?1? ?\\(?[0-9]{3}\\)? ?[0-9]{3}-[0-9]{4}",
        "[a-z]{1,8}\\.(com|us|co|io|co\\.uk|net)",
        "(INC|LLC|B\\.V\\.|GMBH|PTY LTD|S\\.R\\.O\\.|CO)\\.?",
        "#[0-9]{1,6}",
        "X{2,4}[0-9]{4}",
        "[*#.,:;()+'/-]{1,3}",
        select(vec!["Café", "MÜLLER", "ＺＯＯＭ", "İstanbul", "Straße", "\u{fffd}", "é\u{301}"])
            .prop_map(str::to_owned),
    ]
}

fn whitespace() -> impl Strategy<Value = String> {
    prop::collection::vec(select(vec![" ", "\t", "\u{a0}", "\n", "\u{2009}"]), 1..3)
        .prop_map(|parts| parts.concat())
}

/// Card-statement-like text, as pieces so that the whitespace between them
/// can be varied.
fn statement_pieces() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(piece(), 0..8)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn normalize_never_panics_and_keeps_its_form(text in "\\PC{0,40}|.{0,40}") {
        assert_normal_form(&text, &normalize(&text));
    }

    #[test]
    fn normalize_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        assert_normal_form(&text, &normalize(&text));
    }

    #[test]
    fn statement_text_keeps_its_form(pieces in statement_pieces()) {
        let text = pieces.join(" ");
        assert_normal_form(&text, &normalize(&text));
    }

    #[test]
    fn ascii_case_does_not_matter(pieces in statement_pieces()) {
        let text = pieces.join(" ");
        prop_assert_eq!(normalize(&text.to_ascii_uppercase()), normalize(&text.to_ascii_lowercase()));
    }

    #[test]
    fn whitespace_kind_and_amount_do_not_matter(
        pieces in statement_pieces(),
        gaps in prop::collection::vec(whitespace(), 8),
    ) {
        let single = pieces.join(" ");
        let mut varied = String::new();
        for (piece, gap) in pieces.iter().zip(&gaps) {
            varied.push_str(piece);
            varied.push_str(gap);
        }
        prop_assert_eq!(normalize(&varied), normalize(&single));
    }

    #[test]
    fn a_second_pass_never_adds_tokens(text in "\\PC{0,40}", pieces in statement_pieces()) {
        for text in [text, pieces.join(" ")] {
            let once = normalize(&text);
            let twice = normalize(&once);
            let count = |s: &str| s.split(' ').filter(|t| !t.is_empty()).count();
            prop_assert!(count(&twice) <= count(&once), "{:?} → {:?} → {:?}", text, once, twice);
        }
    }

    #[test]
    fn matching_any_expense_is_sound(
        vendor in "\\PC{0,30}",
        purpose in prop_oneof!["\\PC{0,30}", statement_pieces().prop_map(|p| p.join(" "))],
        expense_type in select(vec!["", "Software", "Meals", "Training", "Hotel", "x"]),
        type_code in select(vec!["", "SUBSC", "MEALS", "LODNG", "TRAIN"]),
        category in "\\PC{0,10}",
    ) {
        let text = format!("{vendor}\n{purpose}\n{expense_type}\n{type_code}\n{category}");
        let (expense, _) = expense_from(&text);
        let found = builtin_matcher().match_expense(&expense);
        if let Some(found) = &found {
            assert_sound(&expense, found);
        }
        prop_assert_eq!(builtin_matcher().match_expense(&expense), found, "deterministic");
    }

    #[test]
    fn statement_lookalikes_match_soundly(pieces in statement_pieces()) {
        let (mut expense, _) = expense_from("");
        expense.vendor_description = pieces.join(" ");
        if let Some(found) = builtin_matcher().match_expense(&expense) {
            assert_sound(&expense, &found);
        }
    }

    #[test]
    fn a_rule_finds_its_own_term(term in "\\PC{0,24}", pieces in statement_pieces()) {
        assert_rule_finds_its_own_term(&term);
        assert_rule_finds_its_own_term(&pieces.join(" "));
    }
}

#[test]
fn normalize_is_not_idempotent_on_domain_endings() {
    assert_eq!(normalize("ZOOM.US"), "zoom .us");
    assert_eq!(normalize("zoom .us"), "zoom us");
    assert_eq!(normalize("acme .co"), "acme");
}

#[test]
fn long_text_is_normalized_and_matched() {
    let long = "SQ *ZOOM.US 888-799-9666 ".repeat(4000);
    assert_normal_form(&long, &normalize(&long));
    let (mut expense, _) = expense_from("");
    expense.vendor_description = long;
    let found = builtin_matcher().match_expense(&expense).expect("zoom is found");
    assert_eq!(found.app.as_deref(), Some("Zoom"));
}

/// Runs `work` on another thread and fails if it takes longer than
/// `limit`, so that a quadratic path fails the test instead of stalling it.
fn within<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || sender.send(work()));
    receiver.recv_timeout(limit).expect("finished in time (a quadratic path?)")
}

/// Long runs of one character used to take quadratic time: the phone
/// number scan ran from every byte, the domain-ending check from every
/// dotted part, and legal suffixes were looked up in a list per token. The
/// fuzzer's 1 MiB inputs ran for minutes; these take milliseconds.
#[test]
fn long_runs_normalize_and_match_in_linear_time() {
    let size = 256 * 1024;
    let runs = [
        "7".repeat(size),
        format!("a{}", ".".repeat(size)),
        format!("a {}", "(".repeat(size)),
        format!("SLACK {}", "+".repeat(size)),
        "7-".repeat(size / 2),
        format!("x.{}zz", "co.".repeat(size / 3)),
        "ASANA INC ".repeat(size / 10),
    ];
    for text in runs {
        let start = text.chars().take(12).collect::<String>();
        within(Duration::from_secs(20), move || {
            assert_normal_form(&start, &normalize(&text));
            let (mut expense, _) = expense_from("");
            expense.vendor_description = text;
            builtin_matcher().match_expense(&expense)
        });
    }
}

// ---------------------------------------------------------------------------
// Inputs the fuzzer found.

fn fuzz_inputs(target: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz").join(target);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "bin"))
        .collect();
    files.sort();
    files
}

/// Runs `check` on the text of every saved input of a target, collecting
/// the files that still panic so that one run names them all.
fn replay(target: &str, check: impl Fn(&str) + std::panic::RefUnwindSafe) {
    let mut failing = Vec::new();
    for path in fuzz_inputs(target) {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        if std::panic::catch_unwind(|| check(&text)).is_err() {
            failing.push(path.display().to_string());
        }
    }
    assert!(failing.is_empty(), "fuzz inputs that still fail: {failing:#?}");
}

#[test]
fn saved_normalize_fuzz_inputs_still_pass() {
    replay("normalize", |text| assert_normal_form(text, &normalize(text)));
}

#[test]
fn saved_match_fuzz_inputs_still_pass() {
    replay("match", |text| {
        let (expense, rule_term) = expense_from(text);
        if let Some(found) = builtin_matcher().match_expense(&expense) {
            assert_sound(&expense, &found);
        }
        if !rule_term.is_empty() {
            assert_rule_finds_its_own_term(&rule_term);
        }
    });
}
