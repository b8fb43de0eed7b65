//! Reads exported Concur files into [`Expense`] records.
//!
//! Two kinds of file come out of Concur by hand: report-tool exports (CSV,
//! or Excel's "Unicode text", which is UTF-16 with tabs) and Standard
//! Accounting Extract (SAE) files. [`open`] sniffs which one it has, decides
//! how to read it, and returns a [`FileImport`] that yields one expense per
//! entry through [`ExpenseSource`].
//!
//! # How a file is read
//!
//! * **Encoding.** A byte-order mark wins (UTF-8, UTF-16 LE/BE). Without one,
//!   the caller's label is used, else UTF-8 when every byte of the file is
//!   valid UTF-8, else Windows-1252. Decoding is `encoding_rs`'s.
//! * **Layout.** An export's header row may sit below title lines; the first
//!   of the top 100 records that names a date, a vendor and an amount column
//!   is the header, and the delimiter (`,` `;` tab `|`) is the one that makes
//!   such a row appear. Rows without a date that are totals, counts or notes
//!   are skipped: at the end as footer, in the middle as subtotals, and both
//!   are counted in the [`ImportSummary`].
//! * **Columns** are found by name, case- and space-insensitively, with the
//!   aliases Concur's tools use; [`ImportOptions::columns`] overrides them.
//! * **Decimal mark, per file.** Every amount is looked at before any is
//!   read: `1,234.56` or `12.5` proves a decimal point, `1.234,56` or `12,5`
//!   a comma; seeing both is an error. When no amount decides but some
//!   read two ways (`1,234`, `1.500`), the file is refused until the caller
//!   says which mark it uses: a guess could be out by a thousand times.
//!   Whole numbers (`12`) read the same either way. SAE files use a point.
//! * **Date order, per column.** ISO and dotted (`31.12.2026`, day first)
//!   dates read alone. Slash dates take the order their column proves: a
//!   first part above 12 means day/month, a second part above 12 month/day.
//!   Both in one column, or neither, is an error asking for a date format.
//!   Two-digit years read as chrono's `%y` does (00-68 → 20xx, 69-99 → 19xx).
//! * **Streaming.** The decisions above need every value, so an export is
//!   read once to decide (keeping counters and first examples only) and once
//!   more to yield rows. Memory does not grow with the file, except for the
//!   set of ids that deduplication needs: SAE entry ids seen, and a 128-bit
//!   key per distinct row for exports without an entry id column.
//!   A record longer than 1 MiB (a file without line breaks, a quote that
//!   never closes) stops the read with an error naming its line instead of
//!   being buffered.
//! * **Not an export.** An empty file, a known binary format (an image, a
//!   PDF, an Excel workbook) or one with NUL bytes is refused at [`open`]
//!   with one error saying so.
//!
//! # Identity
//!
//! An export row's source id is its entry id (`Entry Key`...) when it has
//! one. Otherwise it is a hash of the values read (date, amounts, texts) with
//! the occurrence of that content in the file (`…#1`, `…#2`), so identical
//! rows stay two expenses and importing the same file again yields the same
//! ids. An SAE entry's id is its Report Entry ID (column 61).
//!
//! # Errors
//!
//! A problem with the whole file is an [`ImportError`] from [`open`]. A bad
//! record is a [`RowError`] naming the file, the physical line, the column
//! and what was expected; reading goes on with the next record and the caller
//! decides whether to stop.

#![deny(missing_docs)]

mod amount;
mod columns;
mod date;
mod decode;
mod error;
mod export;
mod ids;
mod options;
mod sae;

pub use error::{ImportError, RowError};
pub use options::{FileFormat, ImportOptions, ParseRoleError, Role};

use decode::Source;
use export::ExportReader;
use sae::SaeReader;
use spendmap_core::{Expense, ExpenseSource, SourceKind};
use std::path::{Path, PathBuf};

/// What [`open`] decided about a file, and counters that grow as it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportSummary {
    /// The file.
    pub path: PathBuf,
    /// Export or SAE.
    pub format: FileFormat,
    /// The encoding used, as `encoding_rs` names it (`UTF-8`, `UTF-16LE`,
    /// `windows-1252`...).
    pub encoding: &'static str,
    /// The field delimiter.
    pub delimiter: u8,
    /// Whether amounts were read with a decimal comma.
    pub decimal_comma: bool,
    /// The date format used: the caller's, or `%m/%d/%Y`, `%d/%m/%Y` or
    /// `%Y-%m-%d` for the order the column showed (ISO and dotted dates are
    /// read whatever this says).
    pub date_format: String,
    /// Physical line of the header row (the `EXTRACT` line for SAE).
    pub header_line: Option<u64>,
    /// The column chosen for each role found (empty for SAE).
    pub columns: Vec<(Role, String)>,
    /// Header names no role reads (empty for SAE).
    pub unused_columns: Vec<String>,
    /// When the file was not valid UTF-8 and was read as Windows-1252
    /// instead: the line of the first byte that is not UTF-8.
    pub read_as_windows_1252_from_line: Option<u64>,
    /// Non-blank lines above the header.
    pub title_lines_skipped: u64,
    /// Non-blank total and note lines after the last row (for SAE: lines
    /// that are neither `EXTRACT` nor `DETAIL`). Exports know this at open;
    /// SAE counts it while reading.
    pub footer_lines_skipped: u64,
    /// Total and note lines between rows, counted while reading.
    pub subtotal_lines_skipped: u64,
    /// Rows yielded so far, as expenses or row errors.
    pub rows_read: u64,
    /// Rows whose entry id an earlier row of the same file already had.
    /// They share a source id, so a store keeps only the last of them
    /// (allocation or itemisation lines exported one per row do this).
    pub repeated_entry_ids: u64,
    /// SAE DETAIL lines folded into an entry already yielded.
    pub sae_lines_merged: u64,
    /// The DETAIL record count the SAE `EXTRACT` line states.
    pub sae_expected_records: Option<u64>,
    /// SAE DETAIL lines read so far.
    pub sae_detail_lines: u64,
}

impl ImportSummary {
    /// For SAE files, once read to the end: `(stated, found)` when the
    /// `EXTRACT` line's count disagrees with the DETAIL lines.
    pub fn sae_count_mismatch(&self) -> Option<(u64, u64)> {
        let expected = self.sae_expected_records?;
        (expected != self.sae_detail_lines).then_some((expected, self.sae_detail_lines))
    }
}

/// An opened file, yielding its expenses one at a time.
#[derive(Debug)]
pub struct FileImport {
    reader: Reader,
    summary: ImportSummary,
}

#[derive(Debug)]
enum Reader {
    Export(Box<ExportReader>),
    Sae(Box<SaeReader>),
}

/// Opens an exported file: decides its encoding, format and layout, and for
/// an export surveys every row once to decide the decimal mark and date
/// order. The rows are then read lazily.
pub fn open(path: &Path, options: &ImportOptions) -> Result<FileImport, ImportError> {
    let source = Source::open(path, options.encoding.as_deref())?;
    let format = match options.format {
        Some(format) => format,
        None if sae::is_sae(&source.first_line()?) => FileFormat::Sae,
        None => FileFormat::ReportExport,
    };

    let span = tracing::debug_span!("import", path = %path.display(), %format);
    let _entered = span.enter();
    let import = match format {
        FileFormat::ReportExport => {
            let (reader, summary) = export::open(&source, options)?;
            FileImport { reader: Reader::Export(Box::new(reader)), summary }
        }
        FileFormat::Sae => {
            let (reader, summary) = sae::open(&source, options)?;
            FileImport { reader: Reader::Sae(Box::new(reader)), summary }
        }
    };
    tracing::debug!(summary = ?import.summary, "file opened");
    Ok(import)
}

impl FileImport {
    /// What was decided, and how far reading has got.
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }
}

impl ExpenseSource for FileImport {
    type Error = RowError;

    fn kind(&self) -> SourceKind {
        match self.summary.format {
            FileFormat::ReportExport => SourceKind::Csv,
            FileFormat::Sae => SourceKind::Sae,
        }
    }

    fn next_expense(&mut self) -> Option<Result<Expense, RowError>> {
        match &mut self.reader {
            Reader::Export(reader) => reader.next(&mut self.summary),
            Reader::Sae(reader) => reader.next(&mut self.summary),
        }
    }
}

impl Iterator for FileImport {
    type Item = Result<Expense, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_expense()
    }
}
