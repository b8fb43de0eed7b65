//! What a match decision is, and the seam that makes one.

use crate::{Expense, SourceKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The four expense fields a match can come from, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `VendorDescription`: the merchant text.
    VendorDescription,
    /// `BusinessPurpose`: what the employee typed.
    BusinessPurpose,
    /// `ExpenseTypeName` (or its code).
    ExpenseType,
    /// `SpendCategory` (name or code).
    SpendCategory,
}

impl Field {
    /// Every field, strongest first.
    pub const ALL: [Field; 4] = [
        Field::VendorDescription,
        Field::BusinessPurpose,
        Field::ExpenseType,
        Field::SpendCategory,
    ];

    /// The snake_case name used in storage and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::VendorDescription => "vendor_description",
            Field::BusinessPurpose => "business_purpose",
            Field::ExpenseType => "expense_type",
            Field::SpendCategory => "spend_category",
        }
    }

    /// The field's text in an expense.
    pub fn text(self, expense: &Expense) -> &str {
        match self {
            Field::VendorDescription => &expense.vendor_description,
            Field::BusinessPurpose => &expense.business_purpose,
            Field::ExpenseType => &expense.expense_type,
            Field::SpendCategory => &expense.spend_category,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let wanted = wanted.to_ascii_lowercase();
        match wanted.as_str() {
            "vendordescription" | "vendor" => Ok(Field::VendorDescription),
            "businesspurpose" | "purpose" => Ok(Field::BusinessPurpose),
            "expensetype" | "expensetypename" | "type" => Ok(Field::ExpenseType),
            "spendcategory" | "category" => Ok(Field::SpendCategory),
            _ => Err(format!(
                "unknown field `{s}` (expected vendor, purpose, expense_type or spend_category)"
            )),
        }
    }
}

/// How a decision was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A user's match rule assigned the app.
    UserRule,
    /// A user's ignore rule said "not SaaS"; the expense is not counted.
    IgnoreRule,
    /// The shipped vendor catalog matched.
    Dictionary,
    /// The catalog says this is not SaaS spend at all: the expense type or
    /// spend category is travel, a meal or the like, or the text names a
    /// look-alike (Amazon retail, advertising, a restaurant). Stored so the
    /// review queue holds only what is still undecided.
    NotSaas,
}

impl RuleKind {
    /// The snake_case name used in storage and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::UserRule => "user_rule",
            RuleKind::IgnoreRule => "ignore_rule",
            RuleKind::Dictionary => "dictionary",
            RuleKind::NotSaas => "not_saas",
        }
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "user_rule" => Ok(RuleKind::UserRule),
            "ignore_rule" => Ok(RuleKind::IgnoreRule),
            "dictionary" => Ok(RuleKind::Dictionary),
            "not_saas" => Ok(RuleKind::NotSaas),
            other => Err(format!("unknown rule kind `{other}`")),
        }
    }
}

/// A decision about one expense, with its provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    /// The app (catalog name). `None` for an ignore rule, a "not SaaS"
    /// decision, or when the spend is clearly a vendor's but no single
    /// app's.
    pub app: Option<String>,
    /// The vendor that sells the app (catalog name), when known.
    pub vendor: Option<String>,
    /// How the decision was reached.
    pub rule: RuleKind,
    /// The field whose text decided it.
    pub field: Field,
    /// The term (alias or rule text) that was found.
    pub term: String,
    /// 0 to 100: how sure the matcher is.
    pub confidence: u8,
    /// One sentence a person can read: why this won.
    pub reason: String,
}

impl Match {
    /// Whether this decision counts as company SaaS spend.
    pub fn counts(&self) -> bool {
        matches!(self.rule, RuleKind::UserRule | RuleKind::Dictionary)
    }
}

/// Decides whether an expense is SaaS spend and for which app.
pub trait Matcher {
    /// `None` means "no idea": the expense goes to the review queue.
    fn match_expense(&self, expense: &Expense) -> Option<Match>;
}

impl<M: Matcher + ?Sized> Matcher for &M {
    fn match_expense(&self, expense: &Expense) -> Option<Match> {
        (**self).match_expense(expense)
    }
}

/// A person's decision about one expense, found by its identity: it beats
/// every rule and the catalog, and survives re-imports and re-syncs of
/// that expense.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// Where the expense came from.
    pub source: SourceKind,
    /// Its id within that source.
    pub source_id: String,
    /// `Some(app)` assigns the app; `None` says "not SaaS".
    pub app: Option<String>,
    /// Vendor for the assigned app, if the person named one.
    pub vendor: Option<String>,
}

impl Correction {
    /// The decision this correction makes.
    pub fn decision(&self) -> Match {
        let (rule, reason) = match &self.app {
            Some(app) => (RuleKind::UserRule, format!("corrected by hand: assigned to {app}")),
            None => (RuleKind::IgnoreRule, "corrected by hand: not SaaS spend".to_owned()),
        };
        Match {
            app: self.app.clone(),
            vendor: self.vendor.clone(),
            rule,
            field: Field::VendorDescription,
            term: String::new(),
            confidence: 100,
            reason,
        }
    }
}

/// A user's rule, applied before the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRule {
    /// Storage id; 0 for a rule not stored yet.
    pub id: i64,
    /// The text to look for, matched on token boundaries after the same
    /// normalisation the catalog uses.
    pub term: String,
    /// The field to look in.
    pub field: Field,
    /// `Some(app)` assigns the app; `None` makes this an ignore rule.
    pub app: Option<String>,
    /// Vendor for the assigned app, if the user named one.
    pub vendor: Option<String>,
}
