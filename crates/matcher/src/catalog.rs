//! The vendor catalog: apps, vendors, not-SaaS look-alikes and the words
//! that say whether an expense type is software, loaded from TOML and
//! validated once.

use crate::normalize::normalize;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The catalog shipped with spendmap: the main file (gate, context,
/// vendors, the first apps) and further app files, read as one text.
const BUILTIN: &str = concat!(
    include_str!("../../../catalog/apps.toml"),
    "\n",
    include_str!("../../../catalog/apps-business.toml"),
    "\n",
    include_str!("../../../catalog/apps-technical.toml"),
);

/// Words too ordinary to be a plain alias: see the file's header.
const COMMON_WORDS: &str = include_str!("../../../catalog/common-words.txt");

/// Terms shorter than this (after normalisation) must be marked ambiguous.
const MIN_TERM_LEN: usize = 3;

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The catalog file could not be read.
    #[error("cannot read catalog `{path}`: {source}")]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The catalog is not valid TOML or has unknown or missing fields.
    #[error("cannot parse catalog: {0}")]
    Parse(#[from] toml::de::Error),
    /// Two apps share a name (compared case-insensitively).
    #[error("app `{name}` is listed twice")]
    DuplicateApp {
        /// The repeated name.
        name: String,
    },
    /// Two entries claim the same term after normalisation.
    #[error("alias `{alias}` of `{app}` is already claimed by `{other}`")]
    AliasConflict {
        /// The entry whose term came second.
        app: String,
        /// The term as written.
        alias: String,
        /// The entry that claimed it first.
        other: String,
    },
    /// An entry lists one term both as ambiguous and as a plain alias.
    #[error("alias `{alias}` of `{app}` is listed both as ambiguous and as a plain alias")]
    AmbiguityConflict {
        /// The entry.
        app: String,
        /// The term as written.
        alias: String,
    },
    /// A term that is an ordinary word, not marked ambiguous.
    #[error("alias `{alias}` of `{app}` is an ordinary word; mark it ambiguous")]
    CommonAlias {
        /// The entry.
        app: String,
        /// The term as written.
        alias: String,
    },
    /// A term that is not marked ambiguous is too short to be safe.
    #[error("alias `{alias}` of `{app}` is shorter than 3 characters; mark it ambiguous")]
    ShortAlias {
        /// The entry.
        app: String,
        /// The term as written.
        alias: String,
    },
    /// A term is empty once normalised (only punctuation or noise).
    #[error("alias `{alias}` of `{app}` is empty after normalisation")]
    EmptyAlias {
        /// The entry (or `gate` / `context` for those word lists).
        app: String,
        /// The term as written.
        alias: String,
    },
    /// A gate or context word is also a catalog term, or is listed as both
    /// software and not software.
    #[error("gate word `{word}` is also {other}")]
    GateConflict {
        /// The word as written.
        word: String,
        /// What else claims it.
        other: String,
    },
}

/// One SaaS product.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Canonical name, shown in reports.
    pub name: String,
    /// The company that bills for it.
    pub vendor: String,
    /// A coarse category (`collaboration`, `dev-tools`, `ai`...).
    pub category: String,
    /// The app's website; also matched as a term.
    #[serde(default)]
    pub domain: String,
    /// Brand names, old names and legal entities.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Forms seen on card statements.
    #[serde(default)]
    pub descriptors: Vec<String>,
    /// Names that count only with context (a domain ending or a software
    /// expense type).
    #[serde(default)]
    pub ambiguous: Vec<String>,
}

/// A company whose charges may name no single app.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// The vendor's name, as apps refer to it.
    pub name: String,
    /// Terms that mean this vendor.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Terms that count only with context.
    #[serde(default)]
    pub ambiguous: Vec<String>,
    /// An app store: it bills for other companies' apps, so a business
    /// purpose naming any catalog app says which one this charge is.
    #[serde(default)]
    pub marketplace: bool,
}

/// Text that looks like a SaaS vendor but is not SaaS spend.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotSaas {
    /// A label for the group (`Google advertising`).
    pub name: String,
    /// The terms.
    pub terms: Vec<String>,
    /// Why these are not SaaS.
    #[serde(default)]
    pub reason: String,
}

/// The catalog file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    gate: GateFile,
    #[serde(default)]
    context: ContextFile,
    #[serde(default, rename = "vendor")]
    vendors: Vec<Vendor>,
    #[serde(default)]
    not_saas: Vec<NotSaas>,
    #[serde(default, rename = "app")]
    apps: Vec<App>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GateFile {
    #[serde(default)]
    software: Vec<String>,
    #[serde(default)]
    not_software: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextFile {
    #[serde(default)]
    not_software_words: Vec<String>,
}

/// Who a catalog term belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    /// An app, by index into [`Catalog::apps`].
    App(usize),
    /// A vendor entry, by index.
    Vendor(usize),
    /// A not-SaaS group, by index.
    NotSaas(usize),
}

/// Where a term came from in its entry; used to explain a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TermSource {
    Name,
    Domain,
    Alias,
    Descriptor,
    Ambiguous,
}

impl TermSource {
    pub(crate) fn label(self) -> &'static str {
        match self {
            TermSource::Name => "name",
            TermSource::Domain => "domain",
            TermSource::Alias => "alias",
            TermSource::Descriptor => "descriptor",
            TermSource::Ambiguous => "ambiguous name",
        }
    }
}

/// A validated catalog term.
#[derive(Clone, Debug)]
pub(crate) struct Term {
    /// Normalised, single-spaced.
    pub(crate) key: String,
    /// As written in the catalog, for reasons.
    pub(crate) text: String,
    pub(crate) owner: Owner,
    pub(crate) source: TermSource,
    pub(crate) ambiguous: bool,
}

/// What a gate or context word says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GateRole {
    /// The expense type says software.
    Software,
    /// The expense type says this is certainly not software.
    NotSoftware,
    /// A place or travel word: not software in any field.
    Veto,
}

/// A validated gate or context word.
#[derive(Clone, Debug)]
pub(crate) struct GateWord {
    pub(crate) key: String,
    pub(crate) role: GateRole,
}

/// The vendor catalog, validated.
///
/// Load it once at start-up ([`Catalog::builtin`], [`Catalog::from_path`])
/// and build a [`crate::VendorMatcher`] from it.
#[derive(Clone, Debug)]
pub struct Catalog {
    apps: Vec<App>,
    vendors: Vec<Vendor>,
    not_saas: Vec<NotSaas>,
    terms: Vec<Term>,
    gate_words: Vec<GateWord>,
    /// Normalised term → index into `terms`.
    term_index: HashMap<String, usize>,
    /// Lower-cased app name → index into `apps`.
    app_index: HashMap<String, usize>,
}

impl Catalog {
    /// The catalog shipped inside the binary.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::from_toml_str(BUILTIN)
    }

    /// Reads and validates a catalog file.
    pub fn from_path(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| CatalogError::Read { path: path.to_owned(), source })?;
        Catalog::from_toml_str(&text)
    }

    /// Parses and validates a catalog from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile = toml::from_str(text)?;
        Catalog::validate(file)
    }

    /// Every app, in catalog order.
    pub fn apps(&self) -> &[App] {
        &self.apps
    }

    /// Every vendor-level entry.
    pub fn vendors(&self) -> &[Vendor] {
        &self.vendors
    }

    /// Every not-SaaS group.
    pub fn not_saas(&self) -> &[NotSaas] {
        &self.not_saas
    }

    /// The number of apps.
    pub fn len(&self) -> usize {
        self.apps.len()
    }

    /// Whether the catalog has no apps.
    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }

    /// Finds an app by name, case-insensitively, or failing that by any of
    /// its terms after normalisation (`zoom`, `G Suite`, `monday.com`).
    pub fn find_app(&self, name: &str) -> Option<&App> {
        if let Some(&idx) = self.app_index.get(&name.trim().to_lowercase()) {
            return Some(&self.apps[idx]);
        }
        let term = &self.terms[*self.term_index.get(&normalize(name))?];
        match term.owner {
            Owner::App(idx) => Some(&self.apps[idx]),
            Owner::Vendor(_) | Owner::NotSaas(_) => None,
        }
    }

    pub(crate) fn terms(&self) -> &[Term] {
        &self.terms
    }

    pub(crate) fn gate_words(&self) -> &[GateWord] {
        &self.gate_words
    }

    /// The display name of a term's owner.
    pub(crate) fn owner_name(&self, owner: Owner) -> &str {
        match owner {
            Owner::App(idx) => &self.apps[idx].name,
            Owner::Vendor(idx) => &self.vendors[idx].name,
            Owner::NotSaas(idx) => &self.not_saas[idx].name,
        }
    }

    fn validate(file: CatalogFile) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog {
            apps: file.apps,
            vendors: file.vendors,
            not_saas: file.not_saas,
            terms: Vec::new(),
            gate_words: Vec::new(),
            term_index: HashMap::new(),
            app_index: HashMap::new(),
        };

        catalog.index_app_names()?;
        catalog.collect_app_terms()?;
        catalog.collect_vendor_terms()?;
        catalog.collect_not_saas_terms()?;
        catalog.collect_gate_words(&file.gate, &file.context)?;
        Ok(catalog)
    }

    fn index_app_names(&mut self) -> Result<(), CatalogError> {
        for (idx, app) in self.apps.iter().enumerate() {
            let key = app.name.trim().to_lowercase();
            if self.app_index.insert(key, idx).is_some() {
                return Err(CatalogError::DuplicateApp { name: app.name.clone() });
            }
        }
        Ok(())
    }

    fn collect_app_terms(&mut self) -> Result<(), CatalogError> {
        for idx in 0..self.apps.len() {
            let app = self.apps[idx].clone();
            let owner = Owner::App(idx);

            // Ambiguous names first, so that the name itself is skipped
            // when it is one of them.
            for text in &app.ambiguous {
                self.add_term(owner, text, TermSource::Ambiguous, true)?;
            }
            let name_is_ambiguous =
                app.ambiguous.iter().any(|a| normalize(a) == normalize(&app.name));
            if !name_is_ambiguous {
                self.add_term(owner, &app.name, TermSource::Name, false)?;
            }
            if !app.domain.is_empty() {
                self.add_term(owner, &app.domain, TermSource::Domain, false)?;
            }
            for text in &app.aliases {
                self.add_term(owner, text, TermSource::Alias, false)?;
            }
            for text in &app.descriptors {
                self.add_term(owner, text, TermSource::Descriptor, false)?;
            }
        }
        Ok(())
    }

    fn collect_vendor_terms(&mut self) -> Result<(), CatalogError> {
        for idx in 0..self.vendors.len() {
            let vendor = self.vendors[idx].clone();
            for text in &vendor.ambiguous {
                self.add_term(Owner::Vendor(idx), text, TermSource::Ambiguous, true)?;
            }
            for text in &vendor.terms {
                self.add_term(Owner::Vendor(idx), text, TermSource::Alias, false)?;
            }
        }
        Ok(())
    }

    fn collect_not_saas_terms(&mut self) -> Result<(), CatalogError> {
        for idx in 0..self.not_saas.len() {
            let group = self.not_saas[idx].clone();
            for text in &group.terms {
                self.add_term(Owner::NotSaas(idx), text, TermSource::Alias, false)?;
            }
        }
        Ok(())
    }

    /// Adds one term after checking it against every rule and every term
    /// added before it.
    fn add_term(
        &mut self,
        owner: Owner,
        text: &str,
        source: TermSource,
        ambiguous: bool,
    ) -> Result<(), CatalogError> {
        let key = normalize(text);
        let owner_name = self.owner_name(owner).to_owned();

        if key.is_empty() {
            return Err(CatalogError::EmptyAlias { app: owner_name, alias: text.to_owned() });
        }
        if !ambiguous && key.len() < MIN_TERM_LEN {
            return Err(CatalogError::ShortAlias { app: owner_name, alias: text.to_owned() });
        }

        if let Some(&existing) = self.term_index.get(&key) {
            let existing = &self.terms[existing];
            if existing.owner != owner {
                let other = self.owner_name(existing.owner).to_owned();
                return Err(CatalogError::AliasConflict {
                    app: owner_name,
                    alias: text.to_owned(),
                    other,
                });
            }
            if existing.ambiguous != ambiguous {
                return Err(CatalogError::AmbiguityConflict {
                    app: owner_name,
                    alias: text.to_owned(),
                });
            }
            // The same entry repeating a term in another spelling is fine.
            return Ok(());
        }

        // Not-SaaS terms are exempt: claiming an ordinary word there only
        // ever stops a match.
        if !ambiguous && !matches!(owner, Owner::NotSaas(_)) && is_common_word(&key) {
            return Err(CatalogError::CommonAlias { app: owner_name, alias: text.to_owned() });
        }

        self.term_index.insert(key.clone(), self.terms.len());
        self.terms.push(Term { key, text: text.to_owned(), owner, source, ambiguous });
        Ok(())
    }

    fn collect_gate_words(
        &mut self,
        gate: &GateFile,
        context: &ContextFile,
    ) -> Result<(), CatalogError> {
        let lists = [
            (&gate.software, GateRole::Software, "gate"),
            (&gate.not_software, GateRole::NotSoftware, "gate"),
            (&context.not_software_words, GateRole::Veto, "context"),
        ];
        let mut seen: HashMap<String, usize> = HashMap::new();

        for (words, role, section) in lists {
            for text in words {
                self.add_gate_word(text, role, section, &mut seen)?;
            }
        }
        Ok(())
    }

    fn add_gate_word(
        &mut self,
        text: &str,
        role: GateRole,
        section: &str,
        seen: &mut HashMap<String, usize>,
    ) -> Result<(), CatalogError> {
        let key = normalize(text);
        if key.is_empty() {
            return Err(CatalogError::EmptyAlias {
                app: section.to_owned(),
                alias: text.to_owned(),
            });
        }
        if let Some(&term) = self.term_index.get(&key) {
            let other = format!("a term of `{}`", self.owner_name(self.terms[term].owner));
            return Err(CatalogError::GateConflict { word: text.to_owned(), other });
        }

        let Some(&existing) = seen.get(&key) else {
            seen.insert(key.clone(), self.gate_words.len());
            self.gate_words.push(GateWord { key, role });
            return Ok(());
        };

        // A word can be both a "not software" expense type and a place word
        // (`Hotel`); the place word covers both uses. Software against
        // either of the others is a contradiction.
        let merged = match (self.gate_words[existing].role, role) {
            (a, b) if a == b => a,
            (GateRole::Software, _) | (_, GateRole::Software) => {
                let other = "listed as both software and not software".to_owned();
                return Err(CatalogError::GateConflict { word: text.to_owned(), other });
            }
            _ => GateRole::Veto,
        };
        self.gate_words[existing].role = merged;
        Ok(())
    }
}

/// Whether a normalised term is one of the [`COMMON_WORDS`].
fn is_common_word(key: &str) -> bool {
    use std::sync::OnceLock;
    static WORDS: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        COMMON_WORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });
    words.contains(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(extra: &str) -> String {
        format!("[[app]]\nname = \"Zoomly\"\nvendor = \"Zoomly\"\ncategory = \"c\"\n{extra}\n")
    }

    #[test]
    fn builtin_catalog_is_valid_and_large() {
        let catalog = Catalog::builtin().expect("the shipped catalog must validate");
        assert!(catalog.len() >= 320, "only {} apps", catalog.len());
        assert!(!catalog.vendors().is_empty());
        assert!(!catalog.not_saas().is_empty());
    }

    #[test]
    fn builtin_catalog_covers_every_category() {
        let catalog = Catalog::builtin().expect("valid");
        for category in [
            "collaboration",
            "dev-tools",
            "cloud",
            "crm-sales",
            "marketing",
            "hr",
            "finance",
            "security",
            "design",
            "ai",
            "support",
            "analytics",
        ] {
            assert!(catalog.apps().iter().any(|a| a.category == category), "{category}");
        }
    }

    #[test]
    fn finds_apps_by_name_or_term() {
        let catalog = Catalog::builtin().expect("valid");
        let name = |q: &str| catalog.find_app(q).map(|a| a.name.as_str());
        assert_eq!(name("zoom"), Some("Zoom"));
        assert_eq!(name("ZOOM"), Some("Zoom"));
        assert_eq!(name("G Suite"), Some("Google Workspace"));
        assert_eq!(name("monday.com"), Some("Monday.com"));
        assert_eq!(name("atlassian"), None, "a vendor is not an app");
        assert_eq!(name("no such app"), None);
    }

    #[test]
    fn rejects_duplicate_app_names() {
        let text = format!("{}{}", app(""), app("").replace("Zoom\"\nvendor", "ZOOM\"\nvendor"));
        let err = Catalog::from_toml_str(&text).expect_err("duplicate");
        assert!(matches!(err, CatalogError::DuplicateApp { .. }), "{err}");
    }

    #[test]
    fn rejects_an_alias_claimed_twice() {
        let text = format!(
            "{}[[app]]\nname = \"Other\"\nvendor = \"V\"\ncategory = \"c\"\naliases = [\"ZOOMLY INC\"]\n",
            app("")
        );
        let err = Catalog::from_toml_str(&text).expect_err("conflict");
        assert_eq!(err.to_string(), "alias `ZOOMLY INC` of `Other` is already claimed by `Zoomly`");
    }

    #[test]
    fn rejects_short_plain_aliases_but_not_ambiguous_ones() {
        let err = Catalog::from_toml_str(&app("aliases = [\"ZM\"]")).expect_err("short");
        assert_eq!(
            err.to_string(),
            "alias `ZM` of `Zoomly` is shorter than 3 characters; mark it ambiguous"
        );
        Catalog::from_toml_str(&app("ambiguous = [\"ZM\"]")).expect("ambiguous short is fine");
    }

    #[test]
    fn rejects_ordinary_words_unless_ambiguous() {
        let err = Catalog::from_toml_str(&app("aliases = [\"Box Inc.\"]")).expect_err("common");
        assert_eq!(
            err.to_string(),
            "alias `Box Inc.` of `Zoomly` is an ordinary word; mark it ambiguous"
        );
        Catalog::from_toml_str(&app("ambiguous = [\"Box\"]")).expect("ambiguous is fine");
        Catalog::from_toml_str(&app("aliases = [\"Box.com\"]")).expect("a domain form is no word");
    }

    #[test]
    fn rejects_a_term_that_is_both_plain_and_ambiguous() {
        let err =
            Catalog::from_toml_str(&app("ambiguous = [\"Zoomly\"]\naliases = [\"ZOOMLY INC\"]"))
                .expect_err("conflict");
        assert!(matches!(err, CatalogError::AmbiguityConflict { .. }), "{err}");
    }

    #[test]
    fn rejects_empty_terms_and_gate_conflicts() {
        let err = Catalog::from_toml_str(&app("aliases = [\"#***\"]")).expect_err("empty");
        assert!(matches!(err, CatalogError::EmptyAlias { .. }), "{err}");

        let text = format!("[gate]\nsoftware = [\"Zoomly\"]\n{}", app(""));
        let err = Catalog::from_toml_str(&text).expect_err("gate conflict");
        assert!(matches!(err, CatalogError::GateConflict { .. }), "{err}");

        let text = "[gate]\nsoftware = [\"Hotel\"]\n[context]\nnot_software_words = [\"Hotel\"]\n";
        let err = Catalog::from_toml_str(text).expect_err("gate conflict");
        assert!(matches!(err, CatalogError::GateConflict { .. }), "{err}");
    }

    #[test]
    fn reports_unknown_fields_and_missing_files() {
        let err = Catalog::from_toml_str(&app("colour = \"red\"")).expect_err("unknown");
        assert!(matches!(err, CatalogError::Parse(_)), "{err}");

        let err = Catalog::from_path(Path::new("/no/such/catalog.toml")).expect_err("missing");
        assert!(err.to_string().starts_with("cannot read catalog `/no/such/catalog.toml`"));
    }
}
