//! Between domain values and table rows.

use crate::StorageError;
use crate::entity::{expense, rule};
use crate::money::{from_e4, to_e4};
use chrono::NaiveDate;
use spendmap_core::{Expense, ExpenseRow, Field, Match, RuleKind, StoredMatch, UserRule};
use std::collections::HashMap;
use std::str::FromStr;

/// Rows for a batch, one per key: when a key repeats, the later record
/// wins, as it would have if it came in a later batch. (A single statement
/// may not touch the same row twice on PostgreSQL.)
pub(crate) fn unique_rows(batch: &[StoredMatch]) -> Result<Vec<expense::Model>, StorageError> {
    let mut position: HashMap<(&str, &str), usize> = HashMap::with_capacity(batch.len());
    let mut rows: Vec<expense::Model> = Vec::with_capacity(batch.len());

    for (expense, decision) in batch {
        let row = RowValues::new(expense, decision.as_ref())?.to_model();
        let key = (expense.source.as_str(), expense.source_id.as_str());
        match position.get(&key) {
            Some(&idx) => rows[idx] = row,
            None => {
                position.insert(key, rows.len());
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

/// Every stored column of one expense but the id, borrowed from the domain
/// values: the bulk writers bind these directly instead of copying each
/// string into a row model first.
pub(crate) struct RowValues<'a> {
    pub(crate) source: &'static str,
    pub(crate) source_id: &'a str,
    pub(crate) report_id: &'a str,
    pub(crate) report_name: &'a str,
    pub(crate) employee_id: &'a str,
    pub(crate) employee_name: &'a str,
    pub(crate) date: NaiveDate,
    /// The date as stored (`2026-03-31`).
    pub(crate) date_text: DateText,
    pub(crate) vendor_description: &'a str,
    pub(crate) business_purpose: &'a str,
    pub(crate) expense_type: &'a str,
    pub(crate) expense_type_code: &'a str,
    pub(crate) spend_category: &'a str,
    pub(crate) payment_type: &'a str,
    pub(crate) amount_e4: i64,
    pub(crate) currency: &'a str,
    pub(crate) transaction_amount_e4: Option<i64>,
    pub(crate) transaction_currency: &'a str,
    pub(crate) personal: bool,
    pub(crate) app: Option<&'a str>,
    pub(crate) app_vendor: Option<&'a str>,
    pub(crate) matched_by: Option<&'static str>,
    pub(crate) matched_field: Option<&'static str>,
    pub(crate) matched_term: Option<&'a str>,
    pub(crate) confidence: Option<i16>,
    pub(crate) match_reason: Option<&'a str>,
    pub(crate) content_hash: i64,
}

impl<'a> RowValues<'a> {
    /// The row for `expense` decided as `decision`, with its fingerprint;
    /// fails only for an amount too large to store exactly.
    pub(crate) fn new(
        expense: &'a Expense,
        decision: Option<&'a Match>,
    ) -> Result<RowValues<'a>, StorageError> {
        let e4 = |amount| {
            to_e4(amount).ok_or_else(|| StorageError::AmountOutOfRange {
                amount: amount.to_string(),
                source_id: expense.source_id.clone(),
            })
        };

        let mut row = RowValues {
            source: expense.source.as_str(),
            source_id: &expense.source_id,
            report_id: &expense.report_id,
            report_name: &expense.report_name,
            employee_id: &expense.employee_id,
            employee_name: &expense.employee_name,
            date: expense.date,
            date_text: date_text(expense.date),
            vendor_description: &expense.vendor_description,
            business_purpose: &expense.business_purpose,
            expense_type: &expense.expense_type,
            expense_type_code: &expense.expense_type_code,
            spend_category: &expense.spend_category,
            payment_type: &expense.payment_type,
            amount_e4: e4(expense.amount)?,
            currency: &expense.currency,
            transaction_amount_e4: expense.transaction_amount.map(e4).transpose()?,
            transaction_currency: &expense.transaction_currency,
            personal: expense.personal,
            app: decision.and_then(|m| m.app.as_deref()),
            app_vendor: decision.and_then(|m| m.vendor.as_deref()),
            matched_by: decision.map(|m| m.rule.as_str()),
            matched_field: decision.map(|m| m.field.as_str()),
            matched_term: decision.map(|m| m.term.as_str()),
            confidence: decision.map(|m| i16::from(m.confidence)),
            match_reason: decision.map(|m| m.reason.as_str()),
            content_hash: 0,
        };
        row.content_hash = row.fingerprint();
        Ok(row)
    }

    /// A fingerprint of every column but the id and the hash itself (see
    /// [`Fingerprint`]). Written out here rather than taken from `std::hash`
    /// because stored fingerprints must not change with the compiler
    /// version.
    fn fingerprint(&self) -> i64 {
        let mut hash = Fingerprint::new();
        for text in [
            self.source,
            self.source_id,
            self.report_id,
            self.report_name,
            self.employee_id,
            self.employee_name,
            self.vendor_description,
            self.business_purpose,
            self.expense_type,
            self.expense_type_code,
            self.spend_category,
            self.payment_type,
            self.currency,
            self.transaction_currency,
        ] {
            hash.text(Some(text));
        }
        hash.bytes(self.date_text.as_bytes());
        hash.bytes(&self.amount_e4.to_le_bytes());
        hash.bytes(&self.transaction_amount_e4.map_or([0xff; 8], i64::to_le_bytes));
        hash.bytes(&[u8::from(self.personal)]);
        for text in
            [self.app, self.app_vendor, self.matched_by, self.matched_field, self.matched_term]
        {
            hash.text(text);
        }
        hash.bytes(&self.confidence.map_or([0xff; 2], i16::to_le_bytes));
        hash.text(self.match_reason);
        i64::from_le_bytes(hash.0.to_le_bytes())
    }

    /// An owned row model, for the ORM write path.
    pub(crate) fn to_model(&self) -> expense::Model {
        let owned = |text: Option<&str>| text.map(str::to_owned);
        expense::Model {
            id: 0,
            source: self.source.to_owned(),
            source_id: self.source_id.to_owned(),
            report_id: self.report_id.to_owned(),
            report_name: self.report_name.to_owned(),
            employee_id: self.employee_id.to_owned(),
            employee_name: self.employee_name.to_owned(),
            date: self.date,
            vendor_description: self.vendor_description.to_owned(),
            business_purpose: self.business_purpose.to_owned(),
            expense_type: self.expense_type.to_owned(),
            expense_type_code: self.expense_type_code.to_owned(),
            spend_category: self.spend_category.to_owned(),
            payment_type: self.payment_type.to_owned(),
            amount_e4: self.amount_e4,
            currency: self.currency.to_owned(),
            transaction_amount_e4: self.transaction_amount_e4,
            transaction_currency: self.transaction_currency.to_owned(),
            personal: self.personal,
            app: owned(self.app),
            app_vendor: owned(self.app_vendor),
            matched_by: owned(self.matched_by),
            matched_field: owned(self.matched_field),
            matched_term: owned(self.matched_term),
            confidence: self.confidence,
            match_reason: owned(self.match_reason),
            content_hash: self.content_hash,
        }
    }
}

/// A date as the database stores it (`2026-03-31`), without allocating.
fn date_text(date: NaiveDate) -> DateText {
    use std::io::Write as _;
    let mut text = DateText { bytes: [0; 16], len: 0 };
    let mut cursor = std::io::Cursor::new(&mut text.bytes[..]);
    // Dates between years -99999 and 99999 fit; chrono allows no others.
    let _ = write!(cursor, "{date}");
    text.len = cursor.position() as usize;
    text
}

/// The text of a date, on the stack.
pub(crate) struct DateText {
    bytes: [u8; 16],
    len: usize,
}

impl DateText {
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, signs and dashes are ever written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// A 64-bit fingerprint that reads eight bytes per step: rotate, mix in
/// the next little-endian word, multiply by an odd constant (the scheme of
/// the Fx hash). Each step is a bijection of the state, so two rows only
/// collide by chance (about one in 2^64). Byte-at-a-time FNV-1a, used
/// before, cost as much as SQLite's own work per row.
struct Fingerprint(u64);

impl Fingerprint {
    const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

    fn new() -> Fingerprint {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }

    fn word(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::MULTIPLIER);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            self.word(u64::from_le_bytes(eight));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut eight = [0u8; 8];
            eight[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(eight));
        }
    }

    /// Length first (with a marker for "none"), then the bytes: the length
    /// keeps `("ab", "c")` and `("a", "bc")` apart even though the last
    /// word of each is padded with zeros.
    fn text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => {
                self.word(text.len() as u64);
                self.bytes(text.as_bytes());
            }
            None => self.word(u64::MAX),
        }
    }
}

/// A stored row back as a domain value.
pub(crate) fn from_row(row: expense::Model) -> Result<ExpenseRow, StorageError> {
    let decision = decision_of(&row)?;
    let source = spendmap_core::SourceKind::from_str(&row.source)
        .map_err(|_| StorageError::Corrupt { column: "source", value: row.source.clone() })?;

    let mut expense = Expense::new(source, row.source_id, row.date, from_e4(row.amount_e4));
    expense.report_id = row.report_id;
    expense.report_name = row.report_name;
    expense.employee_id = row.employee_id;
    expense.employee_name = row.employee_name;
    expense.vendor_description = row.vendor_description;
    expense.business_purpose = row.business_purpose;
    expense.expense_type = row.expense_type;
    expense.expense_type_code = row.expense_type_code;
    expense.spend_category = row.spend_category;
    expense.payment_type = row.payment_type;
    expense.currency = row.currency;
    expense.transaction_amount = row.transaction_amount_e4.map(from_e4);
    expense.transaction_currency = row.transaction_currency;
    expense.personal = row.personal;

    Ok(ExpenseRow { id: row.id, expense, decision })
}

fn decision_of(row: &expense::Model) -> Result<Option<Match>, StorageError> {
    let Some(matched_by) = &row.matched_by else {
        return Ok(None);
    };
    let rule = RuleKind::from_str(matched_by)
        .map_err(|_| StorageError::Corrupt { column: "matched_by", value: matched_by.clone() })?;
    let field_text = row.matched_field.clone().unwrap_or_default();
    let field = Field::from_str(&field_text)
        .map_err(|_| StorageError::Corrupt { column: "matched_field", value: field_text })?;

    Ok(Some(Match {
        app: row.app.clone(),
        vendor: row.app_vendor.clone(),
        rule,
        field,
        term: row.matched_term.clone().unwrap_or_default(),
        confidence: row.confidence.and_then(|c| u8::try_from(c).ok()).unwrap_or(0),
        reason: row.match_reason.clone().unwrap_or_default(),
    }))
}

/// A stored rule back as a domain value.
pub(crate) fn rule_from_row(row: rule::Model) -> Result<UserRule, StorageError> {
    let field = Field::from_str(&row.field)
        .map_err(|_| StorageError::Corrupt { column: "rule.field", value: row.field.clone() })?;
    Ok(UserRule { id: row.id, term: row.term, field, app: row.app, vendor: row.vendor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use spendmap_core::{Decimal, SourceKind};

    fn expense() -> Expense {
        let date = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let mut expense = Expense::new(SourceKind::Csv, "E-1".into(), date, Decimal::new(1250, 2));
        expense.vendor_description = "FIGMA.COM".into();
        expense
    }

    #[test]
    fn fingerprints_follow_every_column_and_nothing_else() {
        let base = expense();
        let same = RowValues::new(&base, None).unwrap().content_hash;
        assert_eq!(same, RowValues::new(&expense(), None).unwrap().content_hash);

        let mut moved = expense();
        moved.vendor_description = "FIGMA.CO".into();
        moved.business_purpose = "M".into();
        assert_ne!(
            same,
            RowValues::new(&moved, None).unwrap().content_hash,
            "text moved between fields"
        );

        let mut later = expense();
        later.date = later.date.succ_opt().unwrap();
        assert_ne!(same, RowValues::new(&later, None).unwrap().content_hash);

        let row = RowValues::new(&base, None).unwrap();
        assert_eq!(row.date_text.as_str(), "2026-03-31");
    }
}
