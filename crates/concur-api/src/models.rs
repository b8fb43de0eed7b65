//! The v3 wire types, read leniently, and their mapping to [`Expense`].
//!
//! Every field is optional: Concur leaves out or nulls what it does not
//! know, and some entries come back with no content at all. Amounts are
//! read from the JSON text itself into exact decimals (`5.00000000` stays
//! five, `0.1` never becomes `0.1000000000000000055`); dates come with or
//! without fractional seconds and a time zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use spendmap_core::{Expense, SourceKind};
use std::str::FromStr;

/// One page of a v3 list.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    /// The items on this page; may be empty even when more follow.
    #[serde(rename = "Items", default = "Vec::new", deserialize_with = "null_as_empty")]
    pub items: Vec<T>,
    /// The absolute URL of the next page, to be followed verbatim.
    #[serde(rename = "NextPage", default)]
    pub next_page: Option<String>,
}

impl<T> Page<T> {
    /// The next page's URL, if there is one (empty means none).
    pub fn next(&self) -> Option<&str> {
        self.next_page.as_deref().map(str::trim).filter(|url| !url.is_empty())
    }
}

/// A v3 expense report header.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Report {
    /// The report id (also used by v4).
    #[serde(rename = "ID")]
    pub id: Option<String>,
    /// The report's title.
    pub name: Option<String>,
    /// The owner's login id.
    #[serde(rename = "OwnerLoginID")]
    pub owner_login_id: Option<String>,
    /// The owner's name.
    pub owner_name: Option<String>,
    /// The report (reimbursement) currency.
    pub currency_code: Option<String>,
    /// When the header last changed; no time zone.
    #[serde(deserialize_with = "lenient_date_time")]
    pub last_modified_date: Option<NaiveDateTime>,
    /// Approval status, e.g. `A_APPR`.
    pub approval_status_code: Option<String>,
    /// Payment status, e.g. `P_PAID`.
    pub payment_status_code: Option<String>,
    /// The report total, exact.
    #[serde(deserialize_with = "exact_decimal")]
    pub total: Option<Decimal>,
}

/// A v3 expense entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Entry {
    /// The entry id: the expense's stable source id.
    #[serde(rename = "ID")]
    pub id: Option<String>,
    /// The report it belongs to.
    #[serde(rename = "ReportID")]
    pub report_id: Option<String>,
    /// The report owner's login id.
    #[serde(rename = "ReportOwnerID")]
    pub report_owner_id: Option<String>,
    /// Expense type code (`SUBSC`, `LUNCH`...).
    pub expense_type_code: Option<String>,
    /// Expense type name, in the caller's language.
    pub expense_type_name: Option<String>,
    /// Spend category code (`COMPU`, `LODNG`...).
    pub spend_category_code: Option<String>,
    /// Spend category name, in the caller's language.
    pub spend_category_name: Option<String>,
    /// Payment type name.
    pub payment_type_name: Option<String>,
    /// The transaction date (a date-time at midnight, usually).
    #[serde(deserialize_with = "lenient_date_time")]
    pub transaction_date: Option<NaiveDateTime>,
    /// Currency of the transaction amount.
    pub transaction_currency_code: Option<String>,
    /// Amount in the transaction currency.
    #[serde(deserialize_with = "exact_decimal")]
    pub transaction_amount: Option<Decimal>,
    /// Amount in the report currency, as posted.
    #[serde(deserialize_with = "exact_decimal")]
    pub posted_amount: Option<Decimal>,
    /// Amount in the report currency, as approved.
    #[serde(deserialize_with = "exact_decimal")]
    pub approved_amount: Option<Decimal>,
    /// Merchant text, typed or from the card feed.
    pub vendor_description: Option<String>,
    /// The vendor list item, when the company keeps a vendor list.
    pub vendor_list_item_name: Option<String>,
    /// The entry's free text: v3's business purpose.
    pub description: Option<String>,
    /// Personal expenses are not company spend.
    pub is_personal: Option<bool>,
}

/// Why an entry could not become an expense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// No id, date or amount: Concur sent an empty shell.
    #[error("entry `{entry}` of report `{report}` came without content ({missing} missing)")]
    WithoutContent {
        /// The entry id, or `?`.
        entry: String,
        /// The report id, or `?`.
        report: String,
        /// The first missing field.
        missing: &'static str,
    },
}

impl Entry {
    /// The expense this entry is, with its report's name and owner. The
    /// amount is what the company paid in the report currency: approved,
    /// else posted, else the transaction amount.
    pub fn to_expense(&self, report: &Report) -> Result<Expense, SkipReason> {
        let report_id = self.report_id.clone().or_else(|| report.id.clone()).unwrap_or_default();
        let skip = |missing| SkipReason::WithoutContent {
            entry: self.id.clone().unwrap_or_else(|| "?".to_owned()),
            report: if report_id.is_empty() { "?".to_owned() } else { report_id.clone() },
            missing,
        };
        let id = self.id.as_deref().filter(|id| !id.trim().is_empty()).ok_or_else(|| skip("ID"))?;
        let date = self.transaction_date.ok_or_else(|| skip("TransactionDate"))?.date();
        let paid = self.approved_amount.or(self.posted_amount);
        let amount = paid.or(self.transaction_amount).ok_or_else(|| skip("amount"))?;

        let mut expense = Expense::new(SourceKind::Concur, id.trim().to_owned(), date, amount);
        expense.report_id = report_id;
        expense.report_name = text(&report.name);
        expense.employee_id = either(&self.report_owner_id, &report.owner_login_id);
        expense.employee_name = text(&report.owner_name);
        expense.vendor_description = either(&self.vendor_description, &self.vendor_list_item_name);
        expense.business_purpose = text(&self.description);
        expense.expense_type = text(&self.expense_type_name);
        expense.expense_type_code = text(&self.expense_type_code);
        // Codes first: names are localised to the token user's language.
        expense.spend_category = either(&self.spend_category_code, &self.spend_category_name);
        expense.payment_type = text(&self.payment_type_name);
        expense.currency = if paid.is_some() {
            text(&report.currency_code)
        } else {
            text(&self.transaction_currency_code)
        };
        expense.transaction_amount = self.transaction_amount;
        expense.transaction_currency = text(&self.transaction_currency_code);
        expense.personal = self.is_personal.unwrap_or(false);
        Ok(expense)
    }
}

/// Trimmed text, empty for none.
fn text(value: &Option<String>) -> String {
    value.as_deref().map(str::trim).unwrap_or_default().to_owned()
}

/// The first of two fields that has text.
fn either(first: &Option<String>, second: &Option<String>) -> String {
    let first = text(first);
    if first.is_empty() { text(second) } else { first }
}

/// Parse Concur's date-times: `2026-10-02`, `2026-10-02T19:46:01`, with any
/// number of fraction digits, with or without `Z` or an offset. A time zone,
/// when present, is dropped: the date as written is the date Concur means.
pub fn parse_date_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(with_zone) = DateTime::parse_from_rfc3339(text) {
        return Some(with_zone.naive_local());
    }
    let bare = text.strip_suffix('Z').unwrap_or(text);
    NaiveDateTime::parse_from_str(bare, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(bare, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(bare, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0))
}

fn lenient_date_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDateTime>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else { return Ok(None) };
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_date_time(&text)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a date")))
}

/// A JSON number (or numeric string) read from its text, exactly.
fn exact_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    let Some(raw) = Option::<Box<RawValue>>::deserialize(deserializer)? else { return Ok(None) };
    let text = raw.get().trim();
    if text == "null" {
        return Ok(None);
    }
    let unquoted = text.trim_matches('"').trim();
    if unquoted.is_empty() {
        return Ok(None);
    }
    Decimal::from_str(unquoted)
        .or_else(|_| Decimal::from_scientific(unquoted))
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("`{text}` is not an amount")))
}

fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("a decimal")
    }

    #[test]
    fn dates_come_in_many_shapes() {
        let at = |text| parse_date_time(text).map(|d| d.to_string());
        assert_eq!(at("2013-09-02T19:46:01.57").as_deref(), Some("2013-09-02 19:46:01.570"));
        assert_eq!(at("2016-04-23T02:53:23.7").as_deref(), Some("2016-04-23 02:53:23.700"));
        assert_eq!(at("2026-10-01T00:00:00").as_deref(), Some("2026-10-01 00:00:00"));
        assert_eq!(at("2026-10-02T10:00:00Z").as_deref(), Some("2026-10-02 10:00:00"));
        assert_eq!(
            at("2026-10-02T10:00:00.1234567Z").as_deref(),
            Some("2026-10-02 10:00:00.123456700")
        );
        assert_eq!(at("2026-10-02T23:30:00+02:00").as_deref(), Some("2026-10-02 23:30:00"));
        assert_eq!(at("2026-10-02").as_deref(), Some("2026-10-02 00:00:00"));
        assert_eq!(at("yesterday"), None);
    }

    #[test]
    fn amounts_are_exact_whatever_their_form() {
        let page: Page<Entry> = serde_json::from_str(
            r#"{"Items":[
                {"ID":"a","TransactionAmount":5.00000000,"PostedAmount":0.1,"ApprovedAmount":"12.30"},
                {"ID":"b","TransactionAmount":1900,"PostedAmount":null,"ApprovedAmount":1.5e2}
            ],"NextPage":null}"#,
        )
        .expect("parses");
        assert_eq!(page.items[0].transaction_amount, Some(dec("5")));
        assert_eq!(page.items[0].posted_amount.map(|d| d.to_string()).as_deref(), Some("0.1"));
        assert_eq!(page.items[0].approved_amount, Some(dec("12.30")));
        assert_eq!(page.items[1].transaction_amount, Some(dec("1900")));
        assert_eq!(page.items[1].posted_amount, None);
        assert_eq!(page.items[1].approved_amount, Some(dec("150")));
        assert!(page.next().is_none());
    }

    #[test]
    fn a_bad_amount_is_an_error_not_a_zero() {
        let parsed = serde_json::from_str::<Entry>(r#"{"ID":"a","PostedAmount":"lots"}"#);
        assert!(parsed.is_err());
    }

    #[test]
    fn entries_become_expenses_with_the_report_around_them() {
        let report: Report = serde_json::from_str(
            r#"{"ID":"R1","Name":"October","OwnerLoginID":"ana@example.test",
                "OwnerName":"Ana Lima","CurrencyCode":"EUR","Custom1":null,"Extra":[1]}"#,
        )
        .expect("parses");
        let entry: Entry = serde_json::from_str(
            r#"{"ID":"gW1$x","ReportID":"R1","ExpenseTypeCode":"SUBSC",
                "ExpenseTypeName":"Software","SpendCategoryCode":"COMPU",
                "SpendCategoryName":"Computer","TransactionDate":"2026-10-01T00:00:00",
                "TransactionCurrencyCode":"USD","TransactionAmount":16.00000000,
                "PostedAmount":14.72000000,"ApprovedAmount":null,
                "VendorDescription":" ZOOM.US 888-799-9666 ","Description":"Team plan",
                "IsPersonal":false}"#,
        )
        .expect("parses");

        let expense = entry.to_expense(&report).expect("has content");
        assert_eq!(expense.source_id, "gW1$x");
        assert_eq!(expense.report_name, "October");
        assert_eq!(expense.employee_id, "ana@example.test");
        assert_eq!(expense.employee_name, "Ana Lima");
        assert_eq!(expense.vendor_description, "ZOOM.US 888-799-9666");
        assert_eq!(expense.business_purpose, "Team plan");
        assert_eq!(expense.spend_category, "COMPU");
        assert_eq!((expense.amount, expense.currency.as_str()), (dec("14.72"), "EUR"));
        assert_eq!(expense.transaction_amount, Some(dec("16")));
        assert_eq!(expense.transaction_currency, "USD");
        assert_eq!(expense.date.to_string(), "2026-10-01");
    }

    #[test]
    fn an_empty_shell_is_skipped_with_a_reason() {
        let entry: Entry =
            serde_json::from_str(r#"{"ID":"gW2","ReportID":"R1","TransactionDate":null}"#)
                .expect("parses");
        let skipped = entry.to_expense(&Report::default()).map(|e| e.source_id);
        assert_eq!(
            skipped.map_err(|e| e.to_string()),
            Err("entry `gW2` of report `R1` came without content (TransactionDate missing)".into())
        );
    }
}
