//! Finds SaaS spend in expense text: a vendor catalog, a normaliser and an
//! Aho-Corasick matcher with user rules on top.
//!
//! # Pieces
//!
//! * [`Catalog`] is data (`catalog/apps.toml`, embedded in the binary or
//!   loaded from a file): apps with their vendor, category, domain, aliases
//!   and card-statement descriptors; vendor-level entries for charges that
//!   name a company but no product (`ATLASSIAN`, `MSFT *E0123ABCDE`);
//!   not-SaaS look-alikes (`AMZN MKTP`, `GOOGLE *ADS`, `UBER EATS`); and the
//!   words that say whether an expense type is software. It is validated on
//!   load: no duplicate app names, no term claimed twice, no plain term
//!   shorter than three characters.
//! * [`normalize`] turns any text into lower-case ASCII tokens without
//!   processor prefixes, phone numbers, references, card masks, store
//!   numbers or legal suffixes, with `.com`-style endings as their own token.
//!   Catalog terms, user rules and expense fields all go through it.
//! * [`VendorMatcher`] implements [`spendmap_core::Matcher`].
//!
//! # Match semantics
//!
//! Matching is ASCII case-insensitive (after normalisation) and
//! leftmost-longest: where terms overlap, the longer one wins, so
//! `ZOOMINFO` is ZoomInfo and `GOOGLE *GSUITE` is Google Workspace rather
//! than bare Google. Every hit sits on token boundaries: `BOX` is not found
//! in `DROPBOX`, nor `NOTION` in `PROMOTION`. Each field is scanned once per
//! automaton; all the work of compiling terms happens in
//! [`VendorMatcher::new`].
//!
//! The order is: user rules (match or ignore, each for one field; the first
//! rule found in the strongest field wins and always beats the catalog),
//! then the catalog, then `None`, which sends the expense to the review
//! queue.
//!
//! The catalog pass works like this:
//!
//! 1. **Gate.** The expense type (name, then code) and, if that is silent,
//!    the spend category say "software" (`SUBSC`, `Software`, `Dues &
//!    Subscriptions`...), "not software" (`LODNG`, `Meals`, `Taxi`,
//!    `Conference`...) or nothing. "Not software" ends the catalog pass: a
//!    hotel or a meal is never SaaS spend, whatever the text says. Training
//!    says nothing either way, since a course can be a subscription.
//! 2. **Vendor description**, the strongest field. A not-SaaS term or a
//!    place word (`hotel`, `coffee`, `yoga`) ends the pass. Otherwise the
//!    most confident hit wins: an app over a vendor, an unambiguous term
//!    over an ambiguous one.
//! 3. **Business purpose**, the weakest field. It counts only when the
//!    expense type says software, and a place or meal word in it (`lunch
//!    with the Zoom rep`) vetoes the whole expense unless the expense type
//!    says software.
//!
//! 4. **Narrowing.** When the vendor description names only a vendor
//!    (`ATLASSIAN`) and the purpose names one of that same vendor's apps
//!    ("Jira Software cloud"), the match is that app. The purpose can only
//!    choose among the merchant's own products, never bring in another.
//!
//! Ambiguous names (Box, Notion, Gusto, Front, Loom...) count only with
//! context: a domain ending right after them (`loom.com`), or a software
//! expense type. A processor prefix (`PADDLE.NET* NOTION`) raises the
//! confidence but is not context on its own. A hit on a vendor-level term
//! returns a [`spendmap_core::Match`] with `app: None` and the vendor set.
//! Every match carries the term found, the field, a confidence from 0 to 100
//! and a one-sentence reason.

#![deny(missing_docs)]

mod catalog;
mod corrections;
mod dictionary;
pub mod evaluation;
mod explain;
mod matcher;
mod normalize;
mod rules;

pub use catalog::{App, Catalog, CatalogError, NotSaas, Vendor};
pub use corrections::Corrected;
pub use explain::{Explanation, FieldText, Hit};
pub use matcher::{MatcherError, NormalizedExpense, VendorMatcher};
pub use normalize::normalize;
