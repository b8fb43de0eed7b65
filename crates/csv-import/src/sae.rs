//! Standard Accounting Extract (SAE v3) files.
//!
//! Pipe-delimited, no header row: an `EXTRACT|<batch date>|<detail count>|
//! <journal total>|<batch id>` line, then one `DETAIL` line per journal row,
//! with columns known by number. One report entry can span several DETAIL
//! lines (journal and allocation splits); each carries the entry's own
//! amounts, so the entry is read from its first line and the rest are
//! counted, never summed. Only the set of entry ids seen is kept.

use crate::date::DateReader;
use crate::decode::{Records, Source, error_line, next_record};
use crate::export::{parse_flag, read};
use crate::{FileFormat, ImportError, ImportOptions, ImportSummary, RowError, amount};
use csv::StringRecord;
use rust_decimal::Decimal;
use spendmap_core::{Expense, SourceKind};
use std::collections::HashSet;
use std::path::PathBuf;

/// A DETAIL column: its 1-based number in the SAE layout and its name.
#[derive(Clone, Copy)]
struct Col(usize, &'static str);

const EMPLOYEE_ID: Col = Col(5, "Employee ID");
const LAST_NAME: Col = Col(6, "Employee Last Name");
const FIRST_NAME: Col = Col(7, "Employee First Name");
const REPORT_ID: Col = Col(19, "Report ID");
const REPORT_KEY: Col = Col(20, "Report Key");
const REIMBURSEMENT_CURRENCY: Col = Col(22, "Reimbursement Currency");
const REPORT_NAME: Col = Col(27, "Report Name");
const ENTRY_ID: Col = Col(61, "Report Entry ID");
const EXPENSE_TYPE: Col = Col(63, "Expense Type Name");
const TRANSACTION_DATE: Col = Col(64, "Transaction Date");
const ENTRY_CURRENCY: Col = Col(65, "Entry Currency");
const PERSONAL: Col = Col(68, "Personal");
const DESCRIPTION: Col = Col(69, "Entry Description");
const VENDOR_NAME: Col = Col(70, "Vendor Name");
const VENDOR_DESCRIPTION: Col = Col(71, "Vendor Description");
const TRANSACTION_AMOUNT: Col = Col(123, "Transaction Amount");
const POSTED_AMOUNT: Col = Col(124, "Posted Amount");
const APPROVED_AMOUNT: Col = Col(125, "Approved Amount");
const PAYMENT_TYPE: Col = Col(127, "Payment Type Name");
const MERCHANT_NAME: Col = Col(146, "Merchant Name");

/// Streams the entries of an SAE file.
#[derive(Debug)]
pub(crate) struct SaeReader {
    records: Records,
    record: StringRecord,
    path: PathBuf,
    decimal_comma: bool,
    dates: DateReader,
    seen: HashSet<String>,
    done: bool,
}

/// Whether the first line of a file says it is an SAE file.
pub(crate) fn is_sae(first_line: &str) -> bool {
    first_line.trim_start().starts_with("EXTRACT|")
}

/// Opens an SAE file and reads its EXTRACT line.
pub(crate) fn open(
    source: &Source,
    options: &ImportOptions,
) -> Result<(SaeReader, ImportSummary), ImportError> {
    let path = source.path.clone();
    let dates = match &options.date_format {
        Some(format) => DateReader::with_format(format)
            .ok_or_else(|| ImportError::BadDateFormat(format.clone()))?,
        None => DateReader::Sniffed(None),
    };
    let delimiter = options.delimiter.unwrap_or(b'|');
    let mut records = source.records(delimiter)?;

    let mut first = StringRecord::new();
    let line = read(&mut records, &mut first, &path)?;
    let (Some(line), Some("EXTRACT")) = (line, first.get(0).map(str::trim)) else {
        return Err(ImportError::NotSae { path });
    };
    let expected = first.get(2).and_then(|count| count.trim().trim_start_matches('+').parse().ok());

    let decimal_comma = options.decimal_comma.unwrap_or(false);
    let summary = summary(source, delimiter, decimal_comma, &dates, expected, line);
    let reader = SaeReader {
        records,
        record: StringRecord::new(),
        path,
        decimal_comma,
        dates,
        seen: HashSet::new(),
        done: false,
    };
    Ok((reader, summary))
}

impl SaeReader {
    /// The next entry, skipping the further DETAIL lines of entries already
    /// read; `None` at the end, after checking the EXTRACT line's count.
    pub(crate) fn next(
        &mut self,
        summary: &mut ImportSummary,
    ) -> Option<Result<Expense, RowError>> {
        loop {
            if self.done {
                return None;
            }
            let line = match next_record(&mut self.records, &mut self.record) {
                Ok(Some(line)) => line,
                Ok(None) => {
                    self.finish(summary);
                    return None;
                }
                Err(error) => return Some(Err(self.unreadable(error, summary))),
            };

            if self.record.get(0).map(str::trim) != Some("DETAIL") {
                summary.footer_lines_skipped += 1;
                continue;
            }
            summary.sae_detail_lines += 1;
            let entry = self.cell(ENTRY_ID).to_owned();
            if !entry.is_empty() && !self.seen.insert(entry) {
                summary.sae_lines_merged += 1;
                continue;
            }
            summary.rows_read += 1;
            return Some(self.expense(line));
        }
    }

    fn finish(&mut self, summary: &ImportSummary) {
        self.done = true;
        let Some(expected) = summary.sae_expected_records else {
            return;
        };
        if expected != summary.sae_detail_lines {
            tracing::debug!(
                path = %self.path.display(),
                expected,
                found = summary.sae_detail_lines,
                "the EXTRACT line's record count does not match the DETAIL lines"
            );
        }
    }

    fn unreadable(&mut self, error: csv::Error, summary: &mut ImportSummary) -> RowError {
        summary.rows_read += 1;
        self.done |= error.is_io_error();
        let line = error_line(&error, &self.records);
        RowError::unreadable(&self.path, line, error.to_string())
    }

    fn expense(&self, line: u64) -> Result<Expense, RowError> {
        let text = |col| self.cell(col).to_owned();
        let entry = self.cell(ENTRY_ID);
        if entry.is_empty() {
            return Err(self.bad(line, ENTRY_ID, "a report entry id", ""));
        }
        let raw_date = self.cell(TRANSACTION_DATE);
        let Some(date) = self.dates.read(raw_date) else {
            return Err(self.bad(line, TRANSACTION_DATE, self.dates.expected(), raw_date));
        };
        let amount = self.paid_amount(line)?;
        let mut expense = Expense::new(SourceKind::Sae, entry.to_owned(), date, amount);

        expense.transaction_amount = self.amount(line, TRANSACTION_AMOUNT)?;
        expense.transaction_currency = text(ENTRY_CURRENCY);
        expense.currency = text(REIMBURSEMENT_CURRENCY);
        expense.employee_id = text(EMPLOYEE_ID);
        expense.employee_name = self.employee_name();
        expense.report_id = self.first_of(&[REPORT_ID, REPORT_KEY]).to_owned();
        expense.report_name = text(REPORT_NAME);
        expense.expense_type = text(EXPENSE_TYPE);
        expense.business_purpose = text(DESCRIPTION);
        expense.vendor_description =
            self.first_of(&[VENDOR_DESCRIPTION, VENDOR_NAME, MERCHANT_NAME]).to_owned();
        expense.payment_type = text(PAYMENT_TYPE);
        let raw_personal = self.cell(PERSONAL);
        expense.personal = parse_flag(raw_personal)
            .ok_or_else(|| self.bad(line, PERSONAL, "Y or N", raw_personal))?;
        Ok(expense)
    }

    /// What the company paid: approved, else posted, else transaction.
    fn paid_amount(&self, line: u64) -> Result<Decimal, RowError> {
        for col in [APPROVED_AMOUNT, POSTED_AMOUNT, TRANSACTION_AMOUNT] {
            if let Some(amount) = self.amount(line, col)? {
                return Ok(amount);
            }
        }
        Err(self.bad(line, APPROVED_AMOUNT, "an amount like 1234.5600", ""))
    }

    fn amount(&self, line: u64, col: Col) -> Result<Option<Decimal>, RowError> {
        let raw = self.cell(col);
        if raw.is_empty() {
            return Ok(None);
        }
        match amount::parse(raw, self.decimal_comma) {
            Some(value) => Ok(Some(value)),
            None => Err(self.bad(line, col, "an amount like 1234.5600", raw)),
        }
    }

    /// "First Last", or whichever part is there.
    fn employee_name(&self) -> String {
        let first = self.cell(FIRST_NAME);
        let last = self.cell(LAST_NAME);
        format!("{first} {last}").trim().to_owned()
    }

    fn first_of(&self, cols: &[Col]) -> &str {
        cols.iter().map(|c| self.cell(*c)).find(|v| !v.is_empty()).unwrap_or_default()
    }

    fn cell(&self, Col(number, _): Col) -> &str {
        self.record.get(number - 1).map_or("", str::trim)
    }

    fn bad(
        &self,
        line: u64,
        Col(number, name): Col,
        expected: impl Into<String>,
        found: &str,
    ) -> RowError {
        RowError::bad_value(&self.path, line, &format!("{number} ({name})"), expected, found)
    }
}

fn summary(
    source: &Source,
    delimiter: u8,
    decimal_comma: bool,
    dates: &DateReader,
    expected: Option<u64>,
    header_line: u64,
) -> ImportSummary {
    ImportSummary {
        path: source.path.clone(),
        format: FileFormat::Sae,
        encoding: source.encoding.name(),
        delimiter,
        decimal_comma,
        date_format: dates.describe(),
        header_line: Some(header_line),
        columns: Vec::new(),
        unused_columns: Vec::new(),
        read_as_windows_1252_from_line: source.fallback_line,
        title_lines_skipped: 0,
        footer_lines_skipped: 0,
        subtotal_lines_skipped: 0,
        rows_read: 0,
        repeated_entry_ids: 0,
        sae_lines_merged: 0,
        sae_expected_records: expected,
        sae_detail_lines: 0,
    }
}
