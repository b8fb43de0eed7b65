//! Report-tool exports: a header row somewhere near the top, one row per
//! entry, perhaps totals at the bottom.
//!
//! Opening takes two passes before the caller sees a row. The first reads
//! the top of the file with each candidate delimiter and keeps the one whose
//! best row names the most known columns; that row is the header. The second
//! reads every row once, keeping only counters and first examples: where the
//! last data row is (what follows is footer), what the amounts say about the
//! decimal mark, and what the dates say about day/month order. Rows are then
//! streamed in a third pass.

use crate::columns::{self, ColumnMap, MapError};
use crate::date::{self, DateReader, Order};
use crate::decode::{Records, Source, error_line, next_record};
use crate::ids::ContentIds;
use crate::{FileFormat, ImportError, ImportOptions, ImportSummary, Role, RowError, amount};
use csv::StringRecord;
use spendmap_core::{Expense, NaiveDate, SourceKind};
use std::path::Path;

/// Delimiters tried when the caller names none, in order of preference.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records from the top may hold the header.
const HEADER_SCAN: u64 = 100;

/// First cells of rows that summarise rather than record: totals, counts and
/// the report tool's own notes.
const FOOTER_WORDS: &[&str] = &[
    "total",
    "grand total",
    "subtotal",
    "sub-total",
    "sum",
    "count",
    "record count",
    "number of",
    "report generated",
    "generated",
    "run on",
    "run date",
    "printed",
    "page ",
    "end of report",
];

/// Streams the rows of a report export.
#[derive(Debug)]
pub(crate) struct ExportReader {
    records: Records,
    record: StringRecord,
    rows: RowReader,
    ids: ContentIds,
    /// Records read after the header.
    index: u64,
    /// Records after the header up to the last data row; the rest is footer.
    data_end: u64,
    done: bool,
}

/// Where the header is and what it says.
struct Layout {
    delimiter: u8,
    /// Records (non-blank lines) before the header.
    index: u64,
    line: u64,
    map: ColumnMap,
}

/// A header candidate seen while scanning the top of the file.
struct Candidate {
    delimiter: u8,
    index: u64,
    line: u64,
    header: StringRecord,
    complete: bool,
    score: usize,
}

/// What the full first pass learned.
#[derive(Default)]
struct Survey {
    records: u64,
    data_end: u64,
    marks: MarkVotes,
    dates: date::Votes,
}

/// Opens a report export: finds the header, surveys the rows, decides the
/// decimal mark and date order, and positions a reader on the first row.
pub(crate) fn open(
    source: &Source,
    options: &ImportOptions,
) -> Result<(ExportReader, ImportSummary), ImportError> {
    let path = source.path.as_path();
    let caller_dates = caller_dates(options)?;
    let layout = find_layout(source, options)?;
    let survey = survey(source, &layout, caller_dates.as_ref())?;

    let decimal_comma = match options.decimal_comma {
        Some(told) => told,
        None => survey.marks.decide(path, layout.delimiter)?,
    };
    let dates = match caller_dates {
        Some(reader) => reader,
        None => decide_order(&survey.dates, path, layout.map.header(Role::Date))?,
    };

    let mut records = source.records(layout.delimiter)?;
    skip(&mut records, layout.index + 1, path)?;
    let summary = summary(source, &layout, &survey, decimal_comma, &dates);
    let rows = RowReader { path: path.to_owned(), map: layout.map, decimal_comma, dates };
    let reader = ExportReader {
        records,
        record: StringRecord::new(),
        rows,
        ids: ContentIds::default(),
        index: 0,
        data_end: survey.data_end,
        done: false,
    };
    Ok((reader, summary))
}

impl ExportReader {
    /// The next row as an expense, skipping subtotal rows; `None` once the
    /// footer (or the end of the file) is reached.
    pub(crate) fn next(
        &mut self,
        summary: &mut ImportSummary,
    ) -> Option<Result<Expense, RowError>> {
        loop {
            if self.done || self.index >= self.data_end {
                self.done = true;
                return None;
            }

            let read = next_record(&mut self.records, &mut self.record);
            self.index += 1;
            let line = match read {
                Ok(Some(line)) => line,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(error) => return Some(Err(self.unreadable(error, summary))),
            };

            // A row whose date reads is data; only the others can be
            // subtotals, so the date is read once and handed on.
            let date = self.rows.dates.read(self.rows.map.cell(&self.record, Role::Date));
            if date.is_none() && self.rows.skips(&self.record) {
                summary.subtotal_lines_skipped += 1;
                continue;
            }
            summary.rows_read += 1;
            let expense = self.rows.expense(&self.record, line, date, &mut self.ids);
            let entry_id = self.rows.map.cell(&self.record, Role::EntryId);
            let report = self.rows.map.cell(&self.record, Role::Report);
            if expense.is_ok() && !entry_id.is_empty() && self.ids.repeats(report, entry_id) {
                summary.repeated_entry_ids += 1;
            }
            return Some(expense);
        }
    }

    /// A record csv could not read. An I/O error ends the import; anything
    /// else spoils only this record.
    fn unreadable(&mut self, error: csv::Error, summary: &mut ImportSummary) -> RowError {
        summary.rows_read += 1;
        self.done |= error.is_io_error();
        let line = error_line(&error, &self.records);
        RowError::unreadable(&self.rows.path, line, error.to_string())
    }
}

/// Everything needed to turn one record into an expense.
#[derive(Debug)]
struct RowReader {
    path: std::path::PathBuf,
    map: ColumnMap,
    decimal_comma: bool,
    dates: DateReader,
}

impl RowReader {
    /// The expense of a data row; `date` is its date cell as read, if it
    /// reads.
    fn expense(
        &self,
        record: &StringRecord,
        line: u64,
        date: Option<NaiveDate>,
        ids: &mut ContentIds,
    ) -> Result<Expense, RowError> {
        self.check_width(record, line)?;
        let text = |role| self.map.cell(record, role).to_owned();
        let date = match date {
            Some(date) => date,
            None => self.date(record, line)?,
        };
        let Some(amount) = self.amount(record, line, Role::Amount)? else {
            return Err(self.bad(line, Role::Amount, self.amount_expected(), ""));
        };
        let mut expense = Expense::new(SourceKind::Csv, String::new(), date, amount);

        expense.transaction_amount = self.amount(record, line, Role::TransactionAmount)?;
        expense.personal = self.personal(record, line)?;
        expense.report_id = text(Role::Report);
        expense.report_name = text(Role::ReportName);
        expense.employee_id = text(Role::Employee);
        expense.employee_name = text(Role::EmployeeName);
        expense.vendor_description = text(Role::Vendor);
        expense.business_purpose = text(Role::Purpose);
        expense.expense_type = text(Role::ExpenseType);
        expense.expense_type_code = text(Role::ExpenseTypeCode);
        expense.spend_category = text(Role::SpendCategory);
        expense.payment_type = text(Role::PaymentType);
        expense.currency = self.currency(record, line)?;
        expense.transaction_currency = self.transaction_currency(record, &expense);

        expense.source_id = match self.map.cell(record, Role::EntryId) {
            "" => ids.next_id(&content(&expense)),
            id => id.to_owned(),
        };
        Ok(expense)
    }

    fn date(&self, record: &StringRecord, line: u64) -> Result<NaiveDate, RowError> {
        let raw = self.map.cell(record, Role::Date);
        self.dates.read(raw).ok_or_else(|| self.bad(line, Role::Date, self.dates.expected(), raw))
    }

    /// An optional amount: `None` for an empty cell or a missing column.
    fn amount(
        &self,
        record: &StringRecord,
        line: u64,
        role: Role,
    ) -> Result<Option<rust_decimal::Decimal>, RowError> {
        let raw = self.map.cell(record, role);
        if raw.is_empty() {
            return Ok(None);
        }
        match amount::parse(raw, self.decimal_comma) {
            Some(value) => Ok(Some(value)),
            None => Err(self.bad(line, role, self.amount_expected(), raw)),
        }
    }

    /// A row with more filled fields than the header has columns, or too
    /// few to reach the columns in use, has been split wrongly (most often
    /// by a delimiter inside an unquoted value such as `1,250.00`); reading
    /// it by position would put values under the wrong names.
    fn check_width(&self, record: &StringRecord, line: u64) -> Result<(), RowError> {
        let width = self.map.width();
        let extra = record.iter().skip(width).any(|field| !field.trim().is_empty());
        let short = record.len() <= self.map.last_used();
        if !extra && !short {
            return Ok(());
        }

        let hint = if extra {
            " (is there a delimiter inside an unquoted value, such as 1,250.00?)"
        } else {
            ""
        };
        let what = format!("the row has {} fields but the header has {width}{hint}", record.len());
        Err(RowError::unreadable(&self.path, line, what))
    }

    /// An ISO currency code, upper-cased; empty when the file has none.
    fn currency(&self, record: &StringRecord, line: u64) -> Result<String, RowError> {
        let raw = self.map.cell(record, Role::Currency);
        let is_code = raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_alphabetic());
        if raw.is_empty() || is_code {
            return Ok(raw.to_ascii_uppercase());
        }
        Err(self.bad(line, Role::Currency, "a three-letter currency code like USD or EUR", raw))
    }

    fn personal(&self, record: &StringRecord, line: u64) -> Result<bool, RowError> {
        let raw = self.map.cell(record, Role::Personal);
        parse_flag(raw).ok_or_else(|| self.bad(line, Role::Personal, "Y or N", raw))
    }

    /// The currency of the transaction amount: its own column when there is
    /// one, else the amount's currency when both amounts are one column.
    fn transaction_currency(&self, record: &StringRecord, expense: &Expense) -> String {
        let own = self.map.transaction_currency(record);
        if !own.is_empty() || expense.transaction_amount.is_none() {
            return own.to_owned();
        }
        let same_column = self.map.get(Role::Amount) == self.map.get(Role::TransactionAmount);
        if same_column { expense.currency.clone() } else { String::new() }
    }

    fn amount_expected(&self) -> &'static str {
        if self.decimal_comma { "an amount like 1234,56" } else { "an amount like 1234.56" }
    }

    fn bad(&self, line: u64, role: Role, expected: impl Into<String>, found: &str) -> RowError {
        RowError::bad_value(&self.path, line, self.map.header(role), expected, found)
    }

    /// Whether a row whose date did not read summarises rather than records.
    fn skips(&self, record: &StringRecord) -> bool {
        let raw_date = self.map.cell(record, Role::Date);
        is_summary_row(record, &self.map, date::shape(raw_date).is_some())
    }
}

/// The values a content id is computed from: everything read, in read form.
fn content(expense: &Expense) -> [String; 16] {
    [
        expense.date.to_string(),
        expense.amount.normalize().to_string(),
        expense.currency.clone(),
        expense.vendor_description.clone(),
        expense.business_purpose.clone(),
        expense.expense_type.clone(),
        expense.expense_type_code.clone(),
        expense.spend_category.clone(),
        expense.employee_id.clone(),
        expense.employee_name.clone(),
        expense.report_id.clone(),
        expense.report_name.clone(),
        expense.payment_type.clone(),
        expense.transaction_amount.map(|a| a.normalize().to_string()).unwrap_or_default(),
        expense.transaction_currency.clone(),
        expense.personal.to_string(),
    ]
}

/// Y/N, Yes/No, true/false, 1/0; empty is not personal.
pub(crate) fn parse_flag(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "n" | "no" | "false" | "0" => Some(false),
        "y" | "yes" | "true" | "1" => Some(true),
        _ => None,
    }
}

/// A row with no date that is a total, a count, a note, or empty. Such rows
/// after the last data row are the footer; between data rows they are
/// subtotals. A row with an amount but no date is not one of these: it is a
/// bad row and gets reported.
/// Whether a record summarises rather than records; `has_date` says whether
/// its date cell reads as a date.
fn is_summary_row(record: &StringRecord, map: &ColumnMap, has_date: bool) -> bool {
    if has_date {
        return false;
    }

    let mut cells = record.iter().map(str::trim).filter(|c| !c.is_empty());
    let Some(first) = cells.next() else {
        return true;
    };
    let first = first.to_lowercase();
    let keyword = FOOTER_WORDS.iter().any(|w| first.starts_with(w));
    let lone_note = cells.next().is_none() && map.cell(record, Role::Amount).is_empty();
    keyword || lone_note
}

fn caller_dates(options: &ImportOptions) -> Result<Option<DateReader>, ImportError> {
    let Some(format) = &options.date_format else {
        return Ok(None);
    };
    DateReader::with_format(format)
        .map(Some)
        .ok_or_else(|| ImportError::BadDateFormat(format.clone()))
}

/// Finds the header with the caller's delimiter, or with each candidate.
fn find_layout(source: &Source, options: &ImportOptions) -> Result<Layout, ImportError> {
    let delimiters = options.delimiter.map_or(DELIMITERS.to_vec(), |d| vec![d]);
    let mut best: Option<Candidate> = None;
    for delimiter in delimiters {
        let Some(candidate) = header_candidate(source, delimiter, &options.columns)? else {
            continue;
        };
        let better = best
            .as_ref()
            .is_none_or(|b| (candidate.complete, candidate.score) > (b.complete, b.score));
        if better {
            best = Some(candidate);
        }
    }

    let path = source.path.clone();
    let Some(best) = best else {
        return Err(ImportError::NoHeader { path, scanned: HEADER_SCAN });
    };
    let found = || best.header.iter().map(|h| h.trim().to_owned()).collect();
    match ColumnMap::build(&best.header, &options.columns) {
        Ok(map) => {
            Ok(Layout { delimiter: best.delimiter, index: best.index, line: best.line, map })
        }
        Err(MapError::Missing(roles)) => {
            let missing = roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
            Err(ImportError::MissingColumns { path, line: best.line, missing, found: found() })
        }
        Err(MapError::UnknownOverride(role, name)) => {
            Err(ImportError::UnknownColumn { path, line: best.line, role, name, found: found() })
        }
    }
}

/// The first record naming all required columns, else the one naming the
/// most (at least two), among the first [`HEADER_SCAN`] records.
fn header_candidate(
    source: &Source,
    delimiter: u8,
    overrides: &[(Role, String)],
) -> Result<Option<Candidate>, ImportError> {
    let mut records = source.records(delimiter)?;
    let mut record = StringRecord::new();
    let mut best: Option<Candidate> = None;
    for index in 0..HEADER_SCAN {
        let Some(line) = read(&mut records, &mut record, &source.path)? else {
            break;
        };

        let (complete, score) = columns::header_fit(&record, overrides);
        if !complete && score < 2 {
            continue;
        }
        let candidate =
            Candidate { delimiter, index, line, header: record.clone(), complete, score };
        if complete {
            return Ok(Some(candidate));
        }
        if best.as_ref().is_none_or(|b| score > b.score) {
            best = Some(candidate);
        }
    }
    Ok(best)
}

/// The full first pass: counters and first examples only.
fn survey(
    source: &Source,
    layout: &Layout,
    caller_dates: Option<&DateReader>,
) -> Result<Survey, ImportError> {
    let path = source.path.as_path();
    let mut records = source.records(layout.delimiter)?;
    skip(&mut records, layout.index + 1, path)?;

    let mut survey = Survey::default();
    let mut record = StringRecord::new();
    loop {
        let line = match next_record(&mut records, &mut record) {
            Ok(None) => break,
            Ok(Some(line)) => line,
            Err(error) if error.is_io_error() => return Err(ImportError::csv(path, error)),
            Err(_) => {
                // The streaming pass reports it; it still counts as data.
                survey.records += 1;
                survey.data_end = survey.records;
                continue;
            }
        };
        survey.records += 1;
        let raw_date = layout.map.cell(&record, Role::Date);
        let shape = date::shape(raw_date);
        let has_date =
            shape.is_some() || caller_dates.is_some_and(|reader| reader.read(raw_date).is_some());
        if is_summary_row(&record, &layout.map, has_date) {
            continue;
        }

        survey.data_end = survey.records;
        survey.marks.add(line, layout.map.cell(&record, Role::Amount));
        survey.marks.add(line, layout.map.cell(&record, Role::TransactionAmount));
        survey.dates.add(line, raw_date, shape.as_ref());
    }
    Ok(survey)
}

/// First examples of amounts only one decimal mark can read.
#[derive(Default)]
struct MarkVotes {
    point: Option<(u64, String)>,
    comma: Option<(u64, String)>,
    either: Option<(u64, String)>,
}

impl MarkVotes {
    fn add(&mut self, line: u64, raw: &str) {
        let slot = match amount::hint(raw) {
            amount::Hint::Point => &mut self.point,
            amount::Hint::Comma => &mut self.comma,
            amount::Hint::Either => &mut self.either,
            amount::Hint::Neither => return,
        };
        if slot.is_none() {
            *slot = Some((line, raw.to_owned()));
        }
    }

    /// Decimal comma or not. One amount that only one mark can read decides
    /// for the whole file. When none decides but some amount reads as two
    /// different values (`1.500`: one and a half, or fifteen hundred), the
    /// caller must say: a guess could be out by a factor of a thousand.
    /// Only when the mark cannot matter (whole numbers) does the delimiter
    /// pick: decimal comma for `;` (European Excel), else decimal point.
    fn decide(&self, path: &Path, delimiter: u8) -> Result<bool, ImportError> {
        match (&self.point, &self.comma, &self.either) {
            (Some((point_line, point)), Some((comma_line, comma)), _) => {
                Err(ImportError::ConflictingDecimalMarks {
                    path: path.to_owned(),
                    point: point.clone(),
                    point_line: *point_line,
                    comma: comma.clone(),
                    comma_line: *comma_line,
                })
            }
            (Some(_), None, _) => Ok(false),
            (None, Some(_), _) => Ok(true),
            (None, None, Some((line, example))) => Err(ImportError::AmbiguousDecimalMark {
                path: path.to_owned(),
                example: example.clone(),
                line: *line,
            }),
            (None, None, None) => Ok(delimiter == b';'),
        }
    }
}

fn decide_order(votes: &date::Votes, path: &Path, column: &str) -> Result<DateReader, ImportError> {
    let path = path.to_owned();
    let column = column.to_owned();
    match (&votes.day_first, &votes.month_first, &votes.ambiguous) {
        (Some((day_first_line, day_first)), Some((month_first_line, month_first)), _) => {
            Err(ImportError::ConflictingDates {
                path,
                column,
                day_first: day_first.clone(),
                day_first_line: *day_first_line,
                month_first: month_first.clone(),
                month_first_line: *month_first_line,
            })
        }
        (Some(_), None, _) => Ok(DateReader::Sniffed(Some(Order::DayFirst))),
        (None, Some(_), _) => Ok(DateReader::Sniffed(Some(Order::MonthFirst))),
        (None, None, Some((line, example))) => {
            Err(ImportError::AmbiguousDates { path, column, line: *line, example: example.clone() })
        }
        (None, None, None) => Ok(DateReader::Sniffed(None)),
    }
}

fn summary(
    source: &Source,
    layout: &Layout,
    survey: &Survey,
    decimal_comma: bool,
    dates: &DateReader,
) -> ImportSummary {
    ImportSummary {
        path: source.path.clone(),
        format: FileFormat::ReportExport,
        encoding: source.encoding.name(),
        delimiter: layout.delimiter,
        decimal_comma,
        date_format: dates.describe(),
        header_line: Some(layout.line),
        columns: layout.map.describe(),
        unused_columns: layout.map.unused(),
        read_as_windows_1252_from_line: source.fallback_line,
        title_lines_skipped: layout.index,
        footer_lines_skipped: survey.records - survey.data_end,
        subtotal_lines_skipped: 0,
        rows_read: 0,
        repeated_entry_ids: 0,
        sae_lines_merged: 0,
        sae_expected_records: None,
        sae_detail_lines: 0,
    }
}

/// Reads one non-blank record and returns its line; `None` at the end. Only
/// I/O errors stop a scan; a record csv cannot read still counts, so every
/// pass counts alike.
pub(crate) fn read(
    records: &mut Records,
    record: &mut StringRecord,
    path: &Path,
) -> Result<Option<u64>, ImportError> {
    match next_record(records, record) {
        Ok(line) => Ok(line),
        Err(error) if error.is_io_error() => Err(ImportError::csv(path, error)),
        Err(error) => Ok(Some(error.position().map_or(0, csv::Position::line))),
    }
}

fn skip(records: &mut Records, count: u64, path: &Path) -> Result<(), ImportError> {
    let mut record = StringRecord::new();
    for _ in 0..count {
        if read(records, &mut record, path)?.is_none() {
            break;
        }
    }
    Ok(())
}
