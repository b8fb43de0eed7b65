//! [`VendorMatcher`]: user rules, then the catalog, then nothing.

use crate::catalog::{Catalog, GateRole, Owner, TermSource};
use crate::dictionary::{Dictionary, Role};
use crate::normalize::Normalized;
use crate::rules::RuleSet;
use spendmap_core::{Expense, Field, Match, Matcher, RuleKind, UserRule};
use std::ops::Range;
use std::time::Instant;

/// Why a matcher could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatcherError {
    /// A user rule's term has nothing left after normalisation.
    #[error("rule #{id} has term `{term}`, which is empty after normalisation")]
    EmptyRuleTerm {
        /// The rule's storage id.
        id: i64,
        /// The term as the user wrote it.
        term: String,
    },
    /// The automaton could not be built (too many or too long patterns).
    #[error("cannot build the match automaton: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
}

/// Matches expenses against user rules and the vendor catalog.
///
/// Build it once; [`Matcher::match_expense`] then normalises the expense's
/// fields and scans each of them once per automaton.
#[derive(Debug)]
pub struct VendorMatcher {
    pub(crate) catalog: Catalog,
    pub(crate) dictionary: Dictionary,
    rules: RuleSet,
}

impl VendorMatcher {
    /// Compiles the catalog and the user's rules.
    pub fn new(catalog: &Catalog, rules: &[UserRule]) -> Result<VendorMatcher, MatcherError> {
        let started = Instant::now();

        let dictionary = Dictionary::build(catalog)?;
        let rules = RuleSet::build(rules, catalog)?;

        tracing::debug!(
            patterns = dictionary.patterns.len(),
            rules = rules.len(),
            apps = catalog.len(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "built vendor matcher"
        );
        Ok(VendorMatcher { catalog: catalog.clone(), dictionary, rules })
    }
}

impl Matcher for VendorMatcher {
    fn match_expense(&self, expense: &Expense) -> Option<Match> {
        self.match_normalized(expense, &self.normalize_expense(expense))
    }
}

/// An expense's four matching fields, normalised: the first half of
/// [`Matcher::match_expense`], kept apart so that benchmarks can time the
/// normaliser and the automaton scans separately.
#[derive(Debug)]
pub struct NormalizedExpense(Texts);

impl VendorMatcher {
    /// Normalise the matching fields of `expense`.
    pub fn normalize_expense(&self, expense: &Expense) -> NormalizedExpense {
        NormalizedExpense(Texts::new(expense))
    }

    /// The decision for `expense` from its fields normalised by
    /// [`VendorMatcher::normalize_expense`]: rules, then the catalog.
    pub fn match_normalized(
        &self,
        expense: &Expense,
        normalized: &NormalizedExpense,
    ) -> Option<Match> {
        let texts = &normalized.0;
        if let Some(found) = self.rules.find(texts) {
            return Some(found);
        }
        self.match_catalog(expense, texts)
    }

    /// How many terms (catalog aliases, domains, descriptors, gate and
    /// context words) the automaton holds.
    pub fn pattern_count(&self) -> usize {
        self.dictionary.patterns.len()
    }
}

/// The normalised matching fields of one expense.
#[derive(Debug)]
pub(crate) struct Texts {
    pub(crate) vendor: Normalized,
    pub(crate) purpose: Normalized,
    pub(crate) type_name: Normalized,
    pub(crate) type_code: Normalized,
    pub(crate) category: Normalized,
}

impl Texts {
    pub(crate) fn new(expense: &Expense) -> Texts {
        Texts {
            vendor: Normalized::new(&expense.vendor_description),
            purpose: Normalized::new(&expense.business_purpose),
            type_name: Normalized::new_repeated(&expense.expense_type),
            type_code: Normalized::new_repeated(&expense.expense_type_code),
            category: Normalized::new_repeated(&expense.spend_category),
        }
    }

    /// The texts a rule on `field` looks at: the expense type is its name
    /// and its code.
    pub(crate) fn for_field(&self, field: Field) -> impl Iterator<Item = &Normalized> {
        let (first, second) = match field {
            Field::VendorDescription => (&self.vendor, None),
            Field::BusinessPurpose => (&self.purpose, None),
            Field::ExpenseType => (&self.type_name, Some(&self.type_code)),
            Field::SpendCategory => (&self.category, None),
        };
        std::iter::once(first).chain(second)
    }
}

/// What the expense type and spend category say about software.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GateClass {
    Software,
    NotSoftware,
    Unknown,
}

/// The gate's answer and the field text that gave it, for the reason.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Gate<'e> {
    pub(crate) class: GateClass,
    pub(crate) label: &'static str,
    pub(crate) text: &'e str,
}

/// How an app or vendor term earned its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Evidence {
    /// An unambiguous term.
    Strong,
    /// An ambiguous term followed by a domain ending (`loom .com`).
    Domain,
    /// An ambiguous term followed by a legal suffix (`CANVA PTY LTD`).
    LegalName,
    /// An ambiguous term in an expense whose type says software.
    SoftwareType,
}

impl Evidence {
    /// Why a hit with this evidence counts, for explanations.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Evidence::Strong => "an unambiguous term: counts",
            Evidence::Domain => "an ambiguous name with a domain ending after it: counts",
            Evidence::LegalName => "an ambiguous name with a legal-entity suffix after it: counts",
            Evidence::SoftwareType => "an ambiguous name in a software expense: counts",
        }
    }
}

/// The best app or vendor hit found in one field so far.
#[derive(Clone, Debug)]
struct Candidate {
    pattern: usize,
    owner: Owner,
    source: TermSource,
    evidence: Evidence,
    confidence: u8,
    /// The domain token after an ambiguous term, in the scan text.
    domain: Option<Range<usize>>,
}

/// Everything one scan of a field found.
#[derive(Debug, Default)]
struct FieldScan {
    best: Option<Candidate>,
    /// A place or travel word (`hotel`, `coffee`), by pattern.
    veto: Option<usize>,
    /// A not-SaaS term (`AMZN MKTP`, `GOOGLE ADS`), by pattern.
    excluded: Option<usize>,
    /// Every app named with enough context, each once.
    apps: Vec<usize>,
}

/// What the catalog pass knows before it scans the text fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Context<'e> {
    pub(crate) gate: Gate<'e>,
    pub(crate) vendor_empty: bool,
}

impl VendorMatcher {
    /// The catalog pass: gate, then the vendor description, then the
    /// business purpose. A "not SaaS" answer is a decision too: it keeps
    /// hotels and lunches out of the review queue, and says why.
    fn match_catalog(&self, expense: &Expense, texts: &Texts) -> Option<Match> {
        let gate = self.gate(expense, texts);
        if gate.class == GateClass::NotSoftware {
            return Some(not_saas_by_gate(gate));
        }
        let context = Context { gate, vendor_empty: texts.vendor.is_empty() };

        let vendor = self.scan_field(Field::VendorDescription, &texts.vendor, context);
        if let Some(found) = self.not_saas_by_text(Field::VendorDescription, &vendor) {
            return Some(found);
        }

        // A purpose that talks about a hotel or a lunch vetoes the expense
        // unless the expense type has already said "software".
        let purpose = self.scan_field(Field::BusinessPurpose, &texts.purpose, context);
        if purpose.veto.is_some() && gate.class != GateClass::Software {
            return self.not_saas_by_text(Field::BusinessPurpose, &purpose);
        }

        let purpose_clean = purpose.veto.is_none() && purpose.excluded.is_none();
        if let Some(candidate) = vendor.best {
            let found = self.build_match(Field::VendorDescription, &candidate, &texts.vendor, gate);
            let narrowed = purpose
                .best
                .as_ref()
                .filter(|_| purpose_clean)
                .and_then(|named| self.narrow_to_app(&candidate, named, &purpose, &found));
            return Some(narrowed.unwrap_or(found));
        }
        if !purpose_clean {
            return None;
        }
        let candidate = purpose.best?;
        Some(self.build_match(Field::BusinessPurpose, &candidate, &texts.purpose, gate))
    }

    /// "Not SaaS" from a look-alike term or a place word in one field.
    fn not_saas_by_text(&self, field: Field, scan: &FieldScan) -> Option<Match> {
        if let Some(idx) = scan.excluded {
            let pattern = &self.dictionary.patterns[idx];
            let Role::Term { owner, .. } = pattern.role else { return None };
            let group = self.catalog.owner_name(owner);
            let why = match owner {
                Owner::NotSaas(group_idx) => self.catalog.not_saas()[group_idx].reason.as_str(),
                _ => "",
            };
            let reason = sentence(&[
                field_label(field),
                " contains `",
                &pattern.text,
                "` (",
                group,
                ": ",
                why,
                "), so this is not SaaS spend",
            ]);
            return Some(not_saas(field, &pattern.text, 90, reason));
        }

        let idx = scan.veto?;
        let term = &self.dictionary.patterns[idx].text;
        let reason = sentence(&[
            field_label(field),
            " contains `",
            term,
            "`, a travel, meal or venue word, so this is not SaaS spend",
        ]);
        let confidence = if field == Field::VendorDescription { 85 } else { 60 };
        Some(not_saas(field, term, confidence, reason))
    }

    /// Classifies the expense type (name, then code) and, if that says
    /// nothing, the spend category. "Not software" beats "software" within
    /// a field because a wrong "software" costs more than a missed one.
    pub(crate) fn gate<'e>(&self, expense: &'e Expense, texts: &Texts) -> Gate<'e> {
        let type_fields = [
            (self.classify(&texts.type_name), "expense type", expense.expense_type.as_str()),
            (
                self.classify(&texts.type_code),
                "expense type code",
                expense.expense_type_code.as_str(),
            ),
        ];
        for wanted in [GateClass::NotSoftware, GateClass::Software] {
            if let Some(&(class, label, text)) = type_fields.iter().find(|f| f.0 == wanted) {
                return Gate { class, label, text };
            }
        }

        let class = self.classify(&texts.category);
        Gate { class, label: "spend category", text: &expense.spend_category }
    }

    fn classify(&self, text: &Normalized) -> GateClass {
        let mut class = GateClass::Unknown;
        for hit in self.dictionary.automaton.find_iter(&text.scan) {
            match self.dictionary.patterns[hit.pattern().as_usize()].role {
                Role::Gate(GateRole::NotSoftware | GateRole::Veto) => {
                    return GateClass::NotSoftware;
                }
                Role::Gate(GateRole::Software) => class = GateClass::Software,
                Role::Term { .. } => {}
            }
        }
        class
    }

    /// Scans one field once and keeps the most confident acceptable hit.
    fn scan_field(&self, field: Field, text: &Normalized, context: Context<'_>) -> FieldScan {
        let mut scan = FieldScan::default();

        for hit in self.dictionary.automaton.find_iter(&text.scan) {
            let idx = hit.pattern().as_usize();
            match self.dictionary.patterns[idx].role {
                Role::Gate(GateRole::Veto) => _ = scan.veto.get_or_insert(idx),
                Role::Gate(_) => {}
                Role::Term { owner: Owner::NotSaas(_), .. } => {
                    _ = scan.excluded.get_or_insert(idx);
                }
                Role::Term { owner, ambiguous, source } => {
                    let is_app = matches!(owner, Owner::App(_));
                    let found =
                        consider(field, text, hit.end(), ambiguous && is_app, ambiguous, context);
                    let Some((evidence, domain)) = found else { continue };
                    if let Owner::App(app_idx) = owner
                        && !scan.apps.contains(&app_idx)
                    {
                        scan.apps.push(app_idx);
                    }
                    let confidence =
                        confidence(field, is_app, evidence, context.gate.class, text.processor);
                    let better = scan.best.as_ref().is_none_or(|b| confidence > b.confidence);
                    if better {
                        scan.best = Some(Candidate {
                            pattern: idx,
                            owner,
                            source,
                            evidence,
                            confidence,
                            domain,
                        });
                    }
                }
            }
        }
        scan
    }

    /// A charge that names only a vendor (`ATLASSIAN`, `LINKEDIN *`), with a
    /// business purpose that names one of that vendor's apps ("Jira
    /// Software cloud"): the app. The purpose cannot bring in another
    /// vendor, so typed text never overrides the merchant; it only says
    /// which of the merchant's products this is. A purpose naming two of
    /// them ("Jira and Confluence") leaves the spend with the vendor: one
    /// amount cannot be split by guessing.
    fn narrow_to_app(
        &self,
        vendor_hit: &Candidate,
        purpose_hit: &Candidate,
        purpose: &FieldScan,
        vendor_match: &Match,
    ) -> Option<Match> {
        let Owner::Vendor(vendor_idx) = vendor_hit.owner else { return None };
        let Owner::App(app_idx) = purpose_hit.owner else { return None };
        let app = &self.catalog.apps()[app_idx];
        let vendor_name = self.catalog.owner_name(vendor_hit.owner);
        let marketplace = self.catalog.vendors()[vendor_idx].marketplace;
        let sells = |idx: &usize| {
            marketplace || self.catalog.apps()[*idx].vendor.eq_ignore_ascii_case(vendor_name)
        };
        if !sells(&app_idx) || purpose.apps.iter().filter(|idx| sells(idx)).count() != 1 {
            return None;
        }

        let term = &self.dictionary.patterns[purpose_hit.pattern].text;
        tracing::trace!(app = %app.name, vendor = vendor_name, "purpose names the app");
        Some(Match {
            app: Some(app.name.clone()),
            vendor: Some(app.vendor.clone()),
            rule: RuleKind::Dictionary,
            field: Field::BusinessPurpose,
            term: term.clone(),
            confidence: vendor_hit.confidence,
            reason: if marketplace {
                format!(
                    "{}; {vendor_name} bills for other companies' apps, and the business \
                     purpose names {} (`{term}`)",
                    vendor_match.reason, app.name
                )
            } else {
                format!(
                    "{}; the business purpose narrows it to {vendor_name}'s app {} (`{term}`)",
                    vendor_match.reason, app.name
                )
            },
        })
    }

    fn build_match(
        &self,
        field: Field,
        candidate: &Candidate,
        text: &Normalized,
        gate: Gate<'_>,
    ) -> Match {
        let (app, vendor) = match candidate.owner {
            Owner::App(idx) => {
                let app = &self.catalog.apps()[idx];
                (Some(app.name.clone()), Some(app.vendor.clone()))
            }
            owner => (None, Some(self.catalog.owner_name(owner).to_owned())),
        };

        Match {
            app,
            vendor,
            rule: RuleKind::Dictionary,
            field,
            term: self.dictionary.patterns[candidate.pattern].text.clone(),
            confidence: candidate.confidence,
            reason: self.reason(field, candidate, text, gate),
        }
    }

    /// One sentence: what was found where, whose it is, and why it counts.
    fn reason(
        &self,
        field: Field,
        candidate: &Candidate,
        text: &Normalized,
        gate: Gate<'_>,
    ) -> String {
        let pattern = &self.dictionary.patterns[candidate.pattern];
        let owner_name = self.catalog.owner_name(candidate.owner);
        let owner_text: &[&str] = match candidate.owner {
            Owner::App(_) => &[owner_name],
            _ => &["vendor ", owner_name, ", app unknown"],
        };

        let mut out = sentence(&[
            field_label(field),
            " contains `",
            &pattern.text,
            "` (",
            candidate.source.label(),
            " of ",
        ]);
        push_all(&mut out, owner_text);
        out.push(')');
        if text.processor {
            out.push_str(" behind a payment-processor prefix");
        }

        let domain = candidate.domain.clone().map(|range| &text.scan[range]);
        match (candidate.evidence, domain) {
            (Evidence::Domain, Some(domain)) => {
                push_all(
                    &mut out,
                    &[", an ambiguous name made specific by the `", domain, "` after it"],
                );
            }
            (Evidence::LegalName, _) => {
                out.push_str(
                    ", an ambiguous name made specific by the legal-entity suffix after it",
                );
            }
            (Evidence::SoftwareType, _) => {
                push_all(
                    &mut out,
                    &[
                        ", an ambiguous name that counts because ",
                        gate.label,
                        " `",
                        gate.text,
                        "` is software",
                    ],
                );
                return out;
            }
            _ => {}
        }

        match gate.class {
            GateClass::Software => {
                push_all(&mut out, &[" and ", gate.label, " `", gate.text, "` is software"]);
            }
            _ => out.push_str(" and nothing in the expense type or spend category says otherwise"),
        }
        out
    }
}

/// Decides whether a term hit counts, and on what evidence.
///
/// A legal suffix makes an ambiguous app name specific (`ASANA INC`), but
/// not an ambiguous vendor name: `APPLE INC` is as likely a laptop as a
/// subscription.
pub(crate) fn consider(
    field: Field,
    text: &Normalized,
    hit_end: usize,
    legal_counts: bool,
    ambiguous: bool,
    context: Context<'_>,
) -> Option<(Evidence, Option<Range<usize>>)> {
    let software = context.gate.class == GateClass::Software;

    // The business purpose is typed by the employee; it counts only when
    // the expense type says software.
    if field == Field::BusinessPurpose && !software {
        return None;
    }

    let domain = domain_after(&text.scan, hit_end);
    if !ambiguous {
        return Some((Evidence::Strong, None));
    }
    if domain.is_some() {
        return Some((Evidence::Domain, domain));
    }
    if legal_counts && field == Field::VendorDescription && text.legal_suffix_at(hit_end) {
        return Some((Evidence::LegalName, None));
    }

    // An ambiguous word in the purpose is only trusted when there is no
    // merchant text that could have said something better.
    let field_allows = field == Field::VendorDescription || context.vendor_empty;
    (software && field_allows).then_some((Evidence::SoftwareType, None))
}

/// The domain-ending token right after a hit (`.us` in ` zoom  .us `).
fn domain_after(scan: &str, hit_end: usize) -> Option<Range<usize>> {
    let start = hit_end + 1;
    if scan.as_bytes().get(start) != Some(&b'.') {
        return None;
    }
    let len = scan[start..].find(' ').unwrap_or(scan.len() - start);
    Some(start..start + len)
}

/// 0–100. App hits beat vendor-only hits, unambiguous terms beat ambiguous
/// ones, a software expense type adds, the business purpose costs.
/// "Not SaaS" because the expense type or spend category says so.
fn not_saas_by_gate(gate: Gate<'_>) -> Match {
    let field =
        if gate.label == "spend category" { Field::SpendCategory } else { Field::ExpenseType };
    let reason =
        sentence(&[gate.label, " `", gate.text, "` is not software, so this is not SaaS spend"]);
    not_saas(field, gate.text, 95, reason)
}

fn not_saas(field: Field, term: &str, confidence: u8, reason: String) -> Match {
    Match {
        app: None,
        vendor: None,
        rule: RuleKind::NotSaas,
        field,
        term: term.to_owned(),
        confidence,
        reason,
    }
}

pub(crate) fn confidence(
    field: Field,
    is_app: bool,
    evidence: Evidence,
    gate: GateClass,
    processor: bool,
) -> u8 {
    let base: u8 = match (is_app, evidence) {
        (true, Evidence::Strong) => 88,
        (true, Evidence::Domain) => 84,
        (true, Evidence::LegalName) => 78,
        (true, Evidence::SoftwareType) => 72,
        (false, Evidence::Strong) => 62,
        (false, Evidence::Domain | Evidence::LegalName) => 60,
        (false, Evidence::SoftwareType) => 50,
    };
    let gate_bonus = if gate == GateClass::Software { 8 } else { 0 };
    let processor_bonus = if processor && evidence == Evidence::SoftwareType { 5 } else { 0 };
    let purpose_penalty = if field == Field::BusinessPurpose { 30 } else { 0 };
    (base + gate_bonus + processor_bonus).saturating_sub(purpose_penalty)
}

/// The parts of a reason joined into one string, allocated once (with
/// room for the clauses [`VendorMatcher::reason`] appends).
///
/// A reason is built for every expense; `format!` re-grows its string as
/// the pieces arrive, and a reason is only ever literal pieces and field
/// text, so plain concatenation says it as clearly and copies each byte
/// once.
pub(crate) fn sentence(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|part| part.len()).sum::<usize>() + 96);
    push_all(&mut out, parts);
    out
}

fn push_all(out: &mut String, parts: &[&str]) {
    for part in parts {
        out.push_str(part);
    }
}

/// How reasons name a field.
pub(crate) fn field_label(field: Field) -> &'static str {
    match field {
        Field::VendorDescription => "vendor description",
        Field::BusinessPurpose => "business purpose",
        Field::ExpenseType => "expense type",
        Field::SpendCategory => "spend category",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spendmap_core::{Decimal, NaiveDate, SourceKind};

    fn expense(vendor: &str, purpose: &str, expense_type: &str) -> Expense {
        let date = NaiveDate::from_ymd_opt(2025, 3, 1).expect("valid date");
        let mut expense = Expense::new(SourceKind::Csv, "t".to_owned(), date, Decimal::ONE);
        expense.vendor_description = vendor.to_owned();
        expense.business_purpose = purpose.to_owned();
        expense.expense_type = expense_type.to_owned();
        expense
    }

    fn matcher(rules: &[UserRule]) -> VendorMatcher {
        let catalog = Catalog::builtin().expect("valid catalog");
        VendorMatcher::new(&catalog, rules).expect("matcher builds")
    }

    /// The app (or `vendor:<name>`) matched, or `""` for no match.
    #[track_caller]
    fn check(vendor: &str, purpose: &str, expense_type: &str, expected: &str) {
        let found = matcher(&[]).match_expense(&expense(vendor, purpose, expense_type));
        let got = match &found {
            None => String::new(),
            Some(m) if m.rule == RuleKind::NotSaas => String::new(),
            Some(m) => match (&m.app, &m.vendor) {
                (Some(app), _) => app.clone(),
                (None, Some(vendor)) => format!("vendor:{vendor}"),
                (None, None) => "ignored".to_owned(),
            },
        };
        assert_eq!(got, expected, "{vendor:?} / {purpose:?} / {expense_type:?}: {found:?}");
    }

    #[test]
    fn box_is_not_in_dropbox() {
        check("DROPBOX*", "", "Software", "Dropbox");
        check("BOX.COM", "", "", "Box");
        check("BOX", "", "", "");
        check("BOX OFFICE", "", "Software", "");
        check("XBOX LIVE", "", "", "");
    }

    #[test]
    fn a_purpose_narrows_vendor_spend_to_one_of_its_own_apps() {
        check("ATLASSIAN B.V.", "Jira Software cloud", "Software", "Jira");
        check("ATLASSIAN B.V.", "renewal", "Software", "vendor:Atlassian");
        check("ATLASSIAN B.V.", "Slack seats", "Software", "vendor:Atlassian");
        check("ATLASSIAN B.V.", "Jira Software cloud", "Hotel", "");
        check("ATLASSIAN B.V.", "Jira and Confluence", "Software", "vendor:Atlassian");

        let narrowed = matcher(&[])
            .match_expense(&expense("ATLASSIAN", "Jira Software cloud", "Software"))
            .expect("matched");
        assert_eq!(narrowed.field, Field::BusinessPurpose);
        assert!(narrowed.reason.contains("narrows it to Atlassian's app Jira"), "{narrowed:?}");
    }

    #[test]
    fn zoominfo_is_not_zoom() {
        check("ZOOMINFO", "", "", "ZoomInfo");
        check("ZOOM INFO", "", "Software", "ZoomInfo");
        check("ZOOM.US 888-799-9666", "", "", "Zoom");
        check("ZOOMCAR", "", "", "");
    }

    #[test]
    fn travel_and_meals_are_never_software() {
        check("MARRIOTT", "Hotel for Salesforce Dreamforce conference", "Hotel", "");
        check("MARRIOTT", "Salesforce conference", "", "");
        check("SALESFORCE TOWER PARKING", "", "", "");
        check("CHIPOTLE", "Lunch with Zoom rep", "Meals", "");
        check("CHIPOTLE", "Lunch with Zoom rep", "", "");
        check("SLACK TECHNOLOGIES", "", "Meals", "");
        check("ZOOM.US", "Lunch with client on Zoom", "Software", "Zoom");
    }

    #[test]
    fn ambiguous_names_need_context() {
        check("GUSTO", "", "Meals", "");
        check("TST* GUSTO PIZZA", "", "", "");
        check("GUSTO", "payroll", "Software", "Gusto");
        check("GUSTO.COM", "", "", "Gusto");
        check("ASANA YOGA", "", "Software", "");
        check("ASANA INC", "", "", "Asana");
        check("FRONT DESK", "", "Software", "");
        check("GONG CHA", "", "Software", "");
        check("GONG.IO", "", "", "Gong");
        check("BASECAMP COFFEE", "", "Software", "");
        check("NOTION", "", "", "");
    }

    #[test]
    fn hits_sit_on_token_boundaries() {
        check("PROMOTIONAL PRODUCTS", "", "Software", "");
        check("HEIRLOOM CAFE", "", "", "");
        check("CANVAS", "", "Software", "");
        check("CANVA.COM", "", "", "Canva");
        check("APPLEBEE'S 1234", "", "", "");
        check("FIGMAN PLUMBING", "", "Software", "");
    }

    #[test]
    fn look_alike_businesses_and_non_saas_purchases() {
        check("UBER EATS", "", "", "");
        check("UBER *TRIP", "", "", "");
        check("ORACLE", "", "Meals", "");
        check("ORACLE RESTAURANT", "", "", "");
        check("ORACLE *NETSUITE", "", "", "NetSuite");
        check("AMZN MKTP US*2K3AB45CD7", "", "Software", "");
        check("AMAZON WEB SERVICES", "", "", "AWS");
        check("GOOGLE *ADS1234567890", "", "", "");
        check("FACEBK *ADS", "", "", "");
        check("MICROSOFT*XBOX", "", "Software", "");
    }

    #[test]
    fn processors_and_wallets_do_not_hide_the_vendor() {
        check("PADDLE.NET* NOTION", "", "Software", "Notion");
        check("PADDLE.NET* NOTION", "", "", "");
        check("PAYPAL *GITHUB", "", "", "GitHub");
        check("APPLE PAY: FIGMA", "", "", "Figma");
    }

    #[test]
    fn vendor_only_spend_reports_no_app() {
        check("ATLASSIAN", "", "Software", "vendor:Atlassian");
        check("ATLASSIAN *JIRA", "", "Software", "Jira");
        check("MSFT * E0123ABCDE", "", "", "vendor:Microsoft");
        check("MSFT *AZURE", "", "", "Microsoft Azure");
        check("GOOGLE *GSUITE_acme", "", "", "Google Workspace");
        check("GOOGLE *SERVICES", "", "", "vendor:Google");
    }

    #[test]
    fn purpose_counts_only_with_a_software_type() {
        check("", "Figma professional plan", "Software", "Figma");
        check("", "Figma professional plan", "", "");
        check("ACME RESELLER", "Notion team plan", "Software", "");
        check("", "Dinner with Slack team", "Meals", "");
    }

    #[test]
    fn refunds_and_odd_text_still_match() {
        check("REFUND ZOOM.US", "", "", "Zoom");
        check("FIGMA\u{a0}INC", "", "Software", "Figma");
        check("MÃ¼ller GmbH", "", "", "");
    }

    #[test]
    fn a_match_explains_itself() {
        let found = matcher(&[])
            .match_expense(&expense("ZOOM.US 888-799-9666", "", "Software"))
            .expect("matches");
        assert_eq!(found.app.as_deref(), Some("Zoom"));
        assert_eq!(found.vendor.as_deref(), Some("Zoom Video Communications"));
        assert_eq!(found.rule, RuleKind::Dictionary);
        assert_eq!(found.field, Field::VendorDescription);
        assert_eq!(found.term, "zoom.us");
        assert_eq!(found.confidence, 96);
        assert_eq!(
            found.reason,
            "vendor description contains `zoom.us` (domain of Zoom) and expense type `Software` is software"
        );
    }

    #[test]
    fn expense_type_codes_gate_too() {
        let mut meal = expense("ZOOM", "", "");
        meal.expense_type_code = "MEALS".to_owned();
        let not_saas = matcher(&[]).match_expense(&meal).expect("decided");
        assert_eq!(not_saas.rule, RuleKind::NotSaas);
        assert_eq!(not_saas.field, Field::ExpenseType);
        assert!(!not_saas.counts());
        assert_eq!(
            not_saas.reason,
            "expense type code `MEALS` is not software, so this is not SaaS spend"
        );

        let mut subscription = expense("ZOOM", "", "");
        subscription.expense_type_code = "SUBSC".to_owned();
        let found = matcher(&[]).match_expense(&subscription).expect("matches");
        assert!(found.reason.contains("expense type code `SUBSC` is software"), "{}", found.reason);
    }

    fn rule(id: i64, term: &str, field: Field, app: Option<&str>) -> UserRule {
        UserRule { id, term: term.to_owned(), field, app: app.map(str::to_owned), vendor: None }
    }

    #[test]
    fn a_user_rule_beats_the_catalog() {
        let rules = [rule(1, "zoom.us", Field::VendorDescription, Some("webex"))];
        let found = matcher(&rules).match_expense(&expense("ZOOM.US", "", "")).expect("rule");
        assert_eq!(found.rule, RuleKind::UserRule);
        assert_eq!(found.app.as_deref(), Some("Webex"), "canonicalised against the catalog");
        assert_eq!(found.vendor.as_deref(), Some("Cisco"));
        assert_eq!(found.confidence, 100);
        assert_eq!(
            found.reason,
            "user rule #1 assigns Webex because vendor description contains `zoom.us`"
        );
    }

    #[test]
    fn an_ignore_rule_stops_the_catalog() {
        let rules = [rule(2, "Dreamforce", Field::BusinessPurpose, None)];
        let found = matcher(&rules)
            .match_expense(&expense("SALESFORCE.COM", "Dreamforce pass", "Software"))
            .expect("rule");
        assert_eq!(found.rule, RuleKind::IgnoreRule);
        assert!(!found.counts());
        assert_eq!(found.field, Field::BusinessPurpose);
    }

    #[test]
    fn a_rule_only_looks_at_its_own_field() {
        let rules = [rule(3, "acme tools", Field::BusinessPurpose, Some("Acme Internal"))];
        let m = matcher(&rules);
        assert_eq!(m.match_expense(&expense("ACME TOOLS", "", "")), None);

        let found = m.match_expense(&expense("", "Acme Tools seats", "")).expect("rule");
        assert_eq!(found.app.as_deref(), Some("Acme Internal"), "unknown apps are kept as typed");
        assert_eq!(found.vendor, None);
    }

    #[test]
    fn a_rule_matches_whole_tokens_and_expense_type_codes() {
        let rules = [
            rule(4, "SUBSC", Field::ExpenseType, None),
            rule(5, "box", Field::VendorDescription, Some("Box")),
        ];
        let m = matcher(&rules);
        assert_eq!(
            m.match_expense(&expense("DROPBOX", "", "")).and_then(|f| f.app),
            Some("Dropbox".to_owned())
        );

        let mut coded = expense("FIGMA", "", "");
        coded.expense_type_code = "SUBSC".to_owned();
        assert_eq!(m.match_expense(&coded).map(|f| f.rule), Some(RuleKind::IgnoreRule));
    }

    #[test]
    fn an_empty_rule_term_is_an_error() {
        let catalog = Catalog::builtin().expect("valid");
        let err = VendorMatcher::new(&catalog, &[rule(9, " *** ", Field::VendorDescription, None)])
            .expect_err("empty term");
        assert_eq!(err.to_string(), "rule #9 has term ` *** `, which is empty after normalisation");
    }
}
